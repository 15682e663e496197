// Tests for the string model (strings.h): counters and their error statuses,
// APPEND/SETRANGE growth and the length limit, GETRANGE index rules, and the
// TTL that read-modify-write commands keep. Runs against a real Engine.
#include "model/strings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/keyspace.h"
#include "engine/test_engine.h"
#include "model/keys.h"

namespace cairn::model {
namespace {

constexpr uint64_t kMax = 512u << 20;

class StringsTest : public test::EngineFixture {
 protected:
  void set(std::string key, std::string value, int64_t expire_at = 0) {
    run([&](Txn& t) {
      Found old;
      find(t, 0, key, t.now_ms(), &old);
      put_string(t, 0, key, old, value, expire_at);
    });
  }
  void set_typed(std::string key, ValueType type) {
    run([&](Txn& t) {
      Found old;
      find(t, 0, key, t.now_ms(), &old);
      engine::write_record(t, 0, key, old, type, 0, "opaque");
    });
  }
  std::optional<std::string> get(std::string_view key) {
    Found f;
    OpStatus s = get_string(engine_->committed(), 0, key, engine::unix_ms(), &f);
    if (s != OpStatus::kOk) return std::nullopt;
    return std::string(f.payload);
  }
  int64_t ttl_at(std::string_view key) { return expire_at(engine_->committed(), 0, key, engine::unix_ms()); }

  OpStatus incr(std::string key, int64_t delta, int64_t* result) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = incr_by(t, 0, key, delta, result); });
    return s;
  }
  OpStatus incr_float(std::string key, long double delta, std::string* result) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = incr_by_float(t, 0, key, delta, result); });
    return s;
  }
  OpStatus do_append(std::string key, std::string suffix, uint64_t max_len, size_t* len) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = append(t, 0, key, suffix, max_len, len); });
    return s;
  }
  OpStatus do_set_range(std::string key, uint64_t offset, std::string data, uint64_t max_len, size_t* len) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = set_range(t, 0, key, offset, data, max_len, len); });
    return s;
  }
};

TEST_F(StringsTest, GetStringStatuses) {
  Found f;
  EXPECT_EQ(get_string(engine_->committed(), 0, "nope", engine::unix_ms(), &f), OpStatus::kNotFound);
  set("s", "v");
  EXPECT_EQ(get_string(engine_->committed(), 0, "s", engine::unix_ms(), &f), OpStatus::kOk);
  EXPECT_EQ(f.payload, "v");
  set_typed("h", ValueType::kHash);
  EXPECT_EQ(get_string(engine_->committed(), 0, "h", engine::unix_ms(), &f), OpStatus::kWrongType);
}

