// Tests for the score encodings (score.h): RocksDB orders the score index by
// raw bytes, so the sortable encoding must order exactly as the doubles do,
// with -0 and +0 as one score, and both encodings must round-trip.
#include "model/score.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace cairn::model {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// RocksDB's default comparator: unsigned bytewise, shorter first on a tie.
bool bytewise_less(const std::string& a, const std::string& b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c < 0 || (c == 0 && a.size() < b.size());
}

TEST(ScoreTest, SortableEncodingIsEightBytes) {
  for (double d : {0.0, -0.0, 1.0, -1.0, kInf, -kInf, 1e-300, -1e300}) {
    EXPECT_EQ(sortable_score(d).size(), kScoreBytes) << d;
    EXPECT_EQ(score_value(d).size(), kScoreBytes) << d;
  }
}

TEST(ScoreTest, DocumentedOrder) {
  // -inf < -1 < -0 == 0 < 1e-300 < 1 < inf
  const std::vector<double> ascending = {-kInf, -1.0, 0.0, 1e-300, 1.0, kInf};
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_TRUE(bytewise_less(sortable_score(ascending[i]), sortable_score(ascending[i + 1])))
        << ascending[i] << " < " << ascending[i + 1];
  }
  EXPECT_EQ(sortable_score(-0.0), sortable_score(0.0));
  EXPECT_TRUE(bytewise_less(sortable_score(-1.0), sortable_score(-0.0)));
  EXPECT_TRUE(bytewise_less(sortable_score(-0.0), sortable_score(1e-300)));
}

TEST(ScoreTest, OrderMatchesNumericOrderOnManyValues) {
  std::vector<double> values = {-kInf,
                                kInf,
                                0.0,
                                -0.0,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                std::numeric_limits<double>::min(),         // smallest normal
                                -std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),  // smallest subnormal
                                -std::numeric_limits<double>::denorm_min(),
                                9.8813129168249309e-323,
                                1.0,
                                -1.0,
                                0.5,
                                -0.5,
                                1e300,
                                -1e300};
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> small(-10, 10);
  std::uniform_int_distribution<int> exponent(-300, 300);
  for (int i = 0; i < 2000; ++i) values.push_back(small(rng) * std::pow(10.0, exponent(rng)));
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); j += 7) {
      double a = values[i], b = values[j];
      std::string ea = sortable_score(a), eb = sortable_score(b);
      EXPECT_EQ(a < b, bytewise_less(ea, eb)) << a << " vs " << b;
      EXPECT_EQ(a == b, ea == eb) << a << " vs " << b;
    }
  }
}

TEST(ScoreTest, SortableRoundTrip) {
  for (double d : {-kInf, -1e300, -1.5, -std::numeric_limits<double>::denorm_min(), 0.0, 1e-300, 0.1, 1.0,
                   3.141592653589793, std::numeric_limits<double>::max(), kInf}) {
    double back = decode_sortable_score(sortable_score(d));
    EXPECT_EQ(std::memcmp(&back, &d, sizeof d), 0) << d;  // bit-exact
  }
  // -0 comes back as +0.
  double z = decode_sortable_score(sortable_score(-0.0));
  EXPECT_EQ(z, 0.0);
  EXPECT_FALSE(std::signbit(z));
}

TEST(ScoreTest, SortableKeepsMemberOrderAfterTheScore) {
  // Score index keys are [score][member]: equal scores order by member bytes.
  auto key = [](double s, const std::string& m) { return sortable_score(s) + m; };
  EXPECT_TRUE(bytewise_less(key(1, "a"), key(1, "b")));
  EXPECT_TRUE(bytewise_less(key(1, "a"), key(1, "aa")));
  EXPECT_TRUE(bytewise_less(key(1, "zzz"), key(2, "")));
  EXPECT_TRUE(bytewise_less(key(-2, "\xff"), key(-1, "")));
}

TEST(ScoreTest, ValueRoundTrip) {
  for (double d : {-kInf, -1.5, 0.0, 1e-300, 0.1, 1.0, kInf, std::numeric_limits<double>::denorm_min()}) {
    std::string v = score_value(d);
    double back = 0;
    ASSERT_TRUE(decode_score_value(v, &back));
    EXPECT_EQ(std::memcmp(&back, &d, sizeof d), 0) << d;
  }
  // Little-endian IEEE bits: 1.0 is 0x3FF0000000000000.
  EXPECT_EQ(score_value(1.0), std::string("\0\0\0\0\0\0\xf0\x3f", 8));
  double back;
  EXPECT_FALSE(decode_score_value("", &back));
  EXPECT_FALSE(decode_score_value("1234567", &back));
  EXPECT_FALSE(decode_score_value("123456789", &back));
}

TEST(ScoreTest, FormatLikeRedis) {
  EXPECT_EQ(format_score(1.5), "1.5");
  EXPECT_EQ(format_score(10), "10");
  EXPECT_EQ(format_score(0), "0");
  EXPECT_EQ(format_score(-2), "-2");
  EXPECT_EQ(format_score(kInf), "inf");
  EXPECT_EQ(format_score(-kInf), "-inf");
  EXPECT_EQ(format_score(0.1), "0.10000000000000001");
  EXPECT_EQ(format_score(1.7976931348623157e308), "1.7976931348623157e+308");
}

}  // namespace
}  // namespace cairn::model
