// Generic key operations; see keys.h.
#include "model/keys.h"

#include <random>

#include "engine/keys.h"
#include "engine/status.h"
#include "model/glob.h"

namespace cairn::model {

using engine::Cf;

void find(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f) {
  engine::check(engine::lookup(v, ns, key, now_ms, f));
}

bool exists(View& v, uint8_t ns, std::string_view key, int64_t now_ms) {
  Found f;
  find(v, ns, key, now_ms, &f);
  return f.live;
}

bool delete_key(Txn& t, uint8_t ns, std::string_view key) {
  Found f;
  find(t, ns, key, t.now_ms(), &f);
  if (!f.present) return false;
  engine::delete_record(t, ns, key, f, f.live ? engine::FeedKind::kDelete : engine::FeedKind::kExpired);
  return f.live;
}

bool set_expire(Txn& t, uint8_t ns, std::string_view key, int64_t at_ms, ExpireCond cond) {
  Found f;
  find(t, ns, key, t.now_ms(), &f);
  if (!f.live) return false;
  int64_t cur = f.header.expire_at_ms;  // 0: persistent, which GT/LT treat as +infinity
  switch (cond) {
    case ExpireCond::kNone: break;
    case ExpireCond::kNX:
      if (cur) return false;
      break;
    case ExpireCond::kXX:
      if (!cur) return false;
      break;
    case ExpireCond::kGT:
      if (!cur || at_ms <= cur) return false;
      break;
    case ExpireCond::kLT:
      if (cur && at_ms >= cur) return false;
      break;
  }
  if (at_ms <= t.now_ms()) {
    engine::delete_record(t, ns, key, f, engine::FeedKind::kDelete);
    return true;
  }
  // Only the TTL changes: the value and its metadata stay.
  engine::rewrite_expiry(t, ns, key, f, at_ms);
  return true;
}

bool persist(Txn& t, uint8_t ns, std::string_view key) {
  Found f;
  find(t, ns, key, t.now_ms(), &f);
  if (!f.live || !f.header.expire_at_ms) return false;
  engine::rewrite_expiry(t, ns, key, f, 0);
  return true;
}

int64_t expire_at(View& v, uint8_t ns, std::string_view key, int64_t now_ms) {
  Found f;
  find(v, ns, key, now_ms, &f);
  if (!f.live) return -2;
  return f.header.expire_at_ms ? f.header.expire_at_ms : -1;
}

namespace {

// Copies the member records of `from` (found at src) under `version` of dst.
void copy_members(Txn& t, uint8_t src_ns, std::string_view src, const Found& from, uint8_t dst_ns,
                  std::string_view dst, uint64_t version) {
  std::string old_prefix = engine::member_prefix(src_ns, src, engine::members_version(from));
  std::string new_prefix = engine::member_prefix(dst_ns, dst, version);
  auto it = t.iterate(Cf::kMembers, old_prefix, prefix_successor(old_prefix));
  std::vector<std::pair<std::string, std::string>> members;
  for ((*it)->Seek(old_prefix); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    members.emplace_back(new_prefix + std::string(k.substr(old_prefix.size())), (*it)->value().ToString());
  }
  engine::check((*it)->status());
  for (const auto& [k, v] : members) t.put(Cf::kMembers, k, v);
}

// Writes a copy of `from` (found at src) as dst, over `to`. Collections and
// chunked strings get their members copied under a fresh version, so the
// copy is independent.
void copy_record(Txn& t, uint8_t src_ns, std::string_view src, const Found& from, uint8_t dst_ns,
                 std::string_view dst, const Found& to) {
  engine::RecordHeader h = from.header;
  std::string metadata(h.metadata);
  h.metadata = metadata;
  if (h.chunked) {
    engine::ChunkedString c = from.chunks;
    c.version = t.new_collection_version();
    copy_members(t, src_ns, src, from, dst_ns, dst, c.version);
    std::string payload;
    engine::encode_chunked_string(c, &payload);
    engine::put_record(t, dst_ns, dst, to, h, payload, engine::FeedKind::kSet);
    return;
  }
  if (!engine::is_collection(h.type)) {
    std::string payload(from.payload);
    engine::put_record(t, dst_ns, dst, to, h, payload, engine::FeedKind::kSet);
    return;
  }
  engine::CollectionMeta m;
  if (!engine::decode_collection(h.type, from.payload, &m)) {
    throw engine::StoreError(rocksdb::Status::Corruption("bad collection record"));
  }
  m.version = t.new_collection_version();
  copy_members(t, src_ns, src, from, dst_ns, dst, m.version);
  std::string payload;
  engine::encode_collection(h.type, m, &payload);
  engine::write_record(t, dst_ns, dst, to, h.type, h.expire_at_ms, payload);
}

}  // namespace

MoveResult rename_key(Txn& t, uint8_t ns, std::string_view src, std::string_view dst, bool only_if_absent) {
  Found from;
  find(t, ns, src, t.now_ms(), &from);
  if (!from.live) return MoveResult::kNoSuchKey;
  if (src == dst) return only_if_absent ? MoveResult::kTargetExists : MoveResult::kOk;
  Found to;
  find(t, ns, dst, t.now_ms(), &to);
  if (to.live && only_if_absent) return MoveResult::kTargetExists;
  copy_record(t, ns, src, from, ns, dst, to);
  engine::delete_record(t, ns, src, from, engine::FeedKind::kDelete);
  return MoveResult::kOk;
}

MoveResult copy_key(Txn& t, uint8_t src_ns, std::string_view src, uint8_t dst_ns, std::string_view dst,
                    bool replace) {
  Found from;
  find(t, src_ns, src, t.now_ms(), &from);
  if (!from.live) return MoveResult::kNoSuchKey;
  Found to;
  find(t, dst_ns, dst, t.now_ms(), &to);
  if (to.live && !replace) return MoveResult::kTargetExists;
  if (src_ns == dst_ns && src == dst) return MoveResult::kTargetExists;
  copy_record(t, src_ns, src, from, dst_ns, dst, to);
  return MoveResult::kOk;
}

ScanPage scan_keys(View& v, uint8_t ns, uint64_t cursor, size_t count, std::string_view pattern,
                   std::optional<ValueType> type, int64_t now_ms) {
  ScanPage page;
  uint64_t start = cursor == 0 ? 0 : cursor - 1;
  auto it = v.iterate(Cf::kScan, engine::scan_seek_key(ns, start), engine::data_prefix(static_cast<uint8_t>(ns + 1)));
  size_t examined = 0;
  uint64_t last_hash = 0;
  bool match_all = pattern.empty() || pattern == "*";
  for ((*it)->Seek(engine::scan_seek_key(ns, start)); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    engine::ScanEntry e;
    if (!engine::decode_scan_key(k, &e)) continue;
    // Finish a whole hash value before stopping, so a cursor always advances.
    if (examined >= count && e.hash != last_hash) {
      page.cursor = e.hash + 1;
      return page;
    }
    ++examined;
    last_hash = e.hash;
    if (!match_all && !glob_match(pattern, e.user_key)) continue;
    Found f;
    find(v, ns, e.user_key, now_ms, &f);
    if (!f.live) continue;
    if (type && f.header.type != *type) continue;
    page.keys.emplace_back(e.user_key);
  }
  engine::check((*it)->status());
  page.cursor = 0;
  return page;
}


std::vector<std::string> match_keys(View& v, uint8_t ns, std::string_view pattern, int64_t now_ms) {
  std::vector<std::string> out;
  std::string lower = engine::data_key(ns, glob_literal_prefix(pattern));
  std::string upper = prefix_successor(lower);
  auto it = v.iterate(Cf::kData, lower, upper);
  bool match_all = pattern == "*";
  for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data() + 1, (*it)->key().size() - 1);
    if (!match_all && !glob_match(pattern, k)) continue;
    engine::RecordHeader h;
    std::string_view payload;
    if (!engine::decode_record(std::string_view((*it)->value().data(), (*it)->value().size()), &h, &payload)) continue;
    if (h.expire_at_ms && h.expire_at_ms <= now_ms) continue;
    out.emplace_back(k);
  }
  engine::check((*it)->status());
  return out;
}

