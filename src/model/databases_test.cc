// Tests for the database-to-namespace map (databases.h): identity in a new
// store, a stored permutation read back, and a damaged record ignored.
#include "model/databases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "engine/test_engine.h"

namespace cairn::model {
namespace {

class DatabasesTest : public test::EngineFixture {};

TEST_F(DatabasesTest, NewStoreIsIdentity) {
  DatabaseMap m = read_database_map(committed());
  for (size_t d = 0; d < m.size(); ++d) EXPECT_EQ(m[d], d);
}

TEST_F(DatabasesTest, StoredSwapReadsBack) {
  DatabaseMap m = identity_database_map();
  std::swap(m[0], m[9]);
  run([&](engine::Txn& t) { put_database_map(t, m); });
  EXPECT_EQ(read_database_map(committed()), m);
}

TEST_F(DatabasesTest, RecordThatIsNotAPermutationIsIgnored) {
  DatabaseMap m = identity_database_map();
  m[3] = 0;  // two databases in namespace 0
  run([&](engine::Txn& t) { put_database_map(t, m); });
  EXPECT_EQ(read_database_map(committed()), identity_database_map());
  run([&](engine::Txn& t) { t.put(engine::Cf::kMeta, "dbmap", "short"); });
  EXPECT_EQ(read_database_map(committed()), identity_database_map());
}

}  // namespace
}  // namespace cairn::model
