// Overlay: newest write wins, nested savepoints restore exactly, sorted()
// orders bytewise (as RocksDB's default comparator does).
#include "engine/overlay.h"

#include <gtest/gtest.h>

namespace cairn::engine {
namespace {

std::string value_of(const Overlay& o, std::string_view key) {
  const Overlay::Pending* p = o.find(key);
  if (!p) return "<none>";
  return p->deleted ? "<deleted>" : p->value;
}

TEST(Overlay, NewestWriteWins) {
  Overlay o;
  EXPECT_EQ(value_of(o, "a"), "<none>");
  o.put("a", "1");
  o.put("a", "2");
  EXPECT_EQ(value_of(o, "a"), "2");
  o.del("a");
  EXPECT_EQ(value_of(o, "a"), "<deleted>");
  o.put("a", "3");
  EXPECT_EQ(value_of(o, "a"), "3");
  EXPECT_EQ(o.size(), 1u);
}

TEST(Overlay, NestedSavepointsRollBackExactly) {
  Overlay o;
  o.put("kept", "v0");
  o.save();
  o.put("kept", "v1");
  o.put("new", "n1");
  o.save();
  o.del("kept");
  o.put("inner", "i");
  o.rollback();  // inner savepoint
  EXPECT_EQ(value_of(o, "kept"), "v1");
  EXPECT_EQ(value_of(o, "inner"), "<none>");
  EXPECT_EQ(value_of(o, "new"), "n1");
  o.rollback();  // outer savepoint
  EXPECT_EQ(value_of(o, "kept"), "v0");
  EXPECT_EQ(value_of(o, "new"), "<none>");
  EXPECT_EQ(o.size(), 1u);
}

TEST(Overlay, PoppedSavepointKeepsWritesForTheOuterOne) {
  Overlay o;
  o.save();
  o.save();
  o.put("a", "1");
  o.pop();  // inner accepted
  EXPECT_EQ(value_of(o, "a"), "1");
  o.rollback();  // outer still undoes it
  EXPECT_EQ(value_of(o, "a"), "<none>");
  o.save();
  o.put("b", "2");
  o.pop();
  o.rollback();  // no savepoint open: nothing to undo
  EXPECT_EQ(value_of(o, "b"), "2");
}

TEST(Overlay, SortedIsBytewise) {
  Overlay o;
  o.put(std::string("\xff", 1), "high");
  o.put("b", "");
  o.put(std::string("a\0z", 3), "nul");
  o.del("a");
  auto s = o.sorted();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(*s[0].first, "a");
  EXPECT_TRUE(s[0].second->deleted);
  EXPECT_EQ(*s[1].first, std::string("a\0z", 3));
  EXPECT_EQ(*s[2].first, "b");
  EXPECT_EQ(*s[3].first, std::string("\xff", 1));
}

}  // namespace
}  // namespace cairn::engine
