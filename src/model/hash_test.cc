// Tests for the hash model (hash.h) and the hashed-member helpers it shares
// with sets (hashed_members.h): exact field counts, deleting the key with its
// last field, WRONGTYPE, counters on fields, TTL kept by writes, random
// fields (exact for small hashes, seek-based for large ones) and the HSCAN
// cursor walk. Runs against a real Engine in a temp dir.
#include "model/hash.h"

#include <gtest/gtest.h>

#include <chrono>
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

namespace cairn::model {
namespace {

class HashTest : public test::EngineFixture {
 protected:
  OpStatus hset(std::string key, std::vector<std::string_view> pairs, int64_t* added = nullptr) {
    OpStatus s = OpStatus::kOk;
    int64_t n = 0;
    run([&](Txn& t) { s = hash_set(t, 0, key, pairs, &n); });
    if (added) *added = n;
    return s;
  }
  OpStatus hdel(std::string key, std::vector<std::string_view> fields, int64_t* removed) {
    OpStatus s = OpStatus::kOk;
    run([&](Txn& t) { s = hash_delete(t, 0, key, fields, removed); });
    return s;
  }
  std::optional<std::string> hget(std::string key, std::string field) {
    Collection h;
    if (open_hash(committed(), 0, key, engine::unix_ms(), &h) != OpStatus::kOk) return std::nullopt;
    std::string v;
    if (!hash_get(committed(), h, field, &v)) return std::nullopt;
    return v;
  }
  // -1: no such hash.
  int64_t hlen(std::string key) {
    Collection h;
    OpStatus s = open_hash(committed(), 0, key, engine::unix_ms(), &h);
    return s == OpStatus::kOk ? h.meta.count : -1;
  }
  std::map<std::string, std::string> hgetall(std::string key) {
    Collection h;
    std::map<std::string, std::string> out;
    if (open_hash(committed(), 0, key, engine::unix_ms(), &h) != OpStatus::kOk) return out;
    for (auto& e : all_members(committed(), h, true)) out[e.name] = e.value;
    return out;
  }
  void set_string(std::string key, std::string value) {
    run([&](Txn& t) {
      Found old;
      find(t, 0, key, t.now_ms(), &old);
      put_string(t, 0, key, old, value, 0);
    });
  }
  // Every record in the members column family, of every collection.
  size_t member_records() {
    auto it = committed().iterate(engine::Cf::kMembers, "", "");
    size_t n = 0;
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) ++n;
    return n;
  }
  Collection open(std::string key) {
    Collection h;
    EXPECT_EQ(open_hash(committed(), 0, key, engine::unix_ms(), &h), OpStatus::kOk);
    return h;
  }
  // A hash with fields f0..f<n-1> = v0..v<n-1>, written in one commit.
  void fill(std::string key, int n) {
    run([&](Txn& t) {
      std::vector<std::string> storage;
      for (int i = 0; i < n; ++i) {
        storage.push_back("f" + std::to_string(i));
        storage.push_back("v" + std::to_string(i));
      }
      std::vector<std::string_view> pairs(storage.begin(), storage.end());
      int64_t added = 0;
      ASSERT_EQ(hash_set(t, 0, key, pairs, &added), OpStatus::kOk);
      ASSERT_EQ(added, n);
    });
  }
};

TEST_F(HashTest, SetCountsOnlyNewFields) {
  int64_t added = 0;
  EXPECT_EQ(hset("h", {"a", "1", "b", "2"}, &added), OpStatus::kOk);
  EXPECT_EQ(added, 2);
  EXPECT_EQ(hset("h", {"a", "3", "c", "4"}, &added), OpStatus::kOk);
  EXPECT_EQ(added, 1);
  EXPECT_EQ(hlen("h"), 3);
  EXPECT_EQ(hget("h", "a"), "3");
  EXPECT_EQ(hget("h", "c"), "4");
  EXPECT_EQ(hget("h", "zz"), std::nullopt);
  // The same field twice in one call: counted once, last value wins.
  EXPECT_EQ(hset("n", {"x", "1", "x", "2"}, &added), OpStatus::kOk);
  EXPECT_EQ(added, 1);
  EXPECT_EQ(hlen("n"), 1);
  EXPECT_EQ(hget("n", "x"), "2");
  EXPECT_EQ(engine_->key_count(0), 2);
  EXPECT_EQ(member_records(), 4u);
  // Empty field names and values are ordinary.
  EXPECT_EQ(hset("h", {"", ""}, &added), OpStatus::kOk);
  EXPECT_EQ(added, 1);
  EXPECT_EQ(hget("h", ""), "");
}

// One group: a small hash is dropped after a later key's hash got a field
// in the same group. The drop must take only its own members (RocksDB's
// batch iterator ran past its upper bound into the later key's).
TEST_F(HashTest, DroppingAHashInAGroupLeavesALaterKeysNewFields) {
  ASSERT_EQ(hset("a", {"f", "1"}), OpStatus::kOk);
  run([&](Txn& t) {
    int64_t n = 0;
    std::vector<std::string_view> a_pairs{"g", "2"}, b_pairs{"f", "v"};
    ASSERT_EQ(hash_set(t, 0, "a", a_pairs, &n), OpStatus::kOk);
    ASSERT_EQ(hash_set(t, 0, "b", b_pairs, &n), OpStatus::kOk);
    ASSERT_TRUE(delete_key(t, 0, "a"));
  });
  EXPECT_EQ(hgetall("b"), (std::map<std::string, std::string>{{"f", "v"}}));
  EXPECT_TRUE(hgetall("a").empty());
}

TEST_F(HashTest, SetIfAbsent) {
  bool set = false;
  run([&](Txn& t) { EXPECT_EQ(hash_set_if_absent(t, 0, "h", "f", "one", &set), OpStatus::kOk); });
  EXPECT_TRUE(set);
  run([&](Txn& t) { EXPECT_EQ(hash_set_if_absent(t, 0, "h", "f", "two", &set), OpStatus::kOk); });
  EXPECT_FALSE(set);
  EXPECT_EQ(hget("h", "f"), "one");
  EXPECT_EQ(hlen("h"), 1);
}

TEST_F(HashTest, DeletingTheLastFieldDeletesTheKey) {
  ASSERT_EQ(hset("h", {"a", "1", "b", "2", "c", "3"}), OpStatus::kOk);
  int64_t removed = 0;
  EXPECT_EQ(hdel("h", {"x", "y"}, &removed), OpStatus::kOk);
  EXPECT_EQ(removed, 0);
  EXPECT_EQ(hdel("h", {"a", "c", "a"}, &removed), OpStatus::kOk);
  EXPECT_EQ(removed, 2);
  EXPECT_EQ(hgetall("h"), (std::map<std::string, std::string>{{"b", "2"}}));
  EXPECT_EQ(hdel("h", {"b", "zz"}, &removed), OpStatus::kOk);
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(exists(committed(), 0, "h", engine::unix_ms()));
  EXPECT_EQ(engine_->key_count(0), 0);
  EXPECT_EQ(member_records(), 0u);
  EXPECT_EQ(hdel("h", {"b"}, &removed), OpStatus::kNotFound);
  EXPECT_EQ(removed, 0);
}

TEST_F(HashTest, WrongType) {
  set_string("s", "v");
  Collection h;
  EXPECT_EQ(open_hash(committed(), 0, "s", engine::unix_ms(), &h), OpStatus::kWrongType);
  EXPECT_EQ(hset("s", {"a", "1"}), OpStatus::kWrongType);
  int64_t n = 0;
  EXPECT_EQ(hdel("s", {"a"}, &n), OpStatus::kWrongType);
  run([&](Txn& t) {
    bool set = false;
    int64_t r = 0;
    std::string f;
    EXPECT_EQ(hash_set_if_absent(t, 0, "s", "a", "1", &set), OpStatus::kWrongType);
    EXPECT_EQ(hash_incr_by(t, 0, "s", "a", 1, &r), OpStatus::kWrongType);
    EXPECT_EQ(hash_incr_by_float(t, 0, "s", "a", 1, &f), OpStatus::kWrongType);
  });
  Found f;
  find(committed(), 0, "s", engine::unix_ms(), &f);
  EXPECT_EQ(f.header.type, ValueType::kString);
}

TEST_F(HashTest, IncrBy) {
  int64_t r = 0;
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by(t, 0, "h", "n", 5, &r), OpStatus::kOk); });
  EXPECT_EQ(r, 5);
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by(t, 0, "h", "n", -7, &r), OpStatus::kOk); });
  EXPECT_EQ(r, -2);
  EXPECT_EQ(hget("h", "n"), "-2");
  ASSERT_EQ(hset("h", {"big", "9223372036854775807", "text", " 11"}), OpStatus::kOk);
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by(t, 0, "h", "big", 1, &r), OpStatus::kOverflow); });
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by(t, 0, "h", "text", 1, &r), OpStatus::kNotInteger); });
  EXPECT_EQ(hget("h", "big"), "9223372036854775807");
  EXPECT_EQ(hget("h", "text"), " 11");
  EXPECT_EQ(hlen("h"), 3);
}

