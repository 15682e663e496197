// The string family: GET/SET and friends, counters, ranges, LCS, and Cairn's
// revision commands (REVISION, SETREV). Handlers parse arguments and write
// replies; the work is done by model/strings.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/numbers.h"
#include "model/strings.h"

namespace cairn::command {

namespace {

using model::Found;
using model::OpStatus;

// Replies for a failed status; returns true if `s` was an error.
bool reply_status_error(CommandCtx& ctx, OpStatus s) {
  switch (s) {
    case OpStatus::kOk:
    case OpStatus::kNotFound: return false;
    case OpStatus::kWrongType: ctx.reply.error(err::kWrongType); return true;
    case OpStatus::kNotInteger: ctx.reply.error(err::kNotInteger); return true;
    case OpStatus::kNotFloat: ctx.reply.error(err::kNotFloat); return true;
    case OpStatus::kOverflow: ctx.reply.error(err::kOverflow); return true;
    case OpStatus::kTooLarge: ctx.reply.error(err::kStringTooLong); return true;
    case OpStatus::kNanOrInf: ctx.reply.error("ERR increment would produce NaN or Infinity"); return true;
  }
  return false;
}

uint64_t max_value(CommandCtx& ctx) { return ctx.server.settings().max_value_bytes.load(); }

bool value_fits(CommandCtx& ctx, std::string_view v) {
  if (v.size() <= max_value(ctx)) return true;
  ctx.reply.error(err::kStringTooLong);
  return false;
}

void count_hit(CommandCtx& ctx, bool hit) {
  (hit ? ctx.server.stats().keyspace_hits : ctx.server.stats().keyspace_misses).fetch_add(1, std::memory_order_relaxed);
}

void cmd_get(CommandCtx& ctx) {
  Found f;
  OpStatus s = model::get_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (reply_status_error(ctx, s)) return;
  count_hit(ctx, s == OpStatus::kOk);
  if (s == OpStatus::kOk) ctx.reply.bulk(f.payload);
  else ctx.reply.null();
}

struct SetOptions {
  bool nx = false, xx = false, get = false, keepttl = false;
  int64_t expire_at = 0;
};

// Parses SET's options from argv[3..]; replies and returns false on error.
bool parse_set_options(CommandCtx& ctx, SetOptions* o) {
  bool have_expire = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (iequals(a, "nx") && !o->xx) {
      o->nx = true;
    } else if (iequals(a, "xx") && !o->nx) {
      o->xx = true;
    } else if (iequals(a, "get")) {
      o->get = true;
    } else if (iequals(a, "keepttl") && !have_expire) {
      o->keepttl = true;
      have_expire = true;
    } else if (!have_expire && has_next &&
               (iequals(a, "ex") || iequals(a, "px") || iequals(a, "exat") || iequals(a, "pxat"))) {
      bool seconds = iequals(a, "ex") || iequals(a, "exat");
      bool absolute = iequals(a, "exat") || iequals(a, "pxat");
      if (!arg_expire(ctx, ++i, seconds ? 1000 : 1, absolute, &o->expire_at)) return false;
      have_expire = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void cmd_set(CommandCtx& ctx) {
  SetOptions o;
  if (!parse_set_options(ctx, &o) || !value_fits(ctx, ctx.arg(2))) return;
  auto& t = ctx.txn();
  Found old;
  model::find(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &old);
  if (o.get && old.live && old.header.type != model::ValueType::kString) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  if (o.get) model::load_string(t, ctx.ns(), ctx.arg(1), &old);
  bool allowed = !(o.nx && old.live) && !(o.xx && !old.live);
  if (allowed) {
    int64_t at = o.keepttl && old.live ? old.header.expire_at_ms : o.expire_at;
    std::string previous = o.get && old.live ? std::string(old.payload) : std::string();
    if (at && at <= ctx.now_ms) {
      if (old.present) engine::delete_record(t, ctx.ns(), ctx.arg(1), old);
      notify(ctx, engine::kEventGeneric, "del", ctx.arg(1));
    } else {
      model::put_string(t, ctx.ns(), ctx.arg(1), old, ctx.arg(2), at);
      notify(ctx, engine::kEventString, "set", ctx.arg(1));
      if (at && !o.keepttl) notify(ctx, engine::kEventGeneric, "expire", ctx.arg(1));
    }
    if (o.get) {
      if (old.live) ctx.reply.bulk(previous);
      else ctx.reply.null();
    } else {
      ctx.reply.ok();
    }
    return;
  }
  if (o.get) {
    if (old.live) ctx.reply.bulk(old.payload);
    else ctx.reply.null();
  } else {
    ctx.reply.null();
  }
}

void cmd_setnx(CommandCtx& ctx) {
  if (!value_fits(ctx, ctx.arg(2))) return;
  auto& t = ctx.txn();
  Found old;
  model::find(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &old);
  if (old.live) {
    ctx.reply.integer(0);
    return;
  }
  model::put_string(t, ctx.ns(), ctx.arg(1), old, ctx.arg(2), 0);
  notify(ctx, engine::kEventString, "set", ctx.arg(1));
  ctx.reply.integer(1);
}

void setex_generic(CommandCtx& ctx, int64_t unit_ms) {
  int64_t at;
  if (!arg_expire(ctx, 2, unit_ms, false, &at) || !value_fits(ctx, ctx.arg(3))) return;
  auto& t = ctx.txn();
  Found old;
  model::find(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &old);
  model::put_string(t, ctx.ns(), ctx.arg(1), old, ctx.arg(3), at);
  notify(ctx, engine::kEventString, "set", ctx.arg(1));
  notify(ctx, engine::kEventGeneric, "expire", ctx.arg(1));
  ctx.reply.ok();
}
void cmd_setex(CommandCtx& ctx) { setex_generic(ctx, 1000); }
void cmd_psetex(CommandCtx& ctx) { setex_generic(ctx, 1); }

void cmd_getset(CommandCtx& ctx) {
  if (!value_fits(ctx, ctx.arg(2))) return;
  auto& t = ctx.txn();
  Found old;
  OpStatus s = model::get_string(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &old);
  if (reply_status_error(ctx, s)) return;
  std::string previous(s == OpStatus::kOk ? old.payload : std::string_view());
  model::put_string(t, ctx.ns(), ctx.arg(1), old, ctx.arg(2), 0);
  notify(ctx, engine::kEventString, "set", ctx.arg(1));
  if (s == OpStatus::kOk) ctx.reply.bulk(previous);
  else ctx.reply.null();
}

void cmd_getdel(CommandCtx& ctx) {
  auto& t = ctx.txn();
  Found old;
  OpStatus s = model::get_string(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &old);
  if (reply_status_error(ctx, s)) return;
  if (s != OpStatus::kOk) {
    ctx.reply.null();
    return;
  }
  std::string previous(old.payload);
  engine::delete_record(t, ctx.ns(), ctx.arg(1), old);
  notify(ctx, engine::kEventGeneric, "del", ctx.arg(1));
  ctx.reply.bulk(previous);
}

void cmd_getex(CommandCtx& ctx) {
  int64_t at = 0;
  bool persist = false, change = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (iequals(a, "persist") && !change) {
      persist = change = true;
    } else if (!change && has_next &&
               (iequals(a, "ex") || iequals(a, "px") || iequals(a, "exat") || iequals(a, "pxat"))) {
      bool seconds = iequals(a, "ex") || iequals(a, "exat");
      bool absolute = iequals(a, "exat") || iequals(a, "pxat");
      if (!arg_expire(ctx, ++i, seconds ? 1000 : 1, absolute, &at)) return;
      change = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  auto& t = ctx.txn();
  Found f;
  OpStatus s = model::get_string(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (reply_status_error(ctx, s)) return;
  if (s != OpStatus::kOk) {
    ctx.reply.null();
    return;
  }
  std::string value(f.payload);
  if (change) {
    if (persist) {
      if (f.header.expire_at_ms) {
        model::put_string(t, ctx.ns(), ctx.arg(1), f, value, 0);
        notify(ctx, engine::kEventGeneric, "persist", ctx.arg(1));
      }
    } else if (at <= ctx.now_ms) {
      engine::delete_record(t, ctx.ns(), ctx.arg(1), f);
      notify(ctx, engine::kEventGeneric, "del", ctx.arg(1));
    } else {
      model::put_string(t, ctx.ns(), ctx.arg(1), f, value, at);
      notify(ctx, engine::kEventGeneric, "expire", ctx.arg(1));
    }
  }
  ctx.reply.bulk(value);
}

void cmd_mget(CommandCtx& ctx) {
  ctx.reply.array(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Found f;
    OpStatus s = model::get_string(ctx.view, ctx.ns(), ctx.arg(i), ctx.now_ms, &f);
    if (s == OpStatus::kOk) ctx.reply.bulk(f.payload);
    else ctx.reply.null();
  }
}

void cmd_mset(CommandCtx& ctx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply.error(err::wrong_arity(ctx.arg(0) == "msetnx" ? "msetnx" : "mset"));
    return;
  }
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    if (!value_fits(ctx, ctx.arg(i))) return;
  }
  auto& t = ctx.txn();
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    Found old;
    model::find(t, ctx.ns(), ctx.arg(i), ctx.now_ms, &old);
    model::put_string(t, ctx.ns(), ctx.arg(i), old, ctx.arg(i + 1), 0);
    notify(ctx, engine::kEventString, "set", ctx.arg(i));
  }
  ctx.reply.ok();
}

void cmd_msetnx(CommandCtx& ctx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply.error(err::wrong_arity("msetnx"));
    return;
  }
  auto& t = ctx.txn();
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    if (model::exists(t, ctx.ns(), ctx.arg(i), ctx.now_ms)) {
      ctx.reply.integer(0);
      return;
    }
  }
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    if (!value_fits(ctx, ctx.arg(i))) return;
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    Found old;
    model::find(t, ctx.ns(), ctx.arg(i), ctx.now_ms, &old);
    model::put_string(t, ctx.ns(), ctx.arg(i), old, ctx.arg(i + 1), 0);
    notify(ctx, engine::kEventString, "set", ctx.arg(i));
  }
  ctx.reply.integer(1);
}

