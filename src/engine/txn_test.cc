// Tests for the write group's reads (txn.h): an iterator over a family kept
// in the indexed batch stays inside its bounds, forwards and backwards, when
// the batch holds entries on both sides of them.
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

}  // namespace
}  // namespace cairn::engine
