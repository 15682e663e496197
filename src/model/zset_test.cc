// Tests for the sorted-set model (zset.h) against a real Engine: ZADD's
// flags, the two indexes staying in step (and leaving nothing behind when the
// key goes), rank/score/lex ranges in both directions, ZRANK from either end,
// pops, stores that overwrite any type, the set operations with weights and
// aggregates, and ZRANDMEMBER's draws.
#include "model/zset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/keyspace.h"
#include "engine/test_engine.h"
#include "model/keys.h"
#include "model/score.h"

namespace cairn::model {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using Pairs = std::vector<std::pair<std::string, double>>;

Pairs pairs(const std::vector<ScoredMember>& v) {
  Pairs out;
  for (const auto& m : v) out.emplace_back(m.member, m.score);
  return out;
}

std::vector<std::string> names(const std::vector<ScoredMember>& v) {
  std::vector<std::string> out;
  for (const auto& m : v) out.push_back(m.member);
  return out;
}

class ZSetTest : public test::EngineFixture {
 protected:
  int64_t now() { return engine::unix_ms(); }

  OpStatus add(std::string key, Pairs items, ZAddFlags flags = {}, ZAddResult* result = nullptr) {
    std::vector<ScoreArg> args;
    for (const auto& [m, s] : items) args.push_back({s, m});
    OpStatus st = OpStatus::kOk;
    ZAddResult r;
    run([&](Txn& t) { st = zadd(t, 0, key, args, flags, &r); });
    if (result) *result = r;
    return st;
  }
  int64_t rem(std::string key, std::vector<std::string_view> members) {
    int64_t n = -1;
    run([&](Txn& t) { EXPECT_NE(zrem(t, 0, key, members, &n), OpStatus::kWrongType); });
    return n;
  }
  void set_string(std::string key, std::string value, int64_t expire_at = 0) {
    run([&](Txn& t) {
      Found old;
      find(t, 0, key, t.now_ms(), &old);
      put_string(t, 0, key, old, value, expire_at);
    });
  }
  int64_t card(std::string_view key) {
    int64_t n = -1;
    zcard(committed(), 0, key, now(), &n);
    return n;
  }
  std::optional<double> score(std::string_view key, std::string_view member) {
    std::vector<std::optional<double>> s;
    std::string_view m[] = {member};
    zscores(committed(), 0, key, now(), m, &s);
    return s.at(0);
  }
  std::vector<ScoredMember> range(std::string_view key, RangeSpec spec) {
    std::vector<ScoredMember> out;
    OpStatus s = zrange(committed(), 0, key, now(), spec, &out);
    EXPECT_TRUE(s == OpStatus::kOk || s == OpStatus::kNotFound);
    return out;
  }
  std::vector<std::string> all(std::string_view key) { return names(range(key, RangeSpec{})); }
  static RangeSpec by_rank(int64_t start, int64_t stop, bool reverse = false) {
    RangeSpec r;
    r.start = start;
    r.stop = stop;
    r.reverse = reverse;
    return r;
  }
  static RangeSpec by_score(std::string_view min, std::string_view max, bool reverse = false, int64_t offset = 0,
                            int64_t limit = -1) {
    RangeSpec r;
    r.by = RangeSpec::By::kScore;
    EXPECT_TRUE(parse_score_range(min, max, &r.score));
    r.reverse = reverse;
    r.offset = offset;
    r.limit = limit;
    return r;
  }
  static RangeSpec by_lex(std::string_view min, std::string_view max, bool reverse = false, int64_t offset = 0,
                          int64_t limit = -1) {
    RangeSpec r;
    r.by = RangeSpec::By::kLex;
    EXPECT_TRUE(parse_lex_range(min, max, &r.lex));
    r.reverse = reverse;
    r.offset = offset;
    r.limit = limit;
    return r;
  }
  std::optional<int64_t> rank(std::string_view key, std::string_view member, bool reverse = false) {
    std::optional<int64_t> r;
    EXPECT_NE(zrank(committed(), 0, key, now(), member, reverse, &r), OpStatus::kWrongType);
    return r;
  }
  // Every record in the members column family (all keys, all versions).
  size_t member_records() {
    auto it = committed().iterate(engine::Cf::kMembers, "", "");
    size_t n = 0;
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) ++n;
    return n;
  }
};

