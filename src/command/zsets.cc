// The sorted-set family: ZADD and friends, the ZRANGE family (by rank, score
// and lex, with ZRANGESTORE), removals by range, pops, ZRANDMEMBER, the
// union/intersection/difference commands and ZSCAN. Handlers parse arguments
// in Redis 7.0's order (so the same bad input gets the same error) and write
// replies; model/zset does the work (ZSCAN uses the shared member_scan). The blocking pops (BZPOPMIN, BZPOPMAX,
// BZMPOP) pop at once when they can, and otherwise block the client (command/blocking.h).
//
// WITHSCORES replies are flat [member, score, ...] arrays in RESP2 and arrays
// of [member, score] pairs in RESP3, as Redis 7.0 sends them.
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <cctype>
#include <limits>
#include <vector>

#include "command/args.h"
#include "command/blocking.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/member_scan.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/keys.h"
#include "model/numbers.h"
#include "model/score.h"
#include "model/zset.h"

namespace cairn::command {

namespace {

using model::OpStatus;
using model::RangeSpec;
using model::ScoredMember;

constexpr std::string_view kNanResult = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kScoreRange = "ERR min or max is not a float";
constexpr std::string_view kLexRange = "ERR min or max not valid string range item";
constexpr std::string_view kMustBePositive = "ERR value is out of range, must be positive";

// Replies for an error status; true if it was one.
bool reply_status_error(CommandCtx& ctx, OpStatus s) {
  switch (s) {
    case OpStatus::kWrongType: ctx.reply.error(err::kWrongType); return true;
    case OpStatus::kNanOrInf: ctx.reply.error(kNanResult); return true;
    default: return false;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Members with or without their scores, in the shape Redis 7.0 uses.
void reply_members(CommandCtx& ctx, const std::vector<ScoredMember>& items, bool withscores) {
  const bool pairs = withscores && ctx.reply.protocol() >= 3;
  ctx.reply.array(withscores && !pairs ? items.size() * 2 : items.size());
  for (const ScoredMember& m : items) {
    if (pairs) ctx.reply.array(2);
    ctx.reply.bulk(m.member);
    if (withscores) ctx.reply.dbl(m.score);
  }
}

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY / ZREM

void zadd_generic(CommandCtx& ctx, bool zincrby) {
  model::ZAddFlags f;
  f.incr = zincrby;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    std::string_view a = ctx.arg(first);
    if (iequals(a, "nx")) f.nx = true;
    else if (iequals(a, "xx")) f.xx = true;
    else if (iequals(a, "ch")) f.ch = true;
    else if (iequals(a, "incr")) f.incr = true;
    else if (iequals(a, "gt")) f.gt = true;
    else if (iequals(a, "lt")) f.lt = true;
    else break;
  }
  size_t elements = ctx.argc() - first;
  if (elements == 0 || elements % 2 != 0) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  elements /= 2;
  if (f.nx && f.xx) {
    ctx.reply.error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    ctx.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (f.incr && elements > 1) {
    ctx.reply.error("ERR INCR option supports a single increment-element pair");
    return;
  }
  // Every score is checked before anything is written.
  std::vector<model::ScoreArg> items(elements);
  for (size_t i = 0; i < elements; ++i) {
    if (!arg_double(ctx, first + 2 * i, &items[i].score)) return;
    items[i].member = ctx.arg(first + 2 * i + 1);
  }
  model::ZAddResult r;
  OpStatus s = model::zadd(ctx.txn(), ctx.ns(), ctx.arg(1), items, f, &r);
  if (reply_status_error(ctx, s)) return;
  if (r.added + r.updated > 0) notify(ctx, engine::kEventZset, f.incr ? "zincr" : "zadd", ctx.arg(1));
  if (f.incr) {
    if (r.processed) ctx.reply.dbl(r.score);
    else ctx.reply.null();
  } else {
    ctx.reply.integer(f.ch ? r.added + r.updated : r.added);
  }
}
void cmd_zadd(CommandCtx& ctx) { zadd_generic(ctx, false); }
void cmd_zincrby(CommandCtx& ctx) { zadd_generic(ctx, true); }

void cmd_zrem(CommandCtx& ctx) {
  int64_t removed;
  OpStatus s = model::zrem(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.argv.subspan(2), &removed);
  if (reply_status_error(ctx, s)) return;
  if (removed > 0) {
    notify(ctx, engine::kEventZset, "zrem", ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
  }
  ctx.reply.integer(removed);
}

// ---------------------------------------------------------------------------
// Point reads

void cmd_zcard(CommandCtx& ctx) {
  int64_t n;
  OpStatus s = model::zcard(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &n);
  if (reply_status_error(ctx, s)) return;
  ctx.reply.integer(n);
}

void cmd_zscore(CommandCtx& ctx) {
  std::vector<std::optional<double>> scores;
  OpStatus s = model::zscores(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, ctx.argv.subspan(2, 1), &scores);
  if (reply_status_error(ctx, s)) return;
  if (scores[0]) ctx.reply.dbl(*scores[0]);
  else ctx.reply.null();
}

void cmd_zmscore(CommandCtx& ctx) {
  std::vector<std::optional<double>> scores;
  OpStatus s = model::zscores(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, ctx.argv.subspan(2), &scores);
  if (reply_status_error(ctx, s)) return;
  ctx.reply.array(scores.size());
  for (const auto& score : scores) {
    if (score) ctx.reply.dbl(*score);
    else ctx.reply.null();
  }
}

void zrank_generic(CommandCtx& ctx, bool reverse) {
  std::optional<int64_t> rank;
  OpStatus s = model::zrank(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, ctx.arg(2), reverse, &rank);
  if (reply_status_error(ctx, s)) return;
  if (rank) ctx.reply.integer(*rank);
  else ctx.reply.null();
}
void cmd_zrank(CommandCtx& ctx) { zrank_generic(ctx, false); }
void cmd_zrevrank(CommandCtx& ctx) { zrank_generic(ctx, true); }

void cmd_zcount(CommandCtx& ctx) {
  model::ScoreRange range;
  if (!model::parse_score_range(ctx.arg(2), ctx.arg(3), &range)) {
    ctx.reply.error(kScoreRange);
    return;
  }
  int64_t n;
  OpStatus s = model::zcount(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, range, &n);
  if (reply_status_error(ctx, s)) return;
  ctx.reply.integer(n);
}

void cmd_zlexcount(CommandCtx& ctx) {
  model::LexRange range;
  if (!model::parse_lex_range(ctx.arg(2), ctx.arg(3), &range)) {
    ctx.reply.error(kLexRange);
    return;
  }
  int64_t n;
  OpStatus s = model::zlexcount(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, range, &n);
  if (reply_status_error(ctx, s)) return;
  ctx.reply.integer(n);
}

// ---------------------------------------------------------------------------
// The ZRANGE family. One parser for all of them, as in Redis: each command
// fixes what it must (ZRANGEBYSCORE fixes BYSCORE and the direction), and
// ZRANGE/ZRANGESTORE take BYSCORE/BYLEX/REV as options.

enum class Kind { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Parses argv[src_index + 1 ...]; replies and returns false on an error.
bool parse_range(CommandCtx& ctx, size_t src_index, bool store, Kind kind, Direction dir, RangeSpec* spec,
                 bool* withscores) {
  *withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = src_index + 3; j < ctx.argc(); ++j) {
    std::string_view a = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (!store && iequals(a, "withscores")) {
      *withscores = true;
    } else if (iequals(a, "limit") && left >= 2) {
      if (!arg_int(ctx, j + 1, &offset) || !arg_int(ctx, j + 2, &limit)) return false;
      j += 2;
    } else if (dir == Direction::kAuto && iequals(a, "rev")) {
      dir = Direction::kReverse;
    } else if (kind == Kind::kAuto && iequals(a, "bylex")) {
      kind = Kind::kLex;
    } else if (kind == Kind::kAuto && iequals(a, "byscore")) {
      kind = Kind::kScore;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (kind == Kind::kAuto) kind = Kind::kRank;
  if (limit != -1 && kind == Kind::kRank) {
    ctx.reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (*withscores && kind == Kind::kLex) {
    ctx.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  spec->reverse = dir == Direction::kReverse;
  spec->offset = offset;
  spec->limit = limit;
  size_t min_index = src_index + 1, max_index = src_index + 2;
  // Reverse score and lex ranges are written max first.
  if (spec->reverse && kind != Kind::kRank) std::swap(min_index, max_index);
  switch (kind) {
    case Kind::kAuto:
    case Kind::kRank:
      spec->by = RangeSpec::By::kRank;
      return arg_int(ctx, min_index, &spec->start) && arg_int(ctx, max_index, &spec->stop);
    case Kind::kScore:
      spec->by = RangeSpec::By::kScore;
      if (model::parse_score_range(ctx.arg(min_index), ctx.arg(max_index), &spec->score)) return true;
      ctx.reply.error(kScoreRange);
      return false;
    case Kind::kLex:
      spec->by = RangeSpec::By::kLex;
      if (model::parse_lex_range(ctx.arg(min_index), ctx.arg(max_index), &spec->lex)) return true;
      ctx.reply.error(kLexRange);
      return false;
  }
  return false;
}

void zrange_generic(CommandCtx& ctx, Kind kind, Direction dir) {
  RangeSpec spec;
  bool withscores;
  if (!parse_range(ctx, 1, false, kind, dir, &spec, &withscores)) return;
  std::vector<ScoredMember> items;
  OpStatus s = model::zrange(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, spec, &items);
  if (reply_status_error(ctx, s)) return;
  reply_members(ctx, items, withscores);
}
void cmd_zrange(CommandCtx& ctx) { zrange_generic(ctx, Kind::kAuto, Direction::kAuto); }
void cmd_zrevrange(CommandCtx& ctx) { zrange_generic(ctx, Kind::kRank, Direction::kReverse); }
void cmd_zrangebyscore(CommandCtx& ctx) { zrange_generic(ctx, Kind::kScore, Direction::kForward); }
void cmd_zrevrangebyscore(CommandCtx& ctx) { zrange_generic(ctx, Kind::kScore, Direction::kReverse); }
void cmd_zrangebylex(CommandCtx& ctx) { zrange_generic(ctx, Kind::kLex, Direction::kForward); }
void cmd_zrevrangebylex(CommandCtx& ctx) { zrange_generic(ctx, Kind::kLex, Direction::kReverse); }

// A ...STORE command's destination: the event if it holds something now, else
// "del" if it existed before.
void notify_stored(CommandCtx& ctx, const char* event, int64_t stored, bool existed) {
  if (stored > 0) notify(ctx, engine::kEventZset, event, ctx.arg(1));
  else if (existed) notify(ctx, engine::kEventGeneric, "del", ctx.arg(1));
}

void cmd_zrangestore(CommandCtx& ctx) {
  RangeSpec spec;
  bool withscores;
  if (!parse_range(ctx, 2, true, Kind::kAuto, Direction::kAuto, &spec, &withscores)) return;
  int64_t stored;
  bool existed = notifying(ctx, engine::kEventGeneric) && model::exists(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.now_ms);
  OpStatus s = model::zrangestore(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), spec, &stored);
  if (reply_status_error(ctx, s)) return;
  notify_stored(ctx, "zrangestore", stored, existed);
  ctx.reply.integer(stored);
}

void zremrange_generic(CommandCtx& ctx, RangeSpec::By by) {
  RangeSpec spec;
  spec.by = by;
  switch (by) {
    case RangeSpec::By::kRank:
      if (!arg_int(ctx, 2, &spec.start) || !arg_int(ctx, 3, &spec.stop)) return;
      break;
    case RangeSpec::By::kScore:
      if (!model::parse_score_range(ctx.arg(2), ctx.arg(3), &spec.score)) {
        ctx.reply.error(kScoreRange);
        return;
      }
      break;
    case RangeSpec::By::kLex:
      if (!model::parse_lex_range(ctx.arg(2), ctx.arg(3), &spec.lex)) {
        ctx.reply.error(kLexRange);
        return;
      }
      break;
  }
  int64_t removed;
  OpStatus s = model::zremrange(ctx.txn(), ctx.ns(), ctx.arg(1), spec, &removed);
  if (reply_status_error(ctx, s)) return;
  if (removed > 0) {
    notify(ctx, engine::kEventZset,
           by == RangeSpec::By::kRank    ? "zremrangebyrank"
           : by == RangeSpec::By::kScore ? "zremrangebyscore"
                                         : "zremrangebylex",
           ctx.arg(1));
    notify_del_if_gone(ctx, ctx.arg(1));
  }
  ctx.reply.integer(removed);
}
void cmd_zremrangebyrank(CommandCtx& ctx) { zremrange_generic(ctx, RangeSpec::By::kRank); }
void cmd_zremrangebyscore(CommandCtx& ctx) { zremrange_generic(ctx, RangeSpec::By::kScore); }
void cmd_zremrangebylex(CommandCtx& ctx) { zremrange_generic(ctx, RangeSpec::By::kLex); }

// ---------------------------------------------------------------------------
// Pops

// Popped members with their scores: a flat array, or [member, score] pairs
// when `nested` (ZMPOP always; ZPOPMIN/ZPOPMAX with a count in RESP3).
void reply_pop(CommandCtx& ctx, const std::vector<ScoredMember>& items, bool nested) {
  ctx.reply.array(nested ? items.size() : items.size() * 2);
  for (const ScoredMember& m : items) {
    if (nested) ctx.reply.array(2);
    ctx.reply.bulk(m.member);
    ctx.reply.dbl(m.score);
  }
}

void notify_zpop(CommandCtx& ctx, bool max, std::string_view key) {
  notify(ctx, engine::kEventZset, max ? "zpopmax" : "zpopmin", key);
  notify_del_if_gone(ctx, key);
}

// ZPOPMIN/ZPOPMAX key [count]
void zpop_command(CommandCtx& ctx, bool max) {
  if (ctx.argc() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  int64_t count = -1;  // -1: no count given
  if (ctx.argc() == 3 && (!model::parse_int64(ctx.arg(2), &count) || count < 0)) {
    ctx.reply.error(kMustBePositive);
    return;
  }
  std::vector<ScoredMember> items;
  OpStatus s = model::zpop(ctx.txn(), ctx.ns(), ctx.arg(1), max, count == -1 ? 1 : count, &items);
  if (reply_status_error(ctx, s)) return;
  if (!items.empty()) notify_zpop(ctx, max, ctx.arg(1));
  reply_pop(ctx, items, count != -1 && ctx.reply.protocol() >= 3);
}
void cmd_zpopmin(CommandCtx& ctx) { zpop_command(ctx, false); }
void cmd_zpopmax(CommandCtx& ctx) { zpop_command(ctx, true); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
void cmd_zmpop(CommandCtx& ctx) {
  std::span<const std::string_view> keys;
  bool max;
  int64_t count;
  if (!arg_multi_pop(ctx, 1, "min", "max", &keys, &max, &count)) return;
  std::vector<ScoredMember> items;
  size_t which = 0;
  OpStatus s = model::zmpop(ctx.txn(), ctx.ns(), keys, max, count, &which, &items);
  if (reply_status_error(ctx, s)) return;
  if (s == OpStatus::kNotFound) {
    ctx.reply.null_array();
    return;
  }
  notify_zpop(ctx, max, keys[which]);
  ctx.reply.array(2);
  ctx.reply.bulk(keys[which]);
  reply_pop(ctx, items, true);
}

// BZPOPMIN/BZPOPMAX key [key ...] timeout ([key, member, score]) and BZMPOP's
// keys (`count` set: [key, [[member, score], ...]]): pops from the first
// sorted set that has members, or blocks the client (blocking.h). While
// served, only the ready key is looked at.
void blocking_zpop(CommandCtx& ctx, std::span<const std::string_view> keys, bool max, int64_t deadline,
                   int64_t count) {
  for (std::string_view key : keys) {
    if (!serves_key(ctx, key)) continue;
    std::vector<ScoredMember> items;
    OpStatus s = model::zpop(ctx.txn(), ctx.ns(), key, max, count < 0 ? 1 : count, &items);
    if (reply_status_error(ctx, s)) return;
    if (items.empty()) continue;
    notify_zpop(ctx, max, key);
    if (count < 0) {
      ctx.reply.array(3);
      ctx.reply.bulk(key);
      ctx.reply.bulk(items.front().member);
      ctx.reply.dbl(items.front().score);
    } else {
      ctx.reply.array(2);
      ctx.reply.bulk(key);
      reply_pop(ctx, items, true);
    }
    return;
  }
  if (!block_client(ctx, BlockOn::kZset, keys, deadline, true)) ctx.reply.null_array();
}

void bzpop_generic(CommandCtx& ctx, bool max) {
  int64_t deadline;
  if (!arg_block_timeout(ctx, ctx.argc() - 1, &deadline)) return;
  blocking_zpop(ctx, ctx.argv.subspan(1, ctx.argc() - 2), max, deadline, -1);
}
void cmd_bzpopmin(CommandCtx& ctx) { bzpop_generic(ctx, false); }
void cmd_bzpopmax(CommandCtx& ctx) { bzpop_generic(ctx, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the timeout is
// checked after the rest, as Redis does.
void cmd_bzmpop(CommandCtx& ctx) {
  std::span<const std::string_view> keys;
  bool max;
  int64_t count, deadline;
  if (!arg_multi_pop(ctx, 2, "min", "max", &keys, &max, &count) || !arg_block_timeout(ctx, 1, &deadline)) return;
  blocking_zpop(ctx, keys, max, deadline, count);
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER key [count [WITHSCORES]]

// A negative count repeats members without bound; past this the reply would
// not fit in memory anyway.
constexpr int64_t kMaxRandomSamples = int64_t{1} << 24;

void cmd_zrandmember(CommandCtx& ctx) {
  if (ctx.argc() < 3) {
    std::vector<ScoredMember> items;
    OpStatus s = model::zrandmember(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, -1, &items);
    if (reply_status_error(ctx, s)) return;
    if (items.empty()) ctx.reply.null();
    else ctx.reply.bulk(items[0].member);
    return;
  }
  int64_t count;
  bool withscores;
  if (!parse_random_count(ctx, "withscores", &count, &withscores)) return;
  if (count < -kMaxRandomSamples) {
    ctx.reply.error("ERR value is out of range");
    return;
  }
  std::vector<ScoredMember> items;
  OpStatus s = model::zrandmember(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, count, &items);
  if (reply_status_error(ctx, s)) return;
  reply_members(ctx, items, withscores);
}

// ---------------------------------------------------------------------------
// ZUNION/ZINTER/ZDIFF [STORE], ZINTERCARD

void setop_generic(CommandCtx& ctx, bool store, model::SetOp op, bool card_only) {
  const size_t numkeys_index = store ? 2 : 1;
  int64_t setnum;
  if (!arg_int(ctx, numkeys_index, &setnum)) return;
  if (setnum < 1) {
    ctx.reply.error(fmt::format("ERR at least 1 input key is needed for '{}' command", lower(ctx.arg(0))));
    return;
  }
  if (setnum > static_cast<int64_t>(ctx.argc() - (numkeys_index + 1))) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  const size_t n = static_cast<size_t>(setnum);
  std::vector<model::SetOpSource> sources;
  OpStatus s = model::open_sources(ctx.view, ctx.ns(), ctx.now_ms, ctx.argv.subspan(numkeys_index + 1, n), &sources);
  if (reply_status_error(ctx, s)) return;

  model::Aggregate aggregate = model::Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  for (size_t j = numkeys_index + 1 + n; j < ctx.argc();) {
    std::string_view a = ctx.arg(j);
    size_t remaining = ctx.argc() - j;
    if (op != model::SetOp::kDiff && !card_only && remaining >= n + 1 && iequals(a, "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        if (!model::parse_double(ctx.arg(j), &sources[i].weight)) {
          ctx.reply.error("ERR weight value is not a float");
          return;
        }
      }
    } else if (op != model::SetOp::kDiff && !card_only && remaining >= 2 && iequals(a, "aggregate")) {
      std::string_view how = ctx.arg(j + 1);
      if (iequals(how, "sum")) aggregate = model::Aggregate::kSum;
      else if (iequals(how, "min")) aggregate = model::Aggregate::kMin;
      else if (iequals(how, "max")) aggregate = model::Aggregate::kMax;
      else {
        ctx.reply.error(err::kSyntax);
        return;
      }
      j += 2;
    } else if (!store && !card_only && iequals(a, "withscores")) {
      withscores = true;
      ++j;
    } else if (card_only && remaining >= 2 && iequals(a, "limit")) {
      if (!model::parse_int64(ctx.arg(j + 1), &limit) || limit < 0) {
        ctx.reply.error("ERR LIMIT can't be negative");
        return;
      }
      j += 2;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }

  if (card_only) {
    ctx.reply.integer(model::intersection_size(ctx.view, std::move(sources), limit));
    return;
  }
  std::vector<ScoredMember> result = model::combine(ctx.view, op, std::move(sources), aggregate);
  if (store) {
    bool existed = notifying(ctx, engine::kEventGeneric) && model::exists(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.now_ms);
    model::store_zset(ctx.txn(), ctx.ns(), ctx.arg(1), result);
    notify_stored(ctx,
                  op == model::SetOp::kUnion   ? "zunionstore"
                  : op == model::SetOp::kInter ? "zinterstore"
                                               : "zdiffstore",
                  static_cast<int64_t>(result.size()), existed);
    ctx.reply.integer(static_cast<int64_t>(result.size()));
    return;
  }
  reply_members(ctx, result, withscores);
}
void cmd_zunion(CommandCtx& ctx) { setop_generic(ctx, false, model::SetOp::kUnion, false); }
void cmd_zinter(CommandCtx& ctx) { setop_generic(ctx, false, model::SetOp::kInter, false); }
void cmd_zdiff(CommandCtx& ctx) { setop_generic(ctx, false, model::SetOp::kDiff, false); }
void cmd_zintercard(CommandCtx& ctx) { setop_generic(ctx, false, model::SetOp::kInter, true); }
void cmd_zunionstore(CommandCtx& ctx) { setop_generic(ctx, true, model::SetOp::kUnion, false); }
void cmd_zinterstore(CommandCtx& ctx) { setop_generic(ctx, true, model::SetOp::kInter, false); }
void cmd_zdiffstore(CommandCtx& ctx) { setop_generic(ctx, true, model::SetOp::kDiff, false); }

// ---------------------------------------------------------------------------
// ZSCAN key cursor [MATCH pattern] [COUNT count]: the shared collection scan,
// with each member's stored score as Redis prints it.

std::string stored_score_text(std::string_view stored) {
  double score;
  return model::decode_score_value(stored, &score) ? model::format_score(score) : std::string();
}

void cmd_zscan(CommandCtx& ctx) { reply_member_scan(ctx, engine::ValueType::kZSet, stored_score_text); }

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, int step, Handler h,
                 std::string_view summary, std::string_view since) {
  return make_spec("sorted_set", "@sortedset", name, arity, flags, first, last, step, h, summary, since);
}

}  // namespace

void register_zset_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadOnly, F = kFast, M = kDenyOom;
  t.add(spec("zadd", -4, W | M | F, 1, 1, 1, cmd_zadd, "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.", "1.2.0"));
  t.add(spec("zincrby", 4, W | M | F, 1, 1, 1, cmd_zincrby, "Increments the score of a member in a sorted set.", "1.2.0"));
  t.add(spec("zrem", -3, W | F, 1, 1, 1, cmd_zrem, "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", "1.2.0"));
  t.add(spec("zcard", 2, R | F, 1, 1, 1, cmd_zcard, "Returns the number of members in a sorted set.", "1.2.0"));
  t.add(spec("zscore", 3, R | F, 1, 1, 1, cmd_zscore, "Returns the score of a member in a sorted set.", "1.2.0"));
  t.add(spec("zmscore", -3, R | F, 1, 1, 1, cmd_zmscore, "Returns the score of one or more members in a sorted set.", "6.2.0"));
  t.add(spec("zrank", 3, R | F, 1, 1, 1, cmd_zrank, "Returns the index of a member in a sorted set ordered by ascending scores.", "2.0.0"));
  t.add(spec("zrevrank", 3, R | F, 1, 1, 1, cmd_zrevrank, "Returns the index of a member in a sorted set ordered by descending scores.", "2.0.0"));
  t.add(spec("zcount", 4, R | F, 1, 1, 1, cmd_zcount, "Returns the count of members in a sorted set that have scores within a range.", "2.0.0"));
  t.add(spec("zlexcount", 4, R | F, 1, 1, 1, cmd_zlexcount, "Returns the number of members in a sorted set within a lexicographical range.", "2.8.9"));
  t.add(spec("zrange", -4, R, 1, 1, 1, cmd_zrange, "Returns members in a sorted set within a range of indexes.", "1.2.0"));
  t.add(spec("zrangestore", -5, W | M, 1, 2, 1, cmd_zrangestore, "Stores a range of members from sorted set in a key.", "6.2.0"));
  t.add(spec("zrangebyscore", -4, R, 1, 1, 1, cmd_zrangebyscore, "Returns members in a sorted set within a range of scores.", "1.0.5"));
  t.add(spec("zrevrangebyscore", -4, R, 1, 1, 1, cmd_zrevrangebyscore, "Returns members in a sorted set within a range of scores in reverse order.", "2.2.0"));
  t.add(spec("zrangebylex", -4, R, 1, 1, 1, cmd_zrangebylex, "Returns members in a sorted set within a lexicographical range.", "2.8.9"));
  t.add(spec("zrevrangebylex", -4, R, 1, 1, 1, cmd_zrevrangebylex, "Returns members in a sorted set within a lexicographical range in reverse order.", "2.8.9"));
  t.add(spec("zrevrange", -4, R, 1, 1, 1, cmd_zrevrange, "Returns members in a sorted set within a range of indexes in reverse order.", "1.2.0"));
  t.add(spec("zremrangebyrank", 4, W, 1, 1, 1, cmd_zremrangebyrank, "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.", "2.0.0"));
  t.add(spec("zremrangebyscore", 4, W, 1, 1, 1, cmd_zremrangebyscore, "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.", "1.2.0"));
  t.add(spec("zremrangebylex", 4, W, 1, 1, 1, cmd_zremrangebylex, "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.", "2.8.9"));
  t.add(spec("zpopmin", -2, W | F, 1, 1, 1, cmd_zpopmin, "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0"));
  t.add(spec("zpopmax", -2, W | F, 1, 1, 1, cmd_zpopmax, "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.", "5.0.0"));
  t.add(spec("zrandmember", -2, R, 1, 1, 1, cmd_zrandmember, "Returns one or more random members from a sorted set.", "6.2.0"));
  t.add(spec("zscan", -3, R, 1, 1, 1, cmd_zscan, "Iterates over members and scores of a sorted set.", "2.8.0"));
  // numkeys makes the source keys variable: the table names the fixed key
  // positions only (the destination of the STORE forms, the first source
  // otherwise, as argv[2] always is one); handlers read numkeys.
  t.add(spec("zmpop", -4, W, 2, 2, 1, cmd_zmpop, "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.", "7.0.0"));
  constexpr uint32_t B = kBlocking | kNoScript;
  t.add(spec("bzpopmin", -3, W | F | B, 1, -2, 1, cmd_bzpopmin, "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", "5.0.0"));
  t.add(spec("bzpopmax", -3, W | F | B, 1, -2, 1, cmd_bzpopmax, "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise. Deletes the sorted set if the last element was popped.", "5.0.0"));
  t.add(spec("bzmpop", -5, W | kBlocking, 0, 0, 0, cmd_bzmpop, "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.", "7.0.0"));
  t.add(spec("zunion", -3, R, 2, 2, 1, cmd_zunion, "Returns the union of multiple sorted sets.", "6.2.0"));
  t.add(spec("zinter", -3, R, 2, 2, 1, cmd_zinter, "Returns the intersect of multiple sorted sets.", "6.2.0"));
  t.add(spec("zintercard", -3, R, 2, 2, 1, cmd_zintercard, "Returns the number of members of the intersect of multiple sorted sets.", "7.0.0"));
  t.add(spec("zdiff", -3, R, 2, 2, 1, cmd_zdiff, "Returns the difference between multiple sorted sets.", "6.2.0"));
  t.add(spec("zunionstore", -4, W | M, 1, 1, 1, cmd_zunionstore, "Stores the union of multiple sorted sets in a key.", "2.0.0"));
  t.add(spec("zinterstore", -4, W | M, 1, 1, 1, cmd_zinterstore, "Stores the intersect of multiple sorted sets in a key.", "2.0.0"));
  t.add(spec("zdiffstore", -4, W | M, 1, 1, 1, cmd_zdiffstore, "Stores the difference of multiple input sorted sets in a key.", "6.2.0"));
}

}  // namespace cairn::command
