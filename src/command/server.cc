// The server family: DBSIZE, FLUSHDB/FLUSHALL, persistence (SAVE, BGSAVE,
// BGREWRITEAOF, LASTSAVE), TIME, SHUTDOWN and FUNCTION FLUSH. Introspection
// (INFO, CONFIG, COMMAND, CLIENT) lives in introspection.cc.
#include <fmt/format.h>

#include <climits>
#include <utility>

#include "command/args.h"
#include "command/errors.h"
#include "command/server_context.h"
#include "command/table.h"
#include "engine/clock.h"
#include "model/databases.h"
#include "model/keys.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

void cmd_dbsize(CommandCtx& ctx) { ctx.reply.integer(ctx.view.key_count(ctx.ns())); }

bool flush_mode_ok(CommandCtx& ctx, size_t first) {
  for (size_t i = first; i < ctx.argc(); ++i) {
    if (!iequals(ctx.arg(i), "async") && !iequals(ctx.arg(i), "sync")) {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (ctx.argc() > first + 1) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

void cmd_flushdb(CommandCtx& ctx) {
  if (!flush_mode_ok(ctx, 1)) return;
  ctx.server.watched_keys().flushing(ctx.view, ctx.session.db, ctx.ns(), ctx.now_ms);
  model::flush_namespace(ctx.txn(), ctx.ns(), ctx.session.multi.executing);
  ctx.reply.ok();
}

void cmd_flushall(CommandCtx& ctx) {
  if (!flush_mode_ok(ctx, 1)) return;
  for (int ns = 0; ns < engine::kUserNamespaces; ++ns) {
    if (ctx.view.key_count(static_cast<uint8_t>(ns)) == 0) continue;
    ctx.server.watched_keys().flushing(ctx.view, ctx.server.ns_db(static_cast<uint8_t>(ns)), static_cast<uint8_t>(ns),
                                       ctx.now_ms);
    model::flush_namespace(ctx.txn(), static_cast<uint8_t>(ns), ctx.session.multi.executing);
  }
  ctx.reply.ok();
}

// SWAPDB index1 index2: the two databases trade their data. Each database's
// keys live in a namespace (model/databases.h); the swap exchanges the two
// namespaces in the map, one meta record, whatever the databases hold.
// Connections stay in their database and so see the other data from the next
// command; WATCHes stay with their database and are touched as Redis touches
// them; clients blocked in either database may now be served.
void cmd_swapdb(CommandCtx& ctx) {
  int64_t a, b;
  if (!model::parse_int64(ctx.arg(1), &a) || a < INT32_MIN || a > INT32_MAX) {
    ctx.reply.error("ERR invalid first DB index");
    return;
  }
  if (!model::parse_int64(ctx.arg(2), &b) || b < INT32_MIN || b > INT32_MAX) {
    ctx.reply.error("ERR invalid second DB index");
    return;
  }
  if (a < 0 || a >= engine::kUserNamespaces || b < 0 || b >= engine::kUserNamespaces) {
    ctx.reply.error("ERR DB index is out of range");
    return;
  }
  if (a != b) {
    ServerContext& server = ctx.server;
    model::DatabaseMap map = server.database_map();
    const auto da = static_cast<uint8_t>(a), db = static_cast<uint8_t>(b);
    server.watched_keys().swapping(ctx.view, da, map[da], map[db], ctx.now_ms);
    server.watched_keys().swapping(ctx.view, db, map[db], map[da], ctx.now_ms);
    std::swap(map[da], map[db]);
    model::put_database_map(ctx.txn(), map);
    server.set_database_map(map);
    server.blocked().swapped(da, db);
  }
  ctx.reply.ok();
}

// SAVE: every acknowledged write is already durable; flushing memtables
// makes the on-disk tables current. BGREWRITEAOF also compacts.
void cmd_save(CommandCtx& ctx) {
  auto s = ctx.server.engine().persist(false);
  if (s.ok()) ctx.reply.ok();
  else ctx.reply.error(err::storage(s.ToString()));
}

void cmd_bgsave(CommandCtx& ctx) {
  if (ctx.server.engine().persist_in_background(false)) ctx.reply.simple("Background saving started");
  else ctx.reply.error("ERR Background save already in progress");
}

// Flushes and compacts in the background: reclaims space from deleted data.
void cmd_bgrewriteaof(CommandCtx& ctx) {
  if (ctx.server.engine().persist_in_background(true)) {
    ctx.reply.simple("Background append only file rewriting started");
  } else {
    ctx.reply.error("ERR Background append only file rewriting already in progress");
  }
}

void cmd_lastsave(CommandCtx& ctx) { ctx.reply.integer(ctx.server.engine().last_save_unix()); }

void cmd_time(CommandCtx& ctx) {
  int64_t us = engine::unix_us();
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(us / 1000000));
  ctx.reply.bulk(std::to_string(us % 1000000));
}

void cmd_shutdown(CommandCtx& ctx) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view a = ctx.arg(i);
    if (!iequals(a, "nosave") && !iequals(a, "save") && !iequals(a, "now") && !iequals(a, "force") &&
        !iequals(a, "abort")) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    if (iequals(a, "abort")) {
      ctx.reply.error("ERR No shutdown in progress.");
      return;
    }
  }
  // Every acknowledged write is durable already; SAVE/NOSAVE change nothing.
  ctx.session.closing = true;
  if (ctx.server.request_shutdown) ctx.server.request_shutdown();
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since = "1.0.0") {
  return make_spec("server", "", name, arity, flags, 0, 0, 0, h, summary, since);
}

}  // namespace

void register_server_commands(CommandTable& t) {
  t.add(spec("dbsize", 1, kReadOnly | kFast, cmd_dbsize, "Returns the number of keys in the database."));
  t.add(spec("flushdb", -1, kWrite | kExclusive, cmd_flushdb, "Removes all keys from the current database."));
  t.add(spec("flushall", -1, kWrite | kExclusive, cmd_flushall, "Removes all keys from all databases."));
  t.add(spec("swapdb", 3, kWrite | kFast | kExclusive, cmd_swapdb, "Swaps two Redis databases.", "4.0.0"));
  t.add(spec("save", 1, kAdmin | kNoScript | kNoMulti, cmd_save, "Synchronously saves the database(s) to disk."));
  t.add(spec("bgsave", -1, kAdmin | kNoScript, cmd_bgsave, "Asynchronously saves the database(s) to disk."));
  t.add(spec("bgrewriteaof", 1, kAdmin | kNoScript, cmd_bgrewriteaof,
             "Asynchronously rewrites the append-only file to disk."));
  t.add(spec("lastsave", 1, kFast | kLoading | kStale, cmd_lastsave,
             "Returns the Unix timestamp of the last successful save to disk."));
  t.add(spec("time", 1, kFast | kLoading | kStale, cmd_time, "Returns the server time.", "2.6.0"));
  t.add(spec("shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti, cmd_shutdown,
             "Synchronously saves the database(s) to disk and shuts down the Redis server."));
}

}  // namespace cairn::command
