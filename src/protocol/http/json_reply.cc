// JSON replies for the HTTP front doors; see json_reply.h.
#include "protocol/http/json_reply.h"

#include <boost/json/string.hpp>

#include "protocol/resp/resp_reply.h"

namespace cairn::protocol::http {

namespace json = boost::json;

std::string base64_encode(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (size_t rest = in.size() - i) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

void JsonReply::add(json::value v) {
  if (open_.empty()) {
    results_.push_back({false, {}, std::move(v)});
    return;
  }
  open_.back().items.push_back(std::move(v));
  // Close every array this element completed, innermost first.
  while (!open_.empty() && --open_.back().remaining == 0) {
    json::value done(std::move(open_.back().items));
    open_.pop_back();
    if (open_.empty()) {
      results_.push_back({false, {}, std::move(done)});
      return;
    }
    open_.back().items.push_back(std::move(done));
  }
}

bool base64_decode(std::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 != 0) return false;
  size_t pad = in.size() >= 1 && in.back() == '=' ? (in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1) : 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size() - pad; ++i) {
    char c = in[i];
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
          : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<uint8_t>(in[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<uint8_t>(in[i + k]) & 0xC0) == 0x80;
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      uint32_t cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(in[i + k]) & 0x3F);
      ok = (len == 2 && cp >= 0x80) || (len == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
           (len == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD
      ++i;
    }
  }
  return out;
}

void JsonReply::add_string(std::string_view s, bool is_status) {
  if (base64_ && !(is_status && open_.empty() && s == "OK")) {
    add(json::string(base64_encode(s)));
  } else {
    // JSON text must be UTF-8: binary values need base64 to survive intact.
    add(json::string(valid_utf8(s)));
  }
}

void JsonReply::simple(std::string_view s) { add_string(s, true); }
void JsonReply::bulk(std::string_view s) { add_string(s, false); }
void JsonReply::integer(int64_t v) { add(json::value(v)); }
void JsonReply::null() { add(json::value(nullptr)); }
void JsonReply::null_array() { add(json::value(nullptr)); }
void JsonReply::dbl(double d) { add_string(resp::format_double(d), false); }

void JsonReply::array(size_t n) {
  if (n == 0) {
    add(json::value(json::array()));
    return;
  }
  open_.push_back({json::array(), n});
  open_.back().items.reserve(std::min<size_t>(n, 1024));
}

void JsonReply::write_error(std::string_view msg) {
  if (open_.empty()) {
    results_.push_back({true, std::string(msg), {}});
    return;
  }
  // An error inside an array (a transaction's results): keep its text.
  add(json::string(msg));
}

void JsonReply::rewind(size_t mark) {
  open_.clear();
  if (mark < results_.size()) results_.resize(mark);
}

}  // namespace cairn::protocol::http
