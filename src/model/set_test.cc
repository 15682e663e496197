// Tests for the set model (set.h): exact member counts, deleting the key with
// its last member, WRONGTYPE, SMOVE's corner cases, SPOP, the set algebra
// with missing/repeated/wrong-type keys, SINTERCARD's limit, and the *STORE
// forms overwriting any destination (and reclaiming its old members).
// Runs against a real Engine in a temp dir.
#include "model/set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/keyspace.h"
#include "engine/test_engine.h"
#include "model/keys.h"

namespace cairn::model {
namespace {

using Members = std::vector<std::string>;

Members sorted(Members m) {
  std::sort(m.begin(), m.end());
  return m;
}

class SetTest : public test::EngineFixture {
 protected:
  int64_t sadd(std::string key, std::vector<std::string_view> members, OpStatus expect = OpStatus::kOk) {
    int64_t n = 0;
    run([&](Txn& t) { EXPECT_EQ(set_add(t, 0, key, members, &n), expect); });
    return n;
  }
  int64_t srem(std::string key, std::vector<std::string_view> members, OpStatus expect = OpStatus::kOk) {
    int64_t n = 0;
    run([&](Txn& t) { EXPECT_EQ(set_remove(t, 0, key, members, &n), expect); });
    return n;
  }
  // Sorted members; empty for a missing key.
  Members smembers(std::string key) {
    Members out;
    std::vector<std::string_view> keys{key};
    EXPECT_EQ(set_combine(committed(), 0, keys, SetCombine::kInter, engine::unix_ms(), &out), OpStatus::kOk);
    return sorted(out);
  }
  // -1: no such set.
  int64_t scard(std::string key) {
    Collection c;
    return open_set(committed(), 0, key, engine::unix_ms(), &c) == OpStatus::kOk ? c.meta.count : -1;
  }
  OpStatus combine(SetCombine op, std::vector<std::string_view> keys, Members* out) {
    OpStatus s = set_combine(committed(), 0, keys, op, engine::unix_ms(), out);
    *out = sorted(*out);
    return s;
  }
  OpStatus store(SetCombine op, std::string dst, std::vector<std::string_view> keys, int64_t* card) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = set_combine_store(t, 0, dst, keys, op, card); });
    return s;
  }
  void set_string(std::string key, std::string value, int64_t expire_at = 0) {
    run([&](Txn& t) {
      Found old;
      find(t, 0, key, t.now_ms(), &old);
      put_string(t, 0, key, old, value, expire_at);
    });
  }
  size_t member_records() {
    auto it = committed().iterate(engine::Cf::kMembers, "", "");
    size_t n = 0;
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) ++n;
    return n;
  }
  void fill(std::string key, int from, int to) {
    run([&](Txn& t) {
      std::vector<std::string> storage;
      for (int i = from; i < to; ++i) storage.push_back(std::to_string(i));
      std::vector<std::string_view> members(storage.begin(), storage.end());
      int64_t n = 0;
      ASSERT_EQ(set_add(t, 0, key, members, &n), OpStatus::kOk);
    });
  }
};

TEST_F(SetTest, AddRemoveKeepExactCounts) {
  EXPECT_EQ(sadd("s", {"a", "b", "c"}), 3);
  EXPECT_EQ(sadd("s", {"A", "a", "b", "c", "B", "A"}), 2);
  EXPECT_EQ(scard("s"), 5);
  EXPECT_EQ(smembers("s"), (Members{"A", "B", "a", "b", "c"}));
  uint64_t rev = 0;
  {
    Found f;
    find(committed(), 0, "s", engine::unix_ms(), &f);
    rev = f.header.revision;
  }
  EXPECT_EQ(sadd("s", {"a", "b"}), 0);  // nothing new: the key is not rewritten
  {
    Found f;
    find(committed(), 0, "s", engine::unix_ms(), &f);
    EXPECT_EQ(f.header.revision, rev);
  }
  EXPECT_EQ(srem("s", {"x", "y"}), 0);
  EXPECT_EQ(srem("s", {"A", "B", "A"}), 2);
  EXPECT_EQ(scard("s"), 3);
  EXPECT_EQ(srem("s", {"a", "b", "c", "d", "e"}), 3);
  EXPECT_EQ(scard("s"), -1);
  EXPECT_EQ(engine_->key_count(0), 0);
  EXPECT_EQ(member_records(), 0u);
  EXPECT_EQ(srem("nope", {"a"}, OpStatus::kNotFound), 0);
}

