// Redis Functions' libraries on disk: each library's source code is one
// record in the meta family under "function:" + name (docs/FORMAT.md), written
// in the commit of the FUNCTION LOAD / DELETE / FLUSH that changes it, so
// functions survive a restart (scripts in the EVAL cache do not, as in Redis).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::model {

void put_function_library(engine::Txn& t, std::string_view name, std::string_view code);
void delete_function_library(engine::Txn& t, std::string_view name);
// Every stored library as (name, code), in name order.
std::vector<std::pair<std::string, std::string>> function_libraries(engine::View& v);

}  // namespace cairn::model
