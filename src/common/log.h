// Minimal logging to stderr: one line per event with a timestamp and level.
// Header-only so every layer can log without depending on the others.
#pragma once

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace cairn::log {

template <typename... Args>
void write(const char* level, fmt::format_string<Args...> f, Args&&... args) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string line = fmt::format("{:%Y-%m-%d %H:%M:%S}.{:03d} {} ", fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                                 static_cast<int>(ms), level);
  line += fmt::format(f, std::forward<Args>(args)...);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) { write("INFO", f, std::forward<Args>(args)...); }
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) { write("WARN", f, std::forward<Args>(args)...); }
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) { write("ERROR", f, std::forward<Args>(args)...); }

}  // namespace cairn::log