TEST_F(SetTest, Contains) {
  sadd("s", {"foo", "", "213244124402402314402033402"});
  Collection c;
  ASSERT_EQ(open_set(committed(), 0, "s", engine::unix_ms(), &c), OpStatus::kOk);
  EXPECT_TRUE(set_contains(committed(), c, "foo"));
  EXPECT_TRUE(set_contains(committed(), c, ""));
  EXPECT_TRUE(set_contains(committed(), c, "213244124402402314402033402"));
  EXPECT_FALSE(set_contains(committed(), c, "fo"));
  Collection missing;
  EXPECT_EQ(open_set(committed(), 0, "none", engine::unix_ms(), &missing), OpStatus::kNotFound);
  EXPECT_FALSE(set_contains(committed(), missing, "foo"));
}

TEST_F(SetTest, WrongType) {
  set_string("str", "x");
  sadd("str", {"a"}, OpStatus::kWrongType);
  int64_t n = 0;
  run([&](Txn& t) {
    EXPECT_EQ(set_remove(t, 0, "str", std::vector<std::string_view>{"a"}, &n), OpStatus::kWrongType);
  });
  std::vector<std::string> popped;
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "str", 1, &popped), OpStatus::kWrongType); });
  sadd("s", {"a"});
  Members out;
  // Whatever the position, and even after a missing key.
  EXPECT_EQ(combine(SetCombine::kInter, {"nokey", "str"}, &out), OpStatus::kWrongType);
  EXPECT_EQ(combine(SetCombine::kInter, {"s", "str"}, &out), OpStatus::kWrongType);
  EXPECT_EQ(combine(SetCombine::kUnion, {"str", "s"}, &out), OpStatus::kWrongType);
  EXPECT_EQ(combine(SetCombine::kDiff, {"s", "nokey", "str"}, &out), OpStatus::kWrongType);
  EXPECT_EQ(combine(SetCombine::kDiff, {"nokey", "str"}, &out), OpStatus::kWrongType);
  uint64_t card = 0;
  EXPECT_EQ(set_inter_card(committed(), 0, std::vector<std::string_view>{"s", "str"}, 0, engine::unix_ms(), &card),
            OpStatus::kWrongType);
  // A failed store leaves the destination alone.
  sadd("dst", {"e"});
  EXPECT_EQ(store(SetCombine::kUnion, "dst", {"s", "str"}, &n), OpStatus::kWrongType);
  EXPECT_EQ(smembers("dst"), (Members{"e"}));
}

TEST_F(SetTest, Move) {
  sadd("src", {"1", "a", "b"});
  sadd("dst", {"2", "3", "a"});
  set_string("str", "x");
  auto move = [&](std::string src, std::string dst, std::string m, bool* moved) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = set_move(t, 0, src, dst, m, moved); });
    return s;
  };
  bool moved = false;
  EXPECT_EQ(move("src", "dst", "b", &moved), OpStatus::kOk);
  EXPECT_TRUE(moved);
  EXPECT_EQ(smembers("src"), (Members{"1", "a"}));
  EXPECT_EQ(smembers("dst"), (Members{"2", "3", "a", "b"}));
  // Already in the destination: leaves the source, the destination keeps one.
  EXPECT_EQ(move("src", "dst", "a", &moved), OpStatus::kOk);
  EXPECT_TRUE(moved);
  EXPECT_EQ(scard("dst"), 4);
  EXPECT_EQ(move("src", "dst", "zz", &moved), OpStatus::kOk);
  EXPECT_FALSE(moved);
  // To a new key; the source disappears with its last member.
  EXPECT_EQ(move("src", "fresh", "1", &moved), OpStatus::kOk);
  EXPECT_TRUE(moved);
  EXPECT_EQ(scard("src"), -1);
  EXPECT_EQ(smembers("fresh"), (Members{"1"}));
  // Same key: answers membership, changes nothing.
  EXPECT_EQ(move("dst", "dst", "2", &moved), OpStatus::kOk);
  EXPECT_TRUE(moved);
  EXPECT_EQ(move("dst", "dst", "9", &moved), OpStatus::kOk);
  EXPECT_FALSE(moved);
  EXPECT_EQ(scard("dst"), 4);
  // A missing source is checked before the destination's type.
  EXPECT_EQ(move("nosrc", "str", "2", &moved), OpStatus::kOk);
  EXPECT_FALSE(moved);
  EXPECT_EQ(move("dst", "str", "2", &moved), OpStatus::kWrongType);
  EXPECT_EQ(move("str", "dst", "2", &moved), OpStatus::kWrongType);
  EXPECT_EQ(scard("dst"), 4);
}

