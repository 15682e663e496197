// Record header codec; see record.h.
#include "engine/record.h"

#include "engine/coding.h"

namespace cairn::engine {

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kHash: return "hash";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZSet: return "zset";
    case ValueType::kStream: return "stream";
  }
  return "none";
}

void encode_collection(ValueType t, const CollectionMeta& m, std::string* payload) {
  payload->clear();
  put_le64(payload, m.version);
  put_le64(payload, static_cast<uint64_t>(m.count));
  if (t == ValueType::kList) {
    put_le64(payload, static_cast<uint64_t>(m.head));
    put_le64(payload, static_cast<uint64_t>(m.tail));
  } else if (t == ValueType::kStream) {
    const StreamMeta& s = m.stream;
    for (uint64_t v : {s.last_ms, s.last_seq, s.first_ms, s.first_seq, s.max_deleted_ms, s.max_deleted_seq,
                       s.entries_added, s.groups, s.node_ms, s.node_seq, s.has_node, s.nodes}) {
      put_le64(payload, v);
    }
  }
}

namespace {
constexpr size_t kStreamMetaFields = 12;
size_t collection_payload_size(ValueType t) {
  if (t == ValueType::kList) return 32;
  if (t == ValueType::kStream) return 16 + 8 * kStreamMetaFields;
  return 16;
}
}  // namespace

bool decode_collection(ValueType t, std::string_view payload, CollectionMeta* m) {
  if (payload.size() != collection_payload_size(t)) return false;  // exactly what encode_collection writes
  m->version = get_le64(payload.data());
  m->count = static_cast<int64_t>(get_le64(payload.data() + 8));
  if (t == ValueType::kList) {
    m->head = static_cast<int64_t>(get_le64(payload.data() + 16));
    m->tail = static_cast<int64_t>(get_le64(payload.data() + 24));
  } else {
    m->head = m->tail = 0;
  }
  if (t == ValueType::kStream) {
    uint64_t f[kStreamMetaFields];
    for (size_t i = 0; i < kStreamMetaFields; ++i) f[i] = get_le64(payload.data() + 16 + 8 * i);
    m->stream = StreamMeta{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]};
  } else {
    m->stream = StreamMeta{};
  }
  return true;
}

void encode_chunked_string(const ChunkedString& c, std::string* payload) {
  payload->clear();
  put_le64(payload, c.version);
  put_le64(payload, c.length);
}

bool decode_chunked_string(std::string_view payload, ChunkedString* c) {
  if (payload.size() != 16) return false;
  c->version = get_le64(payload.data());
  c->length = get_le64(payload.data() + 8);
  return true;
}

uint64_t members_version(const RecordHeader& h, std::string_view payload) {
  if (h.chunked) {
    ChunkedString c;
    return decode_chunked_string(payload, &c) ? c.version : 0;
  }
  CollectionMeta m;
  return is_collection(h.type) && decode_collection(h.type, payload, &m) ? m.version : 0;
}

void encode_record(const RecordHeader& h, std::string_view payload, std::string* out) {
  out->clear();
  out->reserve(18 + payload.size());
  out->push_back(static_cast<char>(h.type));
  bool meta = !h.metadata.empty() && h.metadata.size() <= kMaxMetadataBytes;
  bool chunked = h.chunked && h.type == ValueType::kString;
  out->push_back(static_cast<char>((h.expire_at_ms ? kHasExpiry : 0) | (meta ? kHasMetadata : 0) |
                                   (chunked ? kChunkedString : 0)));
  put_le64(out, h.revision);
  if (h.expire_at_ms) put_le64(out, static_cast<uint64_t>(h.expire_at_ms));
  if (meta) {
    out->push_back(static_cast<char>(h.metadata.size() & 0xFF));
    out->push_back(static_cast<char>(h.metadata.size() >> 8));
    out->append(h.metadata);
  }
  out->append(payload);
}

bool decode_record(std::string_view raw, RecordHeader* h, std::string_view* payload) {
  if (raw.size() < 10) return false;
  auto type = static_cast<uint8_t>(raw[0]);
  if (type > static_cast<uint8_t>(ValueType::kStream)) return false;
  h->type = static_cast<ValueType>(type);
  uint8_t flags = static_cast<uint8_t>(raw[1]);
  // Only what encode_record writes: unknown flag bits (a newer format) are
  // refused, not skipped.
  if (flags & ~(kHasExpiry | kHasMetadata | kChunkedString)) return false;
  h->chunked = (flags & kChunkedString) != 0;
  if (h->chunked && h->type != ValueType::kString) return false;
  h->revision = get_le64(raw.data() + 2);
  size_t off = 10;
  if (flags & kHasExpiry) {
    if (raw.size() < 18) return false;
    h->expire_at_ms = static_cast<int64_t>(get_le64(raw.data() + 10));
    if (h->expire_at_ms == 0) return false;  // the flag means "has an expiry"
    off = 18;
  } else {
    h->expire_at_ms = 0;
  }
  h->metadata = {};
  if (flags & kHasMetadata) {
    if (raw.size() < off + 2) return false;
    size_t len = static_cast<uint8_t>(raw[off]) | (size_t{static_cast<uint8_t>(raw[off + 1])} << 8);
    if (len == 0 || raw.size() < off + 2 + len) return false;
    h->metadata = raw.substr(off + 2, len);
    off += 2 + len;
  }
  *payload = raw.substr(off);
  return true;
}

}  // namespace cairn::engine
