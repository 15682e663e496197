// The list family: pushes and pops at either end (LPUSH … LMPOP), indexed
// access (LINDEX, LSET, LRANGE, LTRIM), searches (LPOS, LREM, LINSERT) and
// moves between lists (LMOVE, RPOPLPUSH). Handlers parse arguments in the
// order Redis 7.0 does, so the same bad input gets the same error, and write
// the replies; the work is done by model/list. The blocking variants (BLPOP,
// BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) pop at once when they can and otherwise
// block the client (command/blocking.h), which runs them again once a key
// they name is filled.
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/blocking.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/list.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

using model::ListEnd;
using model::OpStatus;

constexpr std::string_view kOutOfRange = "ERR index out of range";
constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";

// Replies WRONGTYPE and returns true if `s` says so.
bool wrong_type(CommandCtx& ctx, OpStatus s) {
  if (s != OpStatus::kWrongType) return false;
  ctx.reply.error(err::kWrongType);
  return true;
}

void count_hit(CommandCtx& ctx, OpStatus s) {
  auto& stats = ctx.server.stats();
  (s == OpStatus::kOk ? stats.keyspace_hits : stats.keyspace_misses).fetch_add(1, std::memory_order_relaxed);
}

// An integer in [min, max]; otherwise replies "ERR <msg>" (Redis's
// getRangeLongFromObjectOrReply with a message: the same text for a
// non-number and for a number out of range).
bool arg_ranged(CommandCtx& ctx, size_t i, int64_t min, int64_t max, std::string_view msg, int64_t* out) {
  if (model::parse_int64(ctx.arg(i), out) && *out >= min && *out <= max) return true;
  ctx.reply.error(msg);
  return false;
}

