// The value stored under a data key: a small header (type, revision, expiry)
// followed by a type-specific payload. Strings keep their bytes inline.
//
//   [type:1][flags:1][revision:8 LE][expire_at_ms:8 LE, if flags & kHasExpiry][payload]
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
};

constexpr uint8_t kHasExpiry = 1;

void encode_record(const RecordHeader& h, std::string_view payload, std::string* out);
// Returns false on a malformed record; `payload` points into `raw`.
bool decode_record(std::string_view raw, RecordHeader* h, std::string_view* payload);

}  // namespace cairn::engine
