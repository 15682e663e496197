// Command replies as JSON values, for the HTTP front doors (Upstash-style
// `{"result": …}` and pipelines). One result per command; nested replies
// become arrays in the RESP2 shape (maps are flat [k1, v1, k2, v2] arrays,
// doubles strings, booleans 0/1), which is what Upstash's clients parse.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "command/reply.h"

namespace cairn::protocol::http {

class JsonReply final : public command::Reply {
 public:
  struct Result {
    bool is_error = false;
    std::string error;         // when is_error: "ERR …", as RESP sends it
    boost::json::value value;  // otherwise
  };

  // base64: every string in a result is base64-encoded except a top-level
  // "OK" status (Upstash's `Upstash-Encoding: base64`).
  explicit JsonReply(bool base64) : base64_(base64) {}

  void simple(std::string_view s) override;
  void integer(int64_t v) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override;
  void array(size_t n) override;
  void map(size_t pairs) override { array(2 * pairs); }
  void set(size_t n) override { array(n); }
  void push(size_t n) override { array(n); }
  void dbl(double d) override;
  void boolean(bool b) override { integer(b ? 1 : 0); }
  void verbatim(std::string_view s) override { bulk(s); }
  int protocol() const override { return 2; }
  size_t mark() const override { return results_.size(); }
  void rewind(size_t mark) override;

  const std::vector<Result>& results() const { return results_; }

 protected:
  void write_error(std::string_view msg) override;

 private:
  struct Open {
    boost::json::array items;
    size_t remaining;
  };
  void add(boost::json::value v);
  void add_string(std::string_view s, bool is_status);

  bool base64_;
  std::vector<Open> open_;  // arrays being filled, innermost last
  std::vector<Result> results_;
};

// Standard base64 with padding.
std::string base64_encode(std::string_view in);
// Its inverse; false on characters outside the alphabet or bad padding.
bool base64_decode(std::string_view in, std::string* out);
// `in` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD, so it can go into JSON text.
std::string valid_utf8(std::string_view in);

}  // namespace cairn::protocol::http
