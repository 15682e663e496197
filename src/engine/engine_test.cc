// Tests for the engine (engine.h, txn.h, keyspace.h): revisions, exact key
// counts, durability of the meta records across reopen, group commit under
// concurrent submitters, per-command savepoints, the background TTL sweep and
// the change feed. Each test opens a real RocksDB store in a fresh temp dir.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/clock.h"
#include "engine/coding.h"
#include "engine/keys.h"
#include "engine/keyspace.h"
#include "engine/test_engine.h"
#include "engine/txn.h"

namespace cairn::engine {
namespace {

using test::LambdaOp;

void put_in(Txn& txn, uint8_t ns, std::string_view key, std::string_view value, int64_t expire_at = 0) {
  Found old;
  ASSERT_TRUE(lookup(txn, ns, key, txn.now_ms(), &old).ok());
  write_record(txn, ns, key, old, ValueType::kString, expire_at, value);
}

void del_in(Txn& txn, uint8_t ns, std::string_view key) {
  Found old;
  ASSERT_TRUE(lookup(txn, ns, key, txn.now_ms(), &old).ok());
  if (old.present) delete_record(txn, ns, key, old);
}

void put(Engine& e, uint8_t ns, std::string key, std::string value, int64_t expire_at = 0) {
  ASSERT_TRUE(test::write(e, [&](Txn& t) { put_in(t, ns, key, value, expire_at); }).ok());
}

void del(Engine& e, uint8_t ns, std::string key) {
  ASSERT_TRUE(test::write(e, [&](Txn& t) { del_in(t, ns, key); }).ok());
}

// The live value of `key` in the committed store.
std::optional<std::string> get(Engine& e, uint8_t ns, std::string_view key) {
  Found f;
  rocksdb::Status s = lookup(e.committed(), ns, key, unix_ms(), &f);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!f.live) return std::nullopt;
  return std::string(f.payload);
}

uint64_t revision_of(Engine& e, uint8_t ns, std::string_view key) {
  Found f;
  EXPECT_TRUE(lookup(e.committed(), ns, key, unix_ms(), &f).ok());
  EXPECT_TRUE(f.present) << key;
  return f.header.revision;
}

struct FeedRecord {
  uint64_t revision;
  uint32_t index;
  uint8_t ns;
  FeedKind kind;
  std::string key;
  bool operator==(const FeedRecord&) const = default;
};

std::ostream& operator<<(std::ostream& os, const FeedRecord& r) {
  return os << "{rev " << r.revision << " #" << r.index << " ns " << int(r.ns) << " kind " << int(r.kind) << " '"
            << r.key << "'}";
}

std::vector<FeedRecord> read_feed(Engine& e) {
  std::vector<FeedRecord> out;
  auto it = e.committed().iterate(Cf::kFeed, "", "");
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
    rocksdb::Slice k = (*it)->key(), v = (*it)->value();
    // [revision:8 BE][index:4 BE] -> [ns:1][kind:1][user key]
    EXPECT_EQ(k.size(), 12u);
    EXPECT_GE(v.size(), 2u);
    if (k.size() != 12 || v.size() < 2) continue;
    uint32_t index = (uint32_t{get_be16(k.data() + 8)} << 16) | get_be16(k.data() + 10);
    out.push_back({get_be64(k.data()), index, static_cast<uint8_t>(v[0]), static_cast<FeedKind>(v[1]),
                   std::string(v.data() + 2, v.size() - 2)});
  }
  EXPECT_TRUE((*it)->status().ok());
  return out;
}

size_t count_entries(Engine& e, Cf cf) {
  size_t n = 0;
  auto it = e.committed().iterate(cf, "", "");
  for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) ++n;
  return n;
}

class EngineTest : public test::EngineFixture {
 protected:
  // The engine's own tests keep the default durability (fsync always), so the
  // synced group-commit path is the one they exercise.
  EngineTest() { options_.fsync = FsyncPolicy::kAlways; }
  Engine& e() { return *engine_; }
};

TEST_F(EngineTest, FreshStoreIsEmpty) {
  EXPECT_EQ(e().last_revision(), 0u);
  EXPECT_EQ(e().feed_first_revision(), 1u);
  for (int ns = 0; ns < kMaxNamespaces; ++ns) EXPECT_EQ(e().key_count(static_cast<uint8_t>(ns)), 0) << ns;
  EXPECT_FALSE(get(e(), 0, "missing").has_value());
}

