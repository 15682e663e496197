// The scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT
// LOAD/EXISTS/FLUSH/KILL, and Redis Functions: FUNCTION LOAD/DELETE/FLUSH/
// LIST/STATS/KILL, FCALL, FCALL_RO. The Lua runtime is lua_scripts.h. EVAL,
// EVALSHA and FCALL run on the writer (kOnWriter), inside one commit; the _RO
// forms run where reads run, on a snapshot, and refuse write commands.
// FUNCTION LOAD/DELETE/FLUSH store libraries durably (model/functions.h) in
// their commit; the server loads them again at start-up.
#include <fmt/format.h>

#include <string>

#include "command/args.h"
#include "command/errors.h"
#include "command/introspection.h"
#include "command/server_context.h"
#include "command/table.h"
#include "common/log.h"
#include "model/functions.h"
#include "model/rdb.h"
#include "model/glob.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

// numkeys at argv[2]: replies and returns false when it is wrong (FCALL's
// text for a non-number differs from EVAL's, as in Redis).
bool parse_numkeys(CommandCtx& ctx, size_t* numkeys, bool is_fcall = false) {
  int64_t n;
  if (!model::parse_int64(ctx.arg(2), &n)) {
    ctx.reply.error(is_fcall ? "ERR Bad number of keys provided" : err::kNotInteger);
    return false;
  }
  if (n < 0) {
    ctx.reply.error("ERR Number of keys can't be negative");
    return false;
  }
  if (static_cast<uint64_t>(n) > ctx.argc() - 3) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  *numkeys = static_cast<size_t>(n);
  return true;
}

void eval_generic(CommandCtx& ctx, bool by_sha, bool read_only) {
  size_t numkeys;
  if (!parse_numkeys(ctx, &numkeys)) return;
  LuaScripts& scripts = ctx.server.scripts();
  std::string sha;
  if (by_sha) {
    if (ctx.arg(1).size() != 40) {
      ctx.reply.error("NOSCRIPT No matching script. Please use EVAL.");
      return;
    }
    sha = ctx.arg(1);
  } else {
    std::string error;
    if (!scripts.load(ctx.arg(1), &sha, &error)) {
      ctx.reply.error(error);
      return;
    }
  }
  auto keys = ctx.argv.subspan(3, numkeys);
  auto args = ctx.argv.subspan(3 + numkeys);
  scripts.run(ctx, sha, keys, args, read_only);
}

void cmd_eval(CommandCtx& ctx) { eval_generic(ctx, false, false); }
void cmd_evalsha(CommandCtx& ctx) { eval_generic(ctx, true, false); }
void cmd_eval_ro(CommandCtx& ctx) { eval_generic(ctx, false, true); }
void cmd_evalsha_ro(CommandCtx& ctx) { eval_generic(ctx, true, true); }

