// Tests for the write group (txn.h): an iterator over a family kept in the
// indexed batch stays inside its bounds, forwards and backwards, when the
// batch holds entries on both sides of them; keyspace events are kept only
// for enabled classes, dropped with a rolled-back savepoint, and handed to
// the sink once the group commits.
#include "engine/txn.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/test_engine.h"

namespace cairn::engine {
namespace {

class TxnTest : public test::EngineFixture {};

TEST_F(TxnTest, BatchIteratorsStayInsideTheirBounds) {
  run([&](Txn& t) {
    for (const char* k : {"a0", "a1", "a2"}) t.put(Cf::kMembers, k, "stored");
  });
  run([&](Txn& t) {
    t.put(Cf::kMembers, "a", "pending, below");
    t.put(Cf::kMembers, "a1", "pending, inside");
    t.put(Cf::kMembers, "a3", "pending, inside");
    t.put(Cf::kMembers, "b0", "pending, above");
    t.put(Cf::kMembers, "b1", "pending, above");
    auto it = t.iterate(Cf::kMembers, "a0", "b");
    std::vector<std::string> forward, backward;
    for ((*it)->Seek("a0"); (*it)->Valid(); (*it)->Next()) forward.push_back((*it)->key().ToString());
    for ((*it)->SeekToLast(); (*it)->Valid(); (*it)->Prev()) backward.push_back((*it)->key().ToString());
    EXPECT_EQ(forward, (std::vector<std::string>{"a0", "a1", "a2", "a3"}));
    EXPECT_EQ(backward, (std::vector<std::string>{"a3", "a2", "a1", "a0"}));
    (*it)->Seek("");  // below the lower bound: starts at it
    ASSERT_TRUE((*it)->Valid());
    EXPECT_EQ((*it)->key().ToString(), "a0");
    (*it)->SeekForPrev("z");  // above the upper bound: the last key inside
    ASSERT_TRUE((*it)->Valid());
    EXPECT_EQ((*it)->key().ToString(), "a3");
  });
}

struct RecordingSink : KeyEventSink {
  std::vector<std::string> seen;
  void committed(const std::vector<KeyEvent>& events) override {
    for (const auto& e : events) seen.push_back(e.event + ":" + e.key);
  }
};

TEST_F(TxnTest, KeyEventsFollowTheMaskSavepointsAndTheCommit) {
  RecordingSink sink;
  run([&](Txn& t) { t.key_event(0, kEventString, "set", "off"); });  // no sink, mask 0
  engine().set_key_events(kEventKeyspace | kEventString, &sink);
  run([&](Txn& t) {
    t.put(Cf::kMeta, "x", "1");
    t.key_event(0, kEventString, "set", "a");
    t.key_event(0, kEventList, "lpush", "masked");
    t.set_savepoint();
    t.key_event(0, kEventString, "set", "rolled-back");
    t.rollback_to_savepoint();
    t.set_savepoint();
    t.key_event(0, kEventString, "append", "b");
    t.pop_savepoint();
    EXPECT_TRUE(sink.seen.empty()) << "published before the commit";
  });
  EXPECT_EQ(sink.seen, (std::vector<std::string>{"set:a", "append:b"}));
  engine().set_key_events(0, nullptr);
  run([&](Txn& t) {
    t.put(Cf::kMeta, "x", "2");
    t.key_event(0, kEventString, "set", "after");
  });
  EXPECT_EQ(sink.seen.size(), 2u);
}

}  // namespace
}  // namespace cairn::engine
