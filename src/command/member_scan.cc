// Collection *SCAN; see member_scan.h.
#include "command/member_scan.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/server_context.h"
#include "model/collection.h"
#include "model/glob.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

void reply_empty_page(CommandCtx& ctx) {
  ctx.reply.array(2);
  ctx.reply.bulk("0");
  ctx.reply.array(0);
}

}  // namespace

void reply_member_scan(CommandCtx& ctx, engine::ValueType type, ScanValueFormat format_value) {
  // Redis's order: the cursor, then the key, then the options.
  uint64_t cursor;
  if (!model::parse_uint64(ctx.arg(2), &cursor)) {
    ctx.reply.error("ERR invalid cursor");
    return;
  }
  model::Collection c;
  model::OpStatus s = model::open_collection(ctx.view, ctx.ns(), ctx.arg(1), type, ctx.now_ms, &c);
  if (s == model::OpStatus::kWrongType) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  if (s == model::OpStatus::kNotFound) {
    reply_empty_page(ctx);
    return;
  }
  std::string_view pattern;
  int64_t count = 10;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (iequals(a, "count") && has_next) {
      if (!arg_int(ctx, ++i, &count)) return;
      if (count < 1) {
        ctx.reply.error(err::kSyntax);
        return;
      }
    } else if (iequals(a, "match") && has_next) {
      pattern = ctx.arg(++i);
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  // Cursors are 32-bit hash positions plus one; anything larger is past the end.
  if (cursor > (uint64_t{1} << 32)) {
    reply_empty_page(ctx);
    return;
  }
  const bool match_all = pattern.empty() || pattern == "*";
  std::vector<std::pair<std::string, std::string>> found;
  uint64_t next = model::scan_members(ctx.view, c, cursor, static_cast<size_t>(count),
                                      [&](std::string_view name, std::string_view value) {
                                        if (!match_all && !model::glob_match(pattern, name)) return;
                                        found.emplace_back(name, format_value ? format_value(value) : std::string());
                                      });
  ctx.reply.array(2);
  ctx.reply.bulk(model::format_int64(static_cast<int64_t>(next)));
  ctx.reply.array(format_value ? found.size() * 2 : found.size());
  for (const auto& [name, value] : found) {
    ctx.reply.bulk(name);
    if (format_value) ctx.reply.bulk(value);
  }
}

bool pick_random_members(CommandCtx& ctx, const model::Collection& c, int64_t n, bool with_values,
                         std::vector<model::MemberEntry>* out) {
  uint64_t count = n > 0 ? static_cast<uint64_t>(n) : 0 - static_cast<uint64_t>(n);
  if (n > 0) {
    *out = model::random_distinct_members(ctx.view, c, count, with_values);
    return true;
  }
  // Repeats allowed: the reply has exactly `count` entries, so refuse one
  // that could not fit the output buffer rather than build it.
  if (count * (with_values ? 2 : 1) > ctx.server.settings().output_buffer_limit.load() / 8) {
    ctx.reply.error("ERR count is too large: the reply would exceed the output buffer limit");
    return false;
  }
  *out = model::random_members(ctx.view, c, count, with_values);
  return true;
}

bool parse_random_count(CommandCtx& ctx, std::string_view with_word, int64_t* n, bool* with) {
  constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();
  if (!arg_int(ctx, 2, n)) return false;
  if (*n < -kLongMax) {
    ctx.reply.error(fmt::format("ERR value is out of range, value must between {} and {}", -kLongMax, kLongMax));
    return false;
  }
  *with = false;
  if (ctx.argc() > 4 || (ctx.argc() == 4 && !iequals(ctx.arg(3), with_word))) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  if (ctx.argc() == 4) {
    *with = true;
    if (*n < -kLongMax / 2 || *n > kLongMax / 2) {
      ctx.reply.error("ERR value is out of range");
      return false;
    }
  }
  return true;
}

void reply_random_member(CommandCtx& ctx, const model::Collection& c, bool exists) {
  auto picks = exists ? model::random_members(ctx.view, c, 1, false) : std::vector<model::MemberEntry>();
  if (picks.empty()) ctx.reply.null();
  else ctx.reply.bulk(picks[0].name);
}

}  // namespace cairn::command