// LEFT | RIGHT, or a syntax error.
bool arg_end(CommandCtx& ctx, size_t i, ListEnd* end) {
  if (iequals(ctx.arg(i), "left")) *end = ListEnd::kHead;
  else if (iequals(ctx.arg(i), "right")) *end = ListEnd::kTail;
  else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

// LPOP, RPOP, LMPOP, the source of LMOVE: the pop, then "del" if it emptied the list.
void notify_popped(CommandCtx& ctx, ListEnd end, std::string_view key) {
  notify(ctx, engine::kEventList, end == ListEnd::kHead ? "lpop" : "rpop", key);
  notify_del_if_gone(ctx, key);
}

void reply_elements(CommandCtx& ctx, const std::vector<std::string>& elements) {
  ctx.reply.array(elements.size());
  for (const auto& e : elements) ctx.reply.bulk(e);
}

void push_generic(CommandCtx& ctx, ListEnd end, bool only_if_exists) {
  if (!args_fit(ctx, 2)) return;
  int64_t length;
  OpStatus s = model::list_push(ctx.txn(), ctx.ns(), ctx.arg(1), end, ctx.argv.subspan(2), only_if_exists, &length);
  if (wrong_type(ctx, s)) return;
  if (length > 0) notify(ctx, engine::kEventList, end == ListEnd::kHead ? "lpush" : "rpush", ctx.arg(1));
  ctx.reply.integer(length);
}
void cmd_lpush(CommandCtx& ctx) { push_generic(ctx, ListEnd::kHead, false); }
void cmd_rpush(CommandCtx& ctx) { push_generic(ctx, ListEnd::kTail, false); }
void cmd_lpushx(CommandCtx& ctx) { push_generic(ctx, ListEnd::kHead, true); }
void cmd_rpushx(CommandCtx& ctx) { push_generic(ctx, ListEnd::kTail, true); }

// LPOP/RPOP key [count]: without a count a bulk string (nil when the key is
// missing); with one an array (a nil array when missing, empty for count 0).
void pop_generic(CommandCtx& ctx, ListEnd end) {
  if (ctx.argc() > 3) {
    ctx.reply.error(err::wrong_arity(end == ListEnd::kHead ? "lpop" : "rpop"));
    return;
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count &&
      !arg_ranged(ctx, 2, 0, std::numeric_limits<int64_t>::max(), kMustBePositive, &count)) {
    return;
  }
  auto& t = ctx.txn();
  if (has_count && count == 0) {
    OpStatus s = model::list_probe(t, ctx.ns(), ctx.arg(1), ctx.now_ms);
    if (wrong_type(ctx, s)) return;
    if (s == OpStatus::kNotFound) ctx.reply.null_array();
    else ctx.reply.array(0);
    return;
  }
  std::vector<std::string> popped;
  OpStatus s = model::list_pop(t, ctx.ns(), ctx.arg(1), end, count, &popped);
  if (wrong_type(ctx, s)) return;
  if (s == OpStatus::kOk) notify_popped(ctx, end, ctx.arg(1));
  if (s == OpStatus::kNotFound) {
    if (has_count) ctx.reply.null_array();
    else ctx.reply.null();
  } else if (has_count) {
    reply_elements(ctx, popped);
  } else {
    ctx.reply.bulk(popped.front());
  }
}
void cmd_lpop(CommandCtx& ctx) { pop_generic(ctx, ListEnd::kHead); }
void cmd_rpop(CommandCtx& ctx) { pop_generic(ctx, ListEnd::kTail); }

void cmd_llen(CommandCtx& ctx) {
  int64_t length;
  OpStatus s = model::list_length(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &length);
  if (wrong_type(ctx, s)) return;
  count_hit(ctx, s);
  ctx.reply.integer(length);
}

// LINDEX looks the key up before it parses the index (as Redis does).
void cmd_lindex(CommandCtx& ctx) {
  int64_t index;
  if (!model::parse_int64(ctx.arg(2), &index)) {
    OpStatus s = model::list_probe(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms);
    if (wrong_type(ctx, s)) return;
    if (s == OpStatus::kNotFound) ctx.reply.null();
    else ctx.reply.error(err::kNotInteger);
    return;
  }
  std::optional<std::string> element;
  OpStatus s = model::list_index(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, index, &element);
  if (wrong_type(ctx, s)) return;
  count_hit(ctx, s);
  if (element) ctx.reply.bulk(*element);
  else ctx.reply.null();
}

// LSET looks the key up before it parses the index (as Redis does).
void cmd_lset(CommandCtx& ctx) {
  auto& t = ctx.txn();
  int64_t index;
  if (!model::parse_int64(ctx.arg(2), &index)) {
    OpStatus s = model::list_probe(t, ctx.ns(), ctx.arg(1), ctx.now_ms);
    if (wrong_type(ctx, s)) return;
    ctx.reply.error(s == OpStatus::kNotFound ? err::kNoSuchKey : err::kNotInteger);
    return;
  }
  if (!args_fit(ctx, 3)) return;
  bool in_range;
  OpStatus s = model::list_set(t, ctx.ns(), ctx.arg(1), index, ctx.arg(3), &in_range);
  if (wrong_type(ctx, s)) return;
  if (s == OpStatus::kNotFound) {
    ctx.reply.error(err::kNoSuchKey);
  } else if (in_range) {
    notify(ctx, engine::kEventList, "lset", ctx.arg(1));
    ctx.reply.ok();
  } else {
    ctx.reply.error(kOutOfRange);
  }
}

void cmd_lrange(CommandCtx& ctx) {
  int64_t start, stop;
  if (!arg_int(ctx, 2, &start) || !arg_int(ctx, 3, &stop)) return;
  std::vector<std::string> elements;
  OpStatus s = model::list_range(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, start, stop, &elements);
  if (wrong_type(ctx, s)) return;
  count_hit(ctx, s);
  reply_elements(ctx, elements);
}

void cmd_ltrim(CommandCtx& ctx) {
  int64_t start, stop;
  if (!arg_int(ctx, 2, &start) || !arg_int(ctx, 3, &stop)) return;
  OpStatus s = model::list_trim(ctx.txn(), ctx.ns(), ctx.arg(1), start, stop);
  if (wrong_type(ctx, s)) return;
  if (s == OpStatus::kOk) {
    notify(ctx, engine::kEventList, "ltrim", ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
  }
  ctx.reply.ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void cmd_lpos(CommandCtx& ctx) {
  model::ListPosOptions o;
  bool has_count = false;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    bool more = i + 1 < ctx.argc();
    if (iequals(opt, "rank") && more) {
      if (!arg_int(ctx, ++i, &o.rank)) return;
      if (o.rank == 0) {
        ctx.reply.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative "
            "to start from the end of the list");
        return;
      }
      // Redis 7.0 negates the rank unchecked; for LONG_MIN it ends up
      // searching from the tail and counting every match: rank -1.
      if (o.rank == std::numeric_limits<int64_t>::min()) o.rank = -1;
    } else if (iequals(opt, "count") && more) {
      if (!arg_ranged(ctx, ++i, 0, kMax, "ERR COUNT can't be negative", &o.count)) return;
      has_count = true;
    } else if (iequals(opt, "maxlen") && more) {
      if (!arg_ranged(ctx, ++i, 0, kMax, "ERR MAXLEN can't be negative", &o.maxlen)) return;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (!has_count) o.count = 1;
  std::vector<int64_t> found;
  OpStatus s = model::list_positions(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, ctx.arg(2), o, &found);
  if (wrong_type(ctx, s)) return;
  count_hit(ctx, s);
  if (has_count) {
    ctx.reply.array(found.size());
    for (int64_t i : found) ctx.reply.integer(i);
  } else if (found.empty()) {
    ctx.reply.null();
  } else {
    ctx.reply.integer(found.front());
  }
}

void cmd_lrem(CommandCtx& ctx) {
  int64_t count;
  if (!arg_int(ctx, 2, &count)) return;
  int64_t removed;
  OpStatus s = model::list_remove(ctx.txn(), ctx.ns(), ctx.arg(1), count, ctx.arg(3), &removed);
  if (wrong_type(ctx, s)) return;
  if (removed > 0) {
    notify(ctx, engine::kEventList, "lrem", ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
  }
  ctx.reply.integer(removed);
}

// LINSERT key BEFORE|AFTER pivot element
void cmd_linsert(CommandCtx& ctx) {
  bool after;
  if (iequals(ctx.arg(2), "after")) after = true;
  else if (iequals(ctx.arg(2), "before")) after = false;
  else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (!args_fit(ctx, 4)) return;
  int64_t length;
  OpStatus s = model::list_insert(ctx.txn(), ctx.ns(), ctx.arg(1), after, ctx.arg(3), ctx.arg(4), &length);
  if (wrong_type(ctx, s)) return;
  if (length > 0) notify(ctx, engine::kEventList, "linsert", ctx.arg(1));
  ctx.reply.integer(length);  // 0: no key, -1: no pivot
}

// LMOVE and RPOPLPUSH, and BLMOVE and BRPOPLPUSH (`deadline_ms` set: a
// missing source blocks).
void move_generic(CommandCtx& ctx, ListEnd from, ListEnd to, const int64_t* deadline_ms = nullptr) {
  std::optional<std::string> moved;
  OpStatus s = model::list_move(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), from, to, &moved);
  if (wrong_type(ctx, s)) return;
  if (!moved && deadline_ms && block_client(ctx, BlockOn::kList, ctx.argv.subspan(1, 1), *deadline_ms, false)) {
    return;
  }
  if (moved) {  // Redis's order: the push to the destination, then the pop
    notify(ctx, engine::kEventList, to == ListEnd::kHead ? "lpush" : "rpush", ctx.arg(2));
    notify_popped(ctx, from, ctx.arg(1));
  }
  if (moved) ctx.reply.bulk(*moved);
  else ctx.reply.null();
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
void cmd_lmove(CommandCtx& ctx) {
  ListEnd from, to;
  if (!arg_end(ctx, 3, &from) || !arg_end(ctx, 4, &to)) return;
  move_generic(ctx, from, to);
}

void cmd_rpoplpush(CommandCtx& ctx) { move_generic(ctx, ListEnd::kTail, ListEnd::kHead); }

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
void cmd_blmove(CommandCtx& ctx) {
  ListEnd from, to;
  if (!arg_end(ctx, 3, &from) || !arg_end(ctx, 4, &to)) return;
  int64_t deadline;
  if (!arg_block_timeout(ctx, 5, &deadline)) return;
  move_generic(ctx, from, to, &deadline);
}

// BRPOPLPUSH source destination timeout
void cmd_brpoplpush(CommandCtx& ctx) {
  int64_t deadline;
  if (!arg_block_timeout(ctx, 3, &deadline)) return;
  move_generic(ctx, ListEnd::kTail, ListEnd::kHead, &deadline);
}

// BLPOP/BRPOP key [key ...] timeout, and BLMPOP's keys (`count` set): pops
// from the first list that has elements; [key, element] (BLMPOP: [key,
// [elements]]), or blocks. While served, only the ready key is looked at.
void blocking_pop(CommandCtx& ctx, std::span<const std::string_view> keys, ListEnd end, int64_t deadline,
                  int64_t count) {
  auto& t = ctx.txn();
  for (std::string_view key : keys) {
    if (!serves_key(ctx, key)) continue;
    std::vector<std::string> popped;
    OpStatus s = model::list_pop(t, ctx.ns(), key, end, count < 0 ? 1 : count, &popped);
    if (wrong_type(ctx, s)) return;
    if (s == OpStatus::kNotFound) continue;
    notify_popped(ctx, end, key);
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    if (count < 0) ctx.reply.bulk(popped.front());
    else reply_elements(ctx, popped);
    return;
  }
  if (!block_client(ctx, BlockOn::kList, keys, deadline, true)) ctx.reply.null_array();
}

void bpop_generic(CommandCtx& ctx, ListEnd end) {
  int64_t deadline;
  if (!arg_block_timeout(ctx, ctx.argc() - 1, &deadline)) return;
  blocking_pop(ctx, ctx.argv.subspan(1, ctx.argc() - 2), end, deadline, -1);
}
void cmd_blpop(CommandCtx& ctx) { bpop_generic(ctx, ListEnd::kHead); }
void cmd_brpop(CommandCtx& ctx) { bpop_generic(ctx, ListEnd::kTail); }

// LMPOP's and BLMPOP's arguments from numkeys (at `first`).
bool parse_mpop(CommandCtx& ctx, size_t first, std::span<const std::string_view>* keys, ListEnd* end,
                int64_t* count) {
  bool right;
  if (!arg_multi_pop(ctx, first, "left", "right", keys, &right, count)) return false;
  *end = right ? ListEnd::kTail : ListEnd::kHead;
  return true;
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the first
// non-empty list and replies [key, [elements]], or a nil array.
void cmd_lmpop(CommandCtx& ctx) {
  std::span<const std::string_view> keys;
  ListEnd end;
  int64_t count;
  if (!parse_mpop(ctx, 1, &keys, &end, &count)) return;
  auto& t = ctx.txn();
  for (std::string_view key : keys) {
    std::vector<std::string> popped;
    OpStatus s = model::list_pop(t, ctx.ns(), key, end, count, &popped);
    if (wrong_type(ctx, s)) return;
    if (s == OpStatus::kNotFound) continue;
    notify_popped(ctx, end, key);
    ctx.reply.array(2);
    ctx.reply.bulk(key);
    reply_elements(ctx, popped);
    return;
  }
  ctx.reply.null_array();
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the timeout
// is checked after the rest, as Redis does.
void cmd_blmpop(CommandCtx& ctx) {
  std::span<const std::string_view> keys;
  ListEnd end;
  int64_t count, deadline;
  if (!parse_mpop(ctx, 2, &keys, &end, &count) || !arg_block_timeout(ctx, 1, &deadline)) return;
  blocking_pop(ctx, keys, end, deadline, count);
}

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, int step, Handler h,
                 std::string_view summary, std::string_view since = "1.0.0") {
  return make_spec("list", "@list", name, arity, flags, first, last, step, h, summary, since);
}

}  // namespace

void register_list_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, D = kDenyOom, R = kReadOnly, F = kFast;
  t.add(spec("lpush", -3, W | D | F, 1, 1, 1, cmd_lpush,
             "Prepends one or more elements to a list. Creates the key if it doesn't exist."));
  t.add(spec("rpush", -3, W | D | F, 1, 1, 1, cmd_rpush,
             "Appends one or more elements to a list. Creates the key if it doesn't exist."));
  t.add(spec("lpushx", -3, W | D | F, 1, 1, 1, cmd_lpushx,
             "Prepends one or more elements to a list only when the list exists.", "2.2.0"));
  t.add(spec("rpushx", -3, W | D | F, 1, 1, 1, cmd_rpushx,
             "Appends an element to a list only when the list exists.", "2.2.0"));
  t.add(spec("lpop", -2, W | F, 1, 1, 1, cmd_lpop,
             "Returns the first elements in a list after removing it. Deletes the list if the last element was "
             "popped."));
  t.add(spec("rpop", -2, W | F, 1, 1, 1, cmd_rpop,
             "Returns and removes the last elements of the list. Deletes the list if the last element was "
             "popped."));
  t.add(spec("llen", 2, R | F, 1, 1, 1, cmd_llen, "Returns the length of a list."));
  t.add(spec("lindex", 3, R, 1, 1, 1, cmd_lindex, "Returns an element from a list by its index."));
  t.add(spec("lset", 4, W | D, 1, 1, 1, cmd_lset, "Sets the value of an element in a list by its index."));
  t.add(spec("lrange", 4, R, 1, 1, 1, cmd_lrange, "Returns a range of elements from a list."));
  t.add(spec("ltrim", 4, W, 1, 1, 1, cmd_ltrim,
             "Removes elements from both ends a list. Deletes the list if all elements were trimmed."));
  t.add(spec("lrem", 4, W, 1, 1, 1, cmd_lrem,
             "Removes elements from a list. Deletes the list if the last element was removed."));
  t.add(spec("linsert", 5, W | D, 1, 1, 1, cmd_linsert,
             "Inserts an element before or after another element in a list.", "2.2.0"));
  t.add(spec("lpos", -3, R, 1, 1, 1, cmd_lpos, "Returns the index of matching elements in a list.", "6.0.6"));
  t.add(spec("lmove", 5, W | D, 1, 2, 1, cmd_lmove,
             "Returns an element after popping it from one list and pushing it to another. Deletes the list if "
             "the last element was moved.",
             "6.2.0"));
  t.add(spec("rpoplpush", 3, W | D, 1, 2, 1, cmd_rpoplpush,
             "Returns the last element of a list after removing and pushing it to another list. Deletes the list "
             "if the last element was popped.",
             "1.2.0"));
  // LMPOP's keys follow a numkeys argument: Redis lists its key range as
  // 0 0 0 (movablekeys), and so does this table.
  t.add(spec("lmpop", -4, W, 0, 0, 0, cmd_lmpop,
             "Returns multiple elements from a list after removing them. Deletes the list if the last element was "
             "popped.",
             "7.0.0"));
  // Blocking: BLMPOP's keys follow numkeys (movablekeys, like LMPOP).
  constexpr uint32_t B = kBlocking | kNoScript;
  t.add(spec("blpop", -3, W | B, 1, -2, 1, cmd_blpop,
             "Removes and returns the first element in a list. Blocks until an element is available otherwise. "
             "Deletes the list if the last element was popped.",
             "2.0.0"));
  t.add(spec("brpop", -3, W | B, 1, -2, 1, cmd_brpop,
             "Removes and returns the last element in a list. Blocks until an element is available otherwise. "
             "Deletes the list if the last element was popped.",
             "2.0.0"));
  t.add(spec("blmove", 6, W | D | B, 1, 2, 1, cmd_blmove,
             "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is "
             "available otherwise. Deletes the list if the last element was moved.",
             "6.2.0"));
  t.add(spec("brpoplpush", 4, W | D | B, 1, 2, 1, cmd_brpoplpush,
             "Pops an element from a list, pushes it to another list and returns it. Block until an element is "
             "available otherwise. Deletes the list if the last element was popped.",
             "2.2.0"));
  t.add(spec("blmpop", -5, W | kBlocking, 0, 0, 0, cmd_blmpop,
             "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. "
             "Deletes the list if the last element was popped.",
             "7.0.0"));
}

}  // namespace cairn::command