std::optional<std::string> random_key(View& v, uint8_t ns, int64_t now_ms) {
  if (v.key_count(ns) <= 0) return std::nullopt;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto it = v.iterate(Cf::kScan, engine::scan_seek_key(ns, 0), engine::data_prefix(static_cast<uint8_t>(ns + 1)));
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint64_t h = rng() >> (64 - engine::kScanHashBits);
    (*it)->Seek(engine::scan_seek_key(ns, h));
    if (!(*it)->Valid()) (*it)->SeekToFirst();
    if (!(*it)->Valid()) break;
    engine::ScanEntry e;
    std::string_view k((*it)->key().data(), (*it)->key().size());
    if (!engine::decode_scan_key(k, &e)) continue;
    if (exists(v, ns, e.user_key, now_ms)) return std::string(e.user_key);
  }
  engine::check((*it)->status());
  return std::nullopt;
}

}  // namespace cairn::model

namespace cairn::model {

void flush_namespace(Txn& t, uint8_t ns, bool in_transaction) {
  constexpr int64_t kPointDeleteLimit = 1000;
  if (in_transaction) {
    // Inside EXEC the group is not exclusive and later commands of the same
    // commit read and write the namespace: only point deletes, which they see
    // and which cannot remove what they write after.
    std::string lower = engine::data_prefix(ns);
    std::vector<std::string> keys;
    {
      auto it = t.iterate(Cf::kData, lower, prefix_successor(lower));
      for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next()) keys.emplace_back((*it)->key().data() + 1, (*it)->key().size() - 1);
      engine::check((*it)->status());
    }
    for (const auto& k : keys) {
      Found f;
      find(t, ns, k, t.now_ms(), &f);
      if (!f.present) continue;
      t.del(Cf::kData, engine::data_key(ns, k));
      t.del(Cf::kScan, engine::scan_key(ns, k));
      if (f.header.expire_at_ms) t.del(Cf::kExpiry, engine::expiry_key(f.header.expire_at_ms, ns, k));
    }
    std::vector<std::string> members;
    {
      auto it = t.iterate(Cf::kMembers, lower, prefix_successor(lower));
      for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next()) members.emplace_back((*it)->key().ToString());
      engine::check((*it)->status());
    }
    for (const auto& k : members) t.del(Cf::kMembers, k);
    t.set_count(ns, 0);
    t.feed(ns, engine::FeedKind::kFlush, {});
    return;
  }
  if (t.key_count(ns) <= kPointDeleteLimit) {
    // Small: delete key by key, which also clears their expiry entries.
    std::string lower = engine::data_prefix(ns);
    auto it = t.iterate(Cf::kData, lower, prefix_successor(lower));
    std::vector<std::string> keys;
    for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next()) keys.emplace_back((*it)->key().data() + 1, (*it)->key().size() - 1);
    engine::check((*it)->status());
    for (const auto& k : keys) {
      Found f;
      find(t, ns, k, t.now_ms(), &f);
      if (f.present) {
        t.del(Cf::kData, engine::data_key(ns, k));
        t.del(Cf::kScan, engine::scan_key(ns, k));
        if (f.header.expire_at_ms) t.del(Cf::kExpiry, engine::expiry_key(f.header.expire_at_ms, ns, k));
      }
    }
  } else {
    // Large: range deletes; stale expiry entries are dropped by the sweep.
    std::string lower = engine::data_prefix(ns);
    t.delete_range(Cf::kData, lower, prefix_successor(lower));
    t.delete_range(Cf::kScan, lower, prefix_successor(lower));
  }
  // Every collection member of the namespace; FLUSH* runs as an exclusive op.
  std::string lower = engine::data_prefix(ns);
  t.delete_range(Cf::kMembers, lower, prefix_successor(lower));
  t.set_count(ns, 0);
  t.feed(ns, engine::FeedKind::kFlush, {});
}

}  // namespace cairn::model
