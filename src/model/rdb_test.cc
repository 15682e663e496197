#include "model/rdb.h"

#include <gtest/gtest.h>

namespace cairn::model::rdb {

TEST(RdbTest, Crc64IsRedisJones) { EXPECT_EQ(crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL); }

TEST(RdbTest, StringsRoundTripInEveryLengthEncoding) {
  for (size_t n : {0, 5, 63, 64, 300, 16383, 16384, 70000}) {
    std::string s(n, 'x');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
    std::string out;
    append_string(out, s);
    Reader r(out);
    auto back = r.string();
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, s);
    EXPECT_TRUE(r.done());
  }
}

TEST(RdbTest, LongRepetitiveStringsAreCompressed) {
  std::string s(1000, 'a'), out;
  append_string(out, s);
  EXPECT_LT(out.size(), 100u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0xC3);
}

TEST(RdbTest, IntegerEncodedStringsRead) {
  // 0xC0 int8 -5, 0xC1 int16 1000, 0xC2 int32 -70000 (little-endian).
  std::string in = "\xC0\xFB\xC1\xE8\x03\xC2\x90\xEE\xFE\xFF";
  Reader r(in);
  EXPECT_EQ(r.string(), "-5");
  EXPECT_EQ(r.string(), "1000");
  EXPECT_EQ(r.string(), "-70000");
}

TEST(RdbTest, TruncatedInputFailsInsteadOfOverrunning) {
  std::string out;
  append_string(out, std::string(100, 'q') + "unique tail to keep some literal bytes 0123456789");
  for (size_t cut = 0; cut < out.size(); ++cut) {
    Reader r(std::string_view(out).substr(0, cut));
    EXPECT_FALSE(r.string()) << cut;
  }
}

TEST(RdbTest, PayloadTrailerIsCheckedAndStripped) {
  std::string payload = "body";
  append_trailer(payload);
  EXPECT_EQ(payload.size(), 14u);
  EXPECT_EQ(verify_payload(payload), "body");
  std::string bad = payload;
  bad[0] = 'B';
  EXPECT_FALSE(verify_payload(bad));
  EXPECT_FALSE(verify_payload("short"));
  std::string newer = "x";
  newer.push_back(11);  // RDB version 11: newer than 7.0's
  newer.push_back(0);
  uint64_t crc = crc64(0, newer);
  for (int i = 0; i < 8; ++i) newer.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  EXPECT_FALSE(verify_payload(newer));
}

}  // namespace cairn::model::rdb
