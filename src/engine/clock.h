// Wall-clock helpers: TTLs are absolute Unix times in milliseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace cairn::engine {

inline int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t unix_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cairn::engine
