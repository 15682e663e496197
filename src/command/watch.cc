// The watch family: CAIRN.WATCH and CAIRN.UNWATCH, the RESP port's live view
// of the change feed (the same feed HTTP's /v1/watch streams).
//
//   CAIRN.WATCH KEY <key> [SINCE <revision>]
//   CAIRN.WATCH PREFIX <prefix> [SINCE <revision>]
//   CAIRN.UNWATCH
//
// Named apart from WATCH/MULTI, whose optimistic-locking meaning belongs to
// transactions. CAIRN.WATCH answers ["watch", "key"|"prefix", <key>,
// <revision>] and puts the connection in watch mode, where, like a Redis
// subscriber, it receives pushes (arrays in RESP2) and only accepts
// CAIRN.UNWATCH, PING, RESET and QUIT. The database is the session's
// (SELECT). The streaming itself is the connection's: net/resp_watch.cc.
#include <fmt/format.h>

#include <algorithm>

#include "command/args.h"
#include "command/errors.h"
#include "command/server_context.h"
#include "command/table.h"

namespace cairn::command {

namespace {

void watch_reply(CommandCtx& ctx, std::string_view verb) {
  const WatchState& w = ctx.session.watch;
  ctx.reply.push(4);
  ctx.reply.bulk(verb);
  ctx.reply.bulk(w.exact ? "key" : "prefix");
  ctx.reply.bulk(w.key);
  ctx.reply.integer(static_cast<int64_t>(w.position));
}

void cmd_cairn_watch(CommandCtx& ctx) {
  if (ctx.session.door != Door::kResp) {
    ctx.reply.error("ERR CAIRN.WATCH needs a RESP connection; over HTTP use GET /v1/watch");
    return;
  }
  if (ctx.session.watch.active) {
    ctx.reply.error("ERR this connection already watches; CAIRN.UNWATCH first");
    return;
  }
  bool exact;
  if (iequals(ctx.arg(1), "key")) exact = true;
  else if (iequals(ctx.arg(1), "prefix")) exact = false;
  else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  uint64_t head = ctx.server.engine().last_revision();
  uint64_t position = head;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    int64_t since;
    if (!iequals(ctx.arg(i), "since") || i + 1 >= ctx.argc()) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    if (!arg_int(ctx, i + 1, &since)) return;
    if (since < 0) {
      ctx.reply.error("ERR SINCE must be a revision (0 or more)");
      return;
    }
    position = std::min(static_cast<uint64_t>(since), head);
  }
  WatchState& w = ctx.session.watch;
  w.active = true;
  w.exact = exact;
  w.ns = ctx.ns();
  w.key.assign(ctx.arg(2));
  w.position = position;
  watch_reply(ctx, "watch");
}

void cmd_cairn_unwatch(CommandCtx& ctx) {
  watch_reply(ctx, "unwatch");
  ctx.session.watch.active = false;
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary) {
  return make_spec("cairn", "@pubsub", name, arity, flags | kPubSub | kNoScript | kLoading | kStale, 0, 0, 0, h,
                   summary, "0.1.0");
}

}  // namespace

void register_watch_commands(CommandTable& t) {
  t.add(spec("cairn.watch", -3, 0, cmd_cairn_watch,
             "Streams the changes to a key or key prefix, replaying from a revision with SINCE."));
  t.add(spec("cairn.unwatch", 1, kWhileWatching, cmd_cairn_unwatch, "Stops the stream CAIRN.WATCH started."));
}

}  // namespace cairn::command