void incr_generic(CommandCtx& ctx, int64_t delta) {
  int64_t result;
  OpStatus s = model::incr_by(ctx.txn(), ctx.ns(), ctx.arg(1), delta, &result);
  if (reply_status_error(ctx, s)) return;
  notify(ctx, engine::kEventString, "incrby", ctx.arg(1));
  ctx.reply.integer(result);
}
void cmd_incr(CommandCtx& ctx) { incr_generic(ctx, 1); }
void cmd_decr(CommandCtx& ctx) { incr_generic(ctx, -1); }
void cmd_incrby(CommandCtx& ctx) {
  int64_t d;
  if (arg_int(ctx, 2, &d)) incr_generic(ctx, d);
}
void cmd_decrby(CommandCtx& ctx) {
  int64_t d;
  if (!arg_int(ctx, 2, &d)) return;
  if (d == std::numeric_limits<int64_t>::min()) {
    ctx.reply.error("ERR decrement would overflow");
    return;
  }
  incr_generic(ctx, -d);
}

void cmd_incrbyfloat(CommandCtx& ctx) {
  long double d;
  if (!model::parse_long_double(ctx.arg(2), &d)) {
    ctx.reply.error(err::kNotFloat);
    return;
  }
  std::string result;
  OpStatus s = model::incr_by_float(ctx.txn(), ctx.ns(), ctx.arg(1), d, &result);
  if (reply_status_error(ctx, s)) return;
  notify(ctx, engine::kEventString, "incrbyfloat", ctx.arg(1));
  ctx.reply.bulk(result);
}

