// Formatted error strings; see errors.h.
#include "command/errors.h"

#include <fmt/format.h>

#include <cctype>

namespace cairn::command::err {

std::string wrong_arity(std::string_view command) {
  return fmt::format("ERR wrong number of arguments for '{}' command", command);
}

std::string invalid_expire(std::string_view command) {
  // Redis names the command by its canonical (lower-case) name here.
  std::string name(command);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return fmt::format("ERR invalid expire time in '{}' command", name);
}

std::string storage(std::string_view what) { return fmt::format("ERR storage error: {}", what); }

}  // namespace cairn::command::err
