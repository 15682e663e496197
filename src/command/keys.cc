// The generic key family: DEL/EXISTS/TYPE, RENAME/COPY/MOVE, the TTL
// commands, KEYS/SCAN/RANDOMKEY and OBJECT. They work on every type.
#include <fmt/format.h>

#include <limits>

#include "command/args.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/keys.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

using model::Found;

void cmd_del(CommandCtx& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    if (!model::delete_key(ctx.txn(), ctx.ns(), ctx.arg(i))) continue;
    notify(ctx, engine::kEventGeneric, "del", ctx.arg(i));
    ++n;
  }
  ctx.reply.integer(n);
}

void cmd_exists(CommandCtx& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) n += model::exists(ctx.view, ctx.ns(), ctx.arg(i), ctx.now_ms) ? 1 : 0;
  ctx.reply.integer(n);
}

void cmd_type(CommandCtx& ctx) {
  Found f;
  model::find(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  ctx.reply.simple(f.live ? engine::value_type_name(f.header.type) : "none");
}

void rename_generic(CommandCtx& ctx, bool nx) {
  switch (model::rename_key(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.arg(2), nx)) {
    case model::MoveResult::kNoSuchKey: ctx.reply.error(err::kNoSuchKey); return;
    case model::MoveResult::kTargetExists: ctx.reply.integer(0); return;
    case model::MoveResult::kOk:
      notify(ctx, engine::kEventGeneric, "rename_from", ctx.arg(1));
      notify(ctx, engine::kEventGeneric, "rename_to", ctx.arg(2));
      if (nx) ctx.reply.integer(1);
      else ctx.reply.ok();
      return;
  }
}
void cmd_rename(CommandCtx& ctx) { rename_generic(ctx, false); }
void cmd_renamenx(CommandCtx& ctx) { rename_generic(ctx, true); }

bool parse_db(CommandCtx& ctx, size_t i, uint8_t* db) {
  int64_t v;
  if (!model::parse_int64(ctx.arg(i), &v)) {
    ctx.reply.error(err::kNotInteger);
    return false;
  }
  if (v < 0 || v >= engine::kUserNamespaces) {
    ctx.reply.error(err::kDbIndex);
    return false;
  }
  *db = static_cast<uint8_t>(v);
  return true;
}

void cmd_copy(CommandCtx& ctx) {
  uint8_t db = ctx.ns();
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (iequals(ctx.arg(i), "replace")) {
      replace = true;
    } else if (iequals(ctx.arg(i), "db") && i + 1 < ctx.argc()) {
      if (!parse_db(ctx, ++i, &db)) return;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (db == ctx.ns() && ctx.arg(1) == ctx.arg(2)) {
    ctx.reply.error("ERR source and destination objects are the same");
    return;
  }
  auto r = model::copy_key(ctx.txn(), ctx.ns(), ctx.arg(1), db, ctx.arg(2), replace);
  if (r == model::MoveResult::kOk) notify_in(ctx, db, engine::kEventGeneric, "copy_to", ctx.arg(2));
  ctx.reply.integer(r == model::MoveResult::kOk ? 1 : 0);
}

void cmd_move(CommandCtx& ctx) {
  uint8_t db;
  if (!parse_db(ctx, 2, &db)) return;
  if (db == ctx.ns()) {
    ctx.reply.error("ERR source and destination objects are the same");
    return;
  }
  auto& t = ctx.txn();
  auto r = model::copy_key(t, ctx.ns(), ctx.arg(1), db, ctx.arg(1), false);
  if (r != model::MoveResult::kOk) {
    ctx.reply.integer(0);
    return;
  }
  model::delete_key(t, ctx.ns(), ctx.arg(1));
  notify(ctx, engine::kEventGeneric, "move_from", ctx.arg(1));
  notify_in(ctx, db, engine::kEventGeneric, "move_to", ctx.arg(1));
  ctx.reply.integer(1);
}

// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]
void expire_generic(CommandCtx& ctx, int64_t unit_ms, bool absolute) {
  int64_t when;
  if (!arg_int(ctx, 2, &when)) return;
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (iequals(a, "nx")) nx = true;
    else if (iequals(a, "xx")) xx = true;
    else if (iequals(a, "gt")) gt = true;
    else if (iequals(a, "lt")) lt = true;
    else {
      ctx.reply.error(fmt::format("ERR Unsupported option {}", a));
      return;
    }
  }
  if (nx && (xx || gt || lt)) {
    ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return;
  }
  if (gt && lt) {
    ctx.reply.error("ERR GT and LT options at the same time are not compatible");
    return;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  if (unit_ms == 1000) {
    if (when > kMax / 1000 || when < kMin / 1000) {
      ctx.reply.error(err::invalid_expire(ctx.arg(0)));
      return;
    }
    when *= 1000;
  }
  if (!absolute) {
    if (when > kMax - ctx.now_ms) {
      ctx.reply.error(err::invalid_expire(ctx.arg(0)));
      return;
    }
    when += ctx.now_ms;
  }
  model::ExpireCond cond = nx   ? model::ExpireCond::kNX
                           : xx ? model::ExpireCond::kXX
                           : gt ? model::ExpireCond::kGT
                           : lt ? model::ExpireCond::kLT
                                : model::ExpireCond::kNone;
  if (xx && (gt || lt)) {
    // XX with GT/LT: both must hold; GT/LT imply an existing TTL check below.
    Found f;
    model::find(ctx.txn(), ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
    if (!f.live || !f.header.expire_at_ms) {
      ctx.reply.integer(0);
      return;
    }
    cond = gt ? model::ExpireCond::kGT : model::ExpireCond::kLT;
  }
  // A non-positive absolute time still means "in the past": delete.
  if (when <= 0) when = 1;
  bool changed = model::set_expire(ctx.txn(), ctx.ns(), ctx.arg(1), when, cond);
  if (changed) notify(ctx, engine::kEventGeneric, when <= ctx.now_ms ? "del" : "expire", ctx.arg(1));
  ctx.reply.integer(changed ? 1 : 0);
}
void cmd_expire(CommandCtx& ctx) { expire_generic(ctx, 1000, false); }
void cmd_pexpire(CommandCtx& ctx) { expire_generic(ctx, 1, false); }
void cmd_expireat(CommandCtx& ctx) { expire_generic(ctx, 1000, true); }
void cmd_pexpireat(CommandCtx& ctx) { expire_generic(ctx, 1, true); }

void cmd_persist(CommandCtx& ctx) {
  bool changed = model::persist(ctx.txn(), ctx.ns(), ctx.arg(1));
  if (changed) notify(ctx, engine::kEventGeneric, "persist", ctx.arg(1));
  ctx.reply.integer(changed ? 1 : 0);
}

void ttl_generic(CommandCtx& ctx, bool ms, bool absolute) {
  int64_t at = model::expire_at(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms);
  if (at < 0) {
    ctx.reply.integer(at);
    return;
  }
  if (absolute) {
    ctx.reply.integer(ms ? at : at / 1000);
    return;
  }
  int64_t left = std::max<int64_t>(at - ctx.now_ms, 0);
  ctx.reply.integer(ms ? left : (left + 500) / 1000);
}
void cmd_ttl(CommandCtx& ctx) { ttl_generic(ctx, false, false); }
void cmd_pttl(CommandCtx& ctx) { ttl_generic(ctx, true, false); }
void cmd_expiretime(CommandCtx& ctx) { ttl_generic(ctx, false, true); }
void cmd_pexpiretime(CommandCtx& ctx) { ttl_generic(ctx, true, true); }

void cmd_touch(CommandCtx& ctx) { cmd_exists(ctx); }

void cmd_keys(CommandCtx& ctx) {
  auto keys = model::match_keys(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms);
  ctx.reply.array(keys.size());
  for (const auto& k : keys) ctx.reply.bulk(k);
}

std::optional<engine::ValueType> parse_type(std::string_view s, bool* known) {
  static const std::pair<const char*, engine::ValueType> kTypes[] = {
      {"string", engine::ValueType::kString}, {"hash", engine::ValueType::kHash},
      {"list", engine::ValueType::kList},     {"set", engine::ValueType::kSet},
      {"zset", engine::ValueType::kZSet},     {"stream", engine::ValueType::kStream}};
  for (auto& [name, t] : kTypes) {
    if (iequals(s, name)) {
      *known = true;
      return t;
    }
  }
  *known = false;
  return std::nullopt;
}

void cmd_scan(CommandCtx& ctx) {
  uint64_t cursor;
  if (!model::parse_uint64(ctx.arg(1), &cursor)) {
    ctx.reply.error("ERR invalid cursor");
    return;
  }
  std::string_view pattern;
  int64_t count = 10;
  std::optional<engine::ValueType> type;
  bool type_unknown = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc();
    if (iequals(a, "match") && has_next) {
      pattern = ctx.arg(++i);
    } else if (iequals(a, "count") && has_next) {
      if (!arg_int(ctx, ++i, &count)) return;
      if (count < 1) {
        ctx.reply.error(err::kSyntax);
        return;
      }
    } else if (iequals(a, "type") && has_next) {
      bool known;
      type = parse_type(ctx.arg(++i), &known);
      type_unknown = !known;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  auto page = model::scan_keys(ctx.view, ctx.ns(), cursor, static_cast<size_t>(count), pattern, type, ctx.now_ms);
  if (type_unknown) page.keys.clear();
  ctx.reply.array(2);
  ctx.reply.bulk(model::format_int64(static_cast<int64_t>(page.cursor)));
  ctx.reply.array(page.keys.size());
  for (const auto& k : page.keys) ctx.reply.bulk(k);
}

void cmd_randomkey(CommandCtx& ctx) {
  auto k = model::random_key(ctx.view, ctx.ns(), ctx.now_ms);
  if (k) ctx.reply.bulk(*k);
  else ctx.reply.null();
}

const char* string_encoding(std::string_view v) {
  int64_t n;
  if (v.size() <= 20 && model::parse_int64(v, &n)) return "int";
  return v.size() <= 44 ? "embstr" : "raw";
}

void cmd_object(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (iequals(sub, "help")) {
    static const char* kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>", "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>", "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>", "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP", "    Print this help."};
    ctx.reply.array(std::size(kHelp));
    for (const char* line : kHelp) ctx.reply.simple(line);
    return;
  }
  if (ctx.argc() != 3) {
    ctx.reply.error(fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try OBJECT HELP.", sub));
    return;
  }
  Found f;
  model::find(ctx.view, ctx.ns(), ctx.arg(2), ctx.now_ms, &f);
  bool known = iequals(sub, "encoding") || iequals(sub, "freq") || iequals(sub, "idletime") || iequals(sub, "refcount");
  if (!known) {
    ctx.reply.error(fmt::format("ERR unknown subcommand '{}'. Try OBJECT HELP.", sub));
    return;
  }
  if (!f.live) {
    ctx.reply.null();
    return;
  }
  if (iequals(sub, "encoding")) {
    switch (f.header.type) {
      case engine::ValueType::kString: ctx.reply.bulk(f.header.chunked ? "raw" : string_encoding(f.payload)); break;
      case engine::ValueType::kList: ctx.reply.bulk("quicklist"); break;
      case engine::ValueType::kZSet: ctx.reply.bulk("skiplist"); break;
      case engine::ValueType::kStream: ctx.reply.bulk("stream"); break;
      default: ctx.reply.bulk("hashtable"); break;
    }
  } else if (iequals(sub, "freq")) {
    ctx.reply.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  } else if (iequals(sub, "idletime")) {
    ctx.reply.integer(0);  // access times are not tracked: every key counts as just used
  } else {
    ctx.reply.integer(1);
  }
}

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, int step, Handler h,
                 std::string_view summary, std::string_view since = "1.0.0") {
  return make_spec("generic", "@keyspace", name, arity, flags, first, last, step, h, summary, since);
}

}  // namespace

void register_key_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadOnly, F = kFast;
  t.add(spec("del", -2, W, 1, -1, 1, cmd_del, "Deletes one or more keys."));
  t.add(spec("unlink", -2, W | F, 1, -1, 1, cmd_del, "Asynchronously deletes one or more keys.", "4.0.0"));
  t.add(spec("exists", -2, R | F, 1, -1, 1, cmd_exists, "Determines whether one or more keys exist."));
  t.add(spec("type", 2, R | F, 1, 1, 1, cmd_type, "Determines the type of value stored at a key."));
  t.add(spec("rename", 3, W, 1, 2, 1, cmd_rename, "Renames a key and overwrites the destination."));
  t.add(spec("renamenx", 3, W | F, 1, 2, 1, cmd_renamenx, "Renames a key only when the target key name doesn't exist."));
  t.add(spec("copy", -3, W, 1, 2, 1, cmd_copy, "Copies the value of a key to a new key.", "6.2.0"));
  t.add(spec("move", 3, W | F, 1, 1, 1, cmd_move, "Moves a key to another database."));
  t.add(spec("expire", -3, W | F, 1, 1, 1, cmd_expire, "Sets the expiration time of a key in seconds."));
  t.add(spec("pexpire", -3, W | F, 1, 1, 1, cmd_pexpire, "Sets the expiration time of a key in milliseconds.", "2.6.0"));
  t.add(spec("expireat", -3, W | F, 1, 1, 1, cmd_expireat, "Sets the expiration time of a key to a Unix timestamp.", "1.2.0"));
  t.add(spec("pexpireat", -3, W | F, 1, 1, 1, cmd_pexpireat, "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0"));
  t.add(spec("persist", 2, W | F, 1, 1, 1, cmd_persist, "Removes the expiration time of a key.", "2.2.0"));
  t.add(spec("ttl", 2, R | F, 1, 1, 1, cmd_ttl, "Returns the expiration time in seconds of a key."));
  t.add(spec("pttl", 2, R | F, 1, 1, 1, cmd_pttl, "Returns the expiration time in milliseconds of a key.", "2.6.0"));
  t.add(spec("expiretime", 2, R | F, 1, 1, 1, cmd_expiretime, "Returns the expiration time of a key as a Unix timestamp.", "7.0.0"));
  t.add(spec("pexpiretime", 2, R | F, 1, 1, 1, cmd_pexpiretime, "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0"));
  t.add(spec("touch", -2, R | F, 1, -1, 1, cmd_touch, "Returns the number of existing keys out of those specified after updating the time they were last accessed.", "3.2.1"));
  t.add(spec("keys", 2, R, 0, 0, 0, cmd_keys, "Returns all key names that match a pattern."));
  t.add(spec("scan", -2, R, 0, 0, 0, cmd_scan, "Iterates over the key names in the database.", "2.8.0"));
  t.add(spec("randomkey", 1, R, 0, 0, 0, cmd_randomkey, "Returns a random key name from the database."));
  auto obj = spec("object", -2, R, 2, 2, 1, cmd_object, "A container for object introspection commands.", "2.2.3");
  obj.subcommands = {"object|encoding", "object|freq", "object|idletime", "object|refcount", "object|help"};
  t.add(std::move(obj));
}

}  // namespace cairn::command
