// RecordCache: snapshot coherence (entries newer than a reader are misses,
// fills cannot reinstate replaced values), absence caching, SIEVE eviction
// within the byte budget.
#include "engine/record_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

namespace cairn::engine {
namespace {

using Hit = RecordCache::Hit;

void write(RecordCache& c, std::string_view key, std::string_view value, uint64_t seq) {
  c.begin_write(key);
  c.end_write(key, &value, seq, true);
}

TEST(RecordCache, WritesAreVisibleOnlyToReadersAtOrAfterTheirSequence) {
  RecordCache c(1 << 20);
  std::string v;
  write(c, "k", "v10", 10);
  EXPECT_EQ(c.get("k", 9, &v), Hit::kMiss);
  ASSERT_EQ(c.get("k", 10, &v), Hit::kPresent);
  EXPECT_EQ(v, "v10");
  c.begin_write("k");
  c.end_write("k", nullptr, 11, true);  // deleted
  EXPECT_EQ(c.get("k", 10, &v), Hit::kMiss);
  EXPECT_EQ(c.get("k", 11, &v), Hit::kAbsent);
}

TEST(RecordCache, FillsNeverReinstateAReplacedValue) {
  RecordCache c(1 << 20);
  std::string v;
  std::string_view old_value = "old";
  // A write is in flight: a reader that read the old value cannot fill.
  c.begin_write("k");
  c.fill("k", &old_value, 5);
  EXPECT_EQ(c.get("k", 100, &v), Hit::kMiss);
  std::string_view new_value = "new";
  c.end_write("k", &new_value, 6, true);
  // Nor afterwards with a snapshot older than that write.
  c.begin_write("k");  // drop it to test the fill alone
  c.end_write("k", &new_value, 7, false);
  c.fill("k", &old_value, 5);
  EXPECT_EQ(c.get("k", 100, &v), Hit::kMiss);
  // A reader at or after the last write may fill.
  c.fill("k", &new_value, 7);
  ASSERT_EQ(c.get("k", 7, &v), Hit::kPresent);
  EXPECT_EQ(v, "new");
}

TEST(RecordCache, FailedWriteLeavesNothingCached) {
  RecordCache c(1 << 20);
  std::string v;
  write(c, "k", "a", 1);
  c.begin_write("k");
  std::string_view b = "b";
  c.end_write("k", &b, 2, false);
  EXPECT_EQ(c.get("k", 100, &v), Hit::kMiss);
}

TEST(RecordCache, RangeWriteDropsEverythingAndFencesFills) {
  RecordCache c(1 << 20);
  std::string v;
  write(c, "a", "1", 1);
  write(c, "b", "2", 2);
  std::string_view stale = "1";
  c.begin_write_all();
  c.fill("a", &stale, 2);
  c.end_write_all(3);
  EXPECT_EQ(c.get("a", 100, &v), Hit::kMiss);
  EXPECT_EQ(c.get("b", 100, &v), Hit::kMiss);
  c.fill("a", &stale, 2);  // snapshot before the flush
  EXPECT_EQ(c.get("a", 100, &v), Hit::kMiss);
  c.fill("a", nullptr, 3);
  EXPECT_EQ(c.get("a", 100, &v), Hit::kAbsent);
}

TEST(RecordCache, StaysWithinItsBudgetAndKeepsVisitedEntries) {
  // 64 shards; a budget of 64 * 1000 bytes leaves 1000 per shard, a few
  // entries of ~200 bytes each.
  RecordCache c(64 * 1000);
  std::string value(100, 'x'), v;
  write(c, "hot", value, 1);
  for (int i = 0; i < 5000; ++i) {
    write(c, "cold" + std::to_string(i), value, 2 + i);
    if (i % 2 == 0) {
      ASSERT_EQ(c.get("hot", UINT64_MAX, &v), Hit::kPresent) << "evicted at " << i;
    }
  }
  EXPECT_LE(c.charged(), c.capacity());
  EXPECT_GT(c.charged(), c.capacity() / 2);
  EXPECT_GT(c.hits(), 0u);
}

TEST(RecordCache, OversizedEntriesAreNotCached) {
  RecordCache c(64 * 1000);
  std::string big(5000, 'x'), v;
  write(c, "big", big, 1);
  EXPECT_EQ(c.get("big", 100, &v), Hit::kMiss);
}

}  // namespace
}  // namespace cairn::engine

namespace cairn::engine {
namespace {

// The shard index (open addressing with backward-shift deletion) against a
// reference map, through writes, deletes, fills and evictions of many keys.
TEST(RecordCache, AgreesWithAReferenceMapThroughChurn) {
  RecordCache c(64 * 1024);  // small: evictions happen all the time
  std::unordered_map<std::string, std::string> newest;  // what the cache may hold
  std::mt19937_64 rng(7);
  std::string got;
  uint64_t seq = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string key = "k" + std::to_string(rng() % 3000);
    switch (rng() % 4) {
      case 0:
      case 1: {
        std::string value(rng() % 40, static_cast<char>('a' + rng() % 26));
        write(c, key, value, ++seq);
        newest[key] = value;
        break;
      }
      case 2:
        c.begin_write(key);
        c.end_write(key, nullptr, ++seq, true);
        newest.erase(key);
        break;
      default: {
        Hit h = c.get(key, seq, &got);
        auto it = newest.find(key);
        if (h == Hit::kPresent) {
          ASSERT_NE(it, newest.end()) << key;
          ASSERT_EQ(got, it->second) << key;
        } else if (h == Hit::kAbsent) {
          ASSERT_EQ(it, newest.end()) << key;
        }
      }
    }
  }
  EXPECT_LE(c.charged(), c.capacity());
  EXPECT_GT(c.hits(), 0u);
}

}  // namespace
}  // namespace cairn::engine