TEST_F(ZSetTest, AddScoresAndCount) {
  ZAddResult r;
  ASSERT_EQ(add("z", {{"x", 10}, {"y", 20}, {"z", 30}}, {}, &r), OpStatus::kOk);
  EXPECT_EQ(r.added, 3);
  EXPECT_EQ(card("z"), 3);
  EXPECT_EQ(score("z", "y"), 20);
  EXPECT_EQ(score("z", "nope"), std::nullopt);
  EXPECT_EQ(score("missing", "y"), std::nullopt);
  EXPECT_EQ(all("z"), (std::vector<std::string>{"x", "y", "z"}));

  // Moving a member re-sorts it; one member index + one score index record each.
  ASSERT_EQ(add("z", {{"y", 1}}, {}, &r), OpStatus::kOk);
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(all("z"), (std::vector<std::string>{"y", "x", "z"}));
  EXPECT_EQ(member_records(), 6u);
  EXPECT_EQ(engine_->key_count(0), 1);
}

TEST_F(ZSetTest, SameMemberTwiceInOneAdd) {
  ZAddResult r;
  ASSERT_EQ(add("z", {{"a", 1}, {"a", 2}, {"b", 3}}, {}, &r), OpStatus::kOk);
  EXPECT_EQ(r.added, 2);
  EXPECT_EQ(card("z"), 2);
  EXPECT_EQ(score("z", "a"), 2);
  EXPECT_EQ(member_records(), 4u);
}

TEST_F(ZSetTest, AddFlags) {
  add("z", {{"x", 10}, {"y", 20}, {"z", 30}});
  ZAddResult r;
  ZAddFlags nx;
  nx.nx = true;
  add("z", {{"x", 11}, {"a", 100}}, nx, &r);
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(score("z", "x"), 10);

  ZAddFlags xx;
  xx.xx = true;
  add("z", {{"x", 11}, {"new", 5}}, xx, &r);
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(score("z", "new"), std::nullopt);
  // XX on a missing key creates nothing.
  add("none", {{"a", 1}}, xx, &r);
  EXPECT_EQ(card("none"), 0);
  EXPECT_FALSE(exists(committed(), 0, "none", now()));

  ZAddFlags gt;
  gt.gt = true;
  add("z", {{"x", 5}, {"y", 21}, {"fresh", 1}}, gt, &r);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(r.added, 1);  // GT still adds new members
  EXPECT_EQ(score("z", "x"), 11);
  EXPECT_EQ(score("z", "y"), 21);

  ZAddFlags lt;
  lt.lt = true;
  add("z", {{"x", 5}, {"y", 30}}, lt, &r);
  EXPECT_EQ(r.updated, 1);
  EXPECT_EQ(score("z", "x"), 5);
  EXPECT_EQ(score("z", "y"), 21);
}

TEST_F(ZSetTest, IncrAndNan) {
  ZAddFlags incr;
  incr.incr = true;
  ZAddResult r;
  add("z", {{"a", 1.5}}, incr, &r);
  EXPECT_EQ(r.score, 1.5);
  add("z", {{"a", 2}}, incr, &r);
  EXPECT_EQ(r.score, 3.5);
  EXPECT_EQ(score("z", "a"), 3.5);

  add("z", {{"b", kInf}});
  EXPECT_EQ(add("z", {{"b", -kInf}}, incr, &r), OpStatus::kNanOrInf);
  EXPECT_EQ(score("z", "b"), kInf);

  // LT/GT with INCR: skipped updates leave processed at 0.
  ZAddFlags incr_lt = incr;
  incr_lt.lt = true;
  add("z", {{"a", 1}}, incr_lt, &r);
  EXPECT_EQ(r.processed, 0);
  EXPECT_EQ(score("z", "a"), 3.5);
}

