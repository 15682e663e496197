// The connection family: PING, ECHO, SELECT, AUTH, HELLO, RESET, QUIT.
// These read or change only the caller's session.
#include <fmt/format.h>

#include "command/args.h"
#include "command/errors.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

// The Redis version Cairn answers as: client libraries gate features on it.
constexpr std::string_view kRedisVersion = "7.0.15";

void cmd_ping(CommandCtx& ctx) {
  if (ctx.argc() > 2) {
    ctx.reply.error(err::wrong_arity("ping"));
    return;
  }
  if (ctx.session.subscriptions > 0 && ctx.session.resp.load() == 2) {
    // Redis's subscribed form of the reply.
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
    return;
  }
  if (ctx.argc() == 2) ctx.reply.bulk(ctx.arg(1));
  else ctx.reply.simple("PONG");
}

void cmd_echo(CommandCtx& ctx) { ctx.reply.bulk(ctx.arg(1)); }

void cmd_select(CommandCtx& ctx) {
  int64_t db;
  if (!arg_int(ctx, 1, &db)) return;
  if (db < 0 || db >= engine::kUserNamespaces) {
    ctx.reply.error(err::kDbIndex);
    return;
  }
  ctx.session.db = static_cast<uint8_t>(db);
  ctx.reply.ok();
}

// Checks a username/password pair; replies with the error and returns false
// if it does not match.
bool check_auth(CommandCtx& ctx, std::string_view user, std::string_view pass) {
  std::string expected = ctx.server.settings().requirepass();
  if (expected.empty() && user == "default") {
    ctx.session.authenticated = true;
    return true;
  }
  if (user != "default" || pass != expected || expected.empty()) {
    ctx.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  ctx.session.authenticated = true;
  return true;
}

void cmd_auth(CommandCtx& ctx) {
  if (ctx.argc() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (ctx.argc() == 2 && !ctx.server.settings().has_password.load()) {
    ctx.reply.error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure "
        "your configuration is correct?");
    return;
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view pass = ctx.arg(ctx.argc() - 1);
  if (check_auth(ctx, user, pass)) ctx.reply.ok();
}

void cmd_hello(CommandCtx& ctx) {
  int64_t proto = ctx.session.resp;
  size_t i = 1;
  if (ctx.argc() >= 2) {
    if (!model::parse_int64(ctx.arg(1), &proto)) {
      ctx.reply.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    i = 2;
    if (proto < 2 || proto > 3) {
      ctx.reply.error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string_view setname;
  bool has_setname = false;
  for (; i < ctx.argc(); ++i) {
    bool more = ctx.argc() - i - 1 > 0;
    if (iequals(ctx.arg(i), "auth") && ctx.argc() - i - 1 >= 2) {
      if (!check_auth(ctx, ctx.arg(i + 1), ctx.arg(i + 2))) return;
      i += 2;
    } else if (iequals(ctx.arg(i), "setname") && more) {
      setname = ctx.arg(++i);
      has_setname = true;
    } else {
      ctx.reply.error(fmt::format("ERR Syntax error in HELLO option '{}'", ctx.arg(i)));
      return;
    }
  }
  if (ctx.server.settings().has_password.load() && !ctx.session.authenticated) {
    ctx.reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
                    "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
                    "RESP protocol version at the same time");
    return;
  }
  if (has_setname) {
    for (char c : setname) {
      if (c < '!' || c > '~') {
        ctx.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    std::lock_guard l(ctx.session.info_mu);
    ctx.session.name = std::string(setname);
  }
  ctx.session.resp = static_cast<int>(proto);
  ctx.reply.map(7);
  ctx.reply.bulk("server");
  ctx.reply.bulk("redis");
  ctx.reply.bulk("version");
  ctx.reply.bulk(kRedisVersion);
  ctx.reply.bulk("proto");
  ctx.reply.integer(proto);
  ctx.reply.bulk("id");
  ctx.reply.integer(static_cast<int64_t>(ctx.session.id));
  ctx.reply.bulk("mode");
  ctx.reply.bulk("standalone");
  ctx.reply.bulk("role");
  ctx.reply.bulk("master");
  ctx.reply.bulk("modules");
  ctx.reply.array(0);
}

void cmd_reset(CommandCtx& ctx) {
  ctx.session.db = 0;
  ctx.session.resp = 2;
  {
    std::lock_guard l(ctx.session.info_mu);
    ctx.session.name.clear();
  }
  ctx.session.no_evict = ctx.session.no_touch = false;
  ctx.session.watch.active = false;
  ctx.session.multi.active = false;
  ctx.session.multi.queue_error = false;
  ctx.session.multi.queued.clear();
  ctx.session.multi.queued_bytes = 0;
  ctx.session.multi.queued_script = false;
  ctx.server.watched_keys().unwatch_all(&ctx.session);
  if (ctx.session.subscriber) ctx.server.channels().unsubscribe_all(ctx.session.subscriber);
  ctx.session.subscriptions = 0;
  ctx.session.replies_off = ctx.session.skip_next_reply = false;
  ctx.session.authenticated = !ctx.server.settings().has_password.load();
  ctx.reply.simple("RESET");
}

void cmd_quit(CommandCtx& ctx) {
  ctx.session.closing = true;
  ctx.reply.ok();
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since = "1.0.0") {
  return make_spec("connection", "@connection", name, arity, flags | kConnection, 0, 0, 0, h, summary, since);
}

}  // namespace

void register_connection_commands(CommandTable& t) {
  t.add(spec("ping", -1, kFast | kWhileWatching | kWhileSubscribed, cmd_ping, "Returns the server's liveliness response."));
  t.add(spec("echo", 2, kFast, cmd_echo, "Returns the given string."));
  t.add(spec("select", 2, kFast | kLoading | kStale, cmd_select, "Changes the selected database."));
  t.add(spec("auth", -2, kNoAuth | kFast | kNoScript | kLoading | kStale, cmd_auth, "Authenticates the connection."));
  t.add(spec("hello", -1, kNoAuth | kFast | kNoScript | kLoading | kStale, cmd_hello,
             "Handshakes with the Redis server.", "6.0.0"));
  t.add(spec("reset", 1, kNoAuth | kFast | kWhileWatching | kMultiControl | kWhileSubscribed | kNoScript | kLoading | kStale, cmd_reset,
             "Resets the connection.", "6.2.0"));
  t.add(spec("quit", -1, kNoAuth | kFast | kWhileWatching | kMultiControl | kWhileSubscribed | kNoScript | kLoading | kStale, cmd_quit,
             "Closes the connection."));
}

}  // namespace cairn::command
