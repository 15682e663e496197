// Tests for the record header codec (record.h): what encode_record writes is
// the documented on-disk layout, decode_record reads it back, and malformed
// values are rejected instead of being misread.
#include "engine/record.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::engine {
namespace {

TEST(RecordTest, RoundTripWithoutExpiry) {
  RecordHeader h;
  h.type = ValueType::kHash;
  h.revision = 0x0102030405060708ull;
  h.expire_at_ms = 0;
  std::string raw;
  encode_record(h, "hello", &raw);
  EXPECT_EQ(raw.size(), 10u + 5u);

  RecordHeader got;
  got.expire_at_ms = 12345;  // must be reset by decode
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &got, &payload));
  EXPECT_EQ(got.type, ValueType::kHash);
  EXPECT_EQ(got.revision, 0x0102030405060708ull);
  EXPECT_EQ(got.expire_at_ms, 0);
  EXPECT_EQ(payload, "hello");
}

TEST(RecordTest, RoundTripWithExpiry) {
  RecordHeader h;
  h.type = ValueType::kZSet;
  h.revision = 7;
  h.expire_at_ms = 1700000000123;
  std::string raw;
  encode_record(h, "payload", &raw);
  EXPECT_EQ(raw.size(), 18u + 7u);

  RecordHeader got;
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &got, &payload));
  EXPECT_EQ(got.type, ValueType::kZSet);
  EXPECT_EQ(got.revision, 7u);
  EXPECT_EQ(got.expire_at_ms, 1700000000123);
  EXPECT_EQ(payload, "payload");
}

TEST(RecordTest, LayoutMatchesFormatDoc) {
  // [type:1][flags:1][revision:8 LE][expire_at_ms:8 LE][payload]
  RecordHeader h;
  h.type = ValueType::kList;
  h.revision = 0x0807060504030201ull;
  h.expire_at_ms = 0x1122334455667788;
  std::string raw;
  encode_record(h, "xy", &raw);
  ASSERT_EQ(raw.size(), 20u);
  EXPECT_EQ(static_cast<uint8_t>(raw[0]), static_cast<uint8_t>(ValueType::kList));
  EXPECT_EQ(static_cast<uint8_t>(raw[1]), kHasExpiry);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(static_cast<uint8_t>(raw[2 + i]), i + 1) << i;
  const uint8_t expiry_le[8] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(static_cast<uint8_t>(raw[10 + i]), expiry_le[i]) << i;
  EXPECT_EQ(raw.substr(18), "xy");

  h.expire_at_ms = 0;
  encode_record(h, "xy", &raw);
  ASSERT_EQ(raw.size(), 12u);
  EXPECT_EQ(static_cast<uint8_t>(raw[1]), 0);
}

TEST(RecordTest, EmptyAndBinaryPayloads) {
  RecordHeader h;
  h.type = ValueType::kString;
  h.revision = 1;
  std::string raw;
  encode_record(h, "", &raw);
  RecordHeader got;
  std::string_view payload = "not empty";
  ASSERT_TRUE(decode_record(raw, &got, &payload));
  EXPECT_TRUE(payload.empty());

  const std::string binary("a\0b\r\n\xff\x00", 7);
  encode_record(h, binary, &raw);
  ASSERT_TRUE(decode_record(raw, &got, &payload));
  EXPECT_EQ(payload, binary);
}

TEST(RecordTest, EncodeReplacesPreviousContent) {
  RecordHeader h;
  h.revision = 3;
  std::string raw = "leftover bytes from an earlier record";
  encode_record(h, "v", &raw);
  EXPECT_EQ(raw.size(), 11u);
  RecordHeader got;
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &got, &payload));
  EXPECT_EQ(payload, "v");
}

TEST(RecordTest, PayloadPointsIntoRaw) {
  RecordHeader h;
  std::string raw;
  encode_record(h, "abc", &raw);
  RecordHeader got;
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &got, &payload));
  EXPECT_EQ(payload.data(), raw.data() + 10);
}

