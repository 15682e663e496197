// Tests for the incremental RESP request parser (resp_parser.h): multibulk
// and inline requests, pipelining, resuming a command that arrives in pieces,
// and Redis's exact protocol error texts and limits.
#include "protocol/resp/resp_parser.h"

#include "common/split_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::protocol::resp {
namespace {

using Result = RespParser::Result;
using Args = std::vector<std::string>;

Args to_args(const std::vector<std::string_view>& argv) { return Args(argv.begin(), argv.end()); }

struct Parsed {
  Result result;
  Args argv;
  size_t consumed = 0;
  std::string error;
};

Parsed parse_once(RespParser& p, std::string_view buf, const ParserLimits& limits = {}) {
  std::vector<std::string_view> argv;
  Parsed out;
  out.result = p.parse(buf.data(), buf.size(), limits, &argv, &out.consumed, &out.error);
  out.argv = to_args(argv);
  return out;
}

// Parses every complete command in `buf`, as a connection does after a read.
std::vector<Args> parse_all(std::string_view buf, size_t* left = nullptr) {
  RespParser p;
  std::vector<Args> out;
  size_t off = 0;
  for (;;) {
    Parsed r = parse_once(p, buf.substr(off));
    if (r.result != Result::kComplete) {
      EXPECT_EQ(r.result, Result::kNeedMore) << r.error;
      break;
    }
    EXPECT_GT(r.consumed, 0u);
    out.push_back(r.argv);
    off += r.consumed;
    p.clear_storage();
  }
  if (left) *left = buf.size() - off;
  return out;
}

std::string error_of(std::string_view buf, const ParserLimits& limits = {}) {
  RespParser p;
  Parsed r = parse_once(p, buf, limits);
  EXPECT_EQ(r.result, Result::kError) << "for input of " << buf.size() << " bytes";
  return r.error;
}

const char kSet[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";

TEST(RespParserTest, Multibulk) {
  RespParser p;
  Parsed r = parse_once(p, kSet);
  ASSERT_EQ(r.result, Result::kComplete) << r.error;
  EXPECT_EQ(r.argv, (Args{"SET", "key", "value"}));
  EXPECT_EQ(r.consumed, sizeof(kSet) - 1);
}

TEST(RespParserTest, ArgumentsPointIntoTheBuffer) {
  RespParser p;
  std::string buf = kSet;
  std::vector<std::string_view> argv;
  size_t consumed = 0;
  std::string error;
  ASSERT_EQ(p.parse(buf.data(), buf.size(), {}, &argv, &consumed, &error), Result::kComplete);
  ASSERT_EQ(argv.size(), 3u);
  EXPECT_EQ(argv[0].data(), buf.data() + 8);  // zero copy
}

TEST(RespParserTest, EmptyAndBinaryBulks) {
  static const char kRaw[] = "*3\r\n$0\r\n\r\n$4\r\na\r\nb\r\n$3\r\n\0\r\n\r\n";
  std::string buf(kRaw, sizeof(kRaw) - 1);
  size_t left = 99;
  std::vector<Args> cmds = parse_all(buf, &left);
  EXPECT_EQ(left, 0u);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0], (Args{"", "a\r\nb", std::string("\0\r\n", 3)}));
}

TEST(RespParserTest, PipelinedCommandsInOneBuffer) {
  std::string buf = std::string(kSet) + "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n" + "PING\r\n" + "*1\r\n$4\r\nPING\r\n" +
                    "*2\r\n$4\r\nECHO\r\n$5\r\nhel";  // the last one is incomplete
  size_t left = 0;
  std::vector<Args> cmds = parse_all(buf, &left);
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0], (Args{"SET", "key", "value"}));
  EXPECT_EQ(cmds[1], (Args{"GET", "key"}));
  EXPECT_EQ(cmds[2], (Args{"PING"}));
  EXPECT_EQ(cmds[3], (Args{"PING"}));
  EXPECT_EQ(left, std::string("*2\r\n$4\r\nECHO\r\n$5\r\nhel").size());
}

// Feeds growing prefixes of `buf` (each in a fresh copy, as if the connection
// buffer had been reallocated) to one parser: every call before the last byte
// must ask for more, and the final call must yield `want`.
void expect_resumes(const std::string& buf, const Args& want) {
  RespParser p;
  for (size_t n = 1; n < buf.size(); ++n) {
    std::string prefix = buf.substr(0, n);
    Parsed r = parse_once(p, prefix);
    ASSERT_EQ(r.result, Result::kNeedMore) << "prefix " << n << " of " << buf.size() << ": " << r.error;
    if (p.needed()) {
      EXPECT_LE(p.needed(), buf.size()) << "prefix " << n;
    }
  }
  Parsed r = parse_once(p, buf);
  ASSERT_EQ(r.result, Result::kComplete) << r.error;
  EXPECT_EQ(r.argv, want);
  EXPECT_EQ(r.consumed, buf.size());
}