TEST_F(ZSetTest, NegativeZeroIsZero) {
  add("z", {{"a", -0.0}, {"b", 0.0}});
  auto items = range("z", by_rank(0, -1));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_FALSE(std::signbit(items[0].score));
  EXPECT_EQ(names(items), (std::vector<std::string>{"a", "b"}));  // one score: member order
  EXPECT_EQ(names(range("z", by_score("0", "0"))), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(range("z", by_score("-0", "-0"))), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ZSetTest, RemoveDeletesKeyAndRecords) {
  add("z", {{"a", 1}, {"b", 2}, {"c", 3}});
  EXPECT_EQ(rem("z", {"x", "a", "a", "b"}), 2);
  EXPECT_EQ(card("z"), 1);
  EXPECT_EQ(member_records(), 2u);
  EXPECT_EQ(rem("z", {"c"}), 1);
  EXPECT_FALSE(exists(committed(), 0, "z", now()));
  EXPECT_EQ(engine_->key_count(0), 0);
  EXPECT_EQ(member_records(), 0u);
  EXPECT_EQ(rem("z", {"c"}), 0);
}

TEST_F(ZSetTest, WrongType) {
  set_string("s", "v");
  EXPECT_EQ(add("s", {{"a", 1}}), OpStatus::kWrongType);
  std::vector<ScoredMember> out;
  EXPECT_EQ(zrange(committed(), 0, "s", now(), RangeSpec{}, &out), OpStatus::kWrongType);
  std::optional<int64_t> r;
  EXPECT_EQ(zrank(committed(), 0, "s", now(), "a", false, &r), OpStatus::kWrongType);
  int64_t n;
  run([&](Txn& t) { EXPECT_EQ(zrem(t, 0, "s", std::vector<std::string_view>{"a"}, &n), OpStatus::kWrongType); });
  std::vector<SetOpSource> sources;
  std::string_view keys[] = {"missing", "s"};
  EXPECT_EQ(open_sources(committed(), 0, now(), keys, &sources), OpStatus::kWrongType);
}

TEST_F(ZSetTest, RankRanges) {
  Pairs items;
  for (int i = 0; i < 100; ++i) items.emplace_back("m" + std::to_string(1000 + i), i);
  add("z", items);
  auto member = [](int i) { return "m" + std::to_string(1000 + i); };
  // Near the start, near the end, the whole set, negative indexes, clamping.
  EXPECT_EQ(names(range("z", by_rank(0, 2))), (std::vector<std::string>{member(0), member(1), member(2)}));
  EXPECT_EQ(names(range("z", by_rank(97, 200))), (std::vector<std::string>{member(97), member(98), member(99)}));
  EXPECT_EQ(names(range("z", by_rank(-2, -1))), (std::vector<std::string>{member(98), member(99)}));
  EXPECT_EQ(range("z", by_rank(0, -1)).size(), 100u);
  EXPECT_EQ(range("z", by_rank(-500, 1)).size(), 2u);
  EXPECT_TRUE(range("z", by_rank(5, 4)).empty());
  EXPECT_TRUE(range("z", by_rank(100, 200)).empty());
  EXPECT_TRUE(range("z", by_rank(0, -101)).empty());
  EXPECT_TRUE(range("missing", by_rank(0, -1)).empty());
  // Reverse: indexes count from the high end.
  EXPECT_EQ(names(range("z", by_rank(0, 1, true))), (std::vector<std::string>{member(99), member(98)}));
  EXPECT_EQ(names(range("z", by_rank(-2, -1, true))), (std::vector<std::string>{member(1), member(0)}));
  auto mid = range("z", by_rank(40, 60, true));
  ASSERT_EQ(mid.size(), 21u);
  EXPECT_EQ(mid.front().member, member(59));
  EXPECT_EQ(mid.back().member, member(39));
  // Every window agrees with the full listing.
  auto full = names(range("z", by_rank(0, -1)));
  for (int a = 0; a < 100; a += 9) {
    for (int b = a; b < 100; b += 13) {
      auto got = names(range("z", by_rank(a, b)));
      EXPECT_EQ(got, std::vector<std::string>(full.begin() + a, full.begin() + b + 1)) << a << ".." << b;
    }
  }
}

TEST_F(ZSetTest, RankFromEitherEnd) {
  Pairs items;
  for (int i = 0; i < 101; ++i) items.emplace_back("k" + std::to_string(i), (i * 37) % 101);
  add("z", items);
  auto full = names(range("z", by_rank(0, -1)));
  for (int i = 0; i < 101; ++i) {
    EXPECT_EQ(rank("z", full[i]), i);
    EXPECT_EQ(rank("z", full[i], true), 100 - i);
  }
  EXPECT_EQ(rank("z", "nope"), std::nullopt);
  EXPECT_EQ(rank("missing", "k1"), std::nullopt);
  add("one", {{"a", 1}});
  EXPECT_EQ(rank("one", "a"), 0);
  EXPECT_EQ(rank("one", "a", true), 0);
}

TEST_F(ZSetTest, ScoreRanges) {
  add("z", {{"a", -kInf}, {"b", 1}, {"c", 2}, {"d", 3}, {"e", 4}, {"f", 5}, {"g", kInf}});
  using V = std::vector<std::string>;
  EXPECT_EQ(names(range("z", by_score("-inf", "2"))), (V{"a", "b", "c"}));
  EXPECT_EQ(names(range("z", by_score("4", "+inf"))), (V{"e", "f", "g"}));
  EXPECT_EQ(names(range("z", by_score("(-inf", "(2"))), (V{"b"}));
  EXPECT_EQ(names(range("z", by_score("(4", "(+inf"))), (V{"f"}));
  EXPECT_EQ(names(range("z", by_score("(0", "(3"))), (V{"b", "c"}));
  EXPECT_EQ(names(range("z", by_score("0", "3", true))), (V{"d", "c", "b"}));
  EXPECT_EQ(names(range("z", by_score("(0", "(3", true))), (V{"c", "b"}));
  EXPECT_TRUE(range("z", by_score("4", "2")).empty());
  EXPECT_TRUE(range("z", by_score("2", "(2")).empty());
  EXPECT_TRUE(range("z", by_score("(2", "2")).empty());
  EXPECT_TRUE(range("z", by_score("2.4", "2.6")).empty());
  // LIMIT
  EXPECT_EQ(names(range("z", by_score("0", "10", false, 2, 3))), (V{"d", "e", "f"}));
  EXPECT_EQ(names(range("z", by_score("0", "10", true, 2, 10))), (V{"d", "c", "b"}));
  EXPECT_TRUE(range("z", by_score("0", "10", false, 20, 10)).empty());
  EXPECT_TRUE(range("z", by_score("0", "10", false, -1, 10)).empty());
  EXPECT_TRUE(range("z", by_score("0", "10", false, 0, 0)).empty());
  EXPECT_EQ(range("z", by_score("-inf", "+inf", false, 1, -5)).size(), 6u);

  int64_t n = -1;
  ScoreRange r;
  ASSERT_TRUE(parse_score_range("(0", "(3", &r));
  EXPECT_EQ(zcount(committed(), 0, "z", now(), r, &n), OpStatus::kOk);
  EXPECT_EQ(n, 2);
  ASSERT_TRUE(parse_score_range("-inf", "+inf", &r));
  zcount(committed(), 0, "z", now(), r, &n);
  EXPECT_EQ(n, 7);
}

TEST_F(ZSetTest, ParseRanges) {
  ScoreRange r;
  EXPECT_FALSE(parse_score_range("str", "1", &r));
  EXPECT_FALSE(parse_score_range("1", "NaN", &r));
  EXPECT_FALSE(parse_score_range("(nan", "1", &r));
  EXPECT_TRUE(parse_score_range("(1.5", "+inf", &r));
  EXPECT_TRUE(r.min_exclusive);
  EXPECT_FALSE(r.max_exclusive);
  EXPECT_EQ(r.min, 1.5);
  EXPECT_EQ(r.max, kInf);
  LexRange l;
  for (auto [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"foo", "bar"}, {"[foo", "bar"}, {"foo", "[bar"}, {"+x", "[bar"}, {"-x", "[bar"}, {"", "+"}}) {
    EXPECT_FALSE(parse_lex_range(a, b, &l)) << a << " " << b;
  }
  EXPECT_TRUE(parse_lex_range("-", "(b", &l));
  EXPECT_EQ(l.min.kind, LexBound::Kind::kMinusInf);
  EXPECT_EQ(l.max.kind, LexBound::Kind::kValue);
  EXPECT_EQ(l.max.value, "b");
  EXPECT_TRUE(l.max.exclusive);
}