void cmd_script(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  LuaScripts& scripts = ctx.server.scripts();
  if (iequals(sub, "load") && ctx.argc() == 3) {
    std::string sha, error;
    if (scripts.load(ctx.arg(2), &sha, &error)) ctx.reply.bulk(sha);
    else ctx.reply.error(error);
  } else if (iequals(sub, "exists") && ctx.argc() >= 3) {
    ctx.reply.array(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) ctx.reply.integer(scripts.exists(ctx.arg(i)) ? 1 : 0);
  } else if (iequals(sub, "flush") && ctx.argc() <= 3) {
    if (ctx.argc() == 3 && !iequals(ctx.arg(2), "async") && !iequals(ctx.arg(2), "sync")) {
      ctx.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
      return;
    }
    scripts.flush();
    ctx.reply.ok();
  } else if (iequals(sub, "kill") && ctx.argc() == 2) {
    std::string error = scripts.kill(true);
    if (error.empty()) ctx.reply.ok();
    else ctx.reply.error(error);
  } else if (iequals(sub, "help") && ctx.argc() == 2) {
    introspection::reply_help(ctx, {
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed (not supported by Cairn).",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
    });
  } else if (iequals(sub, "debug")) {
    ctx.reply.error("ERR SCRIPT DEBUG is not supported by Cairn");
  } else {
    ctx.reply.error(fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try SCRIPT HELP.", sub));
  }
}

void fcall_generic(CommandCtx& ctx, bool read_only) {
  size_t numkeys;
  if (!parse_numkeys(ctx, &numkeys, true)) return;
  ctx.server.scripts().call_function(ctx, ctx.arg(1), ctx.argv.subspan(3, numkeys), ctx.argv.subspan(3 + numkeys),
                                     read_only);
}
void cmd_fcall(CommandCtx& ctx) { fcall_generic(ctx, false); }
void cmd_fcall_ro(CommandCtx& ctx) { fcall_generic(ctx, true); }

void reply_library(CommandCtx& ctx, const LuaScripts::Library& lib, bool with_code) {
  ctx.reply.map(with_code ? 4 : 3);
  ctx.reply.bulk("library_name");
  ctx.reply.bulk(lib.name);
  ctx.reply.bulk("engine");
  ctx.reply.bulk("LUA");
  ctx.reply.bulk("functions");
  ctx.reply.array(lib.functions.size());
  for (const auto& f : lib.functions) {
    ctx.reply.map(3);
    ctx.reply.bulk("name");
    ctx.reply.bulk(f.name);
    ctx.reply.bulk("description");
    if (f.description.empty()) ctx.reply.null();
    else ctx.reply.bulk(f.description);
    ctx.reply.bulk("flags");
    ctx.reply.set(f.flags.size());
    for (const auto& flag : f.flags) ctx.reply.bulk(flag);
  }
  if (with_code) {
    ctx.reply.bulk("library_code");
    ctx.reply.bulk(lib.code);
  }
}

void function_list(CommandCtx& ctx) {
  bool with_code = false;
  std::string_view pattern;
  bool has_pattern = false;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (iequals(ctx.arg(i), "withcode") && !with_code) {
      with_code = true;
    } else if (iequals(ctx.arg(i), "libraryname") && !has_pattern) {
      if (i + 1 >= ctx.argc()) {
        ctx.reply.error("ERR library name argument was not given");
        return;
      }
      pattern = ctx.arg(++i);
      has_pattern = true;
    } else {
      ctx.reply.error(fmt::format("ERR Unknown argument {}", ctx.arg(i)));
      return;
    }
  }
  std::vector<LuaScripts::Library> libs = ctx.server.scripts().libraries();
  std::vector<const LuaScripts::Library*> picked;
  for (const auto& lib : libs) {
    if (!has_pattern || model::glob_match(pattern, lib.name)) picked.push_back(&lib);
  }
  ctx.reply.array(picked.size());
  for (const auto* lib : picked) reply_library(ctx, *lib, with_code);
}

// FUNCTION DUMP: Redis 7.0's payload, one FUNCTION2 record per library.
void function_dump(CommandCtx& ctx) {
  std::string payload;
  for (const auto& lib : ctx.server.scripts().libraries()) {
    payload.push_back(static_cast<char>(model::rdb::kOpcodeFunction2));
    model::rdb::append_string(payload, lib.code);
  }
  model::rdb::append_trailer(payload);
  ctx.reply.bulk(payload);
}

