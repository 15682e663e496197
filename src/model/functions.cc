// Function libraries on disk; see functions.h.
#include "model/functions.h"

#include "engine/status.h"

namespace cairn::model {

namespace {
constexpr std::string_view kPrefix = "function:";
std::string library_key(std::string_view name) { return std::string(kPrefix) + std::string(name); }
}  // namespace

void put_function_library(engine::Txn& t, std::string_view name, std::string_view code) {
  t.put(engine::Cf::kMeta, library_key(name), code);
}

void delete_function_library(engine::Txn& t, std::string_view name) { t.del(engine::Cf::kMeta, library_key(name)); }

std::vector<std::pair<std::string, std::string>> function_libraries(engine::View& v) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string upper(kPrefix);
  upper.back() = static_cast<char>(upper.back() + 1);
  auto it = v.iterate(engine::Cf::kMeta, std::string(kPrefix), upper);
  for ((*it)->Seek(std::string(kPrefix)); (*it)->Valid(); (*it)->Next()) {
    std::string key = (*it)->key().ToString();
    out.emplace_back(key.substr(kPrefix.size()), (*it)->value().ToString());
  }
  engine::check((*it)->status());
  return out;
}

}  // namespace cairn::model
