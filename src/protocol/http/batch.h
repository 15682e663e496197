// The body of POST /v1/kv/batch: {"ops": [{"op": "get"|"set"|"delete",
// "key", "value", "ttl_ms", "nx", "if_revision"}, ...], "atomic": bool,
// "encoding": "base64"}. Parsing only (no store), so it can be tested and
// fuzzed alone; net/http_kv_batch.cc runs what it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::protocol::http {

inline constexpr size_t kMaxBatchOps = 1000;
inline constexpr int kMaxBatchJsonDepth = 8;

struct BatchOp {
  enum Kind { kGet, kSet, kDelete } kind = kGet;
  std::string key, value;  // decoded (from base64 when asked)
  int64_t ttl_ms = 0;      // 0: none
  bool nx = false;
  std::optional<uint64_t> if_revision;
};

struct BatchRequest {
  std::vector<BatchOp> ops;  // 1 to kMaxBatchOps
  bool atomic = false;
  bool base64 = false;
};

// False with *error set (a message naming the failing op) on any malformed
// body, including JSON nested deeper than kMaxBatchJsonDepth.
bool parse_batch(std::string_view body, BatchRequest* out, std::string* error);

}  // namespace cairn::protocol::http
