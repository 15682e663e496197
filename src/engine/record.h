// The value stored under a data key: a small header (type, revision, expiry)
// followed by a type-specific payload. Strings keep their bytes inline.
//
//   [type:1][flags:1][revision:8 LE][expire_at_ms:8 LE, if flags & kHasExpiry]
//   [metadata length:2 LE][metadata, if flags & kHasMetadata][payload]
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::engine {

enum class ValueType : uint8_t {
  kString = 0,
  kHash = 1,
  kList = 2,
  kSet = 3,
  kZSet = 4,
  kStream = 5,
};

const char* value_type_name(ValueType t);  // as Redis's TYPE answers

struct RecordHeader {
  ValueType type = ValueType::kString;
  uint64_t revision = 0;
  int64_t expire_at_ms = 0;  // 0: no expiry
  // User metadata (JSON text from HTTP's X-KV-Metadata); empty: none. When
  // decoded it points into the raw record.
  std::string_view metadata;
  // A string stored in chunks (string_chunks.h): the payload is a
  // ChunkedString, the bytes are member records.
  bool chunked = false;
};

constexpr uint8_t kHasExpiry = 1;
constexpr uint8_t kHasMetadata = 2;
constexpr uint8_t kChunkedString = 4;  // strings only
constexpr size_t kMaxMetadataBytes = 65535;  // the length field's limit (HTTP allows 1,024)

inline bool is_collection(ValueType t) { return t != ValueType::kString; }
// Records whose data lives in member records: collections and chunked strings.
inline bool has_members(const RecordHeader& h) { return is_collection(h.type) || h.chunked; }

// The payload of a collection's record: where its members live and how many
// there are. Members are keyed by (ns, key, version), so a new version
// (delete, overwrite, expiry) makes the old members unreachable at once.
//   [version:8 LE][count:8 LE]                 hash, set, zset
//   [version:8 LE][count:8 LE][head:8][tail:8]  list (positions head..tail-1)
//   [version:8 LE][count:8 LE][StreamMeta: 12 x 8 LE]  stream (model/stream.h)
// A stream's IDs are (ms, seq) pairs of u64.
struct StreamMeta {
  uint64_t last_ms = 0, last_seq = 0;                // the top ID ever given (XADD, XSETID)
  uint64_t first_ms = 0, first_seq = 0;              // the first live entry (0-0 when empty)
  uint64_t max_deleted_ms = 0, max_deleted_seq = 0;  // the largest ID XDEL removed
  uint64_t entries_added = 0;                        // every entry ever added
  uint64_t groups = 0;                               // consumer groups
  uint64_t node_ms = 0, node_seq = 0;                // the last node's key (has_node)
  uint64_t has_node = 0;                             // 0 or 1: the last node exists
  uint64_t nodes = 0;                                // node records (XINFO's radix-tree-keys)
};
struct CollectionMeta {
  uint64_t version = 0;
  int64_t count = 0;
  int64_t head = 0;  // lists only
  int64_t tail = 0;  // lists only
  StreamMeta stream;  // streams only
};
void encode_collection(ValueType t, const CollectionMeta& m, std::string* payload);
bool decode_collection(ValueType t, std::string_view payload, CollectionMeta* m);

// The payload of a chunked string's record (string_chunks.h):
//   [version:8 LE][length:8 LE]
struct ChunkedString {
  uint64_t version = 0;
  uint64_t length = 0;
};
void encode_chunked_string(const ChunkedString& c, std::string* payload);
bool decode_chunked_string(std::string_view payload, ChunkedString* c);

// The version under which a record's members live (0: it has none).
uint64_t members_version(const RecordHeader& h, std::string_view payload);

void encode_record(const RecordHeader& h, std::string_view payload, std::string* out);
// Returns false on a malformed record; `payload` points into `raw`.
bool decode_record(std::string_view raw, RecordHeader* h, std::string_view* payload);

}  // namespace cairn::engine