TEST_F(ZSetTest, LexRanges) {
  Pairs items;
  for (const char* m : {"alpha", "bar", "cool", "down", "elephant", "foo", "great", "hill", "omega"}) {
    items.emplace_back(m, 0);
  }
  add("z", items);
  using V = std::vector<std::string>;
  EXPECT_EQ(names(range("z", by_lex("-", "[cool"))), (V{"alpha", "bar", "cool"}));
  EXPECT_EQ(names(range("z", by_lex("[bar", "[down"))), (V{"bar", "cool", "down"}));
  EXPECT_EQ(names(range("z", by_lex("[g", "+"))), (V{"great", "hill", "omega"}));
  EXPECT_EQ(names(range("z", by_lex("(bar", "(down"))), (V{"cool"}));
  EXPECT_EQ(names(range("z", by_lex("-", "[cool", true))), (V{"cool", "bar", "alpha"}));
  EXPECT_EQ(names(range("z", by_lex("[d", "+", true))), (V{"omega", "hill", "great", "foo", "elephant", "down"}));
  EXPECT_EQ(names(range("z", by_lex("(great", "+", true))), (V{"omega", "hill"}));
  EXPECT_EQ(names(range("z", by_lex("(bar", "(down", true))), (V{"cool"}));
  EXPECT_TRUE(range("z", by_lex("(az", "(b")).empty());
  EXPECT_TRUE(range("z", by_lex("(z", "+")).empty());
  EXPECT_TRUE(range("z", by_lex("+", "-")).empty());
  EXPECT_TRUE(range("z", by_lex("-", "-")).empty());
  EXPECT_TRUE(range("z", by_lex("[elez", "[elex", true)).empty());
  EXPECT_EQ(names(range("z", by_lex("-", "[cool", false, 1, 2))), (V{"bar", "cool"}));
  EXPECT_EQ(names(range("z", by_lex("[d", "+", true, 0, 4))), (V{"omega", "hill", "great", "foo"}));

  // Mixed scores: unspecified in Redis, but answered as Redis does (a scan in
  // score order from the first member past the bound).
  add("mixed", {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}});
  EXPECT_TRUE(range("mixed", by_lex("[f", "[g")).empty());
  EXPECT_EQ(names(range("mixed", by_lex("[b", "[c"))), (V{"b", "c"}));
  EXPECT_EQ(names(range("mixed", by_lex("[b", "[c", true))), (V{"c", "b"}));
  EXPECT_EQ(names(range("mixed", by_lex("-", "+", true))), (V{"d", "c", "b", "a"}));

  auto lexcount = [&](const char* a, const char* b) {
    LexRange r;
    EXPECT_TRUE(parse_lex_range(a, b, &r));
    int64_t n = -1;
    zlexcount(committed(), 0, "z", now(), r, &n);
    return n;
  };
  EXPECT_EQ(lexcount("-", "+"), 9);
  EXPECT_EQ(lexcount("+", "-"), 0);
  EXPECT_EQ(lexcount("[bar", "(foo"), 4);
  EXPECT_EQ(lexcount("(maxstring", "+"), 1);
}

