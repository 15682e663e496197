// Command dispatch and the writer op; see dispatch.h.
#include "command/dispatch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "command/args.h"
#include "command/errors.h"
#include "engine/status.h"

namespace cairn::command {

namespace {

void reply_unknown(CommandCtx& ctx) {
  std::string args;
  for (size_t i = 1; i < ctx.argc() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += fmt::format("'{}' ", ctx.arg(i).substr(0, room));
  }
  std::string msg =
      fmt::format("ERR unknown command '{}', with args beginning with: {}", ctx.arg(0).substr(0, 128), args);
  // Error replies are one line: Redis turns CR/LF into spaces.
  std::replace_if(msg.begin(), msg.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  ctx.reply.error(msg);
}

bool arity_ok(const CommandSpec& spec, size_t argc) {
  int n = static_cast<int>(argc);
  return spec.arity >= 0 ? n == spec.arity : n >= -spec.arity;
}

}  // namespace

const CommandSpec* lookup_command(std::string_view name) { return command_table().find(name); }

uint8_t CommandCtx::ns() const { return server.db_ns(session.db.load(std::memory_order_relaxed)); }

void run_checked(CommandCtx& ctx, const CommandSpec* spec);

void execute_command(CommandCtx& ctx) { execute_command(ctx, lookup_command(ctx.arg(0))); }

void execute_command(CommandCtx& ctx, const CommandSpec* spec) {
  const uint64_t errors_before = ctx.reply.errors();
  if (queues_in_multi(ctx.session, spec)) queue_command(ctx, spec);
  else run_checked(ctx, spec);
  if (ctx.reply.errors() != errors_before) {
    ctx.server.stats().error_replies.fetch_add(1, std::memory_order_relaxed);
    ctx.server.stats().count_error(ctx.reply.last_error_code());
  }
}

namespace {

// While a script is busy: what Redis 7.0 flags ALLOW_BUSY (commands that only
// touch connection or transaction state, and the ways out of the script).
bool allowed_while_busy(const CommandSpec& spec, Argv argv) {
  const std::string& name = spec.name;
  if (name == "script") return argv.size() >= 2 && iequals(argv[1], "kill");
  if (name == "function") return argv.size() >= 2 && (iequals(argv[1], "kill") || iequals(argv[1], "stats"));
  return name == "shutdown" || name == "auth" || name == "hello" || name == "quit" || name == "reset" ||
         name == "multi" || name == "discard" || name == "watch" || name == "unwatch" || name == "replconf";
}

}  // namespace

bool refused_while_busy(ServerContext& server, const Session& session, const CommandSpec& spec, Argv argv) {
  return !session.in_script && server.scripts().busy() && !allowed_while_busy(spec, argv);
}

bool command_checks(CommandCtx& ctx, const CommandSpec* spec) {
  if (!spec) {
    reply_unknown(ctx);
    return false;
  }
  ctx.session.last_command_name.store(spec->name.c_str(), std::memory_order_relaxed);
  // Redis checks existence, then arity, then auth (processCommand).
  if (!arity_ok(*spec, ctx.argc())) {
    ctx.reply.error(err::wrong_arity(spec->name));
    spec->stats->rejected++;
    return false;
  }
  Settings& settings = ctx.server.settings();
  if (settings.has_password.load(std::memory_order_relaxed) && !ctx.session.authenticated &&
      !(spec->flags & kNoAuth)) {
    ctx.reply.error(err::kNoAuth);
    spec->stats->rejected++;
    return false;
  }
  if (refused_while_busy(ctx.server, ctx.session, *spec, ctx.argv)) {
    std::string_view busy = ctx.server.scripts().running_function()
                                ? "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
                                : "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    if (spec->name == "exec" && ctx.session.multi.active) abort_exec(ctx, busy);
    else ctx.reply.error(busy);
    spec->stats->rejected++;
    return false;
  }
  if (ctx.session.subscriptions > 0 && ctx.session.resp.load(std::memory_order_relaxed) == 2 &&
      !(spec->flags & kWhileSubscribed)) {
    ctx.reply.error(fmt::format("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                                "RESET are allowed in this context",
                                spec->name));
    spec->stats->rejected++;
    return false;
  }
  if (spec->first_key > 0) {
    uint64_t max_key = settings.max_key_bytes.load(std::memory_order_relaxed);
    int last = spec->last_key < 0 ? static_cast<int>(ctx.argc()) + spec->last_key : spec->last_key;
    for (int i = spec->first_key; i <= last && i < static_cast<int>(ctx.argc()); i += std::max(spec->key_step, 1)) {
      if (ctx.arg(i).size() > max_key) {
        ctx.reply.error(fmt::format("ERR key is too large (max-key-bytes is {})", max_key));
        spec->stats->rejected++;
        return false;
      }
    }
  }
  return true;
}

void run_checked(CommandCtx& ctx, const CommandSpec* spec) {
  ctx.server.stats().commands.fetch_add(1, std::memory_order_relaxed);
  if (!command_checks(ctx, spec)) return;
  auto t0 = std::chrono::steady_clock::now();
  const uint64_t errors_before = ctx.reply.errors();
  spec->handler(ctx);
  if (ctx.reply.errors() != errors_before) spec->stats->failed.fetch_add(1, std::memory_order_relaxed);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  spec->stats->calls.fetch_add(1, std::memory_order_relaxed);
  spec->stats->usec.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
  spec->stats->latency.record(static_cast<uint64_t>(us));
  auto door = static_cast<size_t>(ctx.session.door);
  ServerStats& st = ctx.server.stats();
  st.door_commands[door].fetch_add(1, std::memory_order_relaxed);
  st.door_usec[door].fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
  st.door_latency[door].record(static_cast<uint64_t>(us));
}

void CommandOp::execute(engine::Txn& txn) {
  mark_ = reply_.mark();
  if (one_commit) txn.begin_commit();
  for (Argv argv : commands) {
    if (session_.closing) break;  // QUIT/SHUTDOWN: later commands get no reply
    if (!one_commit) txn.begin_commit();
    txn.set_savepoint();
    CommandCtx ctx{argv, session_, reply_, txn, server_, txn.now_ms()};
    size_t before = reply_.mark();
    try {
      execute_command(ctx);
      txn.pop_savepoint();
    } catch (const engine::StoreError& e) {
      txn.rollback_to_savepoint();
      reply_.rewind(before);
      reply_.error(err::storage(e.what()));
    }
    // Clients blocked on keys this command filled are served right after it
    // (after an EXEC or a script as a whole), before the next command.
    if (!one_commit && server_.blocked().has_ready()) server_.blocked().serve_ready(txn, server_, true, &served_);
  }
  if (one_commit && server_.blocked().has_ready()) server_.blocked().serve_ready(txn, server_, false, &served_);
}

void CommandOp::complete(const rocksdb::Status& status) {
  std::string msg;
  if (!status.ok()) {
    reply_.rewind(mark_);
    msg = status.IsNoSpace() || status.ToString().find("No space") != std::string::npos
              ? std::string(err::kDiskFull) + ": write refused (free space below --disk-reserve); reads still work"
              : err::storage(status.ToString());
    for (size_t i = 0; i < commands.size(); ++i) reply_.error(msg);
  }
  for (auto& w : served_) server_.blocked().finish(server_, *w, msg);
  served_.clear();
  if (on_done) on_done();
}

}  // namespace cairn::command
