// The transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// MULTI starts queueing on the session (execute_command hands every command
// that is not kMultiControl to queue_command). EXEC runs on the writer in a
// write group, like a write: it checks the WATCHed keys and runs the whole
// queue inside that one commit, so its writes get one revision, reach the
// disk in one batch, and no reader on any door sees part of them. As in
// Redis, an error in one queued command does not undo the others; an error
// while queueing (unknown command, wrong arity) makes EXEC answer EXECABORT;
// a watched key changed by anyone since WATCH makes it answer nil.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "command/dispatch.h"
#include "command/errors.h"
#include "command/server_context.h"
#include "command/table.h"
#include "engine/keyspace.h"
#include "engine/status.h"

namespace cairn::command {

namespace {

void clear_queue(Session& s) {
  s.multi.active = false;
  s.multi.queue_error = false;
  s.multi.queued.clear();
  s.multi.queued.shrink_to_fit();
  s.multi.queued_bytes = 0;
  s.multi.queued_script = false;
}

void cmd_multi(CommandCtx& ctx) {
  if (ctx.session.multi.active) {
    ctx.reply.error("ERR MULTI calls can not be nested");
    return;
  }
  clear_queue(ctx.session);
  ctx.session.multi.active = true;
  ctx.reply.ok();
}

}  // namespace

void abort_exec(CommandCtx& ctx, std::string_view error) {
  clear_queue(ctx.session);
  ctx.server.watched_keys().unwatch_all(&ctx.session);
  ctx.reply.error(fmt::format("EXECABORT Transaction discarded because of: {}", error));
}

namespace {

void cmd_discard(CommandCtx& ctx) {
  if (!ctx.session.multi.active) {
    ctx.reply.error("ERR DISCARD without MULTI");
    return;
  }
  clear_queue(ctx.session);
  ctx.server.watched_keys().unwatch_all(&ctx.session);
  ctx.reply.ok();
}

// True if EXEC must answer nil: a watched key was written (or flushed) since
// WATCH, or has expired since (a key already expired when watched does not
// count, as in Redis 7.0).
bool watch_failed(CommandCtx& ctx) {
  MultiState& m = ctx.session.multi;
  if (m.dirty.load(std::memory_order_relaxed)) return true;
  for (const auto& w : m.watched) {
    if (w.expired_at_watch) continue;
    engine::Found f;
    engine::check(engine::lookup(ctx.view, ctx.server.db_ns(w.db), w.key, ctx.now_ms, &f));
    if (f.present && !f.live) return true;
  }
  return false;
}

// Clears the session's executing mark however the queue ends (a storage
// error aborts the whole EXEC).
struct Executing {
  explicit Executing(MultiState& m) : m_(m) { m_.executing = true; }
  ~Executing() { m_.executing = false; }
  MultiState& m_;
};

void cmd_exec(CommandCtx& ctx) {
  MultiState& m = ctx.session.multi;
  if (!m.active) {
    ctx.reply.error("ERR EXEC without MULTI");
    return;
  }
  std::vector<std::vector<std::string>> queued = std::move(m.queued);
  bool queue_error = m.queue_error;
  clear_queue(ctx.session);
  if (queue_error) {
    ctx.server.watched_keys().unwatch_all(&ctx.session);
    ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  bool failed = watch_failed(ctx);
  // Before the queue runs: its own writes to the watched keys are no change.
  ctx.server.watched_keys().unwatch_all(&ctx.session);
  if (failed) {
    ctx.reply.null_array();
    return;
  }
  ctx.reply.array(queued.size());
  Executing executing(m);
  std::vector<std::string_view> argv;
  for (const auto& command : queued) {
    argv.assign(command.begin(), command.end());
    CommandCtx c{argv, ctx.session, ctx.reply, ctx.view, ctx.server, ctx.now_ms};
    execute_command(c);
    if (ctx.session.closing) break;
  }
}

void cmd_watch(CommandCtx& ctx) {
  if (ctx.session.multi.active) {
    ctx.reply.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  for (size_t i = 1; i < ctx.argc(); ++i) {
    engine::Found f;
    engine::check(engine::lookup(ctx.view, ctx.ns(), ctx.arg(i), ctx.now_ms, &f));
    ctx.server.watched_keys().watch(&ctx.session, ctx.session.db, ctx.arg(i), f.present && !f.live);
  }
  ctx.reply.ok();
}

void cmd_unwatch(CommandCtx& ctx) {
  ctx.server.watched_keys().unwatch_all(&ctx.session);
  ctx.reply.ok();
}

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, int step, Handler h,
                 std::string_view summary) {
  return make_spec("transactions", "@transaction", name, arity, flags, first, last, step, h, summary, "1.2.0");
}

}  // namespace

void queue_command(CommandCtx& ctx, const CommandSpec* spec) {
  MultiState& m = ctx.session.multi;
  if (!command_checks(ctx, spec)) {
    m.queue_error = true;
    return;
  }
  if (spec->flags & kNoMulti) {
    ctx.reply.error("ERR Command not allowed inside a transaction");
    m.queue_error = true;
    return;
  }
  size_t bytes = 0;
  for (std::string_view a : ctx.argv) bytes += a.size() + 16;
  if (m.queued_bytes + bytes > ctx.server.settings().max_query_bytes.load(std::memory_order_relaxed)) {
    ctx.reply.error("ERR the transaction's queue is over max-query-bytes");
    m.queue_error = true;
    return;
  }
  m.queued_bytes += bytes;
  if (spec->flags & kRunsScript) m.queued_script = true;
  m.queued.emplace_back(ctx.argv.begin(), ctx.argv.end());
  ctx.reply.simple("QUEUED");
}

void register_transaction_commands(CommandTable& t) {
  constexpr uint32_t kBase = kNoScript | kLoading | kStale | kFast | kMultiControl;
  t.add(spec("multi", 1, kBase, 0, 0, 0, cmd_multi, "Starts a transaction."));
  t.add(spec("exec", 1, (kBase & ~kFast) | kOnWriter, 0, 0, 0, cmd_exec, "Executes all commands in a transaction."));
  t.add(spec("discard", 1, kBase, 0, 0, 0, cmd_discard, "Discards a transaction."));
  t.add(spec("watch", -2, kBase | kOnWriter, 1, -1, 1, cmd_watch,
             "Monitors changes to keys to determine the execution of a transaction."));
  t.add(spec("unwatch", 1, kNoScript | kLoading | kStale | kFast, 0, 0, 0, cmd_unwatch,
             "Forgets about watched keys of a transaction."));
}

}  // namespace cairn::command