void cmd_append(CommandCtx& ctx) {
  size_t len;
  OpStatus s = model::append(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), max_value(ctx), &len);
  if (reply_status_error(ctx, s)) return;
  notify(ctx, engine::kEventString, "append", ctx.arg(1));
  ctx.reply.integer(static_cast<int64_t>(len));
}

void cmd_strlen(CommandCtx& ctx) {
  Found f;
  OpStatus s = model::find_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (reply_status_error(ctx, s)) return;
  ctx.reply.integer(s == OpStatus::kOk ? static_cast<int64_t>(model::string_length(f)) : 0);
}

void cmd_getrange(CommandCtx& ctx) {
  int64_t start, end;
  if (!arg_int(ctx, 2, &start) || !arg_int(ctx, 3, &end)) return;
  Found f;
  OpStatus s = model::find_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (reply_status_error(ctx, s)) return;
  uint64_t first, last;
  if (s != OpStatus::kOk || !model::resolve_substring(model::string_length(f), start, end, &first, &last)) {
    ctx.reply.bulk(std::string_view());
    return;
  }
  ctx.reply.bulk(model::read_range(ctx.view, ctx.ns(), ctx.arg(1), f, first, last - first + 1));
}

void cmd_setrange(CommandCtx& ctx) {
  int64_t offset;
  if (!arg_int(ctx, 2, &offset)) return;
  if (offset < 0) {
    ctx.reply.error("ERR offset is out of range");
    return;
  }
  size_t len;
  OpStatus s = model::set_range(ctx.txn(), ctx.ns(), ctx.arg(1), static_cast<uint64_t>(offset), ctx.arg(3),
                                max_value(ctx), &len);
  if (reply_status_error(ctx, s)) return;
  if (!ctx.arg(3).empty()) notify(ctx, engine::kEventString, "setrange", ctx.arg(1));
  ctx.reply.integer(static_cast<int64_t>(len));
}