// Writes the store's format version with RocksDB directly (the engine closed).
void write_format_version(const std::string& dir, uint64_t version) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {"default", "scan", "expiry", "feed", "meta", "members"}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &raw).ok());
  std::string v;
  put_le64(&v, version);
  EXPECT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[4], std::string(kFormatMetaKey), v).ok());
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
}

TEST_F(EngineTest, OpensAndMarksAnOlderFormatAndRefusesAnUnknownOne) {
  engine_->close();
  engine_.reset();
  write_format_version(dir_.str(), 1);
  open();
  rocksdb::PinnableSlice v;
  ASSERT_TRUE(committed().get(Cf::kMeta, kFormatMetaKey, &v).ok());
  ASSERT_EQ(v.size(), 8u);
  EXPECT_EQ(get_le64(v.data()), kFormatVersion);
  engine_->close();
  engine_.reset();
  write_format_version(dir_.str(), kFormatVersion + 1);
  std::unique_ptr<Engine> e;
  rocksdb::Status s = Engine::open(options_, &e);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  write_format_version(dir_.str(), kFormatVersion);
  open();
}

TEST_F(EngineTest, RevisionsIncreaseByOnePerCommit) {
  put(e(), 0, "a", "1");
  EXPECT_EQ(e().last_revision(), 1u);
  EXPECT_EQ(revision_of(e(), 0, "a"), 1u);

  put(e(), 0, "b", "2");
  EXPECT_EQ(e().last_revision(), 2u);
  EXPECT_EQ(revision_of(e(), 0, "b"), 2u);
  EXPECT_EQ(revision_of(e(), 0, "a"), 1u);

  // A commit that only reads consumes no revision.
  ASSERT_TRUE(write([](Txn& t) {
                Found f;
                ASSERT_TRUE(lookup(t, 0, "a", t.now_ms(), &f).ok());
                EXPECT_TRUE(f.live);
              }).ok());
  EXPECT_EQ(e().last_revision(), 2u);

  // Several writes in one commit share one revision.
  ASSERT_TRUE(write([](Txn& t) {
                put_in(t, 0, "c", "3");
                put_in(t, 0, "d", "4");
                put_in(t, 5, "e", "5");
              }).ok());
  EXPECT_EQ(e().last_revision(), 3u);
  EXPECT_EQ(revision_of(e(), 0, "c"), 3u);
  EXPECT_EQ(revision_of(e(), 0, "d"), 3u);
  EXPECT_EQ(revision_of(e(), 5, "e"), 3u);

  del(e(), 0, "a");
  EXPECT_EQ(e().last_revision(), 4u);

  // Two commits inside one op: two revisions.
  ASSERT_TRUE(write([](Txn& t) {
                put_in(t, 0, "f", "6");
                t.begin_commit();
                put_in(t, 0, "g", "7");
              }).ok());
  EXPECT_EQ(e().last_revision(), 6u);
  EXPECT_EQ(revision_of(e(), 0, "f"), 5u);
  EXPECT_EQ(revision_of(e(), 0, "g"), 6u);
}

TEST_F(EngineTest, QueuedOpsGetConsecutiveRevisions) {
  // Submitted back to back, these likely share write groups; each is still
  // its own commit with its own revision, in submission order.
  constexpr int kOps = 50;
  std::vector<std::unique_ptr<LambdaOp>> ops;
  for (int i = 0; i < kOps; ++i) {
    ops.push_back(std::make_unique<LambdaOp>([i](Txn& t) { put_in(t, 0, "k" + std::to_string(i), "v"); }));
  }
  for (auto& op : ops) e().submit(op.get());
  for (auto& op : ops) EXPECT_TRUE(op->wait().ok());
  EXPECT_EQ(e().last_revision(), static_cast<uint64_t>(kOps));
  for (int i = 0; i < kOps; ++i) EXPECT_EQ(revision_of(e(), 0, "k" + std::to_string(i)), static_cast<uint64_t>(i + 1));
  EXPECT_EQ(e().stats().ops.load(), static_cast<uint64_t>(kOps));
  EXPECT_LE(e().stats().groups.load(), e().stats().ops.load());
}

