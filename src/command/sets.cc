// The set family: SADD/SREM and membership, SPOP/SRANDMEMBER, SMOVE, the set
// algebra (SINTER/SUNION/SDIFF, their *STORE forms, SINTERCARD) and SSCAN.
// Handlers parse arguments and write replies; the work is done by model/set.
// Replies follow Redis 7.0: RESP3 sets for SMEMBERS, SINTER, SUNION, SDIFF
// and SPOP with a count; arrays for SRANDMEMBER and SMISMEMBER.
#include <fmt/format.h>

#include <limits>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/member_scan.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/keys.h"
#include "model/numbers.h"
#include "model/set.h"

namespace cairn::command {

namespace {

using model::Collection;
using model::OpStatus;
using model::SetCombine;

constexpr int64_t kLongMax = std::numeric_limits<int64_t>::max();

bool reply_wrong_type(CommandCtx& ctx, OpStatus s) {
  if (s != OpStatus::kWrongType) return false;
  ctx.reply.error(err::kWrongType);
  return true;
}

void reply_set(CommandCtx& ctx, const std::vector<std::string>& members) {
  ctx.reply.set(members.size());
  for (const auto& m : members) ctx.reply.bulk(m);
}

void cmd_sadd(CommandCtx& ctx) {
  if (!args_fit(ctx, 2)) return;
  int64_t added = 0;
  OpStatus s = model::set_add(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.argv.subspan(2), &added);
  if (reply_wrong_type(ctx, s)) return;
  if (added > 0) notify(ctx, engine::kEventSet, "sadd", ctx.arg(1));
  ctx.reply.integer(added);
}

void cmd_srem(CommandCtx& ctx) {
  int64_t removed = 0;
  OpStatus s = model::set_remove(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.argv.subspan(2), &removed);
  if (reply_wrong_type(ctx, s)) return;
  if (removed > 0) {
    notify(ctx, engine::kEventSet, "srem", ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
  }
  ctx.reply.integer(removed);
}

void cmd_sismember(CommandCtx& ctx) {
  Collection c;
  OpStatus s = model::open_set(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (reply_wrong_type(ctx, s)) return;
  ctx.reply.integer(s == OpStatus::kOk && model::set_contains(ctx.view, c, ctx.arg(2)) ? 1 : 0);
}

void cmd_smismember(CommandCtx& ctx) {
  Collection c;
  OpStatus s = model::open_set(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (reply_wrong_type(ctx, s)) return;
  ctx.reply.array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply.integer(s == OpStatus::kOk && model::set_contains(ctx.view, c, ctx.arg(i)) ? 1 : 0);
  }
}

void cmd_scard(CommandCtx& ctx) {
  Collection c;
  OpStatus s = model::open_set(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (reply_wrong_type(ctx, s)) return;
  ctx.reply.integer(s == OpStatus::kOk ? c.meta.count : 0);
}

// SPOP key [count]
void notify_spop(CommandCtx& ctx, const std::vector<std::string>& popped) {
  if (popped.empty()) return;
  notify(ctx, engine::kEventSet, "spop", ctx.arg(1));
  notify_del_if_gone(ctx, ctx.arg(1));
}

void cmd_spop(CommandCtx& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  std::vector<std::string> popped;
  if (ctx.argc() == 2) {
    OpStatus s = model::set_pop(ctx.txn(), ctx.ns(), ctx.arg(1), 1, &popped);
    if (reply_wrong_type(ctx, s)) return;
    notify_spop(ctx, popped);
    if (popped.empty()) ctx.reply.null();
    else ctx.reply.bulk(popped[0]);
    return;
  }
  int64_t count;
  if (!model::parse_int64(ctx.arg(2), &count) || count < 0) {
    ctx.reply.error("ERR value is out of range, must be positive");
    return;
  }
  OpStatus s = model::set_pop(ctx.txn(), ctx.ns(), ctx.arg(1), static_cast<uint64_t>(count), &popped);
  if (reply_wrong_type(ctx, s)) return;
  notify_spop(ctx, popped);
  reply_set(ctx, popped);
}

// SRANDMEMBER key [count]
void cmd_srandmember(CommandCtx& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  Collection c;
  if (ctx.argc() == 2) {
    OpStatus s = model::open_set(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
    if (reply_wrong_type(ctx, s)) return;
    reply_random_member(ctx, c, s == OpStatus::kOk);
    return;
  }
  int64_t n;
  if (!arg_int(ctx, 2, &n)) return;
  if (n < -kLongMax) {
    ctx.reply.error(fmt::format("ERR value is out of range, value must between {} and {}", -kLongMax, kLongMax));
    return;
  }
  OpStatus s = model::open_set(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (reply_wrong_type(ctx, s)) return;
  if (s != OpStatus::kOk || n == 0) {
    ctx.reply.array(0);
    return;
  }
  std::vector<model::MemberEntry> picks;
  if (!pick_random_members(ctx, c, n, false, &picks)) return;
  ctx.reply.array(picks.size());
  for (const auto& e : picks) ctx.reply.bulk(e.name);
}

void cmd_smove(CommandCtx& ctx) {
  if (!args_fit(ctx, 3)) return;
  bool moved = false;
  bool was_member = false;  // SADD is notified only if the destination gains it
  if (notifying(ctx, engine::kEventSet)) {
    Collection d;
    if (model::open_set(ctx.txn(), ctx.ns(), ctx.arg(2), ctx.now_ms, &d) == OpStatus::kOk) {
      was_member = model::set_contains(ctx.txn(), d, ctx.arg(3));
    }
  }
  OpStatus s = model::set_move(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), ctx.arg(3), &moved);
  if (reply_wrong_type(ctx, s)) return;
  if (moved && ctx.arg(1) != ctx.arg(2)) {  // onto itself: a no-op, no events
    notify(ctx, engine::kEventSet, "srem", ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
    if (!was_member) notify(ctx, engine::kEventSet, "sadd", ctx.arg(2));
  }
  ctx.reply.integer(moved ? 1 : 0);
}

void combine_generic(CommandCtx& ctx, SetCombine op) {
  std::vector<std::string> members;
  OpStatus s = model::set_combine(ctx.view, ctx.ns(), ctx.argv.subspan(1), op, ctx.now_ms, &members);
  if (reply_wrong_type(ctx, s)) return;
  reply_set(ctx, members);
}
// SMEMBERS is SINTER of one key, as in Redis.
void cmd_sinter(CommandCtx& ctx) { combine_generic(ctx, SetCombine::kInter); }
void cmd_sunion(CommandCtx& ctx) { combine_generic(ctx, SetCombine::kUnion); }
void cmd_sdiff(CommandCtx& ctx) { combine_generic(ctx, SetCombine::kDiff); }

void store_generic(CommandCtx& ctx, SetCombine op) {
  int64_t card = 0;
  bool existed = notifying(ctx, engine::kEventGeneric) && model::exists(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.now_ms);
  OpStatus s = model::set_combine_store(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.argv.subspan(2), op, &card);
  if (reply_wrong_type(ctx, s)) return;
  if (card > 0) {
    notify(ctx, engine::kEventSet,
           op == SetCombine::kInter ? "sinterstore" : op == SetCombine::kUnion ? "sunionstore" : "sdiffstore",
           ctx.arg(1));
  } else if (existed) {
    notify(ctx, engine::kEventGeneric, "del", ctx.arg(1));
  }
  ctx.reply.integer(card);
}
void cmd_sinterstore(CommandCtx& ctx) { store_generic(ctx, SetCombine::kInter); }
void cmd_sunionstore(CommandCtx& ctx) { store_generic(ctx, SetCombine::kUnion); }
void cmd_sdiffstore(CommandCtx& ctx) { store_generic(ctx, SetCombine::kDiff); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void cmd_sintercard(CommandCtx& ctx) {
  int64_t numkeys;
  if (!model::parse_int64(ctx.arg(1), &numkeys) || numkeys < 1) {
    ctx.reply.error("ERR numkeys should be greater than 0");
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 2) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  int64_t limit = 0;
  for (size_t i = 2 + static_cast<size_t>(numkeys); i < ctx.argc(); ++i) {
    if (iequals(ctx.arg(i), "limit") && i + 1 < ctx.argc()) {
      if (!model::parse_int64(ctx.arg(++i), &limit) || limit < 0) {
        ctx.reply.error("ERR LIMIT can't be negative");
        return;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  uint64_t card = 0;
  OpStatus s = model::set_inter_card(ctx.view, ctx.ns(), ctx.argv.subspan(2, static_cast<size_t>(numkeys)),
                                     static_cast<uint64_t>(limit), ctx.now_ms, &card);
  if (reply_wrong_type(ctx, s)) return;
  ctx.reply.integer(static_cast<int64_t>(card));
}

void cmd_sscan(CommandCtx& ctx) { reply_member_scan(ctx, engine::ValueType::kSet, nullptr); }

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, Handler h,
                 std::string_view summary, std::string_view since = "1.0.0") {
  return make_spec("set", "@set", name, arity, flags, first, last, 1, h, summary, since);
}

}  // namespace

void register_set_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadOnly, F = kFast, M = kDenyOom;
  t.add(spec("sadd", -3, W | M | F, 1, 1, cmd_sadd, "Adds one or more members to a set."));
  t.add(spec("srem", -3, W | F, 1, 1, cmd_srem, "Removes one or more members from a set."));
  t.add(spec("smembers", 2, R, 1, 1, cmd_sinter, "Returns all members of a set."));
  t.add(spec("sismember", 3, R | F, 1, 1, cmd_sismember, "Determines whether a member belongs to a set."));
  t.add(spec("smismember", -3, R | F, 1, 1, cmd_smismember, "Determines whether multiple members belong to a set.", "6.2.0"));
  t.add(spec("scard", 2, R | F, 1, 1, cmd_scard, "Returns the number of members in a set."));
  t.add(spec("spop", -2, W | F, 1, 1, cmd_spop, "Returns one or more random members from a set after removing them."));
  t.add(spec("srandmember", -2, R, 1, 1, cmd_srandmember, "Get one or multiple random members from a set."));
  t.add(spec("smove", 4, W | F, 1, 2, cmd_smove, "Moves a member from one set to another."));
  t.add(spec("sinter", -2, R, 1, -1, cmd_sinter, "Returns the intersect of multiple sets."));
  // The keys are argv[2 .. 2+numkeys); without key-count specs the table
  // names 2..-1, which also covers the LIMIT option (harmless for the
  // key-size check, the only use of these positions).
  t.add(spec("sintercard", -3, R, 2, -1, cmd_sintercard, "Returns the number of members of the intersect of multiple sets.", "7.0.0"));
  t.add(spec("sinterstore", -3, W | M, 1, -1, cmd_sinterstore, "Stores the intersect of multiple sets in a key."));
  t.add(spec("sunion", -2, R, 1, -1, cmd_sunion, "Returns the union of multiple sets."));
  t.add(spec("sunionstore", -3, W | M, 1, -1, cmd_sunionstore, "Stores the union of multiple sets in a key."));
  t.add(spec("sdiff", -2, R, 1, -1, cmd_sdiff, "Returns the difference of multiple sets."));
  t.add(spec("sdiffstore", -3, W | M, 1, -1, cmd_sdiffstore, "Stores the difference of multiple sets in a key."));
  t.add(spec("sscan", -3, R, 1, 1, cmd_sscan, "Iterates over members of a set.", "2.8.0"));
}

}  // namespace cairn::command
