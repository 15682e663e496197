// Glob-style pattern matching with Redis's rules (KEYS, SCAN MATCH):
// * ? [abc] [^abc] [a-z] and backslash escapes, optionally case-insensitive.
#pragma once

#include <string>
#include <string_view>

namespace cairn::model {

bool glob_match(std::string_view pattern, std::string_view subject, bool nocase = false);
// The literal prefix every match must start with ("user:*" -> "user:").
std::string glob_literal_prefix(std::string_view pattern);

}  // namespace cairn::model
