// A bounded in-memory cache of data-family records (and of their absence) in
// front of RocksDB, so a hot GET or the read before a SET is one hash lookup
// instead of a walk through memtables, filters and blocks.
//
// Eviction is SIEVE (a FIFO queue with a "visited" bit and a moving hand):
// as simple as CLOCK, scan-resistant like S3-FIFO, and a hit only sets a bit.
//
// Coherence with snapshots. Every entry carries the RocksDB sequence number
// at which it was known to be the newest value. The writer calls
// begin_write() for each key before its batch becomes visible (the entry is
// dropped and the key's shard marked busy) and end_write() afterwards (the
// new value goes in, stamped with the batch's sequence). So an entry present
// in the cache is always the newest committed value, and a reader at
// snapshot S may use it when entry.seq <= S; newer entries send it to
// RocksDB. A reader that fills the cache after a miss may only do so while
// no write to that shard is in flight and when its snapshot is not older
// than the shard's last write (the fence), so it cannot reinstate a value
// that a write has just replaced.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace cairn::engine {

class RecordCache {
 public:
  enum class Hit { kMiss, kPresent, kAbsent };

  explicit RecordCache(size_t capacity_bytes);
  ~RecordCache();
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;

  // For a reader at sequence `seq`: kPresent (value copied to *value),
  // kAbsent (the key is known not to exist), or kMiss.
  Hit get(std::string_view key, uint64_t seq, std::string* value);
  // After reading RocksDB at `seq`: value == nullptr records absence.
  void fill(std::string_view key, const std::string_view* value, uint64_t seq);

  // The writer, around a batch that writes `key`.
  void begin_write(std::string_view key);
  // value == nullptr: deleted. ok == false: the batch failed (nothing cached).
  void end_write(std::string_view key, const std::string_view* value, uint64_t seq, bool ok);
  // Around a batch with range deletes over the data family (FLUSHDB).
  void begin_write_all();
  void end_write_all(uint64_t seq);

  size_t capacity() const { return capacity_; }
  size_t charged() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Node;
  struct Shard;
  static constexpr int kShardBits = 6;
  static constexpr int kShards = 1 << kShardBits;
  static uint64_t hash_of(std::string_view key);
  Shard& shard_for(uint64_t hash);

  size_t capacity_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace cairn::engine