TEST_F(ZSetTest, RemoveRanges) {
  auto fresh = [&] {
    run([&](Txn& t) { delete_key(t, 0, "z"); });
    add("z", {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}});
  };
  auto remove = [&](RangeSpec spec) {
    int64_t n = -1;
    run([&](Txn& t) { EXPECT_EQ(zremrange(t, 0, "z", spec, &n), OpStatus::kOk); });
    return n;
  };
  using V = std::vector<std::string>;
  fresh();
  EXPECT_EQ(remove(by_rank(1, 3)), 3);
  EXPECT_EQ(all("z"), (V{"a", "e"}));
  fresh();
  EXPECT_EQ(remove(by_rank(10, -1)), 0);
  EXPECT_EQ(card("z"), 5);
  fresh();
  EXPECT_EQ(remove(by_score("(1", "5")), 4);
  EXPECT_EQ(all("z"), (V{"a"}));
  fresh();
  EXPECT_EQ(remove(by_score("-inf", "+inf")), 5);
  EXPECT_FALSE(exists(committed(), 0, "z", now()));
  EXPECT_EQ(member_records(), 0u);

  Pairs lex;
  for (const char* m : {"a", "b", "c", "d"}) lex.emplace_back(m, 0);
  add("z", lex);
  EXPECT_EQ(remove(by_lex("(a", "[c")), 2);
  EXPECT_EQ(all("z"), (V{"a", "d"}));
}

