// Upstash REST parsing and formatting, and JSON replies: argument
// conversion, path decoding, nesting, base64, invalid UTF-8, rewinds.
#include "protocol/http/upstash.h"

#include <gtest/gtest.h>

#include <vector>

#include "protocol/http/json_reply.h"

namespace cairn::protocol::http {
namespace {

TEST(UpstashParse, JsonCommandConvertsScalars) {
  Command c;
  std::string err;
  ASSERT_TRUE(parse_json_command(R"(["ZADD","z",1.5,"m",-3,true,false,"\u00e9"])", &c, &err)) << err;
  EXPECT_EQ(c, (Command{"ZADD", "z", "1.5", "m", "-3", "true", "false", "\xc3\xa9"}));
  // Numbers keep the text the client wrote (no trip through a double).
  ASSERT_TRUE(parse_json_command(R"(["SET","k",1e21,18446744073709551615,1e-7,100000000000000000000,2.50])", &c,
                                 &err)) << err;
  EXPECT_EQ(c, (Command{"SET", "k", "1e21", "18446744073709551615", "1e-7", "100000000000000000000", "2.50"}));
}

TEST(UpstashParse, LoneSurrogatesBecomeReplacementCharacters) {
  Command c;
  std::string err;
  ASSERT_TRUE(parse_json_command(R"(["SET","a\ud800b","x\udc00","\ud83c\udf89","\\ud800"])", &c, &err)) << err;
  EXPECT_EQ(c[1], "a\xef\xbf\xbd" "b");
  EXPECT_EQ(c[2], "x\xef\xbf\xbd");
  EXPECT_EQ(c[3], "\xf0\x9f\x8e\x89");  // a real pair stays one character
  EXPECT_EQ(c[4], "\\ud800");           // an escaped backslash, not an escape
}

TEST(UpstashParse, JsonCommandRejectsWhatIsNotACommand) {
  Command c;
  std::string err;
  for (const char* bad : {"", "[", "{}", "[]", "\"GET\"", R"(["SET","k",null])", R"(["SET",["k"]])",
                          R"(["SET","k",{"a":1}])", "[[[[[[[[[[[[\"x\"]]]]]]]]]]]]"}) {
    EXPECT_FALSE(parse_json_command(bad, &c, &err)) << bad;
    EXPECT_EQ(err.rfind("ERR ", 0), 0u) << err;
  }
  std::vector<Command> cs;
  EXPECT_FALSE(parse_json_commands("[]", &cs, &err));
  EXPECT_FALSE(parse_json_commands(R"(["GET","k"])", &cs, &err));
  ASSERT_TRUE(parse_json_commands(R"([["GET","k"],["PING"]])", &cs, &err)) << err;
  EXPECT_EQ(cs.size(), 2u);
}

TEST(UpstashParse, PathCommandDecodesSegmentsBodyAndQuery) {
  Command c;
  std::string err;
  ASSERT_TRUE(parse_path_command("/set/a%2Fb/x+y%20z", "", nullptr, &c, &err)) << err;
  EXPECT_EQ(c, (Command{"set", "a/b", "x+y z"}));
  std::string body = "v\r\n\0x";
  ASSERT_TRUE(parse_path_command("/set/k", "EX=10&_token=t&KEEPTTL&a+b=c%3D", &body, &c, &err)) << err;
  EXPECT_EQ(c, (Command{"set", "k", body, "EX", "10", "KEEPTTL", "a b", "c="}));
  ASSERT_TRUE(parse_path_command("/get//", "", nullptr, &c, &err));
  EXPECT_EQ(c, (Command{"get", "", ""}));
  EXPECT_FALSE(parse_path_command("/", "", nullptr, &c, &err));
  EXPECT_FALSE(parse_path_command("/get/%4", "", nullptr, &c, &err));
  EXPECT_FALSE(parse_path_command("/get/%zz", "", nullptr, &c, &err));
  EXPECT_FALSE(parse_path_command("/get/k", "a=%", nullptr, &c, &err));
}

TEST(JsonReply, NestsArraysAndFlattensMaps) {
  JsonReply r(false);
  r.array(3);
  r.bulk("a");
  r.map(1);
  r.simple("k");
  r.dbl(1.5);
  r.array(0);
  r.integer(7);
  r.null();
  ASSERT_EQ(r.results().size(), 3u);
  EXPECT_EQ(format_result(r.results()[0]), R"({"result":["a",["k","1.5"],[]]})");
  EXPECT_EQ(format_result(r.results()[1]), R"({"result":7})");
  EXPECT_EQ(format_results(r.results()), R"([{"result":["a",["k","1.5"],[]]},{"result":7},{"result":null}])");
}

TEST(JsonReply, Base64EverythingButATopLevelOk) {
  JsonReply r(true);
  r.ok();
  r.simple("PONG");
  r.array(2);
  r.ok();
  r.bulk(std::string("\x00\xff", 2));
  EXPECT_EQ(format_results(r.results()), R"([{"result":"OK"},{"result":"UE9ORw=="},{"result":["T0s=","AP8="]}])");
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  std::string out;
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", std::string("\x00\xff\x10", 3)}) {
    ASSERT_TRUE(base64_decode(base64_encode(s), &out));
    EXPECT_EQ(out, s);
  }
  EXPECT_FALSE(base64_decode("Zm9", &out));
  EXPECT_FALSE(base64_decode("Zm9*", &out));
}

TEST(JsonReply, ErrorsInvalidUtf8AndRewind) {
  JsonReply r(false);
  r.bulk("caf\xc3\xa9 \xff \xed\xa0\x80 \xc0\xaf");  // valid é, stray byte, surrogate, overlong
  r.error("ERR boom");
  EXPECT_EQ(format_result(r.results()[0]),
            "{\"result\":\"caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\"}");
  EXPECT_EQ(format_result(r.results()[1]), R"({"error":"ERR boom"})");
  EXPECT_EQ(r.errors(), 1u);
  size_t m = r.mark();
  r.array(2);
  r.integer(1);  // half an array, then the group failed
  r.rewind(m);
  r.error("ERR write failed");
  ASSERT_EQ(r.results().size(), 3u);
  EXPECT_TRUE(r.results()[2].is_error);
}

}  // namespace
}  // namespace cairn::protocol::http
