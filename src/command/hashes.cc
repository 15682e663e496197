// The hash family: HSET/HGET and friends, counters on fields, HRANDFIELD and
// HSCAN. Handlers parse arguments and write replies; the work is done by
// model/hash and model/hashed_members. Replies follow Redis 7.0, including
// RESP3 maps for HGETALL and [field, value] pairs for HRANDFIELD WITHVALUES.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/member_scan.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/hash.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

using model::Collection;
using model::OpStatus;

// Replies for a failed status; true if `s` was an error. Hash values that are
// not numbers get Redis's hash-specific wording.
bool reply_status_error(CommandCtx& ctx, OpStatus s) {
  switch (s) {
    case OpStatus::kOk:
    case OpStatus::kNotFound: return false;
    case OpStatus::kWrongType: ctx.reply.error(err::kWrongType); return true;
    case OpStatus::kNotInteger: ctx.reply.error("ERR hash value is not an integer"); return true;
    case OpStatus::kNotFloat: ctx.reply.error("ERR hash value is not a float"); return true;
    case OpStatus::kOverflow: ctx.reply.error(err::kOverflow); return true;
    case OpStatus::kTooLarge: ctx.reply.error(err::kStringTooLong); return true;
    case OpStatus::kNanOrInf: ctx.reply.error("ERR increment would produce NaN or Infinity"); return true;
  }
  return false;
}

// Opens argv[1] as a hash for a read; replies the error if it is another type.
// False when the handler is done (wrong type).
bool open_for_read(CommandCtx& ctx, Collection* h, OpStatus* s) {
  *s = model::open_hash(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, h);
  return !reply_status_error(ctx, *s);
}

void hset_generic(CommandCtx& ctx, bool is_hmset) {
  if (ctx.argc() % 2 == 1) {
    ctx.reply.error(err::wrong_arity(is_hmset ? "hmset" : "hset"));
    return;
  }
  if (!args_fit(ctx, 2)) return;
  int64_t added = 0;
  OpStatus s = model::hash_set(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.argv.subspan(2), &added);
  if (reply_status_error(ctx, s)) return;
  notify(ctx, engine::kEventHash, "hset", ctx.arg(1));
  if (is_hmset) ctx.reply.ok();
  else ctx.reply.integer(added);
}
void cmd_hset(CommandCtx& ctx) { hset_generic(ctx, false); }
void cmd_hmset(CommandCtx& ctx) { hset_generic(ctx, true); }

void cmd_hsetnx(CommandCtx& ctx) {
  if (!args_fit(ctx, 2)) return;
  bool set = false;
  OpStatus s = model::hash_set_if_absent(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), ctx.arg(3), &set);
  if (reply_status_error(ctx, s)) return;
  if (set) notify(ctx, engine::kEventHash, "hset", ctx.arg(1));
  ctx.reply.integer(set ? 1 : 0);
}

void cmd_hget(CommandCtx& ctx) {
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  std::string value;
  if (s == OpStatus::kOk && model::hash_get(ctx.view, h, ctx.arg(2), &value)) ctx.reply.bulk(value);
  else ctx.reply.null();
}

void cmd_hmget(CommandCtx& ctx) {
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  ctx.reply.array(ctx.argc() - 2);
  std::string value;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (s == OpStatus::kOk && model::hash_get(ctx.view, h, ctx.arg(i), &value)) ctx.reply.bulk(value);
    else ctx.reply.null();
  }
}

void cmd_hdel(CommandCtx& ctx) {
  int64_t removed = 0;
  OpStatus s = model::hash_delete(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.argv.subspan(2), &removed);
  if (reply_status_error(ctx, s)) return;
  if (removed > 0) {
    notify(ctx, engine::kEventHash, "hdel", ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
  }
  ctx.reply.integer(removed);
}

void cmd_hlen(CommandCtx& ctx) {
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  ctx.reply.integer(s == OpStatus::kOk ? h.meta.count : 0);
}

void cmd_hstrlen(CommandCtx& ctx) {
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  std::string value;
  bool found = s == OpStatus::kOk && model::hash_get(ctx.view, h, ctx.arg(2), &value);
  ctx.reply.integer(found ? static_cast<int64_t>(value.size()) : 0);
}

void cmd_hexists(CommandCtx& ctx) {
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  ctx.reply.integer(s == OpStatus::kOk && model::hash_get(ctx.view, h, ctx.arg(2), nullptr) ? 1 : 0);
}

enum class Parts { kFields, kValues, kBoth };

void hgetall_generic(CommandCtx& ctx, Parts parts) {
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  std::vector<model::MemberEntry> all;
  if (s == OpStatus::kOk) all = model::all_members(ctx.view, h, parts != Parts::kFields);
  if (parts == Parts::kBoth) ctx.reply.map(all.size());
  else ctx.reply.array(all.size());
  for (const auto& e : all) {
    if (parts != Parts::kValues) ctx.reply.bulk(e.name);
    if (parts != Parts::kFields) ctx.reply.bulk(e.value);
  }
}
void cmd_hkeys(CommandCtx& ctx) { hgetall_generic(ctx, Parts::kFields); }
void cmd_hvals(CommandCtx& ctx) { hgetall_generic(ctx, Parts::kValues); }
void cmd_hgetall(CommandCtx& ctx) { hgetall_generic(ctx, Parts::kBoth); }

void cmd_hincrby(CommandCtx& ctx) {
  int64_t delta;
  if (!arg_int(ctx, 3, &delta)) return;
  int64_t result = 0;
  OpStatus s = model::hash_incr_by(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), delta, &result);
  if (reply_status_error(ctx, s)) return;
  notify(ctx, engine::kEventHash, "hincrby", ctx.arg(1));
  ctx.reply.integer(result);
}