TEST_F(EngineTest, KeyCountIsExact) {
  put(e(), 0, "a", "1");
  put(e(), 0, "b", "1");
  put(e(), 0, "c", "1");
  EXPECT_EQ(e().key_count(0), 3);

  put(e(), 0, "a", "overwritten");  // overwrite: no change
  EXPECT_EQ(e().key_count(0), 3);
  EXPECT_EQ(get(e(), 0, "a"), "overwritten");

  del(e(), 0, "b");
  EXPECT_EQ(e().key_count(0), 2);
  EXPECT_FALSE(get(e(), 0, "b").has_value());

  del(e(), 0, "b");  // already gone: lookup finds nothing, no delete
  EXPECT_EQ(e().key_count(0), 2);

  // Namespaces count independently.
  EXPECT_EQ(e().key_count(1), 0);
  put(e(), 1, "a", "other ns");
  EXPECT_EQ(e().key_count(1), 1);
  EXPECT_EQ(e().key_count(0), 2);
  EXPECT_EQ(get(e(), 0, "a"), "overwritten");
  EXPECT_EQ(get(e(), 1, "a"), "other ns");

  // Inside one commit the Txn sees its own writes and its pending count.
  ASSERT_TRUE(write([](Txn& t) {
                EXPECT_EQ(t.key_count(0), 2);
                put_in(t, 0, "x", "1");
                EXPECT_EQ(t.key_count(0), 3);
                put_in(t, 0, "x", "2");  // lookup sees the pending write: an overwrite
                EXPECT_EQ(t.key_count(0), 3);
                del_in(t, 0, "x");
                EXPECT_EQ(t.key_count(0), 2);
                del_in(t, 0, "x");  // already deleted in this batch
                EXPECT_EQ(t.key_count(0), 2);
              }).ok());
  EXPECT_EQ(e().key_count(0), 2);
  EXPECT_EQ(count_entries(e(), Cf::kScan), 3u);  // the SCAN index agrees
}

TEST_F(EngineTest, SameNewKeyFromQueuedOpsCountsOnce) {
  // Two ops creating the same key, possibly in one group: the second must see
  // the first (pending) write and count an overwrite, not a new key.
  LambdaOp a([](Txn& t) { put_in(t, 0, "dup", "1"); });
  LambdaOp b([](Txn& t) { put_in(t, 0, "dup", "2"); });
  e().submit(&a);
  e().submit(&b);
  EXPECT_TRUE(a.wait().ok());
  EXPECT_TRUE(b.wait().ok());
  EXPECT_EQ(e().key_count(0), 1);
  EXPECT_EQ(get(e(), 0, "dup"), "2");
}

TEST_F(EngineTest, CountsAndRevisionSurviveReopen) {
  for (int i = 0; i < 10; ++i) put(e(), 0, "k" + std::to_string(i), "v");
  for (int i = 0; i < 3; ++i) put(e(), 2, "k" + std::to_string(i), "v");
  del(e(), 0, "k0");
  put(e(), 0, "k1", "again");
  ASSERT_EQ(e().key_count(0), 9);
  ASSERT_EQ(e().key_count(2), 3);
  ASSERT_EQ(e().last_revision(), 15u);

  reopen();
  EXPECT_EQ(e().key_count(0), 9);
  EXPECT_EQ(e().key_count(2), 3);
  EXPECT_EQ(e().key_count(1), 0);
  EXPECT_EQ(e().last_revision(), 15u);
  EXPECT_EQ(e().feed_first_revision(), 1u);
  EXPECT_EQ(get(e(), 0, "k1"), "again");
  EXPECT_FALSE(get(e(), 0, "k0").has_value());

  // The sequence continues where it left off.
  put(e(), 0, "after", "reopen");
  EXPECT_EQ(e().last_revision(), 16u);
  EXPECT_EQ(revision_of(e(), 0, "after"), 16u);
  EXPECT_EQ(e().key_count(0), 10);

  reopen();
  EXPECT_EQ(e().last_revision(), 16u);
  EXPECT_EQ(e().key_count(0), 10);
}