void cmd_lcs(CommandCtx& ctx) {
  bool want_len = false, want_idx = false, with_match_len = false;
  int64_t min_match = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (iequals(a, "len")) want_len = true;
    else if (iequals(a, "idx")) want_idx = true;
    else if (iequals(a, "withmatchlen")) with_match_len = true;
    else if (iequals(a, "minmatchlen") && i + 1 < ctx.argc()) {
      if (!arg_int(ctx, ++i, &min_match)) return;
      if (min_match < 0) min_match = 0;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (want_len && want_idx) {
    ctx.reply.error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  Found fa, fb;
  OpStatus sa = model::get_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &fa);
  OpStatus sb = model::get_string(ctx.view, ctx.ns(), ctx.arg(2), ctx.now_ms, &fb);
  if (sa == OpStatus::kWrongType || sb == OpStatus::kWrongType) {
    ctx.reply.error("ERR The specified keys must contain string values");
    return;
  }
  std::string_view a = sa == OpStatus::kOk ? fa.payload : std::string_view();
  std::string_view b = sb == OpStatus::kOk ? fb.payload : std::string_view();
  size_t n = a.size(), m = b.size();
  if ((n + 1) * (m + 1) > ctx.server.settings().max_value_bytes.load() / sizeof(uint32_t)) {
    ctx.reply.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  // Classic dynamic programme: dp[i][j] = LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> dp((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return dp[i * (m + 1) + j]; };
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  uint32_t len = at(n, m);
  if (want_len) {
    ctx.reply.integer(len);
    return;
  }
  // Walk back from the end collecting the common string and, for IDX, the
  // matching ranges (reported from the end, as Redis does).
  std::string common(len, '\0');
  struct Range { size_t a_start, a_end, b_start, b_end; };
  std::vector<Range> ranges;
  size_t i = n, j = m, idx = len;
  bool in_range = false;
  Range cur{};
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      common[--idx] = a[i - 1];
      if (!in_range) {
        cur = {i - 1, i - 1, j - 1, j - 1};
        in_range = true;
      } else if (cur.a_start == i && cur.b_start == j) {
        cur.a_start = i - 1;
        cur.b_start = j - 1;
      } else {
        ranges.push_back(cur);
        cur = {i - 1, i - 1, j - 1, j - 1};
      }
      --i;
      --j;
    } else {
      if (in_range) {
        ranges.push_back(cur);
        in_range = false;
      }
      if (at(i - 1, j) > at(i, j - 1)) --i;
      else --j;
    }
  }
  if (in_range) ranges.push_back(cur);
  if (!want_idx) {
    ctx.reply.bulk(common);
    return;
  }
  std::vector<Range> kept;
  for (const Range& r : ranges) {
    if (static_cast<int64_t>(r.a_end - r.a_start + 1) >= min_match) kept.push_back(r);
  }
  ctx.reply.map(2);
  ctx.reply.bulk("matches");
  ctx.reply.array(kept.size());
  for (const Range& r : kept) {
    ctx.reply.array(with_match_len ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.integer(static_cast<int64_t>(r.a_start));
    ctx.reply.integer(static_cast<int64_t>(r.a_end));
    ctx.reply.array(2);
    ctx.reply.integer(static_cast<int64_t>(r.b_start));
    ctx.reply.integer(static_cast<int64_t>(r.b_end));
    if (with_match_len) ctx.reply.integer(static_cast<int64_t>(r.a_end - r.a_start + 1));
  }
  ctx.reply.bulk("len");
  ctx.reply.integer(len);
}

void cmd_revision(CommandCtx& ctx) {
  Found f;
  model::find(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (f.live) ctx.reply.integer(static_cast<int64_t>(f.header.revision));
  else ctx.reply.null();
}

// SETREV key value revision [EX seconds | PX ms]: compare-and-set on the key's
// revision; revision 0 means "the key must not exist".
void cmd_setrev(CommandCtx& ctx) {
  int64_t expected;
  if (!arg_int(ctx, 3, &expected)) return;
  int64_t at = 0;
  if (ctx.argc() == 6 && (iequals(ctx.arg(4), "ex") || iequals(ctx.arg(4), "px"))) {
    if (!arg_expire(ctx, 5, iequals(ctx.arg(4), "ex") ? 1000 : 1, false, &at)) return;
  } else if (ctx.argc() != 4) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (!value_fits(ctx, ctx.arg(2))) return;
  auto& t = ctx.txn();
  Found old;
  model::find(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &old);
  int64_t current = old.live ? static_cast<int64_t>(old.header.revision) : 0;
  if (current != expected) {
    ctx.reply.null();
    return;
  }
  model::put_string(t, ctx.ns(), ctx.arg(1), old, ctx.arg(2), at);
  notify(ctx, engine::kEventString, "set", ctx.arg(1));
  if (at) notify(ctx, engine::kEventGeneric, "expire", ctx.arg(1));
  ctx.reply.integer(static_cast<int64_t>(t.revision()));
}

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, int step, Handler h,
                 std::string_view summary, std::string_view since = "1.0.0") {
  return make_spec("string", "@string", name, arity, flags, first, last, step, h, summary, since);
}

}  // namespace

