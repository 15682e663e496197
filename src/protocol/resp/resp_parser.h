// Incremental RESP request parser. It parses in place over the connection's
// input buffer (arguments are views into it) and resumes where it stopped
// when a command arrives in pieces, so a large command costs linear time.
// Accepts multi-bulk requests and inline commands, with Redis's limits and
// error texts ("Protocol error: …").
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::protocol::resp {

struct ParserLimits {
  uint64_t max_bulk = 512u << 20;  // proto-max-bulk-len
  bool authenticated = true;       // unauthenticated clients get tight limits
};

class RespParser {
 public:
  enum class Result { kComplete, kNeedMore, kError };

  // `data` starts at the first byte of the command being parsed (the same
  // command as the previous kNeedMore call, if there was one). On kComplete,
  // `argv` holds the arguments (empty for a blank line or "*0") and
  // `consumed` the bytes used. On kError, `error` holds the reply text; the
  // stream cannot be resynchronised and the connection should close.
  Result parse(const char* data, size_t len, const ParserLimits& limits, std::vector<std::string_view>* argv,
               size_t* consumed, std::string* error);

  // Bytes the pending command needs in total, when known (buffer sizing).
  size_t needed() const { return needed_; }
  // Inline commands keep unescaped arguments here; clear after executing.
  void clear_storage() { storage_.clear(); }

 private:
  Result parse_inline(const char* data, size_t len, std::vector<std::string_view>* argv, size_t* consumed,
                      std::string* error);
  void reset();

  size_t pos_ = 0;         // parsed prefix of the current command
  int64_t nargs_ = -1;     // -1: header not read yet
  int64_t bulk_len_ = -1;  // -1: expecting a '$' header next
  size_t needed_ = 0;
  std::vector<std::pair<size_t, size_t>> spans_;
  std::deque<std::string> storage_;
};

}  // namespace cairn::protocol::resp