TEST_F(EngineTest, ConcurrentSubmittersAllComplete) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::unique_ptr<LambdaOp>> ops;
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "t" + std::to_string(t) + ":" + std::to_string(i);
        ops.push_back(std::make_unique<LambdaOp>([key](Txn& txn) { put_in(txn, 3, key, key); }));
      }
      for (auto& op : ops) e().submit(op.get());
      for (auto& op : ops) {
        if (!op->wait().ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  constexpr int kTotal = kThreads * kPerThread;
  EXPECT_EQ(e().key_count(3), kTotal);
  EXPECT_EQ(e().last_revision(), static_cast<uint64_t>(kTotal));
  EXPECT_EQ(e().stats().ops.load(), static_cast<uint64_t>(kTotal));
  EXPECT_GE(e().stats().groups.load(), 1u);
  EXPECT_LE(e().stats().groups.load(), e().stats().ops.load());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string key = "t" + std::to_string(t) + ":" + std::to_string(i);
      EXPECT_EQ(get(e(), 3, key), key);
    }
  }
  // Every commit made exactly one feed record, each with its own revision.
  std::vector<FeedRecord> feed = read_feed(e());
  ASSERT_EQ(feed.size(), static_cast<size_t>(kTotal));
  for (size_t i = 0; i < feed.size(); ++i) EXPECT_EQ(feed[i].revision, i + 1);
}

TEST_F(EngineTest, SavepointRollbackDiscardsOneCommand) {
  put(e(), 0, "old", "1");
  ASSERT_EQ(e().last_revision(), 1u);

  ASSERT_TRUE(write([](Txn& t) {
                // A command that fails: its writes and count delta vanish.
                t.set_savepoint();
                put_in(t, 0, "x", "1");
                put_in(t, 0, "y", "1");
                del_in(t, 0, "old");
                EXPECT_EQ(t.key_count(0), 2);
                t.rollback_to_savepoint();
                EXPECT_EQ(t.key_count(0), 1);
                Found f;
                ASSERT_TRUE(lookup(t, 0, "x", t.now_ms(), &f).ok());
                EXPECT_FALSE(f.present);
                ASSERT_TRUE(lookup(t, 0, "old", t.now_ms(), &f).ok());
                EXPECT_TRUE(f.live);

                // The next command in the same group commits normally.
                t.begin_commit();
                t.set_savepoint();
                put_in(t, 0, "z", "1");
                t.pop_savepoint();
              }).ok());

  EXPECT_FALSE(get(e(), 0, "x").has_value());
  EXPECT_FALSE(get(e(), 0, "y").has_value());
  EXPECT_EQ(get(e(), 0, "old"), "1");
  EXPECT_EQ(get(e(), 0, "z"), "1");
  EXPECT_EQ(e().key_count(0), 2);
  // The rolled-back command's revision was given back.
  EXPECT_EQ(e().last_revision(), 2u);
  EXPECT_EQ(revision_of(e(), 0, "z"), 2u);
  EXPECT_EQ(count_entries(e(), Cf::kScan), 2u);

  std::vector<FeedRecord> feed = read_feed(e());
  std::vector<FeedRecord> want = {{1, 0, 0, FeedKind::kSet, "old"}, {2, 0, 0, FeedKind::kSet, "z"}};
  EXPECT_EQ(feed, want);
}

TEST_F(EngineTest, RollingBackEverythingCommitsNothing) {
  put(e(), 0, "a", "1");
  ASSERT_TRUE(write([](Txn& t) {
                t.set_savepoint();
                put_in(t, 0, "b", "1");
                t.rollback_to_savepoint();
              }).ok());
  EXPECT_EQ(e().last_revision(), 1u);
  EXPECT_EQ(e().key_count(0), 1);
  put(e(), 0, "c", "1");
  EXPECT_EQ(e().last_revision(), 2u);
  EXPECT_EQ(revision_of(e(), 0, "c"), 2u);
}

TEST_F(EngineTest, NestedSavepoints) {
  ASSERT_TRUE(write([](Txn& t) {
                t.set_savepoint();
                put_in(t, 0, "outer", "1");
                t.set_savepoint();
                put_in(t, 0, "inner", "1");
                t.rollback_to_savepoint();
                t.pop_savepoint();
              }).ok());
  EXPECT_EQ(get(e(), 0, "outer"), "1");
  EXPECT_FALSE(get(e(), 0, "inner").has_value());
  EXPECT_EQ(e().key_count(0), 1);
}