TEST_F(HashTest, IncrByFloat) {
  std::string r;
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by_float(t, 0, "h", "f", 1.23L, &r), OpStatus::kOk); });
  EXPECT_EQ(r, "1.23");
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by_float(t, 0, "h", "f", 0.77L, &r), OpStatus::kOk); });
  EXPECT_EQ(r, "2");
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by_float(t, 0, "h", "f", -0.1L, &r), OpStatus::kOk); });
  EXPECT_EQ(r, "1.9");
  ASSERT_EQ(hset("h", {"nul", std::string_view("1\0" "2", 3), "max", "1e4932"}), OpStatus::kOk);
  run([&](Txn& t) { EXPECT_EQ(hash_incr_by_float(t, 0, "h", "nul", 1, &r), OpStatus::kNotFloat); });
  run([&](Txn& t) {
    EXPECT_EQ(hash_incr_by_float(t, 0, "h", "max", std::numeric_limits<long double>::max(), &r), OpStatus::kNanOrInf);
  });
  EXPECT_EQ(hget("h", "f"), "1.9");
}

TEST_F(HashTest, WritesKeepTheTtlAndAnExpiredHashStartsOver) {
  ASSERT_EQ(hset("h", {"a", "1"}), OpStatus::kOk);
  int64_t at = engine::unix_ms() + 100000;
  run([&](Txn& t) { EXPECT_TRUE(set_expire(t, 0, "h", at, ExpireCond::kNone)); });
  ASSERT_EQ(hset("h", {"b", "2"}), OpStatus::kOk);
  EXPECT_EQ(expire_at(committed(), 0, "h", engine::unix_ms()), at);

  ASSERT_EQ(hset("e", {"old1", "1", "old2", "2"}), OpStatus::kOk);
  run([&](Txn& t) { EXPECT_TRUE(set_expire(t, 0, "e", engine::unix_ms() + 30, ExpireCond::kNone)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(hlen("e"), -1);
  int64_t added = 0;
  ASSERT_EQ(hset("e", {"new", "1"}, &added), OpStatus::kOk);
  EXPECT_EQ(added, 1);
  EXPECT_EQ(hgetall("e"), (std::map<std::string, std::string>{{"new", "1"}}));
  EXPECT_EQ(expire_at(committed(), 0, "e", engine::unix_ms()), -1);
}

TEST_F(HashTest, RandomFieldsOfASmallHash) {
  fill("h", 10);
  Collection h = open("h");
  auto all = random_distinct_members(committed(), h, 20, true);
  EXPECT_EQ(all.size(), 10u);
  auto some = random_distinct_members(committed(), h, 4, true);
  ASSERT_EQ(some.size(), 4u);
  std::set<std::string> names;
  for (const auto& e : some) {
    names.insert(e.name);
    EXPECT_EQ("v" + e.name.substr(1), e.value);
  }
  EXPECT_EQ(names.size(), 4u);

  auto repeats = random_members(committed(), h, 1000, false);
  ASSERT_EQ(repeats.size(), 1000u);
  std::map<std::string, int> seen;
  for (const auto& e : repeats) {
    EXPECT_TRUE(e.value.empty());
    ++seen[e.name];
  }
  EXPECT_EQ(seen.size(), 10u);  // 1000 draws over 10 fields reach every one
  for (const auto& [name, n] : seen) EXPECT_GT(n, 40) << name;  // exactly uniform: ~100 each

  Collection missing;
  EXPECT_TRUE(random_members(committed(), missing, 5, false).empty());
  EXPECT_TRUE(random_distinct_members(committed(), missing, 5, false).empty());
}

TEST_F(HashTest, RandomFieldsOfALargeHashAreSampledBySeeking) {
  constexpr int kFields = 3000;
  fill("big", kFields);
  Collection h = open("big");
  auto picks = random_distinct_members(committed(), h, 50, true);
  ASSERT_EQ(picks.size(), 50u);
  std::set<std::string> names;
  for (const auto& e : picks) {
    names.insert(e.name);
    EXPECT_EQ("v" + e.name.substr(1), e.value);
  }
  EXPECT_EQ(names.size(), 50u);

  // Seek sampling is uniform (up to a negligible tail, see hashed_members.cc):
  // Poisson-like spread around the mean.
  // 150 per call stays under size/16, so every call seeks; 30 draws per field.
  std::map<std::string, int> seen;
  for (int round = 0; round < 600; ++round) {
    auto draws = random_members(committed(), h, 150, false);
    ASSERT_EQ(draws.size(), 150u);
    for (const auto& e : draws) ++seen[e.name];
  }
  int total = 0, most = 0;
  for (const auto& [name, n] : seen) {
    total += n;
    most = std::max(most, n);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kFields));
  EXPECT_EQ(total, 600 * 150);
  EXPECT_LT(most, 2 * total / kFields);  // max of 3000 Poisson(30) draws is ~50
  int least = total;
  for (const auto& [name, n] : seen) least = std::min(least, n);
  EXPECT_GT(least, total / kFields / 4);
  // Chi-square against uniform, 2999 degrees of freedom (mean 2999, sd 77): a
  // 25% spread in the pick probabilities alone would add ~5600.
  double expected = static_cast<double>(total) / kFields, chi2 = 0;
  for (const auto& [name, n] : seen) chi2 += (n - expected) * (n - expected) / expected;
  EXPECT_LT(chi2, 2999 + 6 * 77) << "chi-square " << chi2;
}

TEST_F(HashTest, ScanCursorVisitsEveryFieldOnce) {
  fill("h", 500);
  Collection h = open("h");
  std::map<std::string, std::string> seen;
  uint64_t cursor = 0;
  int pages = 0;
  do {
    cursor = scan_members(committed(), h, cursor, 7, [&](std::string_view name, std::string_view value) {
      EXPECT_TRUE(seen.emplace(std::string(name), std::string(value)).second) << name;
    });
    ++pages;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_GT(pages, 500 / 8);
  EXPECT_EQ(seen["f42"], "v42");
}

}  // namespace
}  // namespace cairn::model
