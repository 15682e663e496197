// CLIENT ID / INFO / LIST / KILL / SETNAME / GETNAME / SETINFO / REPLY /
// PAUSE / TRACKING / …: the connected clients as Redis 7.0 shows them (one
// CLIENT LIST line per connection). Part of the introspection family
// (introspection.h).
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/dispatch.h"
#include "command/errors.h"
#include "command/introspection.h"
#include "engine/clock.h"
#include "model/numbers.h"

namespace cairn::command::introspection {

// Bytes a command occupies in RESP: what Redis's query buffer holds while
// the command runs (CLIENT LIST's qbuf for the caller).
size_t resp_size(Argv argv) {
  size_t n = 3 + std::to_string(argv.size()).size();
  for (std::string_view a : argv) n += 5 + std::to_string(a.size()).size() + a.size();
  return n;
}

// One CLIENT LIST/INFO line. `caller` is the session running the command:
// only its query buffer is known (the others are between commands).
std::string client_line(Session& s, const CommandCtx& ctx, int64_t now_ms) {
  bool is_caller = &s == &ctx.session;
  size_t qbuf = is_caller ? resp_size(ctx.argv) : 0;
  size_t argv_mem = 0;
  if (is_caller) {
    for (std::string_view a : ctx.argv) argv_mem += a.size();
  }
  Channels::Counts subs = ctx.server.channels().counts(s.subscriber);
  std::string flags;
  if (subs.total() > 0) flags += 'P';
  if (ctx.server.blocked().is_blocked(s.id)) flags += 'b';
  if (s.no_evict) flags += 'e';
  if (s.no_touch) flags += 'T';
  if (flags.empty()) flags.push_back('N');  // not = "N": GCC 12 warns falsely (-Wrestrict)
  const char* cmd = s.last_command_name.load(std::memory_order_relaxed);
  std::string name, lib_name, lib_ver;
  {
    std::lock_guard l(s.info_mu);
    name = s.name;
    lib_name = s.lib_name;
    lib_ver = s.lib_ver;
  }
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi=-1 qbuf={} "
      "qbuf-free=0 argv-mem={} multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem={} events=r cmd={} "
      "user=default redir=-1 resp={} lib-name={} lib-ver={}",
      s.id, s.addr, s.laddr, s.fd, name, std::max<int64_t>(0, (now_ms - s.created_ms) / 1000),
      std::max<int64_t>(0, (now_ms - s.last_active_ms.load(std::memory_order_relaxed)) / 1000), flags,
      static_cast<int>(s.db), subs.channels, subs.patterns, subs.shards, qbuf, argv_mem, qbuf + argv_mem + sizeof(Session), cmd ? cmd : "NULL", s.resp.load(),
      lib_name, lib_ver);
}

// Redis's client types: a subscribed client is "pubsub", every other one
// "normal" (there are no replicas).
bool known_client_type(std::string_view t) {
  return iequals(t, "normal") || iequals(t, "master") || iequals(t, "replica") || iequals(t, "slave") ||
         iequals(t, "pubsub");
}

// Whether `s` is a client of TYPE `t` (one known_client_type accepts).
bool is_client_type(CommandCtx& ctx, Session& s, std::string_view t) {
  bool pubsub = ctx.server.channels().counts(s.subscriber).total() > 0;
  if (iequals(t, "pubsub")) return pubsub;
  return iequals(t, "normal") && !pubsub;
}

// Lines for the clients `pick` accepts, in connection order.
std::string client_lines(CommandCtx& ctx, const std::function<bool(Session&)>& pick) {
  std::vector<std::pair<uint64_t, std::string>> lines;
  int64_t now = engine::unix_ms();
  ctx.server.clients().for_each([&](Session& s) {
    if (pick(s)) lines.emplace_back(s.id, client_line(s, ctx, now));
  });
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (auto& [id, line] : lines) out += line + "\n";
  return out;
}