TEST_F(EngineTest, ExclusiveOpRangeDeleteAndCountReset) {
  // What FLUSHDB does: range-delete a namespace and reset its count.
  for (int i = 0; i < 5; ++i) put(e(), 0, "k" + std::to_string(i), "v");
  put(e(), 1, "other", "v");
  ASSERT_TRUE(write(
                  [](Txn& t) {
                    t.delete_range(Cf::kData, data_prefix(0), data_prefix(1));
                    t.delete_range(Cf::kScan, data_prefix(0), data_prefix(1));
                    t.set_count(0, 0);
                    t.feed(0, FeedKind::kFlush, {});
                  },
                  /*exclusive=*/true)
                  .ok());
  EXPECT_EQ(e().key_count(0), 0);
  EXPECT_EQ(e().key_count(1), 1);
  EXPECT_FALSE(get(e(), 0, "k0").has_value());
  EXPECT_EQ(get(e(), 1, "other"), "v");
  EXPECT_EQ(e().last_revision(), 7u);
  EXPECT_EQ(read_feed(e()).back(), (FeedRecord{7, 0, 0, FeedKind::kFlush, ""}));
  reopen();
  EXPECT_EQ(e().key_count(0), 0);
  EXPECT_EQ(e().key_count(1), 1);
}

TEST_F(EngineTest, SavepointRollbackUndoesCountResetAndRangeDeletes) {
  // A FLUSHDB-like command that fails half way must leave nothing behind:
  // neither its range deletes nor its count reset.
  put(e(), 0, "a", "1");
  put(e(), 0, "b", "2");
  ASSERT_TRUE(write(
                  [](Txn& t) {
                    t.set_savepoint();
                    t.delete_range(Cf::kData, data_prefix(0), data_prefix(1));
                    t.delete_range(Cf::kScan, data_prefix(0), data_prefix(1));
                    t.set_count(0, 0);
                    EXPECT_EQ(t.key_count(0), 0);
                    t.rollback_to_savepoint();
                    EXPECT_EQ(t.key_count(0), 2);
                  },
                  /*exclusive=*/true)
                  .ok());
  EXPECT_EQ(e().key_count(0), 2);
  EXPECT_EQ(get(e(), 0, "a"), "1");
  EXPECT_EQ(get(e(), 0, "b"), "2");
  EXPECT_EQ(count_entries(e(), Cf::kScan), 2u);
  EXPECT_EQ(e().last_revision(), 2u);
}

TEST_F(EngineTest, BackgroundSweepRemovesExpiredKeys) {
  engine_.reset();
  options_.sweep_interval_ms = 20;
  open();

  int64_t now = unix_ms();
  ASSERT_TRUE(write([now](Txn& t) {
                put_in(t, 0, "past", "v", now - 1000);
                put_in(t, 0, "soon", "v", now + 100);
                put_in(t, 0, "later", "v", now + 3600 * 1000);
                put_in(t, 0, "forever", "v");
              }).ok());
  // Lazy expiry: a lookup already treats the past key as gone.
  EXPECT_FALSE(get(e(), 0, "past").has_value());

  // Nobody reads the keys; the sweep must remove them from disk on its own.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (e().key_count(0) > 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(e().key_count(0), 2);
  EXPECT_EQ(e().stats().expired_keys.load(), 2u);

  for (const char* k : {"past", "soon"}) {
    Found f;
    ASSERT_TRUE(lookup(e().committed(), 0, k, 0, &f).ok());  // now=0: ignore TTL, is it on disk?
    EXPECT_FALSE(f.present) << k;
  }
  EXPECT_EQ(get(e(), 0, "later"), "v");
  EXPECT_EQ(get(e(), 0, "forever"), "v");
  EXPECT_EQ(count_entries(e(), Cf::kExpiry), 1u);  // only "later" remains indexed
  EXPECT_EQ(count_entries(e(), Cf::kScan), 2u);

  // Each removal is a commit of its own in the feed, marked as expired.
  std::vector<FeedRecord> feed = read_feed(e());
  int expired = 0;
  for (const FeedRecord& r : feed) {
    if (r.kind == FeedKind::kExpired) {
      ++expired;
      EXPECT_TRUE(r.key == "past" || r.key == "soon") << r;
      EXPECT_GT(r.revision, 1u);
    }
  }
  EXPECT_EQ(expired, 2);
  EXPECT_EQ(e().last_revision(), 3u);

  reopen();
  EXPECT_EQ(e().key_count(0), 2);
}

