// Number parsing and formatting with Redis's rules: integers are strict
// decimal (no spaces, no '+', no leading zeros), floats reject NaN and
// trailing garbage, and long doubles print in Redis's human-friendly form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::model {

bool parse_int64(std::string_view s, int64_t* out);
bool parse_uint64(std::string_view s, uint64_t* out);
bool parse_double(std::string_view s, double* out);  // accepts inf/-inf, rejects nan
bool parse_long_double(std::string_view s, long double* out);
std::string format_int64(int64_t v);
// "%.17Lf" with trailing zeros (and a trailing '.') removed, as INCRBYFLOAT stores.
std::string format_long_double(long double v);

}  // namespace cairn::model
