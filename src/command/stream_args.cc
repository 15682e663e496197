// Stream argument parsing and entry replies; see stream_args.h.
#include "command/stream_args.h"

#include <fmt/format.h>

#include "command/introspection.h"

namespace cairn::command {

namespace {

// Redis's string2ull: decimal digits only, no sign, at most 2^64 - 1.
bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    auto d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

bool parse_stream_id(std::string_view s, model::StreamId* id, uint64_t missing_seq, bool strict, bool* seq_given) {
  if (s.size() > 127) return false;
  if (strict && (s == "-" || s == "+")) return false;
  if (seq_given) *seq_given = true;
  if (s == "-") {
    *id = model::kStreamIdMin;
    return true;
  }
  if (s == "+") {
    *id = model::kStreamIdMax;
    return true;
  }
  size_t dash = s.find('-');
  uint64_t ms = 0, seq = missing_seq;
  if (!parse_u64(s.substr(0, dash), &ms)) return false;
  if (dash != std::string_view::npos) {
    std::string_view rest = s.substr(dash + 1);
    if (seq_given && rest == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!parse_u64(rest, &seq)) {
      return false;
    }
  }
  *id = {ms, seq};
  return true;
}

bool arg_stream_id(CommandCtx& ctx, size_t i, model::StreamId* id, uint64_t missing_seq, bool strict,
                   bool* seq_given) {
  if (parse_stream_id(ctx.arg(i), id, missing_seq, strict, seq_given)) return true;
  ctx.reply.error(kInvalidStreamId);
  return false;
}

namespace {

bool arg_range_bound(CommandCtx& ctx, size_t i, model::StreamId* id, uint64_t missing_seq, bool* exclusive) {
  std::string_view a = ctx.arg(i);
  *exclusive = a.size() > 1 && a[0] == '(';
  bool ok = *exclusive ? parse_stream_id(a.substr(1), id, missing_seq, true, nullptr)
                       : parse_stream_id(a, id, missing_seq, false, nullptr);
  if (!ok) ctx.reply.error(kInvalidStreamId);
  return ok;
}

}  // namespace

bool arg_range_start(CommandCtx& ctx, size_t i, model::StreamId* id) {
  bool exclusive = false;
  if (!arg_range_bound(ctx, i, id, 0, &exclusive)) return false;
  if (exclusive && !model::stream_id_increment(id)) {
    ctx.reply.error("ERR invalid start ID for the interval");
    return false;
  }
  return true;
}

bool arg_range_end(CommandCtx& ctx, size_t i, model::StreamId* id) {
  bool exclusive = false;
  if (!arg_range_bound(ctx, i, id, UINT64_MAX, &exclusive)) return false;
  if (exclusive && !model::stream_id_decrement(id)) {
    ctx.reply.error("ERR invalid end ID for the interval");
    return false;
  }
  return true;
}

void reply_entry(Reply& r, const model::StreamEntry& e) {
  r.array(2);
  r.bulk(model::format_stream_id(e.id));
  r.array(e.fields.size());
  for (const auto& f : e.fields) r.bulk(f);
}

void reply_entries(Reply& r, const std::vector<model::StreamEntry>& entries) {
  r.array(entries.size());
  for (const auto& e : entries) reply_entry(r, e);
}

model::StreamNodeLimits node_limits(const CommandCtx& ctx) {
  return {ctx.server.settings().stream_node_max_entries.load(std::memory_order_relaxed),
          ctx.server.settings().stream_node_max_bytes.load(std::memory_order_relaxed)};
}

void subcommand_syntax_error(CommandCtx& ctx) {
  ctx.reply.error(introspection::one_line(
      fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
                  ctx.arg(1).substr(0, 128), introspection::upper(ctx.arg(0)))));
}

}  // namespace cairn::command