TEST_F(EngineTest, OverwritingTtlMovesTheExpiryEntry) {
  int64_t now = unix_ms();
  put(e(), 0, "k", "v", now + 1000000);
  put(e(), 0, "k", "v", now + 2000000);
  EXPECT_EQ(count_entries(e(), Cf::kExpiry), 1u);
  put(e(), 0, "k", "v", 0);  // persist
  EXPECT_EQ(count_entries(e(), Cf::kExpiry), 0u);
  put(e(), 0, "k", "v", now + 1000000);
  del(e(), 0, "k");
  EXPECT_EQ(count_entries(e(), Cf::kExpiry), 0u);
  EXPECT_EQ(e().key_count(0), 0);
}

TEST_F(EngineTest, ChangeFeedRecordsEveryWrite) {
  put(e(), 0, "a", "1");
  put(e(), 3, "b", "2");
  del(e(), 0, "a");
  ASSERT_TRUE(write([](Txn& t) {
                put_in(t, 1, "c", "3");
                put_in(t, 1, std::string("bin\0key", 7), "4");
              }).ok());
  ASSERT_TRUE(write([](Txn& t) {
                Found f;
                ASSERT_TRUE(lookup(t, 3, "b", t.now_ms(), &f).ok());
                std::string payload(f.payload);
                write_record(t, 3, "b", f, ValueType::kString, t.now_ms() + 100000, payload, FeedKind::kExpire);
              }).ok());

  std::vector<FeedRecord> want = {
      {1, 0, 0, FeedKind::kSet, "a"},
      {2, 0, 3, FeedKind::kSet, "b"},
      {3, 0, 0, FeedKind::kDelete, "a"},
      {4, 0, 1, FeedKind::kSet, "c"},
      {4, 1, 1, FeedKind::kSet, std::string("bin\0key", 7)},
      {5, 0, 3, FeedKind::kExpire, "b"},
  };
  EXPECT_EQ(read_feed(e()), want);
  EXPECT_EQ(e().last_revision(), 5u);
}

TEST_F(EngineTest, ChangeFeedIsTrimmedToRetention) {
  engine_.reset();
  options_.feed_retention = 10;
  open();
  for (int i = 0; i < 40; ++i) put(e(), 0, "k" + std::to_string(i % 5), std::to_string(i));
  ASSERT_EQ(e().last_revision(), 40u);

  uint64_t first = e().feed_first_revision();
  EXPECT_GT(first, 1u);
  EXPECT_LE(first, 40u - 10u + 1u);  // the last `retention` revisions are all kept
  std::vector<FeedRecord> feed = read_feed(e());
  ASSERT_FALSE(feed.empty());
  EXPECT_EQ(feed.front().revision, first);
  EXPECT_EQ(feed.back().revision, 40u);
  EXPECT_EQ(feed.size(), static_cast<size_t>(40 - first + 1));

  reopen();
  EXPECT_EQ(e().feed_first_revision(), first);
}

