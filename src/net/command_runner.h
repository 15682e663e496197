// Runs a list of commands for a request-at-a-time front door (HTTP) the way
// the RESP connection runs a pipelined read: reads inline on the I/O thread
// against a snapshot, consecutive writes handed to the writer as one op (so
// they share a group and later reads see them).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <span>

#include "command/dispatch.h"
#include "command/reply.h"
#include "command/server_context.h"
#include "command/session.h"
#include "engine/engine.h"

namespace cairn::net {

// Whether a command runs on the writer thread: a write, exclusive, or
// ordered with the writes (WATCH, EXEC). Unknown commands run where they are
// (they only produce an error); so does a command that MULTI queues.
inline bool runs_on_writer(const command::CommandSpec* spec) {
  return spec && (spec->is_write() || (spec->flags & (command::kExclusive | command::kOnWriter)));
}
// While a script is busy, a command it would refuse is answered -BUSY where
// it is, instead of waiting on the writer behind the script.
inline bool runs_on_writer(command::ServerContext& server, const command::Session& session,
                           const command::CommandSpec* spec, command::Argv argv) {
  if (spec && spec->runs_inline && spec->runs_inline(argv)) return false;
  if (command::queues_in_multi(session, spec) || !runs_on_writer(spec)) return false;
  return !command::refused_while_busy(server, session, *spec, argv);
}

// Fills `op` with the commands from index `i` that go to the writer together
// and returns the index after them: an exclusive command alone (FLUSHDB runs
// alone in its group); otherwise this write and everything after it up to the
// next exclusive command, so pipelined writes share a group and later reads
// see them. A blocking command ends the op: what follows waits until it is
// answered. `first` is command i's spec; argv_at(k) is command k (of n).
template <typename ArgvAt>
size_t gather_writes(command::CommandOp& op, const command::CommandSpec* first, size_t i, size_t n,
                     ArgvAt&& argv_at) {
  auto note_script = [&op](const command::CommandSpec* s) {
    if (s && ((s->flags & command::kRunsScript) || (s->name == "exec" && op.session().multi.queued_script))) {
      op.runs_script = true;
    }
  };
  note_script(first);
  if (first->flags & command::kExclusive) {
    op.is_exclusive = true;
    op.commands.push_back(argv_at(i));
    return i + 1;
  }
  op.commands.push_back(argv_at(i++));
  if (first->flags & command::kBlocking) return i;
  for (; i < n; ++i) {
    const command::CommandSpec* s = command::lookup_command(argv_at(i)[0]);
    if (s && (s->flags & command::kExclusive)) break;
    note_script(s);
    op.commands.push_back(argv_at(i));
    if (s && (s->flags & command::kBlocking)) return i + 1;
  }
  return i;
}

// Runs one read command here, on the I/O thread, against a snapshot of the
// store; a storage error replaces whatever partial reply it wrote.
void run_read(command::ServerContext& server, command::Session& session, command::Reply& reply,
              command::Argv argv, const command::CommandSpec* spec, int64_t now_ms);
// The same on a view the caller keeps: consecutive reads of one pipelined
// batch share one snapshot, as Redis runs a client's whole batch at one
// moment, and take it once.
void run_read(command::ServerContext& server, command::Session& session, command::Reply& reply,
              command::Argv argv, const command::CommandSpec* spec, int64_t now_ms, engine::SnapshotView& view);

// atomic: every command goes to the writer in one op, so no other write can
// come between them (Upstash's /multi-exec, like Redis's MULTI/EXEC).
boost::asio::awaitable<void> run_commands(command::ServerContext& server, command::Session& session,
                                          command::Reply& reply, std::span<const command::Argv> commands,
                                          bool atomic);

}  // namespace cairn::net
