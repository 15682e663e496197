// Chunked strings; see string_chunks.h.
#include "engine/string_chunks.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/keys.h"
#include "engine/status.h"

namespace cairn::engine {

namespace {

uint32_t chunk_index(std::string_view record_key, size_t prefix_len) {
  if (record_key.size() != prefix_len + 5) throw StoreError(rocksdb::Status::Corruption("bad chunk key"));
  uint32_t i = 0;
  for (size_t b = 0; b < 4; ++b) i = (i << 8) | static_cast<uint8_t>(record_key[prefix_len + 1 + b]);
  return i;
}

bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch == 0; });
}

// Copies the part of chunk `index` (its stored bytes `bytes`) that falls in
// [from, from + dst_len) to dst.
void place_chunk(uint32_t index, std::string_view bytes, uint64_t from, char* dst, uint64_t dst_len) {
  uint64_t start = uint64_t{index} * kStringChunkBytes;
  uint64_t lo = std::max(start, from), hi = std::min(start + bytes.size(), from + dst_len);
  if (lo < hi) std::memcpy(dst + (lo - from), bytes.data() + (lo - start), hi - lo);
}

}  // namespace

std::string chunk_key(std::string_view prefix, uint32_t index) {
  std::string k(prefix);
  k.push_back(kTagChunk);
  for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>((index >> shift) & 0xff));
  return k;
}

uint64_t string_length(const Found& f) { return f.header.chunked ? f.chunks.length : f.payload.size(); }

void read_string(View& v, uint8_t ns, std::string_view key, const Found& f, uint64_t offset, uint64_t len,
                 std::string* out) {
  uint64_t total = string_length(f);
  if (offset >= total) return;
  len = std::min(len, total - offset);
  if (!f.header.chunked) {
    out->append(f.payload.substr(offset, len));
    return;
  }
  if (len == 0) return;
  const ChunkedString& c = f.chunks;
  size_t base = out->size();
  out->resize(base + len, '\0');
  char* dst = out->data() + base;
  std::string prefix = member_prefix(ns, key, c.version);
  auto first = static_cast<uint32_t>(offset / kStringChunkBytes);
  auto last = static_cast<uint32_t>((offset + len - 1) / kStringChunkBytes);
  if (first == last) {  // GETBIT, short GETRANGE: one point read
    rocksdb::PinnableSlice bytes;
    rocksdb::Status s = v.get(Cf::kMembers, chunk_key(prefix, first), &bytes);
    if (s.IsNotFound()) return;
    check(s);
    place_chunk(first, std::string_view(bytes.data(), bytes.size()), offset, dst, len);
    return;
  }
  auto it = v.iterate(Cf::kMembers, chunk_key(prefix, first), chunk_key(prefix, last + 1));
  for ((*it)->Seek(chunk_key(prefix, first)); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    place_chunk(chunk_index(k, prefix.size()), std::string_view((*it)->value().data(), (*it)->value().size()),
                offset, dst, len);
  }
  check((*it)->status());
}

void load_string(View& v, uint8_t ns, std::string_view key, Found* f) {
  if (!f->present || !f->header.chunked) return;
  uint64_t len = string_length(*f);
  std::string value;
  read_string(v, ns, key, *f, 0, len, &value);
  f->owned = std::move(value);
  f->payload = f->owned;
}

void write_string(Txn& t, uint8_t ns, std::string_view key, const Found& old, std::string_view value,
                  int64_t expire_at_ms, std::string_view metadata, FeedKind kind) {
  RecordHeader h;
  h.type = ValueType::kString;
  h.expire_at_ms = expire_at_ms;
  h.metadata = metadata;
  if (value.size() <= kInlineStringBytes) {
    put_record(t, ns, key, old, h, value, kind);
    return;
  }
  ChunkedString c{t.new_collection_version(), value.size()};
  std::string prefix = member_prefix(ns, key, c.version);
  for (uint64_t start = 0, i = 0; start < value.size(); start += kStringChunkBytes, ++i) {
    std::string_view piece = value.substr(start, kStringChunkBytes);
    if (!all_zero(piece)) t.put(Cf::kMembers, chunk_key(prefix, static_cast<uint32_t>(i)), piece);
  }
  std::string payload;
  encode_chunked_string(c, &payload);
  h.chunked = true;
  put_record(t, ns, key, old, h, payload, kind);
}

uint64_t write_string_range(Txn& t, uint8_t ns, std::string_view key, const Found& old, uint64_t offset,
                            std::string_view data, int64_t expire_at_ms) {
  bool was_chunked = old.live && old.header.chunked;
  uint64_t old_len = old.live ? string_length(old) : 0;
  uint64_t new_len = data.empty() ? old_len : std::max(old_len, offset + data.size());
  RecordHeader h;
  h.type = ValueType::kString;
  h.expire_at_ms = expire_at_ms;
  if (!was_chunked && new_len <= kInlineStringBytes) {
    std::string value(old.live ? old.payload : std::string_view());
    if (value.size() < new_len) value.resize(new_len, '\0');
    if (!data.empty()) value.replace(offset, data.size(), data);
    put_record(t, ns, key, old, h, value, FeedKind::kSet);
    return new_len;
  }
  // The chunks to write: those `data` touches, and when an inline value
  // becomes chunked, those holding its old bytes.
  ChunkedString c{was_chunked ? old.chunks.version : t.new_collection_version(), new_len};
  std::string prefix = member_prefix(ns, key, c.version);
  std::vector<uint32_t> touched;
  if (!was_chunked && old_len > 0) {
    for (uint64_t i = 0; i * kStringChunkBytes < old_len; ++i) touched.push_back(static_cast<uint32_t>(i));
  }
  if (!data.empty()) {
    for (uint64_t i = offset / kStringChunkBytes; i * kStringChunkBytes < offset + data.size(); ++i) {
      if (touched.empty() || touched.back() < i) touched.push_back(static_cast<uint32_t>(i));
    }
  }
  for (uint32_t i : touched) {
    uint64_t start = uint64_t{i} * kStringChunkBytes;
    std::string bytes;
    if (was_chunked) {
      rocksdb::PinnableSlice stored;
      rocksdb::Status s = t.get(Cf::kMembers, chunk_key(prefix, i), &stored);
      if (!s.IsNotFound()) check(s);
      if (s.ok()) bytes.assign(stored.data(), stored.size());
    } else if (start < old_len) {
      bytes.assign(old.payload.substr(start, kStringChunkBytes));
    }
    uint64_t lo = std::max(start, offset), hi = std::min(start + kStringChunkBytes, offset + data.size());
    if (!data.empty() && lo < hi) {
      if (bytes.size() < hi - start) bytes.resize(hi - start, '\0');
      std::memcpy(bytes.data() + (lo - start), data.data() + (lo - offset), hi - lo);
    }
    if (all_zero(bytes)) {
      if (was_chunked) t.del(Cf::kMembers, chunk_key(prefix, i));
    } else {
      t.put(Cf::kMembers, chunk_key(prefix, i), bytes);
    }
  }
  std::string payload;
  encode_chunked_string(c, &payload);
  h.chunked = true;
  put_record(t, ns, key, old, h, payload, FeedKind::kSet);
  return new_len;
}

}  // namespace cairn::engine
