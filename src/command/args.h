// Argument helpers for handlers: case-insensitive keyword compare and number
// parsing that replies with Redis's error on failure.
#pragma once

#include <cstdint>
#include <string_view>

#include "command/context.h"

namespace cairn::command {

bool iequals(std::string_view a, std::string_view b);
// Parse argument i; on failure reply the standard error and return false.
bool arg_int(CommandCtx& ctx, size_t i, int64_t* out);
bool arg_double(CommandCtx& ctx, size_t i, double* out);
// Expiry arguments: "EX 10" etc. `unit_ms` is 1000 for seconds. Replies
// "invalid expire time in '<cmd>' command" for non-positive or overflowing
// values. `absolute` for EXAT/PXAT. Result is an absolute unix time in ms.
// Every argument from index `from` on fits --max-value-bytes; otherwise replies
// Redis's "string exceeds maximum allowed size" error.
bool args_fit(CommandCtx& ctx, size_t from);
bool arg_expire(CommandCtx& ctx, size_t i, int64_t unit_ms, bool absolute, int64_t* at_ms);

}  // namespace cairn::command
