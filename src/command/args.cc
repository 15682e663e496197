// Argument helpers; see args.h.
#include "command/args.h"

#include <cctype>
#include <limits>

#include "command/errors.h"
#include "command/server_context.h"
#include "model/numbers.h"

namespace cairn::command {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool arg_int(CommandCtx& ctx, size_t i, int64_t* out) {
  if (model::parse_int64(ctx.arg(i), out)) return true;
  ctx.reply.error(err::kNotInteger);
  return false;
}

bool arg_double(CommandCtx& ctx, size_t i, double* out) {
  if (model::parse_double(ctx.arg(i), out)) return true;
  ctx.reply.error(err::kNotFloat);
  return false;
}

bool args_fit(CommandCtx& ctx, size_t from) {
  const uint64_t max = ctx.server.settings().max_value_bytes.load();
  for (size_t i = from; i < ctx.argc(); ++i) {
    if (ctx.arg(i).size() > max) {
      ctx.reply.error(err::kStringTooLong);
      return false;
    }
  }
  return true;
}

bool arg_expire(CommandCtx& ctx, size_t i, int64_t unit_ms, bool absolute, int64_t* at_ms) {
  int64_t v;
  if (!arg_int(ctx, i, &v)) return false;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (v <= 0 || v > kMax / unit_ms) {
    ctx.reply.error(err::invalid_expire(ctx.arg(0)));
    return false;
  }
  int64_t ms = v * unit_ms;
  if (!absolute) {
    if (ms > kMax - ctx.now_ms) {
      ctx.reply.error(err::invalid_expire(ctx.arg(0)));
      return false;
    }
    ms += ctx.now_ms;
  }
  *at_ms = ms;
  return true;
}

bool arg_multi_pop(CommandCtx& ctx, size_t numkeys_at, std::string_view first, std::string_view second,
                   std::span<const std::string_view>* keys, bool* is_second, int64_t* count) {
  int64_t numkeys;
  if (!model::parse_int64(ctx.arg(numkeys_at), &numkeys) || numkeys < 1) {
    ctx.reply.error("ERR numkeys should be greater than 0");
    return false;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc() - numkeys_at) - 2) {  // no room for the side
    ctx.reply.error(err::kSyntax);
    return false;
  }
  const size_t side = numkeys_at + 1 + static_cast<size_t>(numkeys);
  if (iequals(ctx.arg(side), first)) {
    *is_second = false;
  } else if (iequals(ctx.arg(side), second)) {
    *is_second = true;
  } else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  *count = -1;
  for (size_t i = side + 1; i < ctx.argc(); ++i) {
    if (*count == -1 && iequals(ctx.arg(i), "count") && i + 1 < ctx.argc()) {
      if (!model::parse_int64(ctx.arg(++i), count) || *count < 1) {
        ctx.reply.error("ERR count should be greater than 0");
        return false;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (*count == -1) *count = 1;
  *keys = ctx.argv.subspan(numkeys_at + 1, static_cast<size_t>(numkeys));
  return true;
}

}  // namespace cairn::command