void register_string_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite | kDenyOom, R = kReadOnly, F = kFast;
  t.add(spec("get", 2, R | F, 1, 1, 1, cmd_get, "Returns the string value of a key."));
  t.add(spec("set", -3, W, 1, 1, 1, cmd_set, "Sets the string value of a key, ignoring its type."));
  t.add(spec("setnx", 3, W | F, 1, 1, 1, cmd_setnx, "Set the string value of a key only when the key doesn't exist."));
  t.add(spec("setex", 4, W, 1, 1, 1, cmd_setex, "Sets the string value and expiration time of a key.", "2.0.0"));
  t.add(spec("psetex", 4, W, 1, 1, 1, cmd_psetex, "Sets both string value and expiration time in milliseconds of a key.", "2.6.0"));
  t.add(spec("getset", 3, W | F, 1, 1, 1, cmd_getset, "Returns the previous string value of a key after setting it to a new value."));
  t.add(spec("getdel", 2, kWrite | F, 1, 1, 1, cmd_getdel, "Returns the string value of a key after deleting the key.", "6.2.0"));
  t.add(spec("getex", -2, kWrite | F, 1, 1, 1, cmd_getex, "Returns the string value of a key after setting its expiration time.", "6.2.0"));
  t.add(spec("mget", -2, R | F, 1, -1, 1, cmd_mget, "Atomically returns the string values of one or more keys."));
  t.add(spec("mset", -3, W, 1, -1, 2, cmd_mset, "Atomically creates or modifies the string values of one or more keys.", "1.0.1"));
  t.add(spec("msetnx", -3, W, 1, -1, 2, cmd_msetnx, "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1"));
  t.add(spec("incr", 2, W | F, 1, 1, 1, cmd_incr, "Increments the integer value of a key by one."));
  t.add(spec("decr", 2, W | F, 1, 1, 1, cmd_decr, "Decrements the integer value of a key by one."));
  t.add(spec("incrby", 3, W | F, 1, 1, 1, cmd_incrby, "Increments the integer value of a key by a number."));
  t.add(spec("decrby", 3, W | F, 1, 1, 1, cmd_decrby, "Decrements a number from the integer value of a key."));
  t.add(spec("incrbyfloat", 3, W | F, 1, 1, 1, cmd_incrbyfloat, "Increment the floating point value of a key by a number.", "2.6.0"));
  t.add(spec("append", 3, W | F, 1, 1, 1, cmd_append, "Appends a string to the value of a key.", "2.0.0"));
  t.add(spec("strlen", 2, R | F, 1, 1, 1, cmd_strlen, "Returns the length of a string value.", "2.2.0"));
  t.add(spec("getrange", 4, R, 1, 1, 1, cmd_getrange, "Returns a substring of the string stored at a key.", "2.4.0"));
  t.add(spec("substr", 4, R, 1, 1, 1, cmd_getrange, "Returns a substring from a string value."));
  t.add(spec("setrange", 4, W, 1, 1, 1, cmd_setrange, "Overwrites a part of a string value with another by an offset.", "2.2.0"));
  t.add(spec("lcs", -3, R, 1, 2, 1, cmd_lcs, "Finds the longest common substring.", "7.0.0"));
  t.add(spec("revision", 2, R | F, 1, 1, 1, cmd_revision, "Returns the revision of a key's last write (Cairn).", "cairn-0.1"));
  t.add(spec("setrev", -4, W, 1, 1, 1, cmd_setrev, "Sets a key only if its revision still matches (Cairn).", "cairn-0.1"));
}

}  // namespace cairn::command
