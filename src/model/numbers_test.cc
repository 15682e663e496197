// Tests for Redis-compatible number parsing and formatting (numbers.h):
// integers are strict (Redis's string2ll), floats reject NaN and trailing
// garbage (string2d), long doubles print like INCRBYFLOAT stores them.
#include "model/numbers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace cairn::model {
namespace {

TEST(NumbersTest, ParseInt64Accepts) {
  int64_t v = -1;
  EXPECT_TRUE(parse_int64("0", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(parse_int64("1", &v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(parse_int64("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(parse_int64("1234567890", &v));
  EXPECT_EQ(v, 1234567890);
  EXPECT_TRUE(parse_int64("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(parse_int64("-9223372036854775808", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
}

TEST(NumbersTest, ParseInt64Rejects) {
  for (const char* s : {"", "+1", " 1", "1 ", "01", "00", "-0", "-01", "-", "+", "1x", "x1", "1.0", "1e3",
                        "0x10", "9223372036854775808", "-9223372036854775809", "99999999999999999999",
                        "123456789012345678901234"}) {
    int64_t v = 42;
    EXPECT_FALSE(parse_int64(s, &v)) << "'" << s << "'";
  }
  int64_t v;
  EXPECT_FALSE(parse_int64(std::string("1\0", 2), &v));
}

TEST(NumbersTest, ParseUint64) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_uint64("18446744073709551615", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(parse_uint64("0", &v));
  EXPECT_EQ(v, 0u);
  for (const char* s : {"", "-1", "+1", "01", " 1", "18446744073709551616", "1x"}) {
    EXPECT_FALSE(parse_uint64(s, &v)) << "'" << s << "'";
  }
}

TEST(NumbersTest, ParseDoubleAccepts) {
  double d = 0;
  EXPECT_TRUE(parse_double("1.5", &d));
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(parse_double("-2", &d));
  EXPECT_EQ(d, -2.0);
  EXPECT_TRUE(parse_double("1e3", &d));
  EXPECT_EQ(d, 1000.0);
  EXPECT_TRUE(parse_double("5.0e3", &d));
  EXPECT_EQ(d, 5000.0);
  EXPECT_TRUE(parse_double(".5", &d));
  EXPECT_EQ(d, 0.5);
  EXPECT_TRUE(parse_double("inf", &d));
  EXPECT_TRUE(std::isinf(d) && d > 0);
  EXPECT_TRUE(parse_double("-inf", &d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_TRUE(parse_double("+inf", &d));
  EXPECT_TRUE(std::isinf(d) && d > 0);
  EXPECT_TRUE(parse_double("0", &d));
  EXPECT_EQ(d, 0.0);
}

TEST(NumbersTest, ParseDoubleRejects) {
  for (const char* s : {"", "nan", "NaN", "-nan", "1x", " 1", "1 ", "abc", "1e400", "-1e400", "1.2.3", "--1"}) {
    double d = 42;
    EXPECT_FALSE(parse_double(s, &d)) << "'" << s << "'";
  }
  double d;
  EXPECT_FALSE(parse_double(std::string("1\0", 2), &d));
}

TEST(NumbersTest, ParseLongDouble) {
  long double v = 0;
  EXPECT_TRUE(parse_long_double("10.5", &v));
  EXPECT_EQ(v, 10.5L);
  EXPECT_TRUE(parse_long_double("-inf", &v));
  EXPECT_TRUE(std::isinf(v));
  EXPECT_FALSE(parse_long_double("nan", &v));
  EXPECT_FALSE(parse_long_double(" 1", &v));
  EXPECT_FALSE(parse_long_double("1x", &v));
  EXPECT_FALSE(parse_long_double("", &v));
}

TEST(NumbersTest, FormatInt64) {
  EXPECT_EQ(format_int64(0), "0");
  EXPECT_EQ(format_int64(-42), "-42");
  EXPECT_EQ(format_int64(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(format_int64(std::numeric_limits<int64_t>::max()), "9223372036854775807");
}

TEST(NumbersTest, FormatLongDoubleLikeIncrByFloat) {
  EXPECT_EQ(format_long_double(10.5L), "10.5");
  EXPECT_EQ(format_long_double(3.0L), "3");
  EXPECT_EQ(format_long_double(5.0e3L), "5000");
  EXPECT_EQ(format_long_double(-0.0L), "0");
  EXPECT_EQ(format_long_double(0.0L), "0");
  EXPECT_EQ(format_long_double(-1.25L), "-1.25");
  EXPECT_EQ(format_long_double(100.0L), "100");  // trailing zeros of the integer part stay
  EXPECT_EQ(format_long_double(1e20L), "100000000000000000000");

  // INCRBYFLOAT: SET foo 10.5; INCRBYFLOAT foo 0.1 -> "10.6" (Redis's test suite).
  long double a = 0, b = 0;
  ASSERT_TRUE(parse_long_double("10.5", &a));
  ASSERT_TRUE(parse_long_double("0.1", &b));
  EXPECT_EQ(format_long_double(a + b), "10.6");
  ASSERT_TRUE(parse_long_double("-1.1", &b));
  EXPECT_EQ(format_long_double(10.6L + b), "9.5");
  // 17 digits after the point, no more.
  EXPECT_EQ(format_long_double(1.0L / 3.0L), "0.33333333333333333");
}

}  // namespace
}  // namespace cairn::model