void cmd_client_list(CommandCtx& ctx) {
  std::function<bool(Session&)> pick = [](Session&) { return true; };
  std::vector<int64_t> ids;
  if (ctx.argc() == 4 && iequals(ctx.arg(2), "type")) {
    std::string_view t = ctx.arg(3);
    if (!known_client_type(t)) {
      ctx.reply.error(one_line(fmt::format("ERR Unknown client type '{}'", t)));
      return;
    }
    std::string type(t);
    pick = [&ctx, type](Session& s) { return is_client_type(ctx, s, type); };
  } else if (ctx.argc() > 3 && iequals(ctx.arg(2), "id")) {
    for (size_t i = 3; i < ctx.argc(); ++i) {
      int64_t id;
      if (!model::parse_int64(ctx.arg(i), &id)) {
        ctx.reply.error("ERR Invalid client ID");
        return;
      }
      ids.push_back(id);
    }
    pick = [&ids](Session& s) { return std::find(ids.begin(), ids.end(), static_cast<int64_t>(s.id)) != ids.end(); };
  } else if (ctx.argc() != 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  ctx.reply.verbatim(client_lines(ctx, pick));
}

void cmd_client_info(CommandCtx& ctx) {
  ctx.reply.verbatim(client_line(ctx.session, ctx, engine::unix_ms()) + "\n");
}

void cmd_client_id(CommandCtx& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.session.id)); }

