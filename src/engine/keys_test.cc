// Tests for the key encodings (keys.h): RocksDB orders keys bytewise, so each
// documented ordering (expiry index by time, SCAN index by namespace then
// hash, data keys by namespace) must hold for the raw encoded bytes.
#include "engine/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace cairn::engine {
namespace {

// RocksDB's default comparator: unsigned bytewise, shorter prefix first.
bool bytewise_less(const std::string& a, const std::string& b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c < 0 || (c == 0 && a.size() < b.size());
}

std::vector<std::string> sample_keys() {
  std::vector<std::string> keys = {"", "a", "b", "foo", "foo:1", "user:42", "\xff\xff", std::string("\0", 1),
                                   std::string("x\0y", 3)};
  for (int i = 0; i < 200; ++i) keys.push_back("key:" + std::to_string(i));
  return keys;
}

TEST(KeysTest, ScanHashIsPinned) {
  // The SCAN index is ordered by this hash on disk: changing the function
  // would silently reorder (and break cursors over) existing data.
  EXPECT_EQ(scan_hash("foo"), 3015848562292711ull);
  // Member sub keys order HSCAN/SSCAN/ZSCAN: pinned for the same reason.
  EXPECT_EQ(member_hash("f"), 0x33c15590u);
  EXPECT_EQ(scan_hash(""), 792095054073145ull);
}

TEST(KeysTest, ScanHashFitsInFiftyTwoBits) {
  for (const std::string& k : sample_keys()) {
    EXPECT_LT(scan_hash(k), uint64_t{1} << kScanHashBits) << k;
    EXPECT_EQ(scan_hash(k), scan_hash(std::string(k))) << k;  // deterministic
  }
  // Not degenerate: different keys spread over the space.
  EXPECT_NE(scan_hash("a"), scan_hash("b"));
}

TEST(KeysTest, DataKeysGroupByNamespace) {
  EXPECT_EQ(data_key(3, "abc"), std::string("\x03" "abc"));
  EXPECT_EQ(data_prefix(3), std::string("\x03"));
  for (uint8_t ns = 0; ns + 1 < kMaxNamespaces; ++ns) {
    for (const std::string& k : sample_keys()) {
      std::string dk = data_key(ns, k);
      EXPECT_EQ(dk.compare(0, 1, data_prefix(ns)), 0);
      EXPECT_TRUE(bytewise_less(dk, data_prefix(static_cast<uint8_t>(ns + 1)))) << int(ns) << " " << k;
      EXPECT_TRUE(bytewise_less(dk, data_key(static_cast<uint8_t>(ns + 1), ""))) << int(ns) << " " << k;
    }
  }
  // Within a namespace, user keys keep their own order.
  EXPECT_TRUE(bytewise_less(data_key(0, "a"), data_key(0, "b")));
  EXPECT_TRUE(bytewise_less(data_key(0, "a"), data_key(0, "a\x01")));
  EXPECT_TRUE(bytewise_less(data_key(0, "\x7f"), data_key(0, "\x80")));
}

TEST(KeysTest, ExpiryKeysOrderByTime) {
  const int64_t times[] = {0, 1, 255, 256, 65535, 65536, 1700000000000, 1700000000001, (int64_t{1} << 42) + 5,
                           INT64_MAX};
  for (size_t i = 0; i + 1 < std::size(times); ++i) {
    // Time dominates namespace and user key.
    EXPECT_TRUE(bytewise_less(expiry_key(times[i], 31, "\xff\xff\xff"), expiry_key(times[i + 1], 0, "")))
        << times[i] << " vs " << times[i + 1];
  }
  // Equal times: then namespace, then user key.
  EXPECT_TRUE(bytewise_less(expiry_key(5, 0, "zzz"), expiry_key(5, 1, "aaa")));
  EXPECT_TRUE(bytewise_less(expiry_key(5, 1, "aaa"), expiry_key(5, 1, "aab")));
}

TEST(KeysTest, ExpiryKeyRoundTrip) {
  for (const std::string& k : sample_keys()) {
    for (int64_t at : {int64_t{0}, int64_t{1}, int64_t{1700000000123}, INT64_MAX}) {
      std::string enc = expiry_key(at, 7, k);
      EXPECT_EQ(enc.size(), 9 + k.size());
      ExpiryEntry e{};
      ASSERT_TRUE(decode_expiry_key(enc, &e));
      EXPECT_EQ(e.at_ms, at);
      EXPECT_EQ(e.ns, 7);
      EXPECT_EQ(e.user_key, k);
    }
  }
  ExpiryEntry e{};
  EXPECT_FALSE(decode_expiry_key("", &e));
  EXPECT_FALSE(decode_expiry_key(std::string(8, '\0'), &e));
}

TEST(KeysTest, ScanKeysGroupByNamespaceThenHash) {
  std::vector<std::string> keys = sample_keys();
  std::vector<std::string> encoded;
  for (uint8_t ns : {uint8_t{2}, uint8_t{0}, uint8_t{1}}) {
    for (const std::string& k : keys) encoded.push_back(scan_key(ns, k));
  }
  std::sort(encoded.begin(), encoded.end(), bytewise_less);
  uint8_t prev_ns = 0;
  uint64_t prev_hash = 0;
  for (size_t i = 0; i < encoded.size(); ++i) {
    const std::string& k = encoded[i];
    uint8_t ns = static_cast<uint8_t>(k[0]);
    ScanEntry e{};
    ASSERT_TRUE(decode_scan_key(k, &e));
    EXPECT_EQ(e.hash, scan_hash(e.user_key));
    if (i > 0) {
      ASSERT_GE(ns, prev_ns);
      if (ns == prev_ns) {
        EXPECT_GE(e.hash, prev_hash) << "hash order broken at " << i;
      }
    }
    prev_ns = ns;
    prev_hash = e.hash;
  }
  EXPECT_EQ(static_cast<uint8_t>(encoded.front()[0]), 0);
  EXPECT_EQ(static_cast<uint8_t>(encoded.back()[0]), 2);
}

TEST(KeysTest, ScanSeekKeyPositionsAtHash) {
  // A cursor seek lands before exactly the keys whose hash is >= the cursor.
  for (const std::string& k : sample_keys()) {
    uint64_t h = scan_hash(k);
    std::string sk = scan_key(4, k);
    EXPECT_FALSE(bytewise_less(sk, scan_seek_key(4, h))) << k;
    if (h + 1 < (uint64_t{1} << kScanHashBits)) {
      EXPECT_TRUE(bytewise_less(sk, scan_seek_key(4, h + 1))) << k;
    }
    EXPECT_TRUE(bytewise_less(sk, scan_seek_key(5, 0)));
    EXPECT_FALSE(bytewise_less(sk, scan_seek_key(4, 0)));
  }
}

TEST(KeysTest, ScanKeyRoundTrip) {
  for (const std::string& k : sample_keys()) {
    std::string enc = scan_key(9, k);
    EXPECT_EQ(enc.size(), 9 + k.size());
    EXPECT_EQ(static_cast<uint8_t>(enc[0]), 9);
    ScanEntry e{};
    ASSERT_TRUE(decode_scan_key(enc, &e));
    EXPECT_EQ(e.hash, scan_hash(k));
    EXPECT_EQ(e.user_key, k);
  }
  ScanEntry e{};
  EXPECT_FALSE(decode_scan_key("", &e));
  EXPECT_FALSE(decode_scan_key(std::string(8, '\0'), &e));
}

TEST(KeysTest, FeedKeysOrderByRevisionThenIndex) {
  // [revision:8 BE][index:4 BE]
  EXPECT_EQ(feed_key(0x0102030405060708ull, 0x0a0b0c0d), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"
                                                                      "\x0a\x0b\x0c\x0d"));
  EXPECT_TRUE(bytewise_less(feed_key(1, 0), feed_key(1, 1)));
  EXPECT_TRUE(bytewise_less(feed_key(1, 65535), feed_key(1, 65536)));
  EXPECT_TRUE(bytewise_less(feed_key(1, UINT32_MAX), feed_key(2, 0)));
  EXPECT_TRUE(bytewise_less(feed_key(255, 0), feed_key(256, 0)));
  EXPECT_TRUE(bytewise_less(feed_key(1, 255), feed_key(1, 256)));
}

TEST(KeysTest, CountMetaKeysAreDistinct) {
  EXPECT_EQ(count_meta_key(0), std::string("count\0", 6));
  EXPECT_NE(count_meta_key(0), count_meta_key(1));
  EXPECT_NE(count_meta_key(1), std::string(kRevisionMetaKey));
}

}  // namespace
}  // namespace cairn::engine
