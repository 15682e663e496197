// Tests for the stream model (stream.h, stream_groups.h) against a real
// Engine: the sortable ID encoding, Redis's ID rules in stream_append, node
// accounting and trimming (exact and by whole nodes, with reads in the same
// commit bounded by the first live ID), XDEL's counters, the consumer-group
// records keeping their counts, and a restart that reads it all back.
#include "model/stream.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/keys.h"
#include "engine/test_engine.h"
#include "model/stream_groups.h"

namespace cairn::model {
namespace {

constexpr std::string_view kKey = "s";

class StreamTest : public test::EngineFixture {
 protected:
  // Appends `n` entries with IDs (first + i)-1 and one field, in one commit.
  void add(uint64_t first_ms, int n, StreamNodeLimits limits = {}) {
    run([&](Txn& t) {
      Collection c;
      ASSERT_EQ(open_stream_for_write(t, 0, kKey, true, &c), OpStatus::kOk);
      for (int i = 0; i < n; ++i) {
        std::string v = "v" + std::to_string(first_ms + i);
        std::vector<std::string_view> fields{"f", v};
        StreamId added;
        ASSERT_EQ(stream_append(t, &c, StreamId{first_ms + static_cast<uint64_t>(i), 1}, true, fields, limits,
                                &added),
                  StreamAddResult::kOk);
      }
      save_stream(t, 0, kKey, &c);
    });
  }
  Collection open() {
    Collection c;
    EXPECT_EQ(open_stream(committed(), 0, kKey, 0, &c), OpStatus::kOk);
    return c;
  }
  // The node records there are; the meta's count must agree.
  int64_t node_records() {
    Collection c = open();
    int64_t n = 0;
    auto it = committed().iterate(engine::Cf::kMembers, c.tag_begin(engine::kTagStreamNode),
                                  c.tag_end(engine::kTagStreamNode));
    for ((*it)->Seek(c.tag_begin(engine::kTagStreamNode)); (*it)->Valid(); (*it)->Next()) ++n;
    EXPECT_EQ(stream_node_count(c), n);
    return n;
  }
  std::vector<uint64_t> ids() {
    node_records();
    Collection c = open();
    std::vector<uint64_t> out;
    for (const auto& e : stream_range(committed(), c, kStreamIdMin, kStreamIdMax, 0, false)) out.push_back(e.id.ms);
    return out;
  }
  int64_t trim(StreamTrim spec) {
    int64_t removed = -1;
    run([&](Txn& t) {
      Collection c;
      ASSERT_EQ(open_stream_for_write(t, 0, kKey, false, &c), OpStatus::kOk);
      removed = stream_trim(t, &c, spec);
      // Read in the same commit, after range deletes it cannot see.
      auto left = stream_range(t, c, kStreamIdMin, kStreamIdMax, 0, false);
      EXPECT_EQ(static_cast<int64_t>(left.size()), c.meta.count);
      save_stream(t, 0, kKey, &c);
    });
    return removed;
  }
};

TEST(StreamIdTest, EncodingSortsLikeIds) {
  std::vector<StreamId> in{{0, 0}, {0, 1}, {1, 0}, {255, UINT64_MAX}, {256, 0}, {UINT64_MAX, UINT64_MAX}};
  for (size_t i = 0; i + 1 < in.size(); ++i) {
    EXPECT_LT(encode_stream_id(in[i]), encode_stream_id(in[i + 1]));
    EXPECT_EQ(decode_stream_id(encode_stream_id(in[i])), in[i]);
  }
  EXPECT_EQ(format_stream_id({1526919030474, 55}), "1526919030474-55");
  StreamId top = kStreamIdMax;
  EXPECT_FALSE(stream_id_increment(&top));
  StreamId carry{7, UINT64_MAX};
  EXPECT_TRUE(stream_id_increment(&carry));
  EXPECT_EQ(carry, (StreamId{8, 0}));
}

TEST_F(StreamTest, AppendFollowsRedisIdRules) {
  run([&](Txn& t) {
    Collection c;
    ASSERT_EQ(open_stream_for_write(t, 0, kKey, true, &c), OpStatus::kOk);
    std::vector<std::string_view> fields{"a", "1"};
    StreamId added;
    EXPECT_EQ(stream_append(t, &c, StreamId{5, 0}, false, fields, {}, &added), StreamAddResult::kOk);
    EXPECT_EQ(added, (StreamId{5, 0}));
    // 5-* again: the next sequence.
    EXPECT_EQ(stream_append(t, &c, StreamId{5, 0}, false, fields, {}, &added), StreamAddResult::kOk);
    EXPECT_EQ(added, (StreamId{5, 1}));
    EXPECT_EQ(stream_append(t, &c, StreamId{5, 1}, true, fields, {}, &added), StreamAddResult::kIdNotGreater);
    EXPECT_EQ(stream_append(t, &c, StreamId{4, 9}, true, fields, {}, &added), StreamAddResult::kIdNotGreater);
    // '*' with a clock behind the last ID: last ms, next sequence.
    EXPECT_EQ(stream_append(t, &c, std::nullopt, false, fields, {}, &added), StreamAddResult::kOk);
    EXPECT_GT(added, (StreamId{5, 1}));
    EXPECT_EQ(c.meta.count, 3);
    EXPECT_EQ(c.meta.stream.entries_added, 3u);
    save_stream(t, 0, kKey, &c);
  });
  EXPECT_EQ(stream_first_id(open()), (StreamId{5, 0}));
}

TEST_F(StreamTest, ExactMaxLenKeepsTheNewest) {
  add(1, 250, {10, 0});
  EXPECT_EQ(node_records(), 25);
  EXPECT_EQ(trim({TrimStrategy::kMaxLen, false, 0, 7, {}}), 243);
  EXPECT_EQ(ids(), (std::vector<uint64_t>{244, 245, 246, 247, 248, 249, 250}));
  EXPECT_EQ(stream_first_id(open()), (StreamId{244, 1}));
  EXPECT_EQ(open().meta.stream.entries_added, 250u);
}

TEST_F(StreamTest, ApproximateTrimRemovesWholeNodesOnly) {
  add(1, 95, {10, 0});  // nodes of 10: 1-10, 11-20, ..., 91-95
  // MAXLEN ~ 42: only whole nodes may go, and no more than leaves 42.
  EXPECT_EQ(trim({TrimStrategy::kMaxLen, true, 0, 42, {}}), 50);
  EXPECT_EQ(open().meta.count, 45);
  EXPECT_EQ(node_records(), 5);
  EXPECT_EQ(ids().front(), 51u);
  // LIMIT caps the entries removed: one node of 10 at most.
  EXPECT_EQ(trim({TrimStrategy::kMaxLen, true, 10, 0, {}}), 10);
  EXPECT_EQ(ids().front(), 61u);
  // MINID ~: a node goes only when all of it is below.
  EXPECT_EQ(trim({TrimStrategy::kMinId, true, 0, 0, {75, 0}}), 10);
  EXPECT_EQ(ids().front(), 71u);
}

TEST_F(StreamTest, DeleteKeepsCountersAndTrimSkipsTombstones) {
  add(1, 20, {5, 0});
  run([&](Txn& t) {
    Collection c;
    ASSERT_EQ(open_stream_for_write(t, 0, kKey, false, &c), OpStatus::kOk);
    std::vector<StreamId> del{{1, 1}, {2, 1}, {3, 1}, {12, 1}, {99, 1}};
    EXPECT_EQ(stream_delete(t, &c, del), 4);
    save_stream(t, 0, kKey, &c);
  });
  EXPECT_EQ(node_records(), 4);  // 1-5 (two live), 6-10, 11-15 (12 gone), 16-20
  Collection c = open();
  EXPECT_EQ(c.meta.count, 16);
  EXPECT_EQ(stream_first_id(c), (StreamId{4, 1}));
  EXPECT_EQ(stream_max_deleted_id(c), (StreamId{12, 1}));
  EXPECT_TRUE(stream_range_has_tombstones(c, {10, 0}, {13, 0}));
  EXPECT_FALSE(stream_range_has_tombstones(c, {13, 0}, kStreamIdMax));
  // The first node (1-5) has two live entries left; MAXLEN = 14 removes them
  // and the live ones after, counting only entries that exist.
  EXPECT_EQ(trim({TrimStrategy::kMaxLen, false, 0, 14, {}}), 2);
  EXPECT_EQ(ids().front(), 6u);
}

TEST_F(StreamTest, GroupCountsFollowPendingEntries) {
  add(1, 10);
  run([&](Txn& t) {
    Collection c;
    ASSERT_EQ(open_stream_for_write(t, 0, kKey, false, &c), OpStatus::kOk);
    StreamGroup g;
    g.name = "g";
    ASSERT_TRUE(create_group(t, &c, g));
    EXPECT_FALSE(create_group(t, &c, g));
    bool created = false;
    lookup_or_create_consumer(t, c, &g, "alice", 1000, &created);
    EXPECT_TRUE(created);
    lookup_or_create_consumer(t, c, &g, "bob", 1000, &created);
    for (uint64_t ms = 1; ms <= 6; ++ms) {
      PendingEntry e{{ms, 1}, ms <= 4 ? "alice" : "bob", 1000, 1};
      put_pending(t, c, &g, std::nullopt, e);
    }
    // Claim 2-1 from alice for bob.
    auto old = get_pending(t, c, "g", {2, 1});
    ASSERT_TRUE(old.has_value());
    PendingEntry moved = *old;
    moved.consumer = "bob";
    moved.delivery_count = 2;
    put_pending(t, c, &g, old, moved);
    put_group(t, c, g);
    save_stream(t, 0, kKey, &c);
  });
  reopen();
  Collection c = open();
  StreamGroup g;
  ASSERT_TRUE(get_group(committed(), c, "g", &g));
  EXPECT_EQ(g.pending, 6);
  EXPECT_EQ(g.consumers, 2);
  PendingSummary sum = pending_summary(committed(), c, g);
  EXPECT_EQ(sum.count, 6);
  EXPECT_EQ(sum.min, (StreamId{1, 1}));
  EXPECT_EQ(sum.max, (StreamId{6, 1}));
  ASSERT_EQ(sum.consumers.size(), 2u);
  EXPECT_EQ(sum.consumers[0], (std::pair<std::string, int64_t>{"alice", 3}));
  EXPECT_EQ(sum.consumers[1], (std::pair<std::string, int64_t>{"bob", 3}));
  auto bobs = pending_range(committed(), c, "g", kStreamIdMin, kStreamIdMax, 0, std::string_view("bob"));
  ASSERT_EQ(bobs.size(), 3u);
  EXPECT_EQ(bobs[0].id, (StreamId{2, 1}));
  EXPECT_EQ(bobs[0].delivery_count, 2);

  run([&](Txn& t) {
    Collection w;
    ASSERT_EQ(open_stream_for_write(t, 0, kKey, false, &w), OpStatus::kOk);
    StreamGroup wg;
    ASSERT_TRUE(get_group(t, w, "g", &wg));
    EXPECT_EQ(delete_consumer(t, w, &wg, "alice"), 3);
    EXPECT_EQ(delete_consumer(t, w, &wg, "nobody"), -1);
    put_group(t, w, wg);
  });
  c = open();
  ASSERT_TRUE(get_group(committed(), c, "g", &g));
  EXPECT_EQ(g.pending, 3);
  EXPECT_EQ(g.consumers, 1);
  EXPECT_EQ(pending_range(committed(), c, "g", kStreamIdMin, kStreamIdMax, 0, std::nullopt).size(), 3u);

  run([&](Txn& t) {
    Collection w;
    ASSERT_EQ(open_stream_for_write(t, 0, kKey, false, &w), OpStatus::kOk);
    EXPECT_TRUE(destroy_group(t, &w, "g"));
    save_stream(t, 0, kKey, &w);
  });
  c = open();
  EXPECT_FALSE(get_group(committed(), c, "g", &g));
  EXPECT_EQ(c.meta.stream.groups, 0u);
  // Nothing of the group is left under the stream's version.
  auto it = committed().iterate(engine::Cf::kMembers, c.tag_begin(engine::kTagStreamGroup),
                                c.tag_end(engine::kTagStreamConsumerPel));
  (*it)->Seek(c.tag_begin(engine::kTagStreamGroup));
  int left = 0;
  for (; (*it)->Valid(); (*it)->Next()) {
    char tag = (*it)->key()[c.prefix.size()];
    if (tag != engine::kTagStreamNode) ++left;
  }
  EXPECT_EQ(left, 0);
}

}  // namespace
}  // namespace cairn::model
