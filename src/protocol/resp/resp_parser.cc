// RESP request parsing; see resp_parser.h.
#include "protocol/resp/resp_parser.h"

#include "common/split_args.h"

#include <cctype>
#include <charconv>
#include <climits>
#include <cstring>

namespace cairn::protocol::resp {

namespace {

constexpr size_t kMaxInline = 64 * 1024;  // PROTO_INLINE_MAX_SIZE

// Strict decimal parse of [p, end) like Redis's string2ll: no '+', no
// leading zeros, no "-0".
bool parse_int(const char* p, const char* end, int64_t* out) {
  if (p == end) return false;
  const char* digits = *p == '-' ? p + 1 : p;
  if (digits == end || *digits < '0' || *digits > '9' || (*digits == '0' && end - p > 1)) return false;
  auto [q, ec] = std::from_chars(p, end, *out);
  return ec == std::errc() && q == end;
}

const char* find_crlf(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\r', static_cast<size_t>(end - p));
  return static_cast<const char*>(nl);
}

}  // namespace

void RespParser::reset() {
  pos_ = 0;
  nargs_ = -1;
  bulk_len_ = -1;
  needed_ = 0;
  spans_.clear();
}

RespParser::Result RespParser::parse(const char* data, size_t len, const ParserLimits& limits,
                                     std::vector<std::string_view>* argv, size_t* consumed, std::string* error) {
  argv->clear();
  if (len == 0) return Result::kNeedMore;
  if (pos_ == 0 && data[0] != '*') return parse_inline(data, len, argv, consumed, error);
  const char* end = data + len;
  if (nargs_ < 0) {
    const char* cr = find_crlf(data + 1, end);
    if (!cr || cr + 1 >= end) {
      if (len > kMaxInline) {
        *error = "ERR Protocol error: too big mbulk count string";
        return Result::kError;
      }
      return Result::kNeedMore;
    }
    int64_t n;
    if (!parse_int(data + 1, cr, &n) || n > INT_MAX) {
      *error = "ERR Protocol error: invalid multibulk length";
      return Result::kError;
    }
    if (!limits.authenticated && n > 10) {
      *error = "ERR Protocol error: unauthenticated multibulk length";
      return Result::kError;
    }
    pos_ = static_cast<size_t>(cr + 2 - data);
    if (n <= 0) {
      *consumed = pos_;
      reset();
      return Result::kComplete;
    }
    nargs_ = n;
    spans_.reserve(static_cast<size_t>(std::min<int64_t>(n, 1024)));
  }
  while (static_cast<int64_t>(spans_.size()) < nargs_) {
    if (bulk_len_ < 0) {
      if (pos_ >= len) return Result::kNeedMore;
      const char* cr = find_crlf(data + pos_, end);
      if (!cr || cr + 1 >= end) {
        if (len - pos_ > kMaxInline) {
          *error = "ERR Protocol error: too big bulk count string";
          return Result::kError;
        }
        return Result::kNeedMore;
      }
      if (data[pos_] != '$') {
        *error = std::string("ERR Protocol error: expected '$', got '") + data[pos_] + "'";
        return Result::kError;
      }
      int64_t n;
      if (!parse_int(data + pos_ + 1, cr, &n) || n < 0 || static_cast<uint64_t>(n) > limits.max_bulk) {
        *error = "ERR Protocol error: invalid bulk length";
        return Result::kError;
      }
      if (!limits.authenticated && n > 16384) {
        *error = "ERR Protocol error: unauthenticated bulk length";
        return Result::kError;
      }
      bulk_len_ = n;
      pos_ = static_cast<size_t>(cr + 2 - data);
    }
    size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (need > len) {
      needed_ = need;
      return Result::kNeedMore;
    }
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = need;
    bulk_len_ = -1;
  }
  argv->reserve(spans_.size());
  for (auto [off, n] : spans_) argv->emplace_back(data + off, n);
  *consumed = pos_;
  reset();
  return Result::kComplete;
}

RespParser::Result RespParser::parse_inline(const char* data, size_t len, std::vector<std::string_view>* argv,
                                            size_t* consumed, std::string* error) {
  const void* nl = std::memchr(data, '\n', len);
  if (!nl) {
    if (len > kMaxInline) {
      *error = "ERR Protocol error: too big inline request";
      return Result::kError;
    }
    return Result::kNeedMore;
  }
  size_t line_len = static_cast<size_t>(static_cast<const char*>(nl) - data);
  *consumed = line_len + 1;
  if (line_len && data[line_len - 1] == '\r') --line_len;
  std::vector<std::string> args;
  if (!split_args(std::string_view(data, line_len), &args)) {
    *error = "ERR Protocol error: unbalanced quotes in request";
    return Result::kError;
  }
  for (auto& a : args) {
    storage_.push_back(std::move(a));
    argv->emplace_back(storage_.back());
  }
  return Result::kComplete;
}

}  // namespace cairn::protocol::resp
