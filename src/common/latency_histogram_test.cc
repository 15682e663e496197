// Bucket boundaries of LatencyHistogram: a value on a bound belongs to that
// bound's bucket (Prometheus's `le`), past the last bound is +Inf.
#include "common/latency_histogram.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(LatencyHistogram, BucketsFollowLessOrEqual) {
  EXPECT_EQ(LatencyHistogram::bucket_of(0), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_of(1), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_of(2), 1u);
  EXPECT_EQ(LatencyHistogram::bucket_of(3), 2u);
  EXPECT_EQ(LatencyHistogram::bucket_of(1000), 9u);
  EXPECT_EQ(LatencyHistogram::bucket_of(1001), 10u);
  EXPECT_EQ(LatencyHistogram::bucket_of(1000000), LatencyHistogram::kBuckets - 2);
  EXPECT_EQ(LatencyHistogram::bucket_of(1000001), LatencyHistogram::kBuckets - 1);
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, RecordCountsPerBucket) {
  LatencyHistogram h;
  h.record(1);
  h.record(1);
  h.record(7);
  h.record(5000000);
  EXPECT_EQ(h.count(0), 2u);
  EXPECT_EQ(h.count(LatencyHistogram::bucket_of(7)), 1u);
  EXPECT_EQ(h.count(LatencyHistogram::kBuckets - 1), 1u);
  uint64_t total = 0;
  for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i) total += h.count(i);
  EXPECT_EQ(total, 4u);
}

}  // namespace
}  // namespace cairn