TEST(RespParserTest, ResumesAtEveryByteBoundary) {
  expect_resumes(kSet, {"SET", "key", "value"});
  expect_resumes(std::string("*2\r\n$4\r\na\r\nb\r\n$0\r\n\r\n"), {"a\r\nb", ""});
  expect_resumes("*1\r\n$12\r\n0123456789ab\r\n", {"0123456789ab"});
  expect_resumes("SET key \"a b\"\r\n", {"SET", "key", "a b"});
}

TEST(RespParserTest, SplitOnceAtEveryPointParsesIdentically) {
  const std::string buf = kSet;
  for (size_t split = 1; split < buf.size(); ++split) {
    RespParser p;
    Parsed first = parse_once(p, buf.substr(0, split));
    ASSERT_EQ(first.result, Result::kNeedMore) << split;
    Parsed r = parse_once(p, buf);
    ASSERT_EQ(r.result, Result::kComplete) << split << ": " << r.error;
    EXPECT_EQ(r.argv, (Args{"SET", "key", "value"})) << split;
    EXPECT_EQ(r.consumed, buf.size());
    // The parser is ready for the next command.
    Parsed again = parse_once(p, "*1\r\n$4\r\nPING\r\n");
    ASSERT_EQ(again.result, Result::kComplete);
    EXPECT_EQ(again.argv, (Args{"PING"}));
  }
}

TEST(RespParserTest, NeededKnowsTheFullSizeOfALargeBulk) {
  RespParser p;
  std::string head = "*1\r\n$100\r\nabc";
  Parsed r = parse_once(p, head);
  ASSERT_EQ(r.result, Result::kNeedMore);
  EXPECT_EQ(p.needed(), 4u + 6u + 100u + 2u);
}

TEST(RespParserTest, InlineCommands) {
  std::vector<Args> cmds = parse_all(
      "PING\r\n"
      "set key value\n"
      "  spaced   out\t args  \r\n"
      "set \"a b\" 'c d'\r\n");
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0], (Args{"PING"}));
  EXPECT_EQ(cmds[1], (Args{"set", "key", "value"}));
  EXPECT_EQ(cmds[2], (Args{"spaced", "out", "args"}));
  EXPECT_EQ(cmds[3], (Args{"set", "a b", "c d"}));
}

TEST(RespParserTest, InlineQuotesAndEscapes) {
  std::vector<Args> cmds = parse_all(
      "set k \"\\x41\\x62\\n\\r\\t\\\\\\\"\"\r\n"  // set k "\x41\x62\n\r\t\\\""
      "set k 'it\\'s'\r\n"                        // set k 'it\'s'
      "set k 'no \\n escapes'\r\n"                // single quotes keep backslashes
      "set k \"\"\r\n"                            // an empty argument
      "set k \"\\x4\"\r\n"                        // not a hex escape: \x is x
      "set k \"\\xZZ\"\r\n"
      "set k \"\\x00\"\r\n");
  ASSERT_EQ(cmds.size(), 7u);
  EXPECT_EQ(cmds[0], (Args{"set", "k", "Ab\n\r\t\\\""}));
  EXPECT_EQ(cmds[1], (Args{"set", "k", "it's"}));
  EXPECT_EQ(cmds[2], (Args{"set", "k", "no \\n escapes"}));
  EXPECT_EQ(cmds[3], (Args{"set", "k", ""}));
  EXPECT_EQ(cmds[4], (Args{"set", "k", "x4"}));
  EXPECT_EQ(cmds[5], (Args{"set", "k", "xZZ"}));
  EXPECT_EQ(cmds[6], (Args{"set", "k", std::string("\0", 1)}));
}

TEST(RespParserTest, SplitInlineArgs) {
  std::vector<std::string> out;
  ASSERT_TRUE(split_args("a \"b c\" 'd e' f\"g h\"", &out));
  EXPECT_EQ(out, (Args{"a", "b c", "d e", "fg h"}));
  out.clear();
  ASSERT_TRUE(split_args("", &out));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(split_args("   ", &out));
  EXPECT_TRUE(out.empty());
}