TEST_F(ZSetTest, Pops) {
  add("z", {{"a", -1}, {"b", 1}, {"c", 2}, {"d", 3}, {"e", 4}});
  std::vector<ScoredMember> out;
  run([&](Txn& t) { EXPECT_EQ(zpop(t, 0, "z", false, 2, &out), OpStatus::kOk); });
  EXPECT_EQ(pairs(out), (Pairs{{"a", -1}, {"b", 1}}));
  out.clear();
  run([&](Txn& t) { EXPECT_EQ(zpop(t, 0, "z", true, 2, &out), OpStatus::kOk); });
  EXPECT_EQ(pairs(out), (Pairs{{"e", 4}, {"d", 3}}));
  out.clear();
  run([&](Txn& t) { EXPECT_EQ(zpop(t, 0, "z", false, 10, &out), OpStatus::kOk); });
  EXPECT_EQ(pairs(out), (Pairs{{"c", 2}}));
  EXPECT_FALSE(exists(committed(), 0, "z", now()));
  EXPECT_EQ(member_records(), 0u);
  out.clear();
  run([&](Txn& t) { EXPECT_EQ(zpop(t, 0, "z", false, 1, &out), OpStatus::kNotFound); });

  // ZMPOP: the first key that exists; a wrong type before it is an error.
  add("z2", {{"x", 1}, {"y", 2}});
  std::string_view keys[] = {"nope", "z2"};
  size_t which = 9;
  out.clear();
  run([&](Txn& t) { EXPECT_EQ(zmpop(t, 0, keys, true, 1, &which, &out), OpStatus::kOk); });
  EXPECT_EQ(which, 1u);
  EXPECT_EQ(pairs(out), (Pairs{{"y", 2}}));
  set_string("s", "v");
  std::string_view bad[] = {"nope", "s", "z2"};
  out.clear();
  run([&](Txn& t) { EXPECT_EQ(zmpop(t, 0, bad, true, 1, &which, &out), OpStatus::kWrongType); });
  std::string_view none[] = {"nope", "nada"};
  run([&](Txn& t) { EXPECT_EQ(zmpop(t, 0, none, true, 1, &which, &out), OpStatus::kNotFound); });
}

TEST_F(ZSetTest, RangeStoreOverwritesAnyTypeAndDropsTtl) {
  add("src", {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}});
  set_string("dst", "old", engine::unix_ms() + 100000);
  int64_t stored = -1;
  run([&](Txn& t) { EXPECT_EQ(zrangestore(t, 0, "dst", "src", by_score("2", "3"), &stored), OpStatus::kOk); });
  EXPECT_EQ(stored, 2);
  EXPECT_EQ(pairs(range("dst", by_rank(0, -1))), (Pairs{{"b", 2}, {"c", 3}}));
  EXPECT_EQ(expire_at(committed(), 0, "dst", now()), -1);
  // Storing over itself.
  run([&](Txn& t) { EXPECT_EQ(zrangestore(t, 0, "dst", "dst", by_rank(0, 0), &stored), OpStatus::kOk); });
  EXPECT_EQ(pairs(range("dst", by_rank(0, -1))), (Pairs{{"b", 2}}));
  // An empty range deletes the destination.
  run([&](Txn& t) { EXPECT_EQ(zrangestore(t, 0, "dst", "src", by_rank(5, 6), &stored), OpStatus::kOk); });
  EXPECT_EQ(stored, 0);
  EXPECT_FALSE(exists(committed(), 0, "dst", now()));
  EXPECT_EQ(member_records(), 8u);  // only src's
  // A wrong-type source leaves the destination alone.
  set_string("s", "v");
  add("dst", {{"keep", 1}});
  run([&](Txn& t) { EXPECT_EQ(zrangestore(t, 0, "dst", "s", by_rank(0, -1), &stored), OpStatus::kWrongType); });
  EXPECT_EQ(all("dst"), (std::vector<std::string>{"keep"}));
}

