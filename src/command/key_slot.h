// The registries of WATCHed keys and of blocked clients index keys by their
// database and name together: one string, the namespace byte then the key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::command {

inline std::string key_slot(uint8_t ns, std::string_view key) {
  std::string k;
  k.reserve(1 + key.size());
  k.push_back(static_cast<char>(ns));
  k.append(key);
  return k;
}

}  // namespace cairn::command