TEST_F(StringsTest, IncrByCountsFromZero) {
  int64_t r = 0;
  EXPECT_EQ(incr("n", 5, &r), OpStatus::kOk);
  EXPECT_EQ(r, 5);
  EXPECT_EQ(incr("n", -8, &r), OpStatus::kOk);
  EXPECT_EQ(r, -3);
  EXPECT_EQ(get("n"), "-3");
  EXPECT_EQ(engine_->key_count(0), 1);

  set("big", "9223372036854775806");
  EXPECT_EQ(incr("big", 1, &r), OpStatus::kOk);
  EXPECT_EQ(r, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(get("big"), "9223372036854775807");
}

TEST_F(StringsTest, IncrByOverflow) {
  int64_t r = 0;
  set("max", "9223372036854775807");
  EXPECT_EQ(incr("max", 1, &r), OpStatus::kOverflow);
  EXPECT_EQ(get("max"), "9223372036854775807");  // unchanged
  EXPECT_EQ(incr("max", std::numeric_limits<int64_t>::max(), &r), OpStatus::kOverflow);

  set("min", "-9223372036854775808");
  EXPECT_EQ(incr("min", -1, &r), OpStatus::kOverflow);
  EXPECT_EQ(get("min"), "-9223372036854775808");
  EXPECT_EQ(incr("min", std::numeric_limits<int64_t>::min(), &r), OpStatus::kOverflow);
  EXPECT_EQ(incr("min", 1, &r), OpStatus::kOk);
  EXPECT_EQ(r, std::numeric_limits<int64_t>::min() + 1);

  EXPECT_EQ(incr("zero", std::numeric_limits<int64_t>::min(), &r), OpStatus::kOk);
  EXPECT_EQ(r, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(incr("zero", -1, &r), OpStatus::kOverflow);
}

TEST_F(StringsTest, IncrByNotInteger) {
  int64_t r = 0;
  for (const char* v : {"abc", "1.5", " 1", "1 ", "+1", "01", "", "99999999999999999999"}) {
    set("x", v);
    EXPECT_EQ(incr("x", 1, &r), OpStatus::kNotInteger) << "'" << v << "'";
    EXPECT_EQ(get("x"), v);
  }
  set_typed("h", ValueType::kList);
  EXPECT_EQ(incr("h", 1, &r), OpStatus::kWrongType);
}

TEST_F(StringsTest, IncrByOnExpiredKeyStartsFresh) {
  set("gone", "41", engine::unix_ms() - 1000);
  int64_t r = 0;
  EXPECT_EQ(incr("gone", 1, &r), OpStatus::kOk);
  EXPECT_EQ(r, 1);
  EXPECT_EQ(ttl_at("gone"), -1);  // the dead key's TTL does not carry over
  EXPECT_EQ(engine_->key_count(0), 1);
}

TEST_F(StringsTest, IncrByFloat) {
  std::string r;
  EXPECT_EQ(incr_float("f", 1.5L, &r), OpStatus::kOk);
  EXPECT_EQ(r, "1.5");
  set("f", "10.5");
  EXPECT_EQ(incr_float("f", 0.1L, &r), OpStatus::kOk);
  EXPECT_EQ(r, "10.6");
  EXPECT_EQ(get("f"), "10.6");
  set("f", "5.0e3");
  EXPECT_EQ(incr_float("f", 0, &r), OpStatus::kOk);
  EXPECT_EQ(r, "5000");
}

TEST_F(StringsTest, IncrByFloatRejectsNanAndInf) {
  std::string r;
  set("f", "1");
  EXPECT_EQ(incr_float("f", std::numeric_limits<long double>::infinity(), &r), OpStatus::kNanOrInf);
  EXPECT_EQ(incr_float("f", -std::numeric_limits<long double>::infinity(), &r), OpStatus::kNanOrInf);
  EXPECT_EQ(incr_float("f", std::numeric_limits<long double>::quiet_NaN(), &r), OpStatus::kNanOrInf);
  EXPECT_EQ(get("f"), "1");
  EXPECT_EQ(incr_float("new", std::numeric_limits<long double>::infinity(), &r), OpStatus::kNanOrInf);
  EXPECT_FALSE(get("new").has_value());

  set("s", "abc");
  EXPECT_EQ(incr_float("s", 1, &r), OpStatus::kNotFloat);
  set("s", "nan");
  EXPECT_EQ(incr_float("s", 1, &r), OpStatus::kNotFloat);
  set_typed("h", ValueType::kSet);
  EXPECT_EQ(incr_float("h", 1, &r), OpStatus::kWrongType);
}

TEST_F(StringsTest, AppendGrows) {
  size_t len = 0;
  EXPECT_EQ(do_append("a", "Hello", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 5u);
  EXPECT_EQ(do_append("a", " World", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 11u);
  EXPECT_EQ(get("a"), "Hello World");
  EXPECT_EQ(do_append("a", std::string("\0\r\n", 3), kMax, &len), OpStatus::kOk);
  EXPECT_EQ(get("a"), std::string("Hello World\0\r\n", 14));

  // APPEND of nothing to a missing key still creates it, as in Redis.
  EXPECT_EQ(do_append("empty", "", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(get("empty"), "");

  set_typed("h", ValueType::kHash);
  EXPECT_EQ(do_append("h", "x", kMax, &len), OpStatus::kWrongType);
}

TEST_F(StringsTest, AppendRespectsMaxLength) {
  size_t len = 0;
  set("a", "0123456789");
  EXPECT_EQ(do_append("a", "ab", 11, &len), OpStatus::kTooLarge);
  EXPECT_EQ(get("a"), "0123456789");
  EXPECT_EQ(do_append("a", "a", 11, &len), OpStatus::kOk);
  EXPECT_EQ(len, 11u);
  EXPECT_EQ(do_append("missing", "abc", 2, &len), OpStatus::kTooLarge);
  EXPECT_FALSE(get("missing").has_value());
}

TEST_F(StringsTest, SetRangeGrowsWithZeroes) {
  size_t len = 0;
  set("s", "Hello World");
  EXPECT_EQ(do_set_range("s", 6, "Redis", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 11u);
  EXPECT_EQ(get("s"), "Hello Redis");

  EXPECT_EQ(do_set_range("s", 9, "xyz!", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 13u);
  EXPECT_EQ(get("s"), "Hello Redxyz!");

  EXPECT_EQ(do_set_range("z", 3, "ab", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 5u);
  EXPECT_EQ(get("z"), std::string("\0\0\0ab", 5));
}

TEST_F(StringsTest, SetRangeWithNothingCreatesNothing) {
  size_t len = 99;
  EXPECT_EQ(do_set_range("missing", 10, "", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 0u);
  EXPECT_FALSE(get("missing").has_value());
  EXPECT_EQ(engine_->key_count(0), 0);

  set("s", "abc");
  EXPECT_EQ(do_set_range("s", 100, "", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(len, 3u);
  EXPECT_EQ(get("s"), "abc");
}

TEST_F(StringsTest, SetRangeRespectsMaxLength) {
  size_t len = 0;
  EXPECT_EQ(do_set_range("s", 9, "ab", 10, &len), OpStatus::kTooLarge);
  EXPECT_FALSE(get("s").has_value());
  EXPECT_EQ(do_set_range("s", 8, "ab", 10, &len), OpStatus::kOk);
  EXPECT_EQ(len, 10u);
  EXPECT_EQ(do_set_range("s", static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), "x", kMax, &len),
            OpStatus::kTooLarge);
  EXPECT_EQ(get("s")->size(), 10u);

  set_typed("h", ValueType::kZSet);
  EXPECT_EQ(do_set_range("h", 0, "x", kMax, &len), OpStatus::kWrongType);
}

TEST_F(StringsTest, ReadModifyWriteKeepsTtl) {
  const int64_t at = engine::unix_ms() + 3600 * 1000;
  int64_t r = 0;
  std::string fr;
  size_t len = 0;

  set("n", "1", at);
  EXPECT_EQ(incr("n", 1, &r), OpStatus::kOk);
  EXPECT_EQ(ttl_at("n"), at);

  set("f", "1.5", at);
  EXPECT_EQ(incr_float("f", 1, &fr), OpStatus::kOk);
  EXPECT_EQ(ttl_at("f"), at);

  set("a", "x", at);
  EXPECT_EQ(do_append("a", "y", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(ttl_at("a"), at);

  set("r", "hello", at);
  EXPECT_EQ(do_set_range("r", 0, "J", kMax, &len), OpStatus::kOk);
  EXPECT_EQ(ttl_at("r"), at);
  EXPECT_EQ(get("r"), "Jello");

  // A plain SET without a TTL clears it.
  set("n", "5");
  EXPECT_EQ(ttl_at("n"), -1);
}

TEST(SubstringTest, GetRangeIndexRules) {
  const std::string_view s = "This is a string";
  EXPECT_EQ(substring(s, 0, 3), "This");
  EXPECT_EQ(substring(s, -3, -1), "ing");
  EXPECT_EQ(substring(s, 0, -1), s);
  EXPECT_EQ(substring(s, 10, 100), "string");
  EXPECT_EQ(substring(s, 5, 3), "");
  EXPECT_EQ(substring(s, -1, -5), "");  // both negative, start after end
  EXPECT_EQ(substring(s, 100, 200), "");
  EXPECT_EQ(substring(s, -100, 3), "This");  // start clamps to 0
  EXPECT_EQ(substring(s, 15, 15), "g");
  EXPECT_EQ(substring(s, 16, 16), "");
  EXPECT_EQ(substring(s, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()), s);
  EXPECT_EQ(substring("", 0, -1), "");
  EXPECT_EQ(substring("", 0, 0), "");
  EXPECT_EQ(substring("", -1, 0), "");
}

}  // namespace
}  // namespace cairn::model