TEST_F(ZSetTest, SetOperations) {
  add("a", {{"a", 1}, {"b", 2}, {"c", 3}});
  add("b", {{"b", 1}, {"c", 2}, {"d", 3}});
  auto sources = [&](std::vector<std::string_view> keys, std::vector<double> weights = {}) {
    std::vector<SetOpSource> s;
    EXPECT_EQ(open_sources(committed(), 0, now(), keys, &s), OpStatus::kOk);
    for (size_t i = 0; i < weights.size(); ++i) s[i].weight = weights[i];
    return s;
  };
  EXPECT_EQ(pairs(combine(committed(), SetOp::kUnion, sources({"a", "b"}), Aggregate::kSum)),
            (Pairs{{"a", 1}, {"b", 3}, {"d", 3}, {"c", 5}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kUnion, sources({"a", "b"}, {2, 3}), Aggregate::kSum)),
            (Pairs{{"a", 2}, {"b", 7}, {"d", 9}, {"c", 12}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kUnion, sources({"a", "b"}), Aggregate::kMin)),
            (Pairs{{"a", 1}, {"b", 1}, {"c", 2}, {"d", 3}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kInter, sources({"a", "b"}), Aggregate::kSum)),
            (Pairs{{"b", 3}, {"c", 5}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kInter, sources({"a", "b"}), Aggregate::kMax)),
            (Pairs{{"b", 2}, {"c", 3}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kDiff, sources({"a", "b"}), Aggregate::kSum)), (Pairs{{"a", 1}}));
  EXPECT_TRUE(combine(committed(), SetOp::kInter, sources({"a", "missing"}), Aggregate::kSum).empty());
  EXPECT_EQ(combine(committed(), SetOp::kUnion, sources({"a", "missing"}), Aggregate::kSum).size(), 3u);
  EXPECT_TRUE(combine(committed(), SetOp::kDiff, sources({"a", "a"}), Aggregate::kSum).empty());
  EXPECT_EQ(intersection_size(committed(), sources({"a", "b"}), 0), 2);
  EXPECT_EQ(intersection_size(committed(), sources({"a", "b"}), 1), 1);
  EXPECT_EQ(intersection_size(committed(), sources({"a", "missing"}), 0), 0);

  // inf + -inf sums to 0; 0 * inf weights to 0.
  add("p", {{"k", kInf}});
  add("n", {{"k", -kInf}});
  EXPECT_EQ(pairs(combine(committed(), SetOp::kUnion, sources({"p", "n"}), Aggregate::kSum)), (Pairs{{"k", 0}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kInter, sources({"p", "n"}), Aggregate::kSum)), (Pairs{{"k", 0}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kUnion, sources({"n"}, {0}), Aggregate::kSum)), (Pairs{{"k", 0}}));

  // Storing the result over one of the inputs.
  run([&](Txn& t) {
    std::vector<SetOpSource> s;
    std::string_view keys[] = {"a", "b"};
    ASSERT_EQ(open_sources(t, 0, t.now_ms(), keys, &s), OpStatus::kOk);
    store_zset(t, 0, "a", combine(t, SetOp::kUnion, std::move(s), Aggregate::kSum));
  });
  EXPECT_EQ(pairs(range("a", by_rank(0, -1))), (Pairs{{"a", 1}, {"b", 3}, {"d", 3}, {"c", 5}}));
  EXPECT_EQ(card("a"), 4);
}