void cmd_hincrbyfloat(CommandCtx& ctx) {
  long double delta;
  if (!model::parse_long_double(ctx.arg(3), &delta)) {
    ctx.reply.error(err::kNotFloat);
    return;
  }
  if (std::isnan(delta) || std::isinf(delta)) {
    ctx.reply.error("ERR value is NaN or Infinity");
    return;
  }
  if (!args_fit(ctx, 2)) return;
  std::string result;
  OpStatus s = model::hash_incr_by_float(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), delta, &result);
  if (reply_status_error(ctx, s)) return;
  notify(ctx, engine::kEventHash, "hincrbyfloat", ctx.arg(1));
  ctx.reply.bulk(result);
}

// Replies picked fields: RESP3 nests each field/value pair in an array of
// two, RESP2 flattens them.
void reply_fields(CommandCtx& ctx, const std::vector<model::MemberEntry>& picks, bool with_values) {
  bool nested = with_values && ctx.reply.protocol() >= 3;
  ctx.reply.array(with_values && !nested ? picks.size() * 2 : picks.size());
  for (const auto& e : picks) {
    if (nested) ctx.reply.array(2);
    ctx.reply.bulk(e.name);
    if (with_values) ctx.reply.bulk(e.value);
  }
}

// HRANDFIELD key [count [WITHVALUES]]
void cmd_hrandfield(CommandCtx& ctx) {
  if (ctx.argc() == 2) {
    Collection h;
    OpStatus s;
    if (!open_for_read(ctx, &h, &s)) return;
    reply_random_member(ctx, h, s == OpStatus::kOk);
    return;
  }
  int64_t n;
  bool with_values;
  if (!parse_random_count(ctx, "withvalues", &n, &with_values)) return;
  Collection h;
  OpStatus s;
  if (!open_for_read(ctx, &h, &s)) return;
  if (s != OpStatus::kOk || n == 0) {
    ctx.reply.array(0);
    return;
  }
  std::vector<model::MemberEntry> picks;
  if (!pick_random_members(ctx, h, n, with_values, &picks)) return;
  reply_fields(ctx, picks, with_values);
}

std::string identity(std::string_view stored) { return std::string(stored); }

void cmd_hscan(CommandCtx& ctx) { reply_member_scan(ctx, engine::ValueType::kHash, identity); }

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since = "2.0.0") {
  return make_spec("hash", "@hash", name, arity, flags, 1, 1, 1, h, summary, since);
}

}  // namespace

void register_hash_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadOnly, F = kFast, M = kDenyOom;
  t.add(spec("hset", -4, W | M | F, cmd_hset, "Creates or modifies the value of a field in a hash."));
  t.add(spec("hmset", -4, W | M | F, cmd_hmset, "Sets the values of multiple fields."));
  t.add(spec("hsetnx", 4, W | M | F, cmd_hsetnx, "Sets the value of a field in a hash only when the field doesn't exist."));
  t.add(spec("hget", 3, R | F, cmd_hget, "Returns the value of a field in a hash."));
  t.add(spec("hmget", -3, R | F, cmd_hmget, "Returns the values of all fields in a hash."));
  t.add(spec("hdel", -3, W | F, cmd_hdel, "Deletes one or more fields and their values from a hash."));
  t.add(spec("hlen", 2, R | F, cmd_hlen, "Returns the number of fields in a hash."));
  t.add(spec("hstrlen", 3, R | F, cmd_hstrlen, "Returns the length of the value of a field.", "3.2.0"));
  t.add(spec("hexists", 3, R | F, cmd_hexists, "Determines whether a field exists in a hash."));
  t.add(spec("hkeys", 2, R, cmd_hkeys, "Returns all fields in a hash."));
  t.add(spec("hvals", 2, R, cmd_hvals, "Returns all values in a hash."));
  t.add(spec("hgetall", 2, R, cmd_hgetall, "Returns all fields and values in a hash."));
  t.add(spec("hincrby", 4, W | M | F, cmd_hincrby, "Increments the integer value of a field in a hash by a number."));
  t.add(spec("hincrbyfloat", 4, W | M | F, cmd_hincrbyfloat,
             "Increments the floating point value of a field by a number.", "2.6.0"));
  t.add(spec("hrandfield", -2, R, cmd_hrandfield, "Returns one or more random fields from a hash.", "6.2.0"));
  t.add(spec("hscan", -3, R, cmd_hscan, "Iterates over fields and values of a hash.", "2.8.0"));
}

}  // namespace cairn::command
