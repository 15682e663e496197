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

// Looks the command up, checks it and runs it, writing one reply.
void execute_command(CommandCtx& ctx);
// The same when the caller has already looked the command up (nullptr: unknown).
void execute_command(CommandCtx& ctx, const CommandSpec* spec);

// True if argv must run on the writer thread (a write, or exclusive).
// Unknown commands run where they are (they only produce an error).
const CommandSpec* lookup_command(std::string_view name);

// Carries one or more commands of a connection to the writer. They run in
// order, each its own commit; replies go to `reply`. If the group fails to
// commit, every reply of this op is replaced by an error.
class CommandOp final : public engine::WriteOp {
 public:
  CommandOp(ServerContext& server, Session& session, Reply& reply)
      : server_(server), session_(session), reply_(reply) {}
  std::vector<Argv> commands;
  bool is_exclusive = false;
  std::function<void()> on_done;  // after complete(); posts back to the connection

  bool exclusive() const override { return is_exclusive; }
  size_t writes() const override { return commands.size(); }
  void execute(engine::Txn& txn) override;
  void complete(const rocksdb::Status& status) override;

 private:
  ServerContext& server_;
  Session& session_;
  Reply& reply_;
  size_t mark_ = 0;
};

}  // namespace cairn::command