TEST(RespParserTest, UnbalancedQuotes) {
  const std::string want = "ERR Protocol error: unbalanced quotes in request";
  EXPECT_EQ(error_of("set \"abc\r\n"), want);
  EXPECT_EQ(error_of("set 'abc\r\n"), want);
  EXPECT_EQ(error_of("set \"a\"b\r\n"), want);  // a closing quote must end the argument
  EXPECT_EQ(error_of("set 'a'b\r\n"), want);
  EXPECT_EQ(error_of("set \"abc\\\"\r\n"), want);  // the quote is escaped
  std::vector<std::string> out;
  EXPECT_FALSE(split_args("\"", &out));
}

TEST(RespParserTest, EmptyCommands) {
  for (const char* buf : {"*0\r\n", "\r\n", "\n", "   \r\n", "*-1\r\n"}) {
    RespParser p;
    Parsed r = parse_once(p, buf);
    ASSERT_EQ(r.result, Result::kComplete) << buf;
    EXPECT_TRUE(r.argv.empty()) << buf;
    EXPECT_EQ(r.consumed, std::string(buf).size()) << buf;
  }
  std::vector<Args> cmds = parse_all("\r\n*0\r\nPING\r\n");
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_TRUE(cmds[0].empty());
  EXPECT_TRUE(cmds[1].empty());
  EXPECT_EQ(cmds[2], (Args{"PING"}));
}

TEST(RespParserTest, InvalidBulkLength) {
  const std::string want = "ERR Protocol error: invalid bulk length";
  for (const char* len : {"-1", "-5", "abc", "", "1x", "+1", "99999999999999999999", "9223372036854775808",
                          "01", "-0"}) {
    EXPECT_EQ(error_of(std::string("*1\r\n$") + len + "\r\nx\r\n"), want) << "'" << len << "'";
  }
  ParserLimits small;
  small.max_bulk = 10;
  EXPECT_EQ(error_of("*1\r\n$11\r\n", small), want);
  RespParser p;
  EXPECT_EQ(parse_once(p, "*1\r\n$10\r\n", small).result, Result::kNeedMore);
}

TEST(RespParserTest, ExpectedDollar) {
  EXPECT_EQ(error_of("*1\r\n:1\r\n"), "ERR Protocol error: expected '$', got ':'");
  EXPECT_EQ(error_of("*2\r\n$1\r\na\r\nX1\r\n"), "ERR Protocol error: expected '$', got 'X'");
}

TEST(RespParserTest, InvalidMultibulkLength) {
  const std::string want = "ERR Protocol error: invalid multibulk length";
  for (const char* len : {"abc", "", "1x", "+1", "3000000000", "99999999999999999999", "01"}) {
    EXPECT_EQ(error_of(std::string("*") + len + "\r\n"), want) << "'" << len << "'";
  }
}

TEST(RespParserTest, UnauthenticatedLimits) {
  ParserLimits unauth;
  unauth.authenticated = false;
  EXPECT_EQ(error_of("*11\r\n", unauth), "ERR Protocol error: unauthenticated multibulk length");
  EXPECT_EQ(error_of("*1\r\n$16385\r\n", unauth), "ERR Protocol error: unauthenticated bulk length");
  RespParser p;
  EXPECT_EQ(parse_once(p, "*10\r\n$16384\r\n", unauth).result, Result::kNeedMore);
  // Authenticated clients have the normal limits.
  RespParser q;
  EXPECT_EQ(parse_once(q, "*11\r\n$16385\r\n").result, Result::kNeedMore);
}

TEST(RespParserTest, TooBigRequests) {
  const size_t kBig = 64 * 1024 + 1;
  EXPECT_EQ(error_of(std::string(kBig, 'a')), "ERR Protocol error: too big inline request");
  EXPECT_EQ(error_of("*" + std::string(kBig, '1')), "ERR Protocol error: too big mbulk count string");
  EXPECT_EQ(error_of("*1\r\n$" + std::string(kBig, '1')), "ERR Protocol error: too big bulk count string");
  // Up to the limit they just wait for more.
  RespParser p;
  EXPECT_EQ(parse_once(p, std::string(64 * 1024, 'a')).result, Result::kNeedMore);
  // A large bulk is not an inline request: it may be far bigger.
  RespParser q;
  std::string big = "*1\r\n$200000\r\n" + std::string(150000, 'x');
  EXPECT_EQ(parse_once(q, big).result, Result::kNeedMore);
  big += std::string(50000, 'x') + "\r\n";
  Parsed r = parse_once(q, big);
  ASSERT_EQ(r.result, Result::kComplete) << r.error;
  ASSERT_EQ(r.argv.size(), 1u);
  EXPECT_EQ(r.argv[0].size(), 200000u);
}

}  // namespace
}  // namespace cairn::protocol::resp
