// Running a request's commands; see command_runner.h.
#include "net/command_runner.h"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "command/errors.h"
#include "engine/clock.h"
#include "engine/status.h"
#include "net/writer_op.h"

namespace cairn::net {

namespace asio = boost::asio;

void run_read(command::ServerContext& server, command::Session& session, command::Reply& reply,
              command::Argv argv, const command::CommandSpec* spec, int64_t now_ms) {
  engine::SnapshotView view(server.engine());
  run_read(server, session, reply, argv, spec, now_ms, view);
}

void run_read(command::ServerContext& server, command::Session& session, command::Reply& reply,
              command::Argv argv, const command::CommandSpec* spec, int64_t now_ms, engine::SnapshotView& view) {
  command::CommandCtx ctx{argv, session, reply, view, server, now_ms};
  size_t mark = reply.mark();
  try {
    command::execute_command(ctx, spec);
  } catch (const engine::StoreError& e) {
    reply.rewind(mark);
    reply.error(command::err::storage(e.what()));
  }
}

asio::awaitable<void> run_commands(command::ServerContext& server, command::Session& session,
                                   command::Reply& reply, std::span<const command::Argv> commands,
                                   bool atomic) {
  if (atomic) {
    // One op for everything; alone in its group if any command needs that.
    command::CommandOp op(server, session, reply);
    op.one_commit = true;
    for (command::Argv argv : commands) {
      const command::CommandSpec* s = command::lookup_command(argv[0]);
      if (s && (s->flags & command::kExclusive)) op.is_exclusive = true;
      if (s && (s->flags & command::kRunsScript)) op.runs_script = true;
      op.commands.push_back(argv);
    }
    // Run as EXEC runs its queue: FLUSHDB then deletes key by key, which the
    // later commands of the transaction see.
    session.multi.executing = true;
    co_await async_run_op(server.engine(), op, asio::use_awaitable);
    session.multi.executing = false;
    co_return;
  }
  size_t i = 0;
  while (i < commands.size()) {
    const command::CommandSpec* spec = command::lookup_command(commands[i][0]);
    if (runs_on_writer(server, session, spec, commands[i])) {
      command::CommandOp op(server, session, reply);
      i = gather_writes(op, spec, i, commands.size(), [&](size_t k) { return commands[k]; });
      co_await async_run_op(server.engine(), op, asio::use_awaitable);
    } else {
      run_read(server, session, reply, commands[i], spec, engine::unix_ms());
      ++i;
    }
  }
}

}  // namespace cairn::net
