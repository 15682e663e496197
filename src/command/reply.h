// The one reply interface every front door implements (RESP2, RESP3, JSON),
// so a command handler answers the same way whichever door it came through.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cairn::command {

class Reply {
 public:
  virtual ~Reply() = default;
  virtual void simple(std::string_view s) = 0;
  // `msg` starts with the error code, as Redis sends it: "ERR syntax error".
  // Counted, so the dispatcher can tell a failed command (INFO failed_calls).
  void error(std::string_view msg) {
    ++errors_;
    // The code (first word) for INFO errorstats, kept short.
    size_t n = std::min({msg.find(' '), msg.size(), last_code_.size()});
    std::copy_n(msg.data(), n, last_code_.data());
    last_code_size_ = n;
    write_error(msg);
  }
  uint64_t errors() const { return errors_; }
  std::string_view last_error_code() const { return {last_code_.data(), last_code_size_}; }
  virtual void integer(int64_t v) = 0;
  virtual void bulk(std::string_view s) = 0;
  virtual void null() = 0;        // a missing value
  virtual void null_array() = 0;  // a missing array (RESP2 *-1)
  virtual void array(size_t n) = 0;
  virtual void map(size_t pairs) = 0;  // RESP2: an array of 2n
  virtual void set(size_t n) = 0;      // RESP2: an array
  virtual void push(size_t n) = 0;     // RESP2: an array
  virtual void dbl(double d) = 0;      // RESP2: a bulk string
  virtual void boolean(bool b) = 0;    // RESP2: integer 0/1
  virtual void verbatim(std::string_view s) = 0;  // RESP2: a bulk string
  virtual int protocol() const = 0;
  // Marks let a failed write group replace the replies it produced.
  virtual size_t mark() const = 0;
  virtual void rewind(size_t mark) = 0;

  void ok() { simple("OK"); }
  void bulk_or_null(const std::string_view* s) {
    if (s) bulk(*s);
    else null();
  }

 protected:
  virtual void write_error(std::string_view msg) = 0;

 private:
  uint64_t errors_ = 0;
  std::array<char, 32> last_code_{};
  size_t last_code_size_ = 0;
};

}  // namespace cairn::command
