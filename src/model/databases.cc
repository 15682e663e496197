// The database-to-namespace map; see databases.h.
#include "model/databases.h"

#include <algorithm>
#include <numeric>

#include "engine/status.h"

namespace cairn::model {

namespace {
constexpr std::string_view kKey = "dbmap";
}  // namespace

DatabaseMap identity_database_map() {
  DatabaseMap m;
  std::iota(m.begin(), m.end(), uint8_t{0});
  return m;
}

DatabaseMap read_database_map(engine::View& v) {
  rocksdb::PinnableSlice raw;
  rocksdb::Status s = v.get(engine::Cf::kMeta, kKey, &raw);
  if (s.IsNotFound()) return identity_database_map();
  engine::check(s);
  DatabaseMap m = identity_database_map();
  if (raw.size() != m.size()) return m;
  DatabaseMap stored;
  std::copy(raw.data(), raw.data() + raw.size(), stored.begin());
  DatabaseMap sorted = stored;
  std::sort(sorted.begin(), sorted.end());
  return sorted == m ? stored : m;
}

void put_database_map(engine::Txn& t, const DatabaseMap& map) {
  t.put(engine::Cf::kMeta, kKey, std::string_view(reinterpret_cast<const char*>(map.data()), map.size()));
}

}  // namespace cairn::model