void cmd_client_setname(CommandCtx& ctx) {
  std::string_view name = ctx.arg(2);
  if (!is_printable_token(name)) {
    ctx.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  std::lock_guard l(ctx.session.info_mu);
  ctx.session.name = std::string(name);
  ctx.reply.ok();
}

void cmd_client_getname(CommandCtx& ctx) {
  if (ctx.session.name.empty()) ctx.reply.null();
  else ctx.reply.bulk(ctx.session.name);
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2): shown by CLIENT LIST.
void cmd_client_setinfo(CommandCtx& ctx) {
  std::string_view attr = ctx.arg(2), value = ctx.arg(3);
  bool is_name = iequals(attr, "lib-name");
  if (!is_name && !iequals(attr, "lib-ver")) {
    ctx.reply.error(one_line(fmt::format("ERR Unrecognized option '{}'", attr)));
    return;
  }
  if (!is_printable_token(value)) {
    ctx.reply.error(fmt::format("ERR {} cannot contain spaces, newlines or special characters.", lower(attr)));
    return;
  }
  std::lock_guard l(ctx.session.info_mu);
  (is_name ? ctx.session.lib_name : ctx.session.lib_ver) = std::string(value);
  ctx.reply.ok();
}

// ON|OFF switches; replies syntax error for anything else.
bool arg_on_off(CommandCtx& ctx, size_t i, bool* on) {
  if (iequals(ctx.arg(i), "on")) *on = true;
  else if (iequals(ctx.arg(i), "off")) *on = false;
  else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

void cmd_client_no_evict(CommandCtx& ctx) {
  bool on;
  if (!arg_on_off(ctx, 2, &on)) return;
  ctx.session.no_evict = on;
  ctx.reply.ok();
}

void cmd_client_no_touch(CommandCtx& ctx) {
  bool on;
  if (!arg_on_off(ctx, 2, &on)) return;
  ctx.session.no_touch = on;
  ctx.reply.ok();
}

// The RESP connection drops the replies (net/resp_connection.cc); OFF and
// SKIP themselves answer nothing. An HTTP request always gets its answers.
void cmd_client_reply(CommandCtx& ctx) {
  std::string_view mode = ctx.arg(2);
  bool on = iequals(mode, "on"), off = iequals(mode, "off"), skip = iequals(mode, "skip");
  if (!on && !off && !skip) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (ctx.session.door != Door::kResp) {
    if (on) ctx.reply.ok();
    else ctx.reply.error(fmt::format("ERR CLIENT REPLY {} needs a RESP connection", upper(mode)));
    return;
  }
  ctx.session.reply_mode_set = true;
  ctx.session.replies_off = off;
  ctx.session.skip_next_reply = skip;
  if (on) ctx.reply.ok();
}

// CLIENT PAUSE is accepted and does nothing: Cairn has no failover to pause
// for, and every acknowledged write is already durable.
void cmd_client_pause(CommandCtx& ctx) {
  if (ctx.argc() == 4 && !iequals(ctx.arg(3), "write") && !iequals(ctx.arg(3), "all")) {
    ctx.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    return;
  }
  int64_t ms;
  if (!arg_timeout_ms(ctx, 2, &ms)) return;
  ctx.reply.ok();
}

void cmd_client_unpause(CommandCtx& ctx) { ctx.reply.ok(); }

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking pop as if it timed out
// (a nil reply), or with an UNBLOCKED error. 1 if that client was blocked.
void cmd_client_unblock(CommandCtx& ctx) {
  bool error = false;
  if (ctx.argc() == 4) {
    if (iequals(ctx.arg(3), "error")) {
      error = true;
    } else if (!iequals(ctx.arg(3), "timeout")) {
      ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  int64_t id;
  if (!arg_int(ctx, 2, &id)) return;
  ctx.reply.integer(id > 0 && ctx.server.blocked().unblock(static_cast<uint64_t>(id), error) ? 1 : 0);
}

void cmd_client_getredir(CommandCtx& ctx) { ctx.reply.integer(-1); }

void cmd_client_tracking(CommandCtx& ctx) {
  bool on;
  if (!arg_on_off(ctx, 2, &on)) return;
  if (on) ctx.reply.error("ERR CLIENT TRACKING is not supported by Cairn");
  else ctx.reply.ok();
}

void cmd_client_trackinginfo(CommandCtx& ctx) {
  ctx.reply.map(3);
  ctx.reply.bulk("flags");
  ctx.reply.set(1);
  ctx.reply.simple("off");
  ctx.reply.bulk("redirect");
  ctx.reply.integer(-1);
  ctx.reply.bulk("prefixes");
  ctx.reply.array(0);
}

// CLIENT KILL's filters (new form) or address (old form).
struct KillFilter {
  std::string_view addr, laddr;
  uint64_t id = 0;
  std::string_view type;  // TYPE: normal, pubsub (replicas and masters match nobody)
  bool skipme = true;
};

// Parses CLIENT KILL's arguments; replies and returns false on error.
bool parse_kill_filter(CommandCtx& ctx, KillFilter* f) {
  if (ctx.argc() == 3) {
    f->addr = ctx.arg(2);
    f->skipme = false;  // the old form may kill the caller
    return true;
  }
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    if (i + 1 == ctx.argc()) {
      ctx.reply.error(err::kSyntax);
      return false;
    }
    std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
    int64_t id;
    if (iequals(opt, "id")) {
      if (!model::parse_int64(val, &id) || id < 1) {
        ctx.reply.error("ERR client-id should be greater than 0");
        return false;
      }
      f->id = static_cast<uint64_t>(id);
    } else if (iequals(opt, "type")) {
      if (!known_client_type(val)) {
        ctx.reply.error(one_line(fmt::format("ERR Unknown client type '{}'", val)));
        return false;
      }
      f->type = val;
    } else if (iequals(opt, "addr")) {
      f->addr = val;
    } else if (iequals(opt, "laddr")) {
      f->laddr = val;
    } else if (iequals(opt, "user")) {
      if (val != "default") {
        ctx.reply.error(one_line(fmt::format("ERR No such user '{}'", val)));
        return false;
      }
    } else if (iequals(opt, "skipme") && (iequals(val, "yes") || iequals(val, "no"))) {
      f->skipme = iequals(val, "yes");
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

bool kill_matches(CommandCtx& ctx, const KillFilter& f, Session& s) {
  return (f.type.empty() || is_client_type(ctx, s, f.type)) && (f.addr.empty() || s.addr == f.addr) &&
         (f.laddr.empty() || s.laddr == f.laddr) && (f.id == 0 || s.id == f.id);
}

void cmd_client_kill(CommandCtx& ctx) {
  KillFilter f;
  if (!parse_kill_filter(ctx, &f)) return;
  bool kill_self = false;
  size_t killed = ctx.server.clients().kill_if([&](Session& s) {
    if (!kill_matches(ctx, f, s)) return false;
    if (&s == &ctx.session) {
      kill_self = !f.skipme;
      return false;  // closed after this reply instead
    }
    return true;
  });
  if (kill_self) {
    ++killed;
    ctx.session.closing = true;
  }
  if (ctx.argc() == 3) {
    if (killed == 0) ctx.reply.error("ERR No such client");
    else ctx.reply.ok();
  } else {
    ctx.reply.integer(static_cast<int64_t>(killed));
  }
}

void cmd_client_help(CommandCtx& ctx) {
  reply_help(ctx, {"GETNAME", "    Return the name of the current connection.", "GETREDIR",
                   "    Return the client ID we are redirecting to when tracking is enabled (always -1).", "ID",
                   "    Return the ID of the current connection.", "INFO",
                   "    Return information about the current client connection.", "KILL <ip:port>",
                   "    Kill connection made from <ip:port>.", "KILL <option> <value> [<option> <value> [...]]",
                   "    Kill connections. Options are:", "    * ADDR (<ip:port>|<unixsocket>:0)",
                   "      Kill connections made from the specified address", "    * LADDR (<ip:port>|<unixsocket>:0)",
                   "      Kill connections made to specified local address", "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                   "      Kill connections by type.", "    * USER <username>",
                   "      Kill connections authenticated by <username>.", "    * SKIPME (YES|NO)",
                   "      Skip killing current connection (default: yes).", "LIST [options ...]",
                   "    Return information about client connections. Options:",
                   "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
                   "    * ID <id> [<id> ...]", "      Return clients with the given IDs.", "UNPAUSE",
                   "    Stop the current client pause, resuming traffic (Cairn never pauses).",
                   "PAUSE <timeout> [WRITE|ALL]", "    Accepted for compatibility; Cairn does not pause clients.",
                   "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
                   "SETNAME <name>", "    Assign the name <name> to the current connection.",
                   "SETINFO (LIB-NAME|LIB-VER) <value>", "    Set client library name or version.",
                   "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
                   "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.", "NO-TOUCH (ON|OFF)",
                   "    Will not touch LRU/LFU stats when this mode is on."});
}

void add_client_subs() {
  constexpr uint32_t f = kNoScript | kLS;
  constexpr uint32_t a = kAdmin | kNoScript | kLS;
  constexpr std::string_view c = "@connection";
  add_sub("client|id", 2, f, cmd_client_id, "Returns the client ID for the current connection", "5.0.0", c);
  add_sub("client|info", 2, f, cmd_client_info, "Returns information about the current client connection.",
          "6.2.0", c);
  add_sub("client|list", -2, a, cmd_client_list, "Get the list of client connections", "2.4.0", c);
  add_sub("client|kill", -3, a, cmd_client_kill, "Kill the connection of a client", "2.4.0", c);
  add_sub("client|setname", 3, f, cmd_client_setname, "Set the current connection name", "2.6.9", c);
  add_sub("client|getname", 2, f, cmd_client_getname, "Get the current connection name", "2.6.9", c);
  add_sub("client|setinfo", 4, f, cmd_client_setinfo, "Set client or connection specific info", "7.2.0", c);
  add_sub("client|no-evict", 3, a, cmd_client_no_evict, "Set client eviction mode for the current connection",
          "7.0.0", c);
  add_sub("client|no-touch", 3, f, cmd_client_no_touch,
          "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.", "7.2.0",
          c);
  add_sub("client|reply", 3, f, cmd_client_reply, "Instruct the server whether to reply to commands", "3.2.0", c);
  add_sub("client|pause", -3, a, cmd_client_pause, "Stop processing commands from clients for some time", "2.9.50",
          c);
  add_sub("client|unpause", 2, a, cmd_client_unpause, "Resume processing of clients that were paused", "6.2.0", c);
  add_sub("client|unblock", -3, a, cmd_client_unblock,
          "Unblock a client blocked in a blocking command from a different connection", "5.0.0", c);
  add_sub("client|getredir", 2, f, cmd_client_getredir,
          "Get tracking notifications redirection client ID if any", "6.0.0", c);
  add_sub("client|tracking", -3, f, cmd_client_tracking,
          "Enable or disable server assisted client side caching support", "6.0.0", c);
  add_sub("client|trackinginfo", 2, f, cmd_client_trackinginfo,
          "Return information about server assisted client side caching for the current connection", "6.2.0", c);
  add_sub("client|help", 2, kLS, cmd_client_help, "Show helpful text about the different subcommands", "5.0.0", c);
}

}  // namespace cairn::command::introspection