void function_restore(CommandCtx& ctx) {
  using Policy = LuaScripts::RestorePolicy;
  Policy policy = Policy::kAppend;
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (iequals(p, "append")) policy = Policy::kAppend;
    else if (iequals(p, "replace")) policy = Policy::kReplace;
    else if (iequals(p, "flush")) policy = Policy::kFlush;
    else {
      ctx.reply.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  }
  auto body = model::rdb::verify_payload(ctx.arg(2));
  if (!body) {
    ctx.reply.error("ERR payload version or checksum are wrong");
    return;
  }
  std::vector<std::string> codes;
  model::rdb::Reader reader(*body);
  while (!reader.done()) {
    uint8_t type = *reader.byte();
    if (type == model::rdb::kOpcodeFunctionPreGa) {
      ctx.reply.error("ERR Pre-GA function format not supported");
      return;
    }
    if (type != model::rdb::kOpcodeFunction2) {
      ctx.reply.error("ERR given type is not a function");
      return;
    }
    auto code = reader.string();
    if (!code) {
      ctx.reply.error("ERR Failed loading the library code from the payload");
      return;
    }
    codes.push_back(std::move(*code));
  }
  LuaScripts& scripts = ctx.server.scripts();
  std::vector<LuaScripts::Library> before = scripts.libraries();
  std::string error;
  if (!scripts.restore_libraries(codes, policy, &error)) {
    ctx.reply.error(error);
    return;
  }
  // The stored libraries become exactly the loaded ones, in this commit.
  for (const auto& lib : before) model::delete_function_library(ctx.txn(), lib.name);
  for (const auto& lib : scripts.libraries()) model::put_function_library(ctx.txn(), lib.name, lib.code);
  ctx.reply.ok();
}

void cmd_function(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  LuaScripts& scripts = ctx.server.scripts();
  if (iequals(sub, "load") && ctx.argc() >= 3) {
    bool replace = false;
    for (size_t i = 2; i + 1 < ctx.argc(); ++i) {
      if (!iequals(ctx.arg(i), "replace")) {
        ctx.reply.error(fmt::format("ERR Unknown option given: {}", ctx.arg(i)));
        return;
      }
      replace = true;
    }
    std::string_view code = ctx.arg(ctx.argc() - 1);
    std::string name, error;
    if (!scripts.load_library(code, replace, &name, &error)) {
      ctx.reply.error(error);
      return;
    }
    model::put_function_library(ctx.txn(), name, code);
    ctx.reply.bulk(name);
  } else if (iequals(sub, "delete") && ctx.argc() == 3) {
    if (!scripts.delete_library(ctx.arg(2))) {
      ctx.reply.error("ERR Library not found");
      return;
    }
    model::delete_function_library(ctx.txn(), ctx.arg(2));
    ctx.reply.ok();
  } else if (iequals(sub, "flush") && ctx.argc() <= 3) {
    if (ctx.argc() == 3 && !iequals(ctx.arg(2), "async") && !iequals(ctx.arg(2), "sync")) {
      ctx.reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
      return;
    }
    for (const auto& lib : scripts.libraries()) model::delete_function_library(ctx.txn(), lib.name);
    scripts.flush_libraries();
    ctx.reply.ok();
  } else if (iequals(sub, "list")) {
    function_list(ctx);
  } else if (iequals(sub, "kill") && ctx.argc() == 2) {
    std::string error = scripts.kill(false);
    if (error.empty()) ctx.reply.ok();
    else ctx.reply.error(error);
  } else if (iequals(sub, "stats") && ctx.argc() == 2) {
    ctx.reply.map(2);
    ctx.reply.bulk("running_script");
    if (auto running = scripts.running(); running && scripts.running_function()) {
      ctx.reply.map(3);
      ctx.reply.bulk("name");
      ctx.reply.bulk(running->name);
      ctx.reply.bulk("command");
      ctx.reply.array(running->command.size());
      for (const auto& a : running->command) ctx.reply.bulk(a);
      ctx.reply.bulk("duration_ms");
      ctx.reply.integer(running->duration_ms);
    } else {
      ctx.reply.null();
    }
    ctx.reply.bulk("engines");
    ctx.reply.map(1);
    ctx.reply.bulk("LUA");
    ctx.reply.map(2);
    ctx.reply.bulk("libraries_count");
    ctx.reply.integer(static_cast<int64_t>(scripts.libraries().size()));
    ctx.reply.bulk("functions_count");
    ctx.reply.integer(static_cast<int64_t>(scripts.function_count()));
  } else if (iequals(sub, "dump") && ctx.argc() == 2) {
    function_dump(ctx);
  } else if (iequals(sub, "restore") && (ctx.argc() == 3 || ctx.argc() == 4)) {
    function_restore(ctx);
  } else if (iequals(sub, "help") && ctx.argc() == 2) {
    introspection::reply_help(ctx, {
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "KILL",
        "    Kill the current running function.",
        "STATS",
        "    Return information about the current function running.",
    });
  } else {
    ctx.reply.error(fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try FUNCTION HELP.",
                                sub));
  }
}

