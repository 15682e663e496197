// Tests for the RESP reply writer (resp_reply.h): the same reply calls give
// RESP2 or RESP3 wire encodings depending on the session's protocol.
#include "protocol/resp/resp_reply.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace cairn::protocol::resp {
namespace {

class RespReplyTest : public ::testing::Test {
 protected:
  std::string out_;
  std::atomic<int> resp_{2};
  RespReply reply_{out_, resp_};

  std::string take() {
    std::string s;
    s.swap(out_);
    return s;
  }
};

TEST_F(RespReplyTest, SimpleTypesAreTheSameInBothProtocols) {
  for (int v : {2, 3}) {
    resp_ = v;
    reply_.simple("OK");
    EXPECT_EQ(take(), "+OK\r\n");
    reply_.integer(-42);
    EXPECT_EQ(take(), ":-42\r\n");
    reply_.integer(std::numeric_limits<int64_t>::min());
    EXPECT_EQ(take(), ":-9223372036854775808\r\n");
    reply_.bulk("hello");
    EXPECT_EQ(take(), "$5\r\nhello\r\n");
    reply_.bulk("");
    EXPECT_EQ(take(), "$0\r\n\r\n");
    reply_.bulk(std::string("a\r\n\0", 4));
    EXPECT_EQ(take(), std::string("$4\r\na\r\n\0\r\n", 10));
    reply_.array(3);
    EXPECT_EQ(take(), "*3\r\n");
    reply_.ok();
    EXPECT_EQ(take(), "+OK\r\n");
  }
}

TEST_F(RespReplyTest, Null) {
  resp_ = 2;
  reply_.null();
  EXPECT_EQ(take(), "$-1\r\n");
  reply_.null_array();
  EXPECT_EQ(take(), "*-1\r\n");
  resp_ = 3;
  reply_.null();
  EXPECT_EQ(take(), "_\r\n");
  reply_.null_array();
  EXPECT_EQ(take(), "_\r\n");
}

TEST_F(RespReplyTest, BulkOrNull) {
  std::string_view v = "x";
  reply_.bulk_or_null(&v);
  EXPECT_EQ(take(), "$1\r\nx\r\n");
  reply_.bulk_or_null(nullptr);
  EXPECT_EQ(take(), "$-1\r\n");
}

TEST_F(RespReplyTest, Map) {
  resp_ = 2;
  reply_.map(2);
  EXPECT_EQ(take(), "*4\r\n");  // a flat array of key, value, key, value
  reply_.map(0);
  EXPECT_EQ(take(), "*0\r\n");
  resp_ = 3;
  reply_.map(2);
  EXPECT_EQ(take(), "%2\r\n");
}

TEST_F(RespReplyTest, SetAndPush) {
  resp_ = 2;
  reply_.set(3);
  EXPECT_EQ(take(), "*3\r\n");
  reply_.push(3);
  EXPECT_EQ(take(), "*3\r\n");
  resp_ = 3;
  reply_.set(3);
  EXPECT_EQ(take(), "~3\r\n");
  reply_.push(3);
  EXPECT_EQ(take(), ">3\r\n");
}

TEST_F(RespReplyTest, Double) {
  resp_ = 2;
  reply_.dbl(1.5);
  EXPECT_EQ(take(), "$3\r\n1.5\r\n");
  reply_.dbl(std::numeric_limits<double>::infinity());
  EXPECT_EQ(take(), "$3\r\ninf\r\n");
  reply_.dbl(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(take(), "$4\r\n-inf\r\n");
  reply_.dbl(3);
  EXPECT_EQ(take(), "$1\r\n3\r\n");

  resp_ = 3;
  reply_.dbl(1.5);
  EXPECT_EQ(take(), ",1.5\r\n");
  reply_.dbl(std::numeric_limits<double>::infinity());
  EXPECT_EQ(take(), ",inf\r\n");
  reply_.dbl(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(take(), ",-inf\r\n");
  reply_.dbl(-2);
  EXPECT_EQ(take(), ",-2\r\n");
}

TEST_F(RespReplyTest, FormatDouble) {
  EXPECT_EQ(format_double(1.5), "1.5");
  EXPECT_EQ(format_double(0), "0");
  EXPECT_EQ(format_double(-0.25), "-0.25");
  EXPECT_EQ(format_double(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_double(std::nan("")), "nan");
}

TEST_F(RespReplyTest, Boolean) {
  resp_ = 2;
  reply_.boolean(true);
  EXPECT_EQ(take(), ":1\r\n");
  reply_.boolean(false);
  EXPECT_EQ(take(), ":0\r\n");
  resp_ = 3;
  reply_.boolean(true);
  EXPECT_EQ(take(), "#t\r\n");
  reply_.boolean(false);
  EXPECT_EQ(take(), "#f\r\n");
}

TEST_F(RespReplyTest, Verbatim) {
  resp_ = 2;
  reply_.verbatim("some text");
  EXPECT_EQ(take(), "$9\r\nsome text\r\n");
  resp_ = 3;
  reply_.verbatim("some text");
  EXPECT_EQ(take(), "=13\r\ntxt:some text\r\n");  // length counts the "txt:" prefix
  reply_.verbatim("");
  EXPECT_EQ(take(), "=4\r\ntxt:\r\n");
}

TEST_F(RespReplyTest, ErrorsAreOneLine) {
  for (int v : {2, 3}) {
    resp_ = v;
    reply_.error("ERR syntax error");
    EXPECT_EQ(take(), "-ERR syntax error\r\n");
    reply_.error("ERR bad\r\ninjected\nline\r");
    EXPECT_EQ(take(), "-ERR bad  injected line \r\n");
  }
  EXPECT_EQ(reply_.errors(), 4u);
}

TEST_F(RespReplyTest, MarkAndRewind) {
  reply_.simple("keep");
  size_t m = reply_.mark();
  reply_.bulk("drop me");
  reply_.integer(1);
  reply_.rewind(m);
  reply_.integer(2);
  EXPECT_EQ(take(), "+keep\r\n:2\r\n");
}

TEST_F(RespReplyTest, ProtocolIsReadAtEachReply) {
  // HELLO 3 switches the encoding from its own reply on.
  resp_ = 2;
  reply_.null();
  resp_ = 3;
  reply_.null();
  EXPECT_EQ(reply_.protocol(), 3);
  EXPECT_EQ(take(), "$-1\r\n_\r\n");
}

}  // namespace
}  // namespace cairn::protocol::resp