TEST_F(SetTest, Pop) {
  fill("s", 0, 20);
  std::vector<std::string> popped, all;
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "s", 0, &popped), OpStatus::kOk); });
  EXPECT_TRUE(popped.empty());
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "s", 6, &popped), OpStatus::kOk); });
  EXPECT_EQ(popped.size(), 6u);
  EXPECT_EQ(std::set<std::string>(popped.begin(), popped.end()).size(), 6u);
  EXPECT_EQ(scard("s"), 14);
  all = popped;
  for (const auto& m : smembers("s")) all.push_back(m);
  Members expected;
  for (int i = 0; i < 20; ++i) expected.push_back(std::to_string(i));
  EXPECT_EQ(sorted(all), sorted(expected));
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "s", 1, &popped), OpStatus::kOk); });
  EXPECT_EQ(popped.size(), 1u);
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "s", 100, &popped), OpStatus::kOk); });
  EXPECT_EQ(popped.size(), 13u);
  EXPECT_EQ(scard("s"), -1);
  EXPECT_EQ(member_records(), 0u);
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "s", 1, &popped), OpStatus::kNotFound); });
}

TEST_F(SetTest, PopAllOfALargeSetReclaimsItsMembers) {
  fill("big", 0, 500);
  std::vector<std::string> popped;
  run([&](Txn& t) { EXPECT_EQ(set_pop(t, 0, "big", 500, &popped), OpStatus::kOk); });
  EXPECT_EQ(popped.size(), 500u);
  EXPECT_EQ(scard("big"), -1);
  EXPECT_EQ(member_records(), 0u);
}

TEST_F(SetTest, Algebra) {
  fill("s1", 0, 200);
  fill("s2", 195, 395);
  sadd("s3", {"199", "195", "1000", "2000"});
  fill("s4", 5, 200);
  sadd("s5", {"0"});
  Members out;
  EXPECT_EQ(combine(SetCombine::kInter, {"s1", "s2"}, &out), OpStatus::kOk);
  EXPECT_EQ(out, sorted({"195", "196", "197", "198", "199"}));
  EXPECT_EQ(combine(SetCombine::kInter, {"s1", "s2", "s3"}, &out), OpStatus::kOk);
  EXPECT_EQ(out, sorted({"195", "199"}));
  EXPECT_EQ(combine(SetCombine::kInter, {"s1", "s2", "nokey"}, &out), OpStatus::kOk);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(combine(SetCombine::kUnion, {"nokey1", "s1", "s2", "nokey2"}, &out), OpStatus::kOk);
  EXPECT_EQ(out.size(), 395u);
  EXPECT_EQ(std::set<std::string>(out.begin(), out.end()).size(), 395u);
  EXPECT_EQ(combine(SetCombine::kDiff, {"s1", "s4"}, &out), OpStatus::kOk);
  EXPECT_EQ(out, sorted({"0", "1", "2", "3", "4"}));
  EXPECT_EQ(combine(SetCombine::kDiff, {"s1", "s4", "s5"}, &out), OpStatus::kOk);
  EXPECT_EQ(out, sorted({"1", "2", "3", "4"}));
  EXPECT_EQ(combine(SetCombine::kDiff, {"nokey", "s1"}, &out), OpStatus::kOk);
  EXPECT_TRUE(out.empty());
  // The same set several times.
  EXPECT_EQ(combine(SetCombine::kInter, {"s3", "s3", "s3"}, &out), OpStatus::kOk);
  EXPECT_EQ(out, smembers("s3"));
  EXPECT_EQ(combine(SetCombine::kUnion, {"s3", "s3"}, &out), OpStatus::kOk);
  EXPECT_EQ(out, smembers("s3"));
  EXPECT_EQ(combine(SetCombine::kDiff, {"s3", "s5", "s3"}, &out), OpStatus::kOk);
  EXPECT_TRUE(out.empty());

  uint64_t card = 0;
  auto inter_card = [&](std::vector<std::string_view> keys, uint64_t limit) {
    EXPECT_EQ(set_inter_card(committed(), 0, keys, limit, engine::unix_ms(), &card), OpStatus::kOk);
    return card;
  };
  EXPECT_EQ(inter_card({"s1", "s2"}, 0), 5u);
  EXPECT_EQ(inter_card({"s1", "s2"}, 3), 3u);
  EXPECT_EQ(inter_card({"s1", "s2"}, 10), 5u);
  EXPECT_EQ(inter_card({"s1", "s2", "s3"}, 0), 2u);
  EXPECT_EQ(inter_card({"nokey"}, 10), 0u);
}

