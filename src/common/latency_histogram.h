// A fixed-bucket latency histogram for /metrics: lock-free counters that any
// thread records into, read as Prometheus's cumulative `le` buckets. The
// bounds span a cached GET (about a microsecond) to a slow fsync (a second).
// Only bucket counts live here; a histogram's sum is the caller's existing
// time counter, so no extra atomic is paid per record.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace cairn {

class LatencyHistogram {
 public:
  // Upper bounds in microseconds; a last, implicit bucket is +Inf.
  static constexpr std::array<uint64_t, 16> kBoundsUsec = {1,    2,     5,     10,    25,     50,     100,    250,
                                                           500,  1000,  2500,  5000,  10000,  50000,  250000, 1000000};
  static constexpr size_t kBuckets = kBoundsUsec.size() + 1;

  void record(uint64_t usec) { counts_[bucket_of(usec)].fetch_add(1, std::memory_order_relaxed); }
  // The count of bucket i alone (not cumulative); i == kBuckets - 1 is +Inf.
  uint64_t count(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }

  static size_t bucket_of(uint64_t usec) {
    size_t i = 0;
    while (i < kBoundsUsec.size() && usec > kBoundsUsec[i]) ++i;
    return i;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

}  // namespace cairn
