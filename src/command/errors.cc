// Formatted error strings; see errors.h.
#include "command/errors.h"

#include <fmt/format.h>

namespace cairn::command::err {

std::string wrong_arity(std::string_view command) {
  return fmt::format("ERR wrong number of arguments for '{}' command", command);
}

std::string invalid_expire(std::string_view command) {
  return fmt::format("ERR invalid expire time in '{}' command", command);
}

std::string storage(std::string_view what) { return fmt::format("ERR storage error: {}", what); }

}  // namespace cairn::command::err
