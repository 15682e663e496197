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

namespace cairn::net {

// Runs one read command here, on the I/O thread, against a snapshot of the
// store; a storage error replaces whatever partial reply it wrote.
void run_read(command::ServerContext& server, command::Session& session, command::Reply& reply,
              command::Argv argv, const command::CommandSpec* spec, int64_t now_ms);

// atomic: every command goes to the writer in one op, so no other write can
// come between them (Upstash's /multi-exec, like Redis's MULTI/EXEC).
boost::asio::awaitable<void> run_commands(command::ServerContext& server, command::Session& session,
                                          command::Reply& reply, std::span<const command::Argv> commands,
                                          bool atomic);

}  // namespace cairn::net
