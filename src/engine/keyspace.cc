// Record-level keyspace upkeep; see keyspace.h.
#include "engine/keyspace.h"

#include <string>
#include <vector>

#include "engine/keys.h"
#include "engine/string_chunks.h"

namespace cairn::engine {

constexpr int64_t kPointDropLimit = 64;

rocksdb::Status lookup(View& view, uint8_t ns, std::string_view key, int64_t now_ms, Found* out) {
  out->present = out->live = false;
  out->raw.Reset();
  rocksdb::Status s = view.get(Cf::kData, data_key(ns, key), &out->raw);
  if (s.IsNotFound()) return rocksdb::Status::OK();
  if (!s.ok()) return s;
  if (!decode_record(std::string_view(out->raw.data(), out->raw.size()), &out->header, &out->payload)) {
    return rocksdb::Status::Corruption("bad record header");
  }
  if (out->header.chunked && !decode_chunked_string(out->payload, &out->chunks)) {
    return rocksdb::Status::Corruption("bad chunked string record");
  }
  out->present = true;
  out->live = out->header.expire_at_ms == 0 || out->header.expire_at_ms > now_ms;
  return s;
}

uint64_t members_version(const Found& f) {
  return f.header.chunked ? f.chunks.version : members_version(f.header, f.payload);
}

namespace {

// Member records of an incarnation that is going away (a collection's
// members, a chunked string's chunks). Small ones are deleted record by
// record; large ones with one range delete (safe in any group: nothing can
// reach an old version again).
void drop_members(Txn& txn, uint8_t ns, std::string_view key, const Found& old) {
  if (!old.present || !has_members(old.header)) return;
  int64_t records = 0;
  if (old.header.chunked) {
    records = static_cast<int64_t>(old.chunks.length / kStringChunkBytes + 1);
  } else {
    CollectionMeta m;
    if (!decode_collection(old.header.type, old.payload, &m)) return;
    records = m.count;
    // A stream's pending entries are records too, and their number is not
    // kept in the meta (they may outnumber the entries): assume many.
    if (old.header.type == ValueType::kStream && m.stream.groups > 0) records = kPointDropLimit + 1;
  }
  std::string prefix = member_prefix(ns, key, members_version(old));
  std::string end = prefix_successor(prefix);
  if (records > kPointDropLimit) {
    txn.delete_range(Cf::kMembers, prefix, end);
    return;
  }
  auto it = txn.iterate(Cf::kMembers, prefix, end);
  std::vector<std::string> keys;
  for ((*it)->Seek(prefix); (*it)->Valid(); (*it)->Next()) keys.emplace_back((*it)->key().ToString());
  for (const auto& k : keys) txn.del(Cf::kMembers, k);
}

}  // namespace

void write_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old, ValueType type,
                  int64_t expire_at_ms, std::string_view payload, FeedKind kind, std::string_view metadata) {
  RecordHeader h;
  h.type = type;
  h.expire_at_ms = expire_at_ms;
  h.metadata = metadata;
  put_record(txn, ns, key, old, h, payload, kind);
}

void put_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old, RecordHeader h,
                std::string_view payload, FeedKind kind) {
  h.revision = txn.revision();
  std::string value;
  encode_record(h, payload, &value);
  txn.put(Cf::kData, data_key(ns, key), value);
  if (old.present && has_members(old.header) &&
      (h.type != old.header.type || members_version(h, payload) != members_version(old))) {
    drop_members(txn, ns, key, old);
  }
  if (!old.present) {
    txn.add_count(ns, 1);
    txn.put(Cf::kScan, scan_key(ns, key), {});
  } else if (!old.live) {
    txn.key_event(ns, kEventExpired, "expired", key);  // replaced once its TTL had passed
  }
  if (!old.present || !old.live) txn.key_event(ns, kEventNew, "new", key);
  int64_t old_at = old.present ? old.header.expire_at_ms : 0;
  if (old_at != h.expire_at_ms) {
    if (old_at) txn.del(Cf::kExpiry, expiry_key(old_at, ns, key));
    if (h.expire_at_ms) txn.put(Cf::kExpiry, expiry_key(h.expire_at_ms, ns, key), {});
  }
  txn.feed(ns, kind, key);
}

void rewrite_expiry(Txn& txn, uint8_t ns, std::string_view key, const Found& old, int64_t expire_at_ms) {
  // Copies first: the old record's bytes may live where the new one goes.
  std::string payload(old.payload), metadata(old.header.metadata);
  if (old.header.chunked) encode_chunked_string(old.chunks, &payload);  // payload may hold the loaded bytes
  RecordHeader h = old.header;
  h.expire_at_ms = expire_at_ms;
  h.metadata = metadata;
  put_record(txn, ns, key, old, h, payload, FeedKind::kExpire);
}

void delete_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old, FeedKind kind) {
  drop_members(txn, ns, key, old);
  txn.del(Cf::kData, data_key(ns, key));
  txn.del(Cf::kScan, scan_key(ns, key));
  if (old.header.expire_at_ms) txn.del(Cf::kExpiry, expiry_key(old.header.expire_at_ms, ns, key));
  txn.add_count(ns, -1);
  txn.feed(ns, kind, key);
}

bool expire_entry(Txn& txn, std::string_view expiry_index_key) {
  ExpiryEntry e;
  if (!decode_expiry_key(expiry_index_key, &e)) {
    txn.del(Cf::kExpiry, expiry_index_key);
    return false;
  }
  Found f;
  if (!lookup(txn, e.ns, e.user_key, txn.now_ms(), &f).ok()) return false;
  if (f.present && f.header.expire_at_ms == e.at_ms && !f.live) {
    txn.begin_commit();
    delete_record(txn, e.ns, e.user_key, f, FeedKind::kExpired);
    return true;
  }
  if (!f.present || f.header.expire_at_ms != e.at_ms) txn.del(Cf::kExpiry, expiry_index_key);
  return false;
}

}  // namespace cairn::engine
