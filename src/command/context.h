// What a command handler gets: its arguments, the caller's session, where to
// write the reply, a view of the keyspace, and the server it runs in.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "command/reply.h"
#include "command/session.h"
#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::command {

class ServerContext;

struct CommandCtx {
  std::span<const std::string_view> argv;
  Session& session;
  Reply& reply;
  engine::View& view;
  ServerContext& server;
  int64_t now_ms;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  engine::Txn& txn() const { return *view.txn(); }  // only in write commands
  // The namespace of the session's database (SWAPDB moves databases; dispatch.cc).
  uint8_t ns() const;
};

using Handler = void (*)(CommandCtx&);

}  // namespace cairn::command