TEST(RecordTest, RejectsShortRecords) {
  RecordHeader got;
  std::string_view payload;
  EXPECT_FALSE(decode_record("", &got, &payload));
  EXPECT_FALSE(decode_record(std::string(9, '\0'), &got, &payload));

  // The expiry flag promises 8 more bytes.
  RecordHeader h;
  h.expire_at_ms = 99;
  std::string raw;
  encode_record(h, "", &raw);
  ASSERT_EQ(raw.size(), 18u);
  for (size_t n = 10; n < 18; ++n) {
    EXPECT_FALSE(decode_record(std::string_view(raw).substr(0, n), &got, &payload)) << n;
  }
  EXPECT_TRUE(decode_record(raw, &got, &payload));
}

TEST(RecordTest, RejectsUnknownType) {
  RecordHeader h;
  h.type = ValueType::kStream;
  std::string raw;
  encode_record(h, "p", &raw);
  RecordHeader got;
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &got, &payload));

  for (int bad : {static_cast<int>(ValueType::kStream) + 1, 0x7f, 0xff}) {
    raw[0] = static_cast<char>(bad);
    EXPECT_FALSE(decode_record(raw, &got, &payload)) << bad;
  }
}

TEST(RecordTest, TypeNamesAreRedis) {
  EXPECT_STREQ(value_type_name(ValueType::kString), "string");
  EXPECT_STREQ(value_type_name(ValueType::kHash), "hash");
  EXPECT_STREQ(value_type_name(ValueType::kList), "list");
  EXPECT_STREQ(value_type_name(ValueType::kSet), "set");
  EXPECT_STREQ(value_type_name(ValueType::kZSet), "zset");
  EXPECT_STREQ(value_type_name(ValueType::kStream), "stream");
}

TEST(Record, MetadataRoundTripsWithAndWithoutExpiry) {
  for (int64_t at : {int64_t{0}, int64_t{1700000000123}}) {
    RecordHeader h;
    h.type = ValueType::kString;
    h.revision = 42;
    h.expire_at_ms = at;
    h.metadata = R"({"owner":"ann","tags":["a"]})";
    std::string raw;
    encode_record(h, "the value", &raw);
    RecordHeader d;
    std::string_view payload;
    ASSERT_TRUE(decode_record(raw, &d, &payload));
    EXPECT_EQ(d.metadata, h.metadata);
    EXPECT_EQ(d.expire_at_ms, at);
    EXPECT_EQ(d.revision, 42u);
    EXPECT_EQ(payload, "the value");
    // Truncated inside the metadata: malformed, not a short payload.
    EXPECT_FALSE(decode_record(std::string_view(raw).substr(0, raw.size() - 12), &d, &payload));
  }
  RecordHeader plain;
  std::string raw;
  encode_record(plain, "v", &raw);
  RecordHeader d;
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &d, &payload));
  EXPECT_TRUE(d.metadata.empty());
  EXPECT_EQ(raw[1] & kHasMetadata, 0);
}

// Found by tests/fuzz/fuzz_codecs: the decoder accepted headers the encoder
// never writes (unknown flag bits, an expiry flag with no expiry, an empty
// metadata field), so decode-then-encode changed the bytes.
TEST(Record, DecodeRefusesWhatEncodeNeverWrites) {
  RecordHeader h;
  std::string raw;
  encode_record(h, "v", &raw);
  RecordHeader d;
  std::string_view payload;
  ASSERT_TRUE(decode_record(raw, &d, &payload));
  std::string unknown_flag = raw;
  unknown_flag[1] = static_cast<char>(0xF0);
  EXPECT_FALSE(decode_record(unknown_flag, &d, &payload));
  std::string zero_expiry = raw.substr(0, 10) + std::string(8, '\0') + "v";
  zero_expiry[1] = static_cast<char>(kHasExpiry);
  EXPECT_FALSE(decode_record(zero_expiry, &d, &payload));
  std::string empty_metadata = raw.substr(0, 10) + std::string(2, '\0') + "v";
  empty_metadata[1] = static_cast<char>(kHasMetadata);
  EXPECT_FALSE(decode_record(empty_metadata, &d, &payload));
}

}  // namespace
}  // namespace cairn::engine
