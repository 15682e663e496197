// Running commands: the checks every command gets (known, arity, auth, key
// size) and the write op that carries a connection's commands to the writer.
#pragma once

#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "command/context.h"
#include "command/server_context.h"
#include "command/table.h"
#include "engine/engine.h"

namespace cairn::command {

using Argv = std::span<const std::string_view>;

// Looks the command up, checks it and runs it, writing one reply. Inside
// MULTI, a command that is not a kMultiControl one is queued instead.
void execute_command(CommandCtx& ctx);
// The same when the caller has already looked the command up (nullptr: unknown).
void execute_command(CommandCtx& ctx, const CommandSpec* spec);

const CommandSpec* lookup_command(std::string_view name);

// The checks every command gets before it runs or is queued: known, arity,
// authentication, key sizes. On failure writes the error and returns false.
bool command_checks(CommandCtx& ctx, const CommandSpec* spec);
// Whether a script running past busy-reply-threshold makes this command's
// answer -BUSY.
bool refused_while_busy(ServerContext& server, const Session& session, const CommandSpec& spec, Argv argv);

// Whether a command the session sends now is queued (MULTI) rather than run.
inline bool queues_in_multi(const Session& s, const CommandSpec* spec) {
  return s.multi.active && !(spec && (spec->flags & kMultiControl));
}
// Queues ctx's command in the session's transaction (multi.cc): +QUEUED, or
// the check's error, which makes the EXEC fail with EXECABORT.
void queue_command(CommandCtx& ctx, const CommandSpec* spec);
// An EXEC refused before it runs (-BUSY): the transaction is discarded and
// the reply is "EXECABORT Transaction discarded because of: <error>".
void abort_exec(CommandCtx& ctx, std::string_view error);

// Carries one or more commands of a connection to the writer. They run in
// order, each its own commit; replies go to `reply`. If the group fails to
// commit, every reply of this op is replaced by an error.
class CommandOp final : public engine::WriteOp {
 public:
  CommandOp(ServerContext& server, Session& session, Reply& reply)
      : server_(server), session_(session), reply_(reply) {}
  std::vector<Argv> commands;
  bool is_exclusive = false;
  // All commands in one commit, one revision (Upstash /multi-exec); else
  // each command is its own.
  bool one_commit = false;
  bool runs_script = false;  // see WriteOp::may_run_long
  std::function<void()> on_done;  // after complete(); posts back to the connection

  bool exclusive() const override { return is_exclusive; }
  size_t writes() const override { return commands.size(); }
  bool may_run_long() const override { return runs_script; }
  const Session& session() const { return session_; }
  void execute(engine::Txn& txn) override;
  void complete(const rocksdb::Status& status) override;

 private:
  ServerContext& server_;
  Session& session_;
  Reply& reply_;
  size_t mark_ = 0;
  // Blocked clients this op's writes served (blocking.h): woken in complete().
  std::vector<std::shared_ptr<BlockedWait>> served_;
};

}  // namespace cairn::command