// FUNCTION STATS/KILL/HELP never wait for the Lua state: they run where
// reads run, so KILL reaches a function that holds the writer. The rest run
// on the writer, after the running script, never holding an I/O thread.
bool function_runs_inline(std::span<const std::string_view> argv) {
  if (argv.size() < 2) return true;
  std::string_view sub = argv[1];
  return iequals(sub, "stats") || iequals(sub, "kill") || iequals(sub, "help");
}

// SCRIPT KILL likewise; SCRIPT LOAD/EXISTS/FLUSH need the Lua state.
bool script_runs_inline(std::span<const std::string_view> argv) {
  return argv.size() < 2 || iequals(argv[1], "kill") || iequals(argv[1], "help");
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since) {
  // Keys follow numkeys: movable, listed as 0 0 0 like Redis's table.
  return make_spec("scripting", "@scripting", name, arity, flags, 0, 0, 0, h, summary, since);
}

}  // namespace

void register_scripting_commands(CommandTable& t) {
  constexpr uint32_t kEval = kNoScript | kStale | kMayReplicate | kRunsScript;
  t.add(spec("eval", -3, kEval | kOnWriter, cmd_eval, "Executes a server-side Lua script.", "2.6.0"));
  t.add(spec("evalsha", -3, kEval | kOnWriter, cmd_evalsha, "Executes a server-side Lua script by SHA1 digest.",
             "2.6.0"));
  // Every script runs on the writer, the read-only ones too: one Lua state
  // runs one script at a time, and an I/O thread waiting for it could not
  // serve the SCRIPT KILL that would end it.
  t.add(spec("eval_ro", -3, kEval | kReadOnly | kOnWriter, cmd_eval_ro, "Executes a read-only server-side Lua script.",
             "7.0.0"));
  t.add(spec("evalsha_ro", -3, kEval | kReadOnly | kOnWriter, cmd_evalsha_ro,
             "Executes a read-only server-side Lua script by SHA1 digest.", "7.0.0"));
  CommandSpec s = spec("script", -2, kNoScript | kOnWriter, cmd_script, "A container for Lua scripts management commands.",
                       "2.6.0");
  s.runs_inline = script_runs_inline;
  s.subcommands = {"script|debug", "script|exists", "script|flush", "script|help", "script|kill", "script|load"};
  t.add(std::move(s));
  t.add(spec("fcall", -3, kEval | kOnWriter, cmd_fcall, "Invokes a function.", "7.0.0"));
  t.add(spec("fcall_ro", -3, kEval | kReadOnly | kOnWriter, cmd_fcall_ro, "Invokes a read-only function.", "7.0.0"));
  CommandSpec f = spec("function", -2, kNoScript | kOnWriter, cmd_function, "A container for function commands.",
                       "7.0.0");
  f.runs_inline = function_runs_inline;
  f.subcommands = {"function|delete", "function|dump", "function|flush", "function|help", "function|kill",
                   "function|list", "function|load", "function|restore", "function|stats"};
  t.add(std::move(f));
}

}  // namespace cairn::command

namespace cairn::command {

void ServerContext::load_functions() {
  for (const auto& [name, code] : model::function_libraries(engine_.committed())) {
    std::string loaded, error;
    if (!scripts_.load_library(code, true, &loaded, &error)) {
      log::warn("function library '{}' stored on disk does not load: {}", name, error);
    }
  }
}

}  // namespace cairn::command
