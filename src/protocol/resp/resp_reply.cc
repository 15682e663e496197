// RESP reply encoding; see resp_reply.h.
#include "protocol/resp/resp_reply.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace cairn::protocol::resp {

std::string format_double(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (std::isnan(d)) return "nan";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

void RespReply::header(char type, int64_t n) {
  char buf[24];
  out_.push_back(type);
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out_.append(buf, p);
  out_.append("\r\n", 2);
}

void RespReply::simple(std::string_view s) {
  out_.push_back('+');
  out_.append(s);
  out_.append("\r\n", 2);
}

void RespReply::write_error(std::string_view msg) {
  out_.push_back('-');
  for (char c : msg) out_.push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_.append("\r\n", 2);
}

void RespReply::integer(int64_t v) { header(':', v); }

void RespReply::bulk(std::string_view s) {
  // Room for all of a large value at once: growing by doubling would hold
  // two copies of it while it moves, and leave half the buffer unused.
  if (s.size() > 64 * 1024) out_.reserve(out_.size() + s.size() + 24);
  header('$', static_cast<int64_t>(s.size()));
  out_.append(s);
  out_.append("\r\n", 2);
}

void RespReply::null() {
  if (resp_ >= 3) out_.append("_\r\n", 3);
  else out_.append("$-1\r\n", 5);
}

void RespReply::null_array() {
  if (resp_ >= 3) out_.append("_\r\n", 3);
  else out_.append("*-1\r\n", 5);
}

void RespReply::array(size_t n) { header('*', static_cast<int64_t>(n)); }

void RespReply::map(size_t pairs) {
  if (resp_ >= 3) header('%', static_cast<int64_t>(pairs));
  else header('*', static_cast<int64_t>(pairs * 2));
}

void RespReply::set(size_t n) { header(resp_ >= 3 ? '~' : '*', static_cast<int64_t>(n)); }

void RespReply::push(size_t n) { header(resp_ >= 3 ? '>' : '*', static_cast<int64_t>(n)); }

void RespReply::dbl(double d) {
  std::string s = format_double(d);
  if (resp_ >= 3) {
    out_.push_back(',');
    out_.append(s);
    out_.append("\r\n", 2);
  } else {
    bulk(s);
  }
}

void RespReply::boolean(bool b) {
  if (resp_ >= 3) out_.append(b ? "#t\r\n" : "#f\r\n", 4);
  else integer(b ? 1 : 0);
}

void RespReply::verbatim(std::string_view s) {
  if (resp_ >= 3) {
    header('=', static_cast<int64_t>(s.size() + 4));
    out_.append("txt:", 4);
    out_.append(s);
    out_.append("\r\n", 2);
  } else {
    bulk(s);
  }
}

}  // namespace cairn::protocol::resp
