// Which namespace holds each Redis database (SWAPDB): database d's keys live
// in namespace map[d]. Identity until the first SWAPDB; the map is one record
// in the meta family, "dbmap" (docs/FORMAT.md), written in the SWAPDB's commit.
#pragma once

#include <array>
#include <cstdint>

#include "engine/keys.h"
#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::model {

using DatabaseMap = std::array<uint8_t, engine::kUserNamespaces>;

DatabaseMap identity_database_map();
// The stored map (identity if none, or if the record is not a permutation).
DatabaseMap read_database_map(engine::View& v);
void put_database_map(engine::Txn& t, const DatabaseMap& map);

}  // namespace cairn::model
