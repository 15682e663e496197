// Argument helpers for handlers: case-insensitive keyword compare and number
// parsing that replies with Redis's error on failure.
#pragma once

#include <cstdint>
#include <span>
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
// LMPOP/ZMPOP's "numkeys key [key ...] SIDE [COUNT count]" from index
// `numkeys_at` (BLMPOP and BZMPOP have their timeout before it): the keys,
// whether the side was `second` rather than `first` (RIGHT, MAX), and the
// count (1 if none). Otherwise replies Redis's error and returns false.
bool arg_multi_pop(CommandCtx& ctx, size_t numkeys_at, std::string_view first, std::string_view second,
                   std::span<const std::string_view>* keys, bool* is_second, int64_t* count);

}  // namespace cairn::command
