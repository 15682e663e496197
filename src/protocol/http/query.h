// URL query strings: the value of one parameter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cairn::protocol::http {

// The first value of `name` in `query` (a=1&b=2), percent-decoded with '+'
// as a space; "" for a bare `name`; nullopt if absent or malformed.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace cairn::protocol::http