// Reads through the record cache must equal RocksDB's own reads at the same
// snapshot, while a writer overwrites, deletes and range-deletes
// (FLUSHDB-style) the same keys; and a reader never sees a value older than
// one already acknowledged.
TEST_F(EngineTest, RecordCacheAgreesWithRocksDbAtEverySnapshot) {
  options_.fsync = FsyncPolicy::kNo;
  engine_.reset();
  open();
  constexpr int kKeys = 8;
  constexpr int kRounds = 1500;
  std::atomic<int64_t> acked{0};  // every key holds at least this value (-1: a flush is under way)
  std::atomic<bool> done{false};
  std::atomic<int> disagreements{0}, regressions{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      rocksdb::DB* db = e().db();
      while (!done.load()) {
        int64_t floor = acked.load();
        rocksdb::ReadOptions ro;
        ro.snapshot = db->GetSnapshot();
        for (int k = 0; k < kKeys; ++k) {
          std::string key = data_key(0, "k" + std::to_string(k));
          rocksdb::PinnableSlice cached, direct;
          rocksdb::Status cs = e().cached_get(key, ro, &cached);
          rocksdb::Status ds = db->Get(ro, e().cf(Cf::kData), key, &direct);
          if (cs.code() != ds.code() || (cs.ok() && cached.ToString() != direct.ToString())) disagreements++;
          std::string_view payload;
          RecordHeader h;
          if (cs.ok() && decode_record(std::string_view(cached.data(), cached.size()), &h, &payload) &&
              std::stoll(std::string(payload)) < floor) {
            regressions++;
          }
        }
        db->ReleaseSnapshot(ro.snapshot);
      }
    });
  }
  for (int i = 1; i <= kRounds; ++i) {
    if (i % 500 == 0) {
      acked = -1;
      ASSERT_TRUE(test::write(e(), [](Txn& t) {
        std::string lower = data_prefix(0);
        t.delete_range(Cf::kData, lower, prefix_successor(lower));
      }, true).ok());
    }
    ASSERT_TRUE(test::write(e(), [i](Txn& t) {
      for (int k = 0; k < kKeys; ++k) {
        std::string key = "k" + std::to_string(k);
        if (i % 7 == 0 && k == 3) del_in(t, 0, key);  // deleted and rewritten in one group
        put_in(t, 0, key, std::to_string(i));
      }
      if (i % 11 == 0) del_in(t, 0, "k5");  // deleted at the end of a group
    }).ok());
    acked = i % 11 == 0 ? -1 : i;
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(disagreements.load(), 0);
  EXPECT_EQ(regressions.load(), 0);
  EXPECT_GT(e().record_cache().hits(), 0u);
  EXPECT_EQ(get(e(), 0, "k0"), std::to_string(kRounds));
}

// --fsync always: one fsync per group that wrote, however many ops it
// carried, before any of them is acknowledged.
TEST_F(EngineTest, AlwaysAcknowledgesOnlyAfterAnFsync) {
  uint64_t before = e().stats().fsyncs.load();
  put(e(), 0, "a", "1");
  EXPECT_GE(e().stats().fsyncs.load(), before + 1);
  constexpr int kOps = 64;
  std::vector<std::unique_ptr<LambdaOp>> ops;
  for (int i = 0; i < kOps; ++i) {
    ops.push_back(std::make_unique<LambdaOp>([i](Txn& t) { put_in(t, 0, "k" + std::to_string(i), "v"); }));
  }
  uint64_t groups_before = e().stats().groups.load(), fsyncs_before = e().stats().fsyncs.load();
  for (auto& op : ops) e().submit(op.get());
  for (auto& op : ops) ASSERT_TRUE(op->wait().ok());
  uint64_t fsyncs = e().stats().fsyncs.load() - fsyncs_before;
  EXPECT_GE(fsyncs, 1u);
  EXPECT_EQ(fsyncs, e().stats().groups.load() - groups_before);
  // A group that wrote nothing needs no fsync.
  fsyncs_before = e().stats().fsyncs.load();
  EXPECT_TRUE(test::write(e(), [](Txn&) {}).ok());
  EXPECT_EQ(e().stats().fsyncs.load(), fsyncs_before);
  reopen();
  EXPECT_EQ(get(e(), 0, "k63"), "v");
}

// Commit listeners run after each commit that advanced the revision, with
// the new revision already visible, and stop once removed.
TEST_F(EngineTest, CommitListenersSeeEachCommit) {
  std::atomic<int> calls{0};
  std::atomic<uint64_t> seen{0};
  uint64_t id = e().add_commit_listener([&] {
    calls++;
    seen = e().last_revision();
  });
  put(e(), 0, "a", "1");
  put(e(), 0, "b", "2");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(seen.load(), e().last_revision());
  EXPECT_TRUE(test::write(e(), [](Txn&) {}).ok());  // wrote nothing: no call
  EXPECT_EQ(calls.load(), 2);
  e().remove_commit_listener(id);
  put(e(), 0, "c", "3");
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace cairn::engine
