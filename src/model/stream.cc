// Stream entries, nodes and trimming; see stream.h.
#include "model/stream.h"

#include <algorithm>
#include <fmt/format.h>

#include "engine/coding.h"
#include "engine/status.h"

namespace cairn::model {

namespace {

using engine::Cf;
using engine::get_be64;
using engine::get_le64;
using engine::kTagStreamEntry;
using engine::kTagStreamNode;
using engine::put_be64;
using engine::put_le64;

// Redis refuses an entry whose fields and values exceed a listpack's limit.
constexpr uint64_t kMaxEntryBytes = 1ull << 30;
// Bytes a Redis listpack spends on an entry besides its strings, roughly:
// flags, ID deltas, field count and the per-element headers.
constexpr int64_t kEntryOverheadBytes = 4;
constexpr int64_t kNodeHeaderBytes = 11;

using engine::corrupt;


std::string entry_key(const Collection& c, StreamId id) { return c.member_key(kTagStreamEntry, encode_stream_id(id)); }
std::string node_key(const Collection& c, StreamId first) { return c.member_key(kTagStreamNode, encode_stream_id(first)); }

void encode_fields(std::span<const std::string_view> fields, std::string* out) {
  out->clear();
  put_be64(out, fields.size());
  for (std::string_view f : fields) {
    put_be64(out, f.size());
    out->append(f);
  }
}

std::vector<std::string> decode_fields(std::string_view in) {
  std::vector<std::string> out;
  if (in.size() < 8) corrupt("bad stream entry");
  uint64_t n = get_be64(in.data());
  size_t pos = 8;
  out.reserve(std::min<uint64_t>(n, in.size() / 8));
  for (uint64_t i = 0; i < n; ++i) {
    if (in.size() - pos < 8) corrupt("bad stream entry");
    uint64_t len = get_be64(in.data() + pos);
    pos += 8;
    if (in.size() - pos < len) corrupt("bad stream entry");
    out.emplace_back(in.substr(pos, len));
    pos += len;
  }
  return out;
}

// A node: Redis's listpack of consecutive entries, kept as counts.
struct Node {
  StreamId first;    // its key: the ID it was created with
  int64_t live = 0;  // entries not deleted
  int64_t total = 0;  // entries ever appended to it (deleted ones included)
  int64_t bytes = 0;  // estimated listpack size
  StreamId last;      // the last ID appended
};

std::string encode_node(const Node& n) {
  std::string out;
  put_le64(&out, static_cast<uint64_t>(n.live));
  put_le64(&out, static_cast<uint64_t>(n.total));
  put_le64(&out, static_cast<uint64_t>(n.bytes));
  put_le64(&out, n.last.ms);
  put_le64(&out, n.last.seq);
  return out;
}

Node decode_node(StreamId first, std::string_view in) {
  if (in.size() != 40) corrupt("bad stream node");
  Node n;
  n.first = first;
  n.live = static_cast<int64_t>(get_le64(in.data()));
  n.total = static_cast<int64_t>(get_le64(in.data() + 8));
  n.bytes = static_cast<int64_t>(get_le64(in.data() + 16));
  n.last = {get_le64(in.data() + 24), get_le64(in.data() + 32)};
  return n;
}

bool read_node(View& v, const Collection& c, StreamId first, Node* n) {
  rocksdb::PinnableSlice slice;
  rocksdb::Status s = v.get(Cf::kMembers, node_key(c, first), &slice);
  engine::check(s);
  if (s.IsNotFound()) return false;
  *n = decode_node(first, slice.ToStringView());
  return true;
}

void write_node(Txn& t, const Collection& c, const Node& n) { t.put(Cf::kMembers, node_key(c, n.first), encode_node(n)); }

// The node holding `id` (the one with the largest first ID <= id).
bool node_of(View& v, const Collection& c, StreamId id, Node* n) {
  auto it = v.iterate(Cf::kMembers, c.tag_begin(kTagStreamNode), c.tag_end(kTagStreamNode));
  (*it)->SeekForPrev(node_key(c, id));
  if (!(*it)->Valid()) {
    engine::check((*it)->status());
    return false;
  }
  std::string_view k = (*it)->key().ToStringView();
  size_t p = c.prefix.size() + 1;
  if (k.size() != p + 16) corrupt("bad stream node key");
  *n = decode_node(decode_stream_id(k.substr(p)), (*it)->value().ToStringView());
  return true;
}

// The first entry with an ID >= from, if any (reads above the trimmed
// prefix only: the caller passes a bound past every range-deleted ID).
std::optional<StreamId> first_entry_from(View& v, const Collection& c, StreamId from) {
  auto it = v.iterate(Cf::kMembers, entry_key(c, from), c.tag_end(kTagStreamEntry));
  (*it)->Seek(entry_key(c, from));
  if (!(*it)->Valid()) {
    engine::check((*it)->status());
    return std::nullopt;
  }
  std::string_view k = (*it)->key().ToStringView();
  size_t p = c.prefix.size() + 1;
  if (k.size() != p + 16) corrupt("bad stream entry key");
  return decode_stream_id(k.substr(p));
}

}  // namespace

std::string format_stream_id(StreamId id) { return fmt::format("{}-{}", id.ms, id.seq); }

bool stream_id_increment(StreamId* id) {
  if (id->seq != UINT64_MAX) {
    ++id->seq;
    return true;
  }
  if (id->ms == UINT64_MAX) return false;
  ++id->ms;
  id->seq = 0;
  return true;
}

bool stream_id_decrement(StreamId* id) {
  if (id->seq != 0) {
    --id->seq;
    return true;
  }
  if (id->ms == 0) return false;
  --id->ms;
  id->seq = UINT64_MAX;
  return true;
}

std::string encode_stream_id(StreamId id) {
  std::string out;
  out.reserve(16);
  put_be64(&out, id.ms);
  put_be64(&out, id.seq);
  return out;
}

StreamId decode_stream_id(std::string_view b) { return {get_be64(b.data()), get_be64(b.data() + 8)}; }

StreamId stream_last_id(const Collection& c) { return {c.meta.stream.last_ms, c.meta.stream.last_seq}; }
StreamId stream_first_id(const Collection& c) { return {c.meta.stream.first_ms, c.meta.stream.first_seq}; }
StreamId stream_max_deleted_id(const Collection& c) {
  return {c.meta.stream.max_deleted_ms, c.meta.stream.max_deleted_seq};
}
void set_stream_last_id(Collection* c, StreamId id) {
  c->meta.stream.last_ms = id.ms;
  c->meta.stream.last_seq = id.seq;
}
void set_stream_max_deleted_id(Collection* c, StreamId id) {
  c->meta.stream.max_deleted_ms = id.ms;
  c->meta.stream.max_deleted_seq = id.seq;
}
namespace {
void set_first_id(Collection* c, StreamId id) {
  c->meta.stream.first_ms = id.ms;
  c->meta.stream.first_seq = id.seq;
}
}  // namespace

OpStatus open_stream(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Collection* c) {
  return open_collection(v, ns, key, ValueType::kStream, now_ms, c);
}

OpStatus open_stream_for_write(Txn& t, uint8_t ns, std::string_view key, bool create, Collection* c) {
  OpStatus s = open_stream(t, ns, key, t.now_ms(), c);
  if (s != OpStatus::kNotFound || !create) return s;
  return open_collection_for_write(t, ns, key, ValueType::kStream, c);
}

void save_stream(Txn& t, uint8_t ns, std::string_view key, Collection* c) {
  std::string payload;
  engine::encode_collection(ValueType::kStream, c->meta, &payload);
  int64_t ttl = c->found.live ? c->found.header.expire_at_ms : 0;
  engine::write_record(t, ns, key, c->found, ValueType::kStream, ttl, payload);
  // Later saves in the same command overwrite this record, not a missing one.
  if (!c->exists) {
    find(t, ns, key, t.now_ms(), &c->found);
    c->exists = true;
  }
}

StreamAddResult stream_append(Txn& t, Collection* c, std::optional<StreamId> asked, bool seq_given,
                              std::span<const std::string_view> fields, const StreamNodeLimits& limits,
                              StreamId* added) {
  const StreamId last = stream_last_id(*c);
  StreamId id;
  if (!asked) {
    auto now = static_cast<uint64_t>(std::max<int64_t>(t.now_ms(), 0));
    if (now > last.ms) {
      id = {now, 0};
    } else {
      id = last;
      if (!stream_id_increment(&id)) return StreamAddResult::kIdNotGreater;
    }
  } else if (!seq_given) {
    if (asked->ms == last.ms) {
      if (last.seq == UINT64_MAX) return StreamAddResult::kIdNotGreater;
      id = {last.ms, last.seq + 1};
    } else {
      id = {asked->ms, 0};
    }
  } else {
    id = *asked;
  }
  if (id <= last) return StreamAddResult::kIdNotGreater;
  uint64_t bytes = 0;
  for (std::string_view f : fields) bytes += f.size();
  if (bytes > kMaxEntryBytes) return StreamAddResult::kTooLarge;

  engine::StreamMeta& m = c->meta.stream;
  Node node;
  bool have = m.has_node && read_node(t, *c, {m.node_ms, m.node_seq}, &node);
  if (have) {
    int64_t max_bytes = limits.max_bytes <= 0 || static_cast<uint64_t>(limits.max_bytes) > kMaxEntryBytes
                            ? static_cast<int64_t>(kMaxEntryBytes)
                            : limits.max_bytes;
    if (node.bytes + static_cast<int64_t>(bytes) >= max_bytes) have = false;
    if (limits.max_entries > 0 && node.total >= limits.max_entries) have = false;
  }
  if (!have) {
    m.nodes++;
    node = Node{};
    node.first = id;
    node.bytes = kNodeHeaderBytes + static_cast<int64_t>(bytes);  // the master entry's fields
  }
  node.live++;
  node.total++;
  node.bytes += static_cast<int64_t>(bytes) + kEntryOverheadBytes + static_cast<int64_t>(fields.size());
  node.last = id;
  write_node(t, *c, node);
  m.has_node = 1;
  m.node_ms = node.first.ms;
  m.node_seq = node.first.seq;

  std::string value;
  encode_fields(fields, &value);
  t.put(Cf::kMembers, entry_key(*c, id), value);
  c->meta.count++;
  m.entries_added++;
  set_stream_last_id(c, id);
  if (c->meta.count == 1) set_first_id(c, id);
  *added = id;
  return StreamAddResult::kOk;
}

int64_t stream_trim(Txn& t, Collection* c, const StreamTrim& trim) {
  if (trim.strategy == TrimStrategy::kNone || c->meta.count == 0) return 0;
  const bool by_len = trim.strategy == TrimStrategy::kMaxLen;
  int64_t deleted = 0;
  // Past every entry this trim removed: where the new first entry is sought.
  StreamId seek_from = stream_first_id(*c);
  std::vector<Node> nodes;
  {
    Node first;
    if (!node_of(t, *c, stream_first_id(*c), &first)) corrupt("stream node missing");
    auto it = t.iterate(Cf::kMembers, node_key(*c, first.first), c->tag_end(kTagStreamNode));
    (*it)->Seek(node_key(*c, first.first));
    const size_t p = c->prefix.size() + 1;
    for (; (*it)->Valid(); (*it)->Next()) {
      if (by_len && c->meta.count <= trim.maxlen) break;
      std::string_view k = (*it)->key().ToStringView();
      if (k.size() != p + 16) corrupt("bad stream node key");
      Node n = decode_node(decode_stream_id(k.substr(p)), (*it)->value().ToStringView());
      if (trim.limit && deleted + n.live > trim.limit) break;
      bool remove_node = by_len ? c->meta.count - n.live >= trim.maxlen : n.last < trim.minid;
      if (remove_node) {
        StreamId end = n.last;
        stream_id_increment(&end);
        t.delete_range(Cf::kMembers, entry_key(*c, n.first), end == n.last ? c->tag_end(kTagStreamEntry)
                                                                             : entry_key(*c, end));
        t.del(Cf::kMembers, node_key(*c, n.first));
        c->meta.stream.nodes--;
        c->meta.count -= n.live;
        deleted += n.live;
        seek_from = end;
        if (n.first == StreamId{c->meta.stream.node_ms, c->meta.stream.node_seq}) c->meta.stream.has_node = 0;
        continue;
      }
      if (trim.approx) break;
      nodes.push_back(n);
      break;
    }
    engine::check((*it)->status());
  }
  if (!nodes.empty()) {
    // Entry by entry inside the first node left.
    Node& n = nodes.front();
    StreamId from = std::max(n.first, seek_from);
    auto it = t.iterate(Cf::kMembers, entry_key(*c, from), c->tag_end(kTagStreamEntry));
    const size_t p = c->prefix.size() + 1;
    std::vector<StreamId> doomed;
    int64_t count = c->meta.count;
    for ((*it)->Seek(entry_key(*c, from)); (*it)->Valid(); (*it)->Next()) {
      std::string_view k = (*it)->key().ToStringView();
      if (k.size() != p + 16) corrupt("bad stream entry key");
      StreamId id = decode_stream_id(k.substr(p));
      if (id > n.last) break;
      if (by_len ? count <= trim.maxlen : id >= trim.minid) break;
      doomed.push_back(id);
      --count;
    }
    engine::check((*it)->status());
    for (StreamId id : doomed) t.del(Cf::kMembers, entry_key(*c, id));
    n.live -= static_cast<int64_t>(doomed.size());
    c->meta.count = count;
    deleted += static_cast<int64_t>(doomed.size());
    if (!doomed.empty()) {
      seek_from = doomed.back();
      stream_id_increment(&seek_from);
    }
    write_node(t, *c, n);
  }
  if (deleted == 0) return 0;
  if (c->meta.count == 0) {
    set_first_id(c, kStreamIdMin);
  } else {
    auto first = first_entry_from(t, *c, seek_from);
    if (!first) corrupt("stream entries missing");
    set_first_id(c, *first);
  }
  return deleted;
}

std::vector<StreamEntry> stream_range(View& v, const Collection& c, StreamId start, StreamId end, size_t count,
                                      bool reverse) {
  std::vector<StreamEntry> out;
  if (!c.exists || c.meta.count == 0) return out;
  start = std::max(start, stream_first_id(c));
  end = std::min(end, stream_last_id(c));
  if (start > end) return out;
  StreamId after_end = end;
  const bool to_the_end = !stream_id_increment(&after_end);
  const std::string lower = entry_key(c, start);
  auto it = v.iterate(Cf::kMembers, lower, to_the_end ? c.tag_end(kTagStreamEntry) : entry_key(c, after_end));
  if (reverse) (*it)->SeekForPrev(entry_key(c, end));
  else (*it)->Seek(lower);
  const size_t p = c.prefix.size() + 1;
  for (; (*it)->Valid(); reverse ? (*it)->Prev() : (*it)->Next()) {
    std::string_view k = (*it)->key().ToStringView();
    if (k.size() != p + 16) corrupt("bad stream entry key");
    out.push_back({decode_stream_id(k.substr(p)), decode_fields((*it)->value().ToStringView())});
    if (count && out.size() == count) break;
  }
  engine::check((*it)->status());
  return out;
}

std::optional<StreamEntry> stream_entry(View& v, const Collection& c, StreamId id) {
  if (!c.exists || c.meta.count == 0 || id < stream_first_id(c) || id > stream_last_id(c)) return std::nullopt;
  rocksdb::PinnableSlice slice;
  rocksdb::Status s = v.get(Cf::kMembers, entry_key(c, id), &slice);
  engine::check(s);
  if (s.IsNotFound()) return std::nullopt;
  return StreamEntry{id, decode_fields(slice.ToStringView())};
}

int64_t stream_delete(Txn& t, Collection* c, std::span<const StreamId> ids) {
  int64_t deleted = 0;
  for (StreamId id : ids) {
    if (!stream_entry(t, *c, id)) continue;
    Node n;
    if (!node_of(t, *c, id, &n)) corrupt("stream node missing");
    t.del(Cf::kMembers, entry_key(*c, id));
    if (--n.live == 0) {
      t.del(Cf::kMembers, node_key(*c, n.first));
      c->meta.stream.nodes--;
      if (n.first == StreamId{c->meta.stream.node_ms, c->meta.stream.node_seq}) c->meta.stream.has_node = 0;
    } else {
      write_node(t, *c, n);
    }
    c->meta.count--;
    ++deleted;
    if (id > stream_max_deleted_id(*c)) set_stream_max_deleted_id(c, id);
    if (c->meta.count == 0) {
      set_first_id(c, kStreamIdMin);
    } else if (id == stream_first_id(*c)) {
      StreamId next = id;
      stream_id_increment(&next);
      auto first = first_entry_from(t, *c, next);
      if (!first) corrupt("stream entries missing");
      set_first_id(c, *first);
    }
  }
  return deleted;
}

int64_t stream_node_count(const Collection& c) { return c.exists ? static_cast<int64_t>(c.meta.stream.nodes) : 0; }

int64_t stream_estimate_entries_read(const Collection& c, StreamId id) {
  const auto& m = c.meta.stream;
  if (m.entries_added == 0) return 0;
  const StreamId last = stream_last_id(c), first = stream_first_id(c), maxdel = stream_max_deleted_id(c);
  const auto added = static_cast<int64_t>(m.entries_added);
  if (c.meta.count == 0 && id <= last) return added;
  if (id == last) return added;
  if (id > last) return -1;
  if (maxdel == kStreamIdMin || maxdel < first) {
    if (id < first) return added - c.meta.count;
    if (id == first) return added - c.meta.count + 1;
  }
  return -1;
}

bool stream_range_has_tombstones(const Collection& c, StreamId start, StreamId end) {
  const StreamId maxdel = stream_max_deleted_id(c);
  if (c.meta.count == 0 || maxdel == kStreamIdMin) return false;
  if (stream_first_id(c) > maxdel) return false;
  return start <= maxdel && maxdel <= end;
}

}  // namespace cairn::model