TEST_F(SetTest, StoreOverwritesAnyDestination) {
  fill("s1", 0, 10);
  fill("s2", 5, 15);
  int64_t card = 0;
  // Over a string with a TTL: the result is a plain set.
  set_string("dst", "xxx", engine::unix_ms() + 100000);
  ASSERT_EQ(store(SetCombine::kInter, "dst", {"s1", "s2"}, &card), OpStatus::kOk);
  EXPECT_EQ(card, 5);
  EXPECT_EQ(smembers("dst"), sorted({"5", "6", "7", "8", "9"}));
  EXPECT_EQ(expire_at(committed(), 0, "dst", engine::unix_ms()), -1);
  // The destination among the sources.
  ASSERT_EQ(store(SetCombine::kUnion, "dst", {"dst", "s2"}, &card), OpStatus::kOk);
  EXPECT_EQ(card, 10);
  EXPECT_EQ(scard("dst"), 10);
  // An empty result deletes the destination.
  ASSERT_EQ(store(SetCombine::kDiff, "dst", {"s1", "s1"}, &card), OpStatus::kOk);
  EXPECT_EQ(card, 0);
  EXPECT_EQ(scard("dst"), -1);
  ASSERT_EQ(store(SetCombine::kInter, "dst", {"nokey", "s1"}, &card), OpStatus::kOk);
  EXPECT_EQ(card, 0);
  EXPECT_EQ(engine_->key_count(0), 2);
  EXPECT_EQ(member_records(), 20u);
}

TEST_F(SetTest, StoreOverALargeSetReclaimsTheOldMembers) {
  fill("big", 0, 300);
  fill("small", 0, 3);
  int64_t card = 0;
  ASSERT_EQ(store(SetCombine::kUnion, "big", {"small"}, &card), OpStatus::kOk);
  EXPECT_EQ(card, 3);
  EXPECT_EQ(smembers("big"), sorted({"0", "1", "2"}));
  EXPECT_EQ(member_records(), 6u);
}

TEST_F(SetTest, RandomMembers) {
  fill("s", 0, 50);
  Collection c;
  ASSERT_EQ(open_set(committed(), 0, "s", engine::unix_ms(), &c), OpStatus::kOk);
  for (uint64_t n : {1u, 5u, 45u, 50u, 100u}) {
    auto picks = random_distinct_members(committed(), c, n, false);
    EXPECT_EQ(picks.size(), std::min<uint64_t>(n, 50));
    std::set<std::string> names;
    for (const auto& e : picks) names.insert(e.name);
    EXPECT_EQ(names.size(), picks.size());
  }
  EXPECT_EQ(random_members(committed(), c, 100, false).size(), 100u);
}

}  // namespace
}  // namespace cairn::model
