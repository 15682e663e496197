// RESP2/RESP3 reply writer: appends replies to a connection's output buffer.
// The protocol version is the session's, read at each reply, so HELLO 3
// switches from its own reply on.
#pragma once

#include <atomic>
#include <string>

#include "command/reply.h"

namespace cairn::protocol::resp {

class RespReply final : public command::Reply {
 public:
  RespReply(std::string& out, const std::atomic<int>& resp) : out_(out), resp_(resp) {}
  // An int would bind to a temporary atomic and dangle.
  RespReply(std::string& out, const int& resp) = delete;

  void simple(std::string_view s) override;
  void write_error(std::string_view msg) override;
  void integer(int64_t v) override;
  void bulk(std::string_view s) override;
  void null() override;
  void null_array() override;
  void array(size_t n) override;
  void map(size_t pairs) override;
  void set(size_t n) override;
  void push(size_t n) override;
  void dbl(double d) override;
  void boolean(bool b) override;
  void verbatim(std::string_view s) override;
  int protocol() const override { return resp_; }
  size_t mark() const override { return out_.size(); }
  void rewind(size_t mark) override { out_.resize(mark); }

 private:
  void header(char type, int64_t n);
  std::string& out_;
  const std::atomic<int>& resp_;
};

// Formats a double the way Redis does in replies ("%.17g", inf/-inf/nan).
std::string format_double(double d);

}  // namespace cairn::protocol::resp