TEST_F(ZSetTest, SetSourcesScoreOne) {
  // A plain set's members are member-index records with empty values.
  run([&](Txn& t) {
    Collection c;
    ASSERT_EQ(open_collection_for_write(t, 0, "set", ValueType::kSet, &c), OpStatus::kOk);
    for (const char* m : {"a", "b", "c"}) {
      t.put(engine::Cf::kMembers, c.member_key(engine::kTagMember, hashed_member_sub(m)), "");
      ++c.meta.count;
    }
    save_collection(t, 0, "set", ValueType::kSet, c);
  });
  add("z", {{"b", 1}, {"c", 2}, {"d", 3}});
  std::vector<SetOpSource> s;
  std::string_view keys[] = {"set", "z"};
  ASSERT_EQ(open_sources(committed(), 0, now(), keys, &s), OpStatus::kOk);
  s[0].weight = 2;
  s[1].weight = 3;
  EXPECT_EQ(pairs(combine(committed(), SetOp::kUnion, s, Aggregate::kSum)),
            (Pairs{{"a", 2}, {"b", 5}, {"c", 8}, {"d", 9}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kInter, s, Aggregate::kSum)), (Pairs{{"b", 5}, {"c", 8}}));
  EXPECT_EQ(pairs(combine(committed(), SetOp::kDiff, s, Aggregate::kSum)), (Pairs{{"a", 1}}));
}

TEST_F(ZSetTest, RandomMembers) {
  Pairs items;
  for (int i = 0; i < 10; ++i) items.emplace_back(std::string(1, static_cast<char>('a' + i)), i);
  add("z", items);
  std::map<std::string, double> truth(items.begin(), items.end());
  std::vector<ScoredMember> out;

  // count >= size: every member, highest score first (as Redis answers).
  ASSERT_EQ(zrandmember(committed(), 0, "z", now(), 20, &out), OpStatus::kOk);
  EXPECT_EQ(names(out), names(range("z", by_rank(0, -1, true))));

  // Distinct draws, scores attached.
  for (int64_t count : {1, 2, 8, 9}) {
    out.clear();
    zrandmember(committed(), 0, "z", now(), count, &out);
    ASSERT_EQ(out.size(), static_cast<size_t>(count));
    std::set<std::string> seen;
    for (const auto& m : out) {
      EXPECT_TRUE(seen.insert(m.member).second) << m.member;
      ASSERT_TRUE(truth.count(m.member)) << "count " << count << " member '" << m.member << "'";
      EXPECT_EQ(truth.at(m.member), m.score);
    }
  }

  // Repeats allowed; roughly uniform (chi-square, 9 degrees of freedom).
  out.clear();
  zrandmember(committed(), 0, "z", now(), -10000, &out);
  ASSERT_EQ(out.size(), 10000u);
  std::map<std::string, int> hits;
  for (const auto& m : out) {
    ASSERT_TRUE(truth.count(m.member)) << "member '" << m.member << "'";
    EXPECT_EQ(truth.at(m.member), m.score);
    ++hits[m.member];
  }
  EXPECT_EQ(hits.size(), 10u);
  double chi = 0;
  for (const auto& [m, h] : hits) chi += (h - 1000.0) * (h - 1000.0) / 1000.0;
  EXPECT_LT(chi, 40);

  out.clear();
  EXPECT_EQ(zrandmember(committed(), 0, "missing", now(), 3, &out), OpStatus::kNotFound);
  EXPECT_TRUE(out.empty());
}

TEST_F(ZSetTest, WritesVisibleInsideTheirOwnGroup) {
  run([&](Txn& t) {
    std::vector<ScoreArg> args = {{2, "b"}, {1, "a"}};
    ZAddResult r;
    ASSERT_EQ(zadd(t, 0, "z", args, {}, &r), OpStatus::kOk);
    std::vector<ScoredMember> out;
    ASSERT_EQ(zrange(t, 0, "z", t.now_ms(), RangeSpec{}, &out), OpStatus::kOk);
    EXPECT_EQ(names(out), (std::vector<std::string>{"a", "b"}));
    std::optional<int64_t> rank;
    zrank(t, 0, "z", t.now_ms(), "b", false, &rank);
    EXPECT_EQ(rank, 1);
  });
}

TEST_F(ZSetTest, ExpiredKeyStartsFresh) {
  add("z", {{"old", 1}});
  run([&](Txn& t) { set_expire(t, 0, "z", t.now_ms() + 1, ExpireCond::kNone); });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  add("z", {{"new", 2}});
  EXPECT_EQ(all("z"), (std::vector<std::string>{"new"}));
  EXPECT_EQ(card("z"), 1);
  EXPECT_EQ(expire_at(committed(), 0, "z", now()), -1);
}

}  // namespace
}  // namespace cairn::model
