// Lua scripting; see lua_scripts.h.
#include "command/lua_scripts.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "command/dispatch.h"
#include "command/errors.h"
#include "command/lua_cmsgpack.h"
#include "command/lua_struct.h"
#include "command/reply.h"
#include "command/server_context.h"
#include "command/session.h"
#include "command/table.h"
#include "common/log.h"
#include "common/split_args.h"
#include "engine/clock.h"
#include "engine/status.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
int luaopen_cjson(lua_State* l);  // Debian's lua-cjson
int luaopen_bit(lua_State* l);    // Debian's lua-bitop
}

namespace cairn::command {

namespace {

// Function names are case-insensitive (FCALL TEST calls "test"): the
// registry tables and the name index are keyed by the lower-case name.
std::string lowered(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

constexpr const char* kRunKey = "cairn_run";          // registry: the running script
constexpr const char* kScriptsKey = "cairn_scripts";  // registry: sha -> function
constexpr const char* kFunctionsKey = "cairn_functions";  // registry: function name -> callback
constexpr const char* kLoadingKey = "cairn_loading";      // registry: the library being loaded
constexpr const char* kPendingKey = "cairn_pending";      // registry: its callbacks so far
constexpr int kMaxReplyDepth = 1000;                   // nesting of a script's reply

// What redis.call needs of the running script.
struct ScriptRun {
  CommandCtx* caller;
  Session* session;  // the script's own (db, protocol), like Redis's script client
  bool read_only;
  int resp = 2;  // redis.setresp
  LuaScripts* scripts;
  std::atomic<bool>* wrote;
};

ScriptRun* current_run(lua_State* l) {
  lua_getfield(l, LUA_REGISTRYINDEX, kRunKey);
  auto* run = static_cast<ScriptRun*>(lua_touserdata(l, -1));
  lua_pop(l, 1);
  return run;
}

// Redis's error table {err = "CODE message"}: a leading '-' is dropped and
// gives the code; a message without one gets "ERR".
void push_error_table(lua_State* l, std::string_view msg) {
  std::string text;
  if (!msg.empty() && msg[0] == '-') {
    text = std::string(msg.substr(1));
    if (text.find(' ') == std::string::npos) text = "ERR " + text;
  } else {
    text = "ERR " + std::string(msg);
  }
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
  lua_newtable(l);
  lua_pushstring(l, "err");
  lua_pushlstring(l, text.data(), text.size());
  lua_settable(l, -3);
}

// A reply a command writes inside a script, kept as tokens so that it can be
// rewound and then turned into Lua values (Redis's RESP -> Lua rules).
class LuaReply final : public Reply {
 public:
  explicit LuaReply(int resp) : resp_(resp) {}
  void simple(std::string_view s) override { add(Kind::kStatus).s = s; }
  void integer(int64_t v) override { add(Kind::kInt).i = v; }
  void bulk(std::string_view s) override { add(Kind::kBulk).s = s; }
  void null() override { add(Kind::kNull); }
  void null_array() override { add(Kind::kNull); }
  void array(size_t n) override { add(Kind::kArray).n = n; }
  void map(size_t pairs) override { add(Kind::kMap).n = pairs; }
  void set(size_t n) override { add(Kind::kSet).n = n; }
  void push(size_t n) override { add(Kind::kArray).n = n; }
  void dbl(double d) override { add(Kind::kDouble).d = d; }
  void boolean(bool b) override { add(Kind::kBool).i = b ? 1 : 0; }
  void verbatim(std::string_view s) override { add(Kind::kVerbatim).s = s; }
  int protocol() const override { return resp_; }
  size_t mark() const override { return toks_.size(); }
  void rewind(size_t mark) override { toks_.resize(mark); }

  bool top_is_error() const { return !toks_.empty() && toks_[0].kind == Kind::kError; }
  // Pushes the first reply as one Lua value.
  void push_lua(lua_State* l) {
    size_t pos = 0;
    if (toks_.empty()) {
      lua_pushboolean(l, 0);
      return;
    }
    push_at(l, &pos);
  }

 protected:
  void write_error(std::string_view msg) override { add(Kind::kError).s = msg; }

 private:
  enum class Kind : uint8_t { kStatus, kError, kInt, kBulk, kNull, kArray, kMap, kSet, kDouble, kBool, kVerbatim };
  struct Tok {
    Kind kind;
    std::string s;
    int64_t i = 0;
    double d = 0;
    size_t n = 0;
  };
  Tok& add(Kind k) {
    toks_.push_back(Tok{k, {}});
    return toks_.back();
  }
  static void field(lua_State* l, const char* name) { lua_setfield(l, -2, name); }
  void push_at(lua_State* l, size_t* pos) {
    if (*pos >= toks_.size()) {
      lua_pushboolean(l, 0);
      return;
    }
    luaL_checkstack(l, 4, "reached lua stack limit");
    const Tok& t = toks_[(*pos)++];
    switch (t.kind) {
      case Kind::kStatus:
        lua_newtable(l);
        lua_pushlstring(l, t.s.data(), t.s.size());
        field(l, "ok");
        return;
      case Kind::kError:
        lua_newtable(l);
        lua_pushlstring(l, t.s.data(), t.s.size());
        field(l, "err");
        return;
      case Kind::kInt: lua_pushnumber(l, static_cast<lua_Number>(t.i)); return;
      case Kind::kBulk: lua_pushlstring(l, t.s.data(), t.s.size()); return;
      case Kind::kNull:
        if (resp_ == 3) lua_pushnil(l);
        else lua_pushboolean(l, 0);
        return;
      case Kind::kArray: {
        size_t n = t.n;
        lua_createtable(l, static_cast<int>(std::min<size_t>(n, 1 << 20)), 0);
        for (size_t j = 1; j <= n; ++j) {
          push_at(l, pos);
          lua_rawseti(l, -2, static_cast<int>(j));
        }
        return;
      }
      case Kind::kMap: {
        size_t n = t.n;
        if (resp_ == 2) {  // a flat array of pairs, as RESP2 sends it
          lua_createtable(l, static_cast<int>(std::min<size_t>(2 * n, 1 << 20)), 0);
          for (size_t j = 1; j <= 2 * n; ++j) {
            push_at(l, pos);
            lua_rawseti(l, -2, static_cast<int>(j));
          }
          return;
        }
        lua_newtable(l);
        lua_newtable(l);
        for (size_t j = 0; j < n; ++j) {
          push_at(l, pos);
          push_at(l, pos);
          lua_settable(l, -3);
        }
        field(l, "map");
        return;
      }
      case Kind::kSet: {
        size_t n = t.n;
        if (resp_ == 2) {
          lua_createtable(l, static_cast<int>(std::min<size_t>(n, 1 << 20)), 0);
          for (size_t j = 1; j <= n; ++j) {
            push_at(l, pos);
            lua_rawseti(l, -2, static_cast<int>(j));
          }
          return;
        }
        lua_newtable(l);
        lua_newtable(l);
        for (size_t j = 0; j < n; ++j) {
          push_at(l, pos);
          lua_pushboolean(l, 1);
          lua_settable(l, -3);
        }
        field(l, "set");
        return;
      }
      case Kind::kDouble:
        if (resp_ == 2) {
          std::string s = std::isinf(t.d) ? (t.d > 0 ? "inf" : "-inf") : fmt::format("{:.17g}", t.d);
          lua_pushlstring(l, s.data(), s.size());
          return;
        }
        lua_newtable(l);
        lua_pushnumber(l, t.d);
        field(l, "double");
        return;
      case Kind::kBool:
        if (resp_ == 2) lua_pushnumber(l, static_cast<lua_Number>(t.i));
        else lua_pushboolean(l, t.i != 0);
        return;
      case Kind::kVerbatim:
        if (resp_ == 2) {
          lua_pushlstring(l, t.s.data(), t.s.size());
          return;
        }
        lua_newtable(l);
        lua_newtable(l);
        lua_pushlstring(l, t.s.data(), t.s.size());
        field(l, "string");
        lua_pushstring(l, "txt");
        field(l, "format");
        field(l, "verbatim_string");
        return;
    }
  }

  int resp_;
  std::vector<Tok> toks_;
};

// redis.call / redis.pcall: runs one command against the script's Txn and
// leaves its reply on the stack; true when that reply must be raised. The
// caller raises, after this function's C++ locals are gone (a Lua error is a
// longjmp that runs no destructors).
bool call_command_body(lua_State* l, bool raise) {
  ScriptRun* run = current_run(l);
  auto fail = [&](std::string_view msg) {
    push_error_table(l, msg);
    return raise;
  };
  if (!run) return fail("redis.call/pcall can only be called inside a script invocation");
  int argc = lua_gettop(l);
  if (argc == 0) return fail("Please specify at least one argument for this redis lib call");
  std::vector<std::string> args;
  args.reserve(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    int type = lua_type(l, i);
    if (type != LUA_TSTRING && type != LUA_TNUMBER) {
      return fail("Lua redis lib command arguments must be strings or integers");
    }
    if (type == LUA_TNUMBER) {  // as Redis 7 prints it: integers whole, others shortest
      double d = lua_tonumber(l, i);
      if (d == std::floor(d) && std::fabs(d) < 1e17) args.push_back(fmt::format("{}", static_cast<int64_t>(d)));
      else args.push_back(fmt::format("{}", d));
      continue;
    }
    size_t len;
    const char* s = lua_tolstring(l, i, &len);
    args.emplace_back(s, len);
  }
  std::vector<std::string_view> argv(args.begin(), args.end());
  const CommandSpec* spec = lookup_command(argv[0]);
  if (!spec) return fail("Unknown Redis command called from script");
  if (spec->flags & kNoScript) return fail("This Redis command is not allowed from script");
  if (spec->arity > 0 ? argc != spec->arity : argc < -spec->arity) {
    return fail("Wrong number of args calling Redis command from script");
  }
  if (run->read_only && spec->is_write()) return fail("Write commands are not allowed from read-only scripts.");
  LuaReply reply(run->resp);
  CommandCtx& caller = *run->caller;
  CommandCtx sub{argv, *run->session, reply, caller.view, caller.server, caller.now_ms};
  execute_command(sub, spec);
  if (spec->is_write()) run->wrote->store(true, std::memory_order_relaxed);
  lua_settop(l, 0);
  reply.push_lua(l);
  return raise && reply.top_is_error();
}

int call_command(lua_State* l, bool raise) {
  if (call_command_body(l, raise)) return lua_error(l);
  return 1;
}
int lua_redis_call(lua_State* l) { return call_command(l, true); }
int lua_redis_pcall(lua_State* l) { return call_command(l, false); }

int lua_sha1hex(lua_State* l) {
  if (lua_gettop(l) != 1) {
    lua_pushstring(l, "wrong number of arguments");
    return lua_error(l);
  }
  size_t len;
  const char* s = lua_tolstring(l, 1, &len);
  std::string hex = LuaScripts::sha1_hex(std::string_view(s ? s : "", s ? len : 0));
  lua_pushlstring(l, hex.data(), hex.size());
  return 1;
}

int lua_error_reply(lua_State* l) {
  if (lua_gettop(l) != 1 || lua_type(l, -1) != LUA_TSTRING) {
    push_error_table(l, "wrong number or type of arguments");
    return 1;
  }
  std::string msg = lua_tostring(l, -1);
  push_error_table(l, msg[0] == '-' ? msg : "-" + msg);
  return 1;
}

int lua_status_reply(lua_State* l) {
  if (lua_gettop(l) != 1 || lua_type(l, -1) != LUA_TSTRING) {
    push_error_table(l, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(l);
  lua_pushvalue(l, -2);
  lua_setfield(l, -2, "ok");
  return 1;
}

int lua_log(lua_State* l) {
  int argc = lua_gettop(l);
  if (argc < 2) {
    push_error_table(l, "redis.log() requires two arguments or more.");
    return lua_error(l);
  }
  if (!lua_isnumber(l, 1)) {
    push_error_table(l, "First argument must be a number (log level).");
    return lua_error(l);
  }
  int level = static_cast<int>(lua_tonumber(l, 1));
  if (level < 0 || level > 3) {
    push_error_table(l, "Invalid debug level.");
    return lua_error(l);
  }
  std::string msg;
  for (int i = 2; i <= argc; ++i) {
    size_t len;
    const char* s = lua_tolstring(l, i, &len);
    if (!s) continue;
    if (!msg.empty()) msg.push_back(' ');
    msg.append(s, len);
  }
  if (level == 3) log::warn("script: {}", msg);
  else log::info("script: {}", msg);
  return 0;
}

int lua_setresp(lua_State* l) {
  ScriptRun* run = current_run(l);
  if (!run) {
    push_error_table(l, "redis.setresp can only be called inside a script invocation");
    return lua_error(l);
  }
  if (lua_gettop(l) != 1) {
    push_error_table(l, "redis.setresp() requires one argument.");
    return lua_error(l);
  }
  int resp = static_cast<int>(lua_tonumber(l, 1));
  if (resp != 2 && resp != 3) {
    push_error_table(l, "RESP version must be 2 or 3.");
    return lua_error(l);
  }
  run->resp = resp;
  run->session->resp.store(resp, std::memory_order_relaxed);
  return 0;
}

// Accepted, as effects replication is the only kind and there are no replicas.
int lua_set_repl(lua_State* l) {
  if (!current_run(l)) {
    push_error_table(l, "redis.set_repl can only be called inside a script invocation");
    return lua_error(l);
  }
  if (lua_gettop(l) != 1) {
    push_error_table(l, "redis.set_repl() requires two arguments.");
    return lua_error(l);
  }
  int flags = static_cast<int>(lua_tonumber(l, -1));
  if (flags < 0 || flags > 3) {
    push_error_table(l, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return lua_error(l);
  }
  return 0;
}

int lua_true(lua_State* l) {
  lua_pushboolean(l, 1);
  return 1;
}
int lua_false(lua_State* l) {
  lua_pushboolean(l, 0);
  return 1;
}
int lua_nothing(lua_State*) { return 0; }

struct LibraryLoad {
  std::vector<LuaScripts::FunctionInfo> functions;
  int64_t started_ms = 0;  // FUNCTION LOAD gives up after kLoadTimeoutMs
};
constexpr int64_t kLoadTimeoutMs = 500;  // as Redis's LOAD_TIMEOUT_MS

bool valid_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, flags={…}, description=}.
// The body of redis.register_function: nullptr, or the error to raise once
// its C++ locals are gone (a Lua error is a longjmp that runs no destructors).
const char* register_function_body(lua_State* l) {
  lua_getfield(l, LUA_REGISTRYINDEX, kLoadingKey);
  auto* load = static_cast<LibraryLoad*>(lua_touserdata(l, -1));
  lua_pop(l, 1);
  if (!load) return "redis.register_function can only be called on FUNCTION LOAD command";
  LuaScripts::FunctionInfo fn;
  int callback;
  if (lua_gettop(l) == 2) {
    if (lua_type(l, 1) != LUA_TSTRING) return "first argument to redis.register_function must be a string";
    if (lua_type(l, 2) != LUA_TFUNCTION) return "second argument to redis.register_function must be a function";
    size_t len;
    const char* name = lua_tolstring(l, 1, &len);
    fn.name.assign(name, len);
    callback = 2;
  } else if (lua_gettop(l) == 1 && !lua_istable(l, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua table "
                         "(representing named arguments).";
  } else if (lua_gettop(l) == 1 && lua_istable(l, 1)) {
    // Named arguments, in whatever order and case the table has them.
    bool has_name = false;
    lua_pushnil(l);  // index 2: the callback, once found
    callback = 2;
    lua_pushnil(l);
    while (lua_next(l, 1)) {  // key at -2, value at -1
      if (lua_type(l, -2) != LUA_TSTRING) {
        return "named argument key given to redis.register_function is not a string";
      }
      std::string key = lowered(lua_tostring(l, -2));
      if (key == "function_name") {
        if (lua_type(l, -1) != LUA_TSTRING) {
          return "function_name argument given to redis.register_function must be a string";
        }
        size_t len;
        const char* name = lua_tolstring(l, -1, &len);
        fn.name.assign(name, len);
        has_name = true;
      } else if (key == "description") {
        if (lua_type(l, -1) != LUA_TSTRING) {
          return "description argument given to redis.register_function must be a string";
        }
        fn.description = lua_tostring(l, -1);
      } else if (key == "callback") {
        if (!lua_isfunction(l, -1)) {
          return "callback argument given to redis.register_function must be a function";
        }
        lua_pushvalue(l, -1);
        lua_replace(l, callback);
      } else if (key == "flags") {
        if (!lua_istable(l, -1)) {
          return "flags argument to redis.register_function must be a table representing function flags";
        }
        for (int i = 1;; ++i) {
          lua_rawgeti(l, -1, i);
          if (lua_isnil(l, -1)) {
            lua_pop(l, 1);
            break;
          }
          std::string flag = lua_isstring(l, -1) ? lua_tostring(l, -1) : "";
          lua_pop(l, 1);
          if (flag != "no-writes" && flag != "allow-oom" && flag != "allow-stale" && flag != "no-cluster" &&
              flag != "allow-cross-slot-keys") {
            return "unknown flag given";
          }
          fn.flags.push_back(flag);
        }
      } else {
        return "unknown argument given to redis.register_function";
      }
      lua_pop(l, 1);  // the value; the key stays for lua_next
    }
    if (!has_name) return "redis.register_function must get a function name argument";
    if (!lua_isfunction(l, callback)) return "redis.register_function must get a callback argument";
  } else {
    return "wrong number of arguments to redis.register_function";
  }
  if (!valid_name(fn.name)) {
    // Redis 7.0 gives the library names' text for a bad function name too.
    return "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
  }
  for (const auto& f : load->functions) {
    if (lowered(f.name) == lowered(fn.name)) return "Function already exists in the library";
  }
  lua_getfield(l, LUA_REGISTRYINDEX, kPendingKey);
  lua_pushvalue(l, callback);
  lua_setfield(l, -2, lowered(fn.name).c_str());
  lua_pop(l, 1);
  load->functions.push_back(std::move(fn));
  return nullptr;
}

int lua_register_function(lua_State* l) {
  if (const char* error = register_function_body(l)) return luaL_error(l, "%s", error);
  return 0;
}

// unpack(t [, i [, j]]) without Lua 5.1's overflow: a range of more than
// INT_MAX elements made it compute a negative count and overrun the stack.
int lua_safe_unpack(lua_State* l) {
  luaL_checktype(l, 1, LUA_TTABLE);
  int64_t i = static_cast<int64_t>(luaL_optnumber(l, 2, 1));
  int64_t e = lua_isnoneornil(l, 3) ? static_cast<int64_t>(lua_objlen(l, 1)) : static_cast<int64_t>(luaL_checknumber(l, 3));
  if (i > e) return 0;
  int64_t n = e - i + 1;
  if (n >= INT32_MAX || !lua_checkstack(l, static_cast<int>(n))) return luaL_error(l, "too many results to unpack");
  for (int64_t k = i; k <= e; ++k) lua_rawgeti(l, 1, static_cast<int>(k));
  return static_cast<int>(n);
}

// bit.tohex(x [, n]) as lua-bitop's, without its overflow on n = INT_MIN
// (negating it crashed; Redis fixed the same in its copy).
int lua_bit_tohex(lua_State* l) {
  auto x = static_cast<uint32_t>(static_cast<int64_t>(luaL_checknumber(l, 1)));
  int64_t n = lua_isnone(l, 2) ? 8 : static_cast<int64_t>(luaL_checknumber(l, 2));
  const char* digits = "0123456789abcdef";
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  char buf[8];
  for (int64_t i = n - 1; i >= 0; --i) {
    buf[i] = digits[x & 15];
    x >>= 4;
  }
  lua_pushlstring(l, buf, static_cast<size_t>(n));
  return 1;
}

constexpr const char* kReadonlyKey = "cairn_readonly";  // registry: proxy -> true (weak keys)
constexpr const char* kEnvKey = "cairn_env";             // registry: the scripts' globals proxy
constexpr const char* kLibraryEnvKey = "cairn_library_env";  // registry: the function libraries' globals proxy
constexpr const char* kLoadApiKey = "cairn_load_api";        // registry: `redis` while a library loads

bool is_readonly(lua_State* l, int idx) {
  if (!lua_istable(l, idx)) return false;
  idx = idx < 0 ? lua_gettop(l) + idx + 1 : idx;
  lua_getfield(l, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(l, idx);
  lua_rawget(l, -2);
  bool ro = lua_toboolean(l, -1);
  lua_pop(l, 2);
  return ro;
}

int lua_readonly_newindex(lua_State* l) { return luaL_error(l, "Attempt to modify a readonly table"); }

// The globals proxy's __index: the real globals, and an error for a name
// that does not exist, as in Redis.
int lua_global_index(lua_State* l) {
  lua_pushvalue(l, 2);
  lua_rawget(l, LUA_GLOBALSINDEX);
  if (!lua_isnil(l, -1)) return 1;
  const char* name = lua_tostring(l, 2);
  return luaL_error(l, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

// A library's globals: while FUNCTION LOAD runs its code only `redis` exists,
// and it is the load API (register_function, log, versions); when its
// functions run later, the scripts' globals. Functions made during the load
// keep this environment, so they see the right set at each moment.
int lua_library_global_index(lua_State* l) {
  lua_getfield(l, LUA_REGISTRYINDEX, kLoadingKey);
  bool loading = lua_touserdata(l, -1) != nullptr;
  lua_pop(l, 1);
  if (!loading) return lua_global_index(l);
  const char* name = lua_tostring(l, 2);
  if (name && std::string_view(name) == "redis") {
    lua_getfield(l, LUA_REGISTRYINDEX, kLoadApiKey);
    return 1;
  }
  return luaL_error(l, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

// The load API's __index (the real table is the upvalue): a field it lacks
// is an error, as Redis's error metatable makes it.
int lua_strict_index(lua_State* l) {
  lua_pushvalue(l, 2);
  lua_rawget(l, lua_upvalueindex(1));
  if (!lua_isnil(l, -1)) return 1;
  const char* name = lua_tostring(l, 2);
  return luaL_error(l, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

// Replaces the table at the top with a read-only proxy of it: reads go
// through, writes, setmetatable and rawset are refused (Redis patches Lua for
// this; Debian's stock 5.1 gets the same effect from metatables). `index`,
// when given, answers reads instead, with the real table as its upvalue.
void make_readonly(lua_State* l, lua_CFunction index) {
  int real = lua_gettop(l);
  lua_newtable(l);  // proxy
  lua_newtable(l);  // its metatable
  if (index) {
    lua_pushvalue(l, real);
    lua_pushcclosure(l, index, 1);
  } else {
    lua_pushvalue(l, real);
  }
  lua_setfield(l, -2, "__index");
  lua_pushcfunction(l, lua_readonly_newindex);
  lua_setfield(l, -2, "__newindex");
  lua_pushvalue(l, -2);  // getmetatable(proxy) answers the proxy: read-only too
  lua_setfield(l, -2, "__metatable");
  lua_setmetatable(l, -2);
  lua_getfield(l, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(l, -2);
  lua_pushboolean(l, 1);
  lua_rawset(l, -3);
  lua_pop(l, 1);
  lua_replace(l, real);
}

// setmetatable and rawset, refused on a read-only proxy; the original is
// the closure's upvalue.
int lua_guarded_write(lua_State* l) {
  if (is_readonly(l, 1)) return luaL_error(l, "Attempt to modify a readonly table");
  lua_pushvalue(l, lua_upvalueindex(1));
  lua_insert(l, 1);
  lua_call(l, lua_gettop(l) - 1, LUA_MULTRET);
  return lua_gettop(l);
}
// loadstring refuses precompiled (binary) chunks, as Redis's does.
int lua_guarded_loadstring(lua_State* l) {
  size_t len;
  const char* s = luaL_checklstring(l, 1, &len);
  if (len > 0 && s[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(l);
    lua_pushstring(l, "binary chunks are not allowed");
    return 2;
  }
  lua_pushvalue(l, lua_upvalueindex(1));
  lua_insert(l, 1);
  lua_call(l, lua_gettop(l) - 1, LUA_MULTRET);
  if (lua_isfunction(l, 1)) {  // its code sees the scripts' globals too
    lua_getfield(l, LUA_REGISTRYINDEX, kEnvKey);
    lua_setfenv(l, 1);
  }
  return lua_gettop(l);
}

void wrap_global(lua_State* l, const char* name, lua_CFunction wrapper) {
  lua_getglobal(l, name);
  lua_pushcclosure(l, wrapper, 1);
  lua_setglobal(l, name);
}

// Gives the function on top of the stack the scripts' read-only globals.
void use_script_env(lua_State* l) {
  lua_getfield(l, LUA_REGISTRYINDEX, kEnvKey);
  lua_setfenv(l, -2);
}

// The same for a function library's code (lua_library_global_index).
void use_library_env(lua_State* l) {
  lua_getfield(l, LUA_REGISTRYINDEX, kLibraryEnvKey);
  lua_setfenv(l, -2);
}

// FUNCTION LOAD's instruction-count hook: library code gets kLoadTimeoutMs.
void load_hook(lua_State* l, lua_Debug*) {
  lua_getfield(l, LUA_REGISTRYINDEX, kLoadingKey);
  auto* load = static_cast<LibraryLoad*>(lua_touserdata(l, -1));
  lua_pop(l, 1);
  if (!load || engine::unix_ms() - load->started_ms <= kLoadTimeoutMs) return;
  lua_sethook(l, load_hook, LUA_MASKLINE, 0);  // a pcall in the code cannot swallow it
  luaL_error(l, "FUNCTION LOAD timeout");
}

void set_function(lua_State* l, const char* name, lua_CFunction f) {
  lua_pushcfunction(l, f);
  lua_setfield(l, -2, name);
}

void set_number(lua_State* l, const char* name, lua_Number n) {
  lua_pushnumber(l, n);
  lua_setfield(l, -2, name);
}

// redis.log, its levels and the version fields: in the scripts' `redis` and
// in the load API alike.
void set_log_and_version(lua_State* l) {
  set_function(l, "log", lua_log);
  set_number(l, "LOG_DEBUG", 0);
  set_number(l, "LOG_VERBOSE", 1);
  set_number(l, "LOG_NOTICE", 2);
  set_number(l, "LOG_WARNING", 3);
  lua_pushstring(l, "7.0.15");
  lua_setfield(l, -2, "REDIS_VERSION");
  set_number(l, "REDIS_VERSION_NUM", 0x07000f);
}

// The number of entries of the table on top (lua_next, no metamethods).
size_t count_pairs(lua_State* l) {
  size_t n = 0;
  lua_pushnil(l);
  while (lua_next(l, -2)) {
    lua_pop(l, 1);
    ++n;
  }
  return n;
}

// Pushes t[name] of the table on top without metamethods (a script's table
// may raise from __index; this runs outside Lua's protection).
void raw_field(lua_State* l, const char* name) {
  lua_pushstring(l, name);
  lua_rawget(l, -2);
}

// The Lua -> reply rules (Redis's luaReplyToRedisReply). `resp` is the
// script's (redis.setresp), which decides booleans and nils.
void reply_from_lua(lua_State* l, Reply& reply, int resp, int depth) {
  if (depth > kMaxReplyDepth || !lua_checkstack(l, 4)) {
    lua_pop(l, 1);
    reply.error("ERR reached lua stack limit");
    return;
  }
  switch (lua_type(l, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(l, -1, &len);
      reply.bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (resp == 2) {
        if (lua_toboolean(l, -1)) reply.integer(1);
        else reply.null();
      } else {
        reply.boolean(lua_toboolean(l, -1));
      }
      break;
    case LUA_TNUMBER: reply.integer(static_cast<int64_t>(lua_tonumber(l, -1))); break;
    case LUA_TTABLE: {
      raw_field(l, "err");
      if (lua_type(l, -1) == LUA_TSTRING) {
        std::string msg = lua_tostring(l, -1);
        lua_pop(l, 2);
        if (!msg.empty() && msg[0] == '-') msg.erase(0, 1);
        reply.error(msg);
        return;
      }
      lua_pop(l, 1);
      raw_field(l, "ok");
      if (lua_type(l, -1) == LUA_TSTRING) {
        std::string s = lua_tostring(l, -1);
        for (char& c : s) {
          if (c == '\r' || c == '\n') c = ' ';
        }
        reply.simple(s);
        lua_pop(l, 2);
        return;
      }
      lua_pop(l, 1);
      raw_field(l, "double");
      if (lua_type(l, -1) == LUA_TNUMBER) {
        reply.dbl(lua_tonumber(l, -1));
        lua_pop(l, 2);
        return;
      }
      lua_pop(l, 1);
      raw_field(l, "map");
      if (lua_type(l, -1) == LUA_TTABLE) {
        reply.map(count_pairs(l));
        lua_pushnil(l);
        while (lua_next(l, -2)) {
          lua_pushvalue(l, -2);  // key copy on top, value below it
          reply_from_lua(l, reply, resp, depth + 1);
          reply_from_lua(l, reply, resp, depth + 1);
        }
        lua_pop(l, 2);
        return;
      }
      lua_pop(l, 1);
      raw_field(l, "set");
      if (lua_type(l, -1) == LUA_TTABLE) {
        reply.set(count_pairs(l));
        lua_pushnil(l);
        while (lua_next(l, -2)) {
          lua_pop(l, 1);
          lua_pushvalue(l, -1);
          reply_from_lua(l, reply, resp, depth + 1);
        }
        lua_pop(l, 2);
        return;
      }
      lua_pop(l, 1);
      // An array: elements 1..n up to the first nil.
      size_t n = 0;
      for (;;) {
        lua_rawgeti(l, -1, static_cast<int>(n + 1));
        bool end = lua_isnil(l, -1);
        lua_pop(l, 1);
        if (end) break;
        ++n;
      }
      reply.array(n);
      for (size_t j = 1; j <= n; ++j) {
        lua_rawgeti(l, -1, static_cast<int>(j));
        reply_from_lua(l, reply, resp, depth + 1);
      }
      break;
    }
    default: reply.null(); break;
  }
  lua_pop(l, 1);
}

// Redis's error handler: adds where the error happened, and turns a plain
// error value into an {err=...} table.
constexpr const char* kErrorHandler =
    "local dbg = debug\n"
    "function __redis__err__handler(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then i = dbg.getinfo(3,'nSl') end\n"
    "  if type(err) ~= 'table' then err = {err='ERR ' .. tostring(err)} end\n"
    "  if i then err['source'] = i.source; err['line'] = i.currentline end\n"
    "  return err\n"
    "end\n";

// The user_script error message Redis 7.0 sends for an error the script
// raised: "<err> script: <sha>, on <source>:<line>."
std::string script_error(lua_State* l, std::string_view sha) {
  if (!lua_istable(l, -1)) {
    const char* msg = lua_isstring(l, -1) ? lua_tostring(l, -1) : "execution failure";
    return fmt::format("ERR Error running script {}, {:.100}", sha, msg);
  }
  std::string msg, source, line;
  raw_field(l, "err");
  if (lua_isstring(l, -1)) msg = lua_tostring(l, -1);
  lua_pop(l, 1);
  raw_field(l, "source");
  if (lua_isstring(l, -1)) source = lua_tostring(l, -1);
  lua_pop(l, 1);
  raw_field(l, "line");
  if (lua_isstring(l, -1)) line = lua_tostring(l, -1);
  lua_pop(l, 1);
  if (!msg.empty() && msg[0] == '-') msg.erase(0, 1);
  if (!source.empty() && !line.empty()) msg += fmt::format(" script: {}, on {}:{}.", sha, source, line);
  return msg;
}

}  // namespace

struct LuaRunAccess {
  // The instruction-count hook: SCRIPT KILL stops a script that has not written.
  // SHUTDOWN NOSAVE stops any script, written or not; its writes are dropped.
  static void hook(lua_State* l, lua_Debug*) {
    ScriptRun* run = current_run(l);
    if (!run) return;
    // Once stopped, every line raises the error again (as Redis does), so a
    // pcall inside the script cannot swallow it.
    if (run->scripts->abort_requested_.load(std::memory_order_relaxed)) {
      lua_sethook(l, hook, LUA_MASKLINE, 0);
      push_error_table(l, "-ERR Script aborted: the server is shutting down");
      lua_error(l);
    }
    if (!run->scripts->kill_requested_.load(std::memory_order_relaxed)) return;
    lua_sethook(l, hook, LUA_MASKLINE, 0);
    push_error_table(l, "-ERR Script killed by user with SCRIPT KILL...");
    lua_error(l);
  }
};

LuaScripts::LuaScripts() { open_state(); }
LuaScripts::~LuaScripts() { close_state(); }

std::string LuaScripts::sha1_hex(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

void LuaScripts::open_state() {
  lua_State* l = luaL_newstate();
  lua_ = l;
  // Redis's libraries: no os, io or package; debug only for the error handler.
  const std::pair<const char*, lua_CFunction> libs[] = {{"", luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
                                                        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
                                                        {LUA_DBLIBNAME, luaopen_debug}, {"cjson", luaopen_cjson},
                                                        {"bit", luaopen_bit}};
  for (const auto& [name, open] : libs) {
    lua_pushcfunction(l, open);
    lua_pushstring(l, name);
    lua_call(l, 1, 1);
    // lua-cjson returns its table without setting a global; Redis has one.
    if (*name && lua_istable(l, -1)) lua_setglobal(l, name);
    else lua_pop(l, 1);
  }
  for (const char* name : {"loadfile", "dofile", "print"}) {
    lua_pushnil(l);
    lua_setglobal(l, name);
  }
  open_cmsgpack(l);  // Cairn's own (lua_cmsgpack.h)
  open_struct(l);    // and lua_struct.h
  lua_pushcfunction(l, lua_safe_unpack);
  lua_setglobal(l, "unpack");
  lua_getglobal(l, "bit");
  lua_pushcfunction(l, lua_bit_tohex);
  lua_setfield(l, -2, "tohex");
  lua_pop(l, 1);
  lua_newtable(l);  // redis
  set_function(l, "call", lua_redis_call);
  set_function(l, "pcall", lua_redis_pcall);
  set_function(l, "sha1hex", lua_sha1hex);
  set_function(l, "error_reply", lua_error_reply);
  set_function(l, "status_reply", lua_status_reply);
  set_log_and_version(l);
  set_function(l, "setresp", lua_setresp);
  set_function(l, "set_repl", lua_set_repl);
  set_function(l, "replicate_commands", lua_true);
  set_function(l, "breakpoint", lua_false);
  set_function(l, "debug", lua_nothing);
  set_number(l, "REPL_NONE", 0);
  set_number(l, "REPL_AOF", 1);
  set_number(l, "REPL_SLAVE", 2);
  set_number(l, "REPL_REPLICA", 2);
  set_number(l, "REPL_ALL", 3);
  lua_setglobal(l, "redis");
  luaL_loadbuffer(l, kErrorHandler, std::char_traits<char>::length(kErrorHandler), "@err_handler_def");
  lua_pcall(l, 0, 0, 0);
  lua_pushnil(l);
  lua_setglobal(l, "debug");  // scripts do not get it (the handler keeps its own)
  lua_newtable(l);
  lua_setfield(l, LUA_REGISTRYINDEX, kScriptsKey);
  lua_newtable(l);
  lua_setfield(l, LUA_REGISTRYINDEX, kFunctionsKey);
  // Globals and libraries are read-only for scripts: each script and
  // library runs with a proxy of the globals as its environment (a script can
  // neither create a global nor read one that does not exist; KEYS and ARGV
  // are set on the real table), and the library tables are proxies too.
  lua_newtable(l);
  lua_newtable(l);
  lua_pushstring(l, "k");
  lua_setfield(l, -2, "__mode");
  lua_setmetatable(l, -2);
  lua_setfield(l, LUA_REGISTRYINDEX, kReadonlyKey);
  wrap_global(l, "setmetatable", lua_guarded_write);
  wrap_global(l, "rawset", lua_guarded_write);
  wrap_global(l, "loadstring", lua_guarded_loadstring);
  for (const char* name : {"redis", "cjson", "cmsgpack", "struct", "bit", "string", "math", "table", "coroutine"}) {
    lua_getglobal(l, name);
    if (!lua_istable(l, -1)) {
      lua_pop(l, 1);
      continue;
    }
    make_readonly(l, nullptr);
    lua_setglobal(l, name);
  }
  // The string type's metatable (the only basic type with one) answers
  // getmetatable('') with a read-only proxy of itself.
  lua_pushstring(l, "");
  lua_getmetatable(l, -1);
  lua_pushvalue(l, -1);
  make_readonly(l, nullptr);
  lua_setfield(l, -2, "__metatable");
  lua_pop(l, 2);
  lua_pushvalue(l, LUA_GLOBALSINDEX);
  make_readonly(l, lua_global_index);
  lua_pushvalue(l, -1);
  lua_setglobal(l, "_G");  // a script's _G is the proxy
  lua_setfield(l, LUA_REGISTRYINDEX, kEnvKey);
  // What library code sees while FUNCTION LOAD runs it.
  lua_newtable(l);
  set_function(l, "register_function", lua_register_function);
  set_log_and_version(l);
  make_readonly(l, lua_strict_index);
  lua_setfield(l, LUA_REGISTRYINDEX, kLoadApiKey);
  lua_pushvalue(l, LUA_GLOBALSINDEX);
  make_readonly(l, lua_library_global_index);
  lua_setfield(l, LUA_REGISTRYINDEX, kLibraryEnvKey);
}

void LuaScripts::close_state() {
  if (lua_) lua_close(lua_);
  lua_ = nullptr;
  cached_.clear();
  std::lock_guard meta(meta_mu_);
  libraries_.clear();
  function_library_.clear();
}

namespace {

// A script's "#!lua flags=a,b" first line (Redis 7's evalExtractShebangFlags).
// `code_from` is where the Lua code starts: the line's newline, so line
// numbers in errors stay those of the whole body.
bool parse_shebang(std::string_view body, LuaScripts::ScriptFlags* flags, size_t* code_from, std::string* error) {
  *flags = {};
  *code_from = 0;
  if (!body.starts_with("#!")) return true;
  size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    *error = "ERR Invalid script shebang";
    return false;
  }
  *code_from = end;
  flags->shebang = true;
  std::vector<std::string_view> parts;
  std::string_view line = body.substr(0, end);
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) parts.push_back(line.substr(i, j - i));
    i = j;
  }
  if (parts.empty() || parts[0] != "#!lua") {
    *error = fmt::format("ERR Unexpected engine in script shebang: {}", parts.empty() ? "" : parts[0]);
    return false;
  }
  for (size_t p = 1; p < parts.size(); ++p) {
    if (!parts[p].starts_with("flags=")) {
      *error = fmt::format("ERR Unknown lua shebang option: {}", parts[p]);
      return false;
    }
    std::string_view list = parts[p].substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view flag = list.substr(0, comma);
      if (flag == "no-writes") flags->no_writes = true;
      else if (flag == "allow-oom" || flag == "allow-stale" || flag == "no-cluster" ||
               flag == "allow-cross-slot-keys") {
        // Accepted: Cairn has no OOM refusal, replicas or cluster for them to relax.
      } else {
        *error = fmt::format("ERR Unexpected flag in script shebang: {}", flag);
        return false;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return true;
}

}  // namespace

bool LuaScripts::load(std::string_view body, std::string* sha, std::string* error) {
  std::string digest = sha1_hex(body);
  std::lock_guard lock(mu_);
  *sha = digest;
  if (std::lock_guard meta(meta_mu_); cached_.count(digest)) return true;
  ScriptFlags flags;
  size_t code_from = 0;
  if (!parse_shebang(body, &flags, &code_from, error)) return false;
  body.remove_prefix(code_from);
  lua_State* l = lua_;
  if (luaL_loadbuffer(l, body.data(), body.size(), "@user_script") != 0) {
    *error = fmt::format("ERR Error compiling script (new function): {}", lua_tostring(l, -1));
    lua_pop(l, 1);
    return false;
  }
  use_script_env(l);
  lua_getfield(l, LUA_REGISTRYINDEX, kScriptsKey);
  lua_pushvalue(l, -2);
  lua_setfield(l, -2, digest.c_str());
  lua_pop(l, 2);
  std::lock_guard meta(meta_mu_);
  cached_[digest] = flags;
  return true;
}

bool LuaScripts::exists(std::string_view sha) {
  std::string lower(sha);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard meta(meta_mu_);
  return cached_.count(lower) > 0;
}

void LuaScripts::flush() {  // scripts only: function libraries stay
  std::lock_guard lock(mu_);
  lua_newtable(lua_);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kScriptsKey);
  {
    std::lock_guard meta(meta_mu_);
    cached_.clear();
  }
  lua_gc(lua_, LUA_GCCOLLECT, 0);
}

std::optional<LuaScripts::Running> LuaScripts::running() {
  std::lock_guard meta(meta_mu_);
  int64_t since = running_since_ms_.load();
  if (since == 0) return std::nullopt;
  return Running{running_name_, running_command_, std::max<int64_t>(0, engine::unix_ms() - since)};
}

bool LuaScripts::busy() const {
  int64_t since = running_since_ms_.load(std::memory_order_relaxed);
  if (since == 0) return false;
  int64_t threshold = busy_threshold_ms.load(std::memory_order_relaxed);
  return threshold > 0 && engine::unix_ms() - since >= threshold;
}

void LuaScripts::abort_for_shutdown() { abort_requested_.store(true); }

std::string LuaScripts::kill(bool is_eval) {
  if (running_since_ms_.load() == 0) return "NOTBUSY No scripts in execution right now.";
  if (running_wrote_.load()) {
    return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
           "wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
  }
  // Each kind is killed by its own command, as in Redis.
  if (is_eval && running_function_.load()) {
    return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
  }
  if (!is_eval && !running_function_.load()) {
    return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
  }
  kill_requested_.store(true);
  return "";
}

void LuaScripts::run(CommandCtx& ctx, std::string_view sha_arg, std::span<const std::string_view> keys,
                     std::span<const std::string_view> args, bool read_only) {
  std::string sha(sha_arg);
  for (char& c : sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard lock(mu_);
  lua_State* l = lua_;
  lua_getglobal(l, "__redis__err__handler");
  lua_getfield(l, LUA_REGISTRYINDEX, kScriptsKey);
  lua_getfield(l, -1, sha.c_str());
  lua_remove(l, -2);
  if (lua_isnil(l, -1)) {
    lua_pop(l, 2);
    ctx.reply.error("NOSCRIPT No matching script. Please use EVAL.");
    return;
  }
  ScriptFlags flags;
  {
    std::lock_guard meta(meta_mu_);
    if (auto it = cached_.find(sha); it != cached_.end()) flags = it->second;
  }
  // With a shebang a script says whether it writes; EVAL_RO needs no-writes.
  if (read_only && flags.shebang && !flags.no_writes) {
    lua_pop(l, 2);
    ctx.reply.error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  read_only = read_only || flags.no_writes;
  execute(ctx, "f_" + sha, keys, args, read_only, false);
}

void LuaScripts::execute(CommandCtx& ctx, std::string_view name, std::span<const std::string_view> keys,
                         std::span<const std::string_view> args, bool read_only, bool as_function) {
  lua_State* l = lua_;
  auto push_array = [l](std::span<const std::string_view> items) {
    lua_createtable(l, static_cast<int>(items.size()), 0);
    for (size_t i = 0; i < items.size(); ++i) {
      lua_pushlstring(l, items[i].data(), items[i].size());
      lua_rawseti(l, -2, static_cast<int>(i + 1));
    }
  };
  if (as_function) {
    push_array(keys);
    push_array(args);
  } else {
    lua_pushstring(l, "KEYS");
    push_array(keys);
    lua_rawset(l, LUA_GLOBALSINDEX);
    lua_pushstring(l, "ARGV");
    push_array(args);
    lua_rawset(l, LUA_GLOBALSINDEX);
  }

  // The script's own session: the caller's database, RESP2 until
  // redis.setresp; SELECT inside the script does not change the caller's.
  Session session;
  session.id = ctx.session.id;
  session.db.store(ctx.session.db.load(std::memory_order_relaxed), std::memory_order_relaxed);
  session.authenticated = true;
  session.door = ctx.session.door;
  session.multi.executing = true;  // FLUSH* delete key by key, inside this commit
  session.in_script = true;
  ScriptRun run{&ctx, &session, read_only, 2, this, &running_wrote_};
  lua_pushlightuserdata(l, &run);
  lua_setfield(l, LUA_REGISTRYINDEX, kRunKey);
  running_wrote_.store(false);
  kill_requested_.store(false);
  running_function_.store(as_function);
  {
    std::lock_guard meta(meta_mu_);
    running_name_ = std::string(name);
    running_command_.clear();
    for (size_t i = 0; i < ctx.argc(); ++i) running_command_.emplace_back(ctx.arg(i));
  }
  running_since_ms_.store(engine::unix_ms());
  lua_sethook(l, LuaRunAccess::hook, LUA_MASKCOUNT, 100000);
  int err = lua_pcall(l, as_function ? 2 : 0, 1, as_function ? -4 : -2);
  lua_sethook(l, nullptr, 0, 0);
  running_since_ms_.store(0);
  if (abort_requested_.load()) {
    lua_settop(l, 0);
    lua_pushnil(l);
    lua_setfield(l, LUA_REGISTRYINDEX, kRunKey);
    // Thrown to the write op, which rolls the script's writes back.
    throw engine::StoreError(std::string("the server is shutting down; the script was stopped and its writes dropped"));
  }
  lua_pushnil(l);
  lua_setfield(l, LUA_REGISTRYINDEX, kRunKey);
  if (err) {
    std::string msg = script_error(l, name);
    lua_pop(l, 2);  // the error and the handler
    ctx.reply.error(msg);
  } else {
    reply_from_lua(l, ctx.reply, run.resp, 0);
    lua_pop(l, 1);  // the handler
  }
  lua_gc(l, LUA_GCSTEP, 1);
}

bool LuaScripts::FunctionInfo::no_writes() const {
  return std::find(flags.begin(), flags.end(), "no-writes") != flags.end();
}

bool LuaScripts::load_library(std::string_view code, bool replace, std::string* name, std::string* error) {
  std::lock_guard lock(mu_);
  return load_library_locked(code, replace, name, error);
}

bool LuaScripts::load_library_locked(std::string_view code, bool replace, std::string* name, std::string* error) {
  // "#!lua name=<library>" on the first line.
  if (code.substr(0, 2) != "#!") {
    *error = "ERR Missing library metadata";
    return false;
  }
  size_t eol = code.find('\n');
  std::string_view shebang = code.substr(0, eol);
  std::vector<std::string> words;
  if (eol == std::string_view::npos || !split_args(shebang, &words) || words.empty()) {
    *error = "ERR Invalid library metadata";
    return false;
  }
  // As Redis: the engine is the first word after "#!", matched without case.
  std::string engine_name = lowered(words[0].substr(2));
  if (engine_name != "lua") {
    *error = fmt::format("ERR Engine '{}' not found", words[0].substr(2));
    return false;
  }
  std::string lib;
  bool named = false;
  for (size_t i = 1; i < words.size(); ++i) {
    if (lowered(words[i].substr(0, 5)) != "name=") {
      *error = fmt::format("ERR Invalid metadata value given: {}", words[i]);
      return false;
    }
    if (named) {
      *error = "ERR Invalid metadata value, name argument was given multiple times";
      return false;
    }
    named = true;
    lib = std::string(words[i].substr(5));
  }
  if (!named) {
    *error = "ERR Library name was not given";
    return false;
  }
  if (!valid_name(lib)) {
    *error = "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one "
             "character long";
    return false;
  }
  if (libraries_.count(lib) && !replace) {
    *error = fmt::format("ERR Library '{}' already exists", lib);
    return false;
  }
  lua_State* l = lua_;
  // The code after the shebang line; the line is kept as a comment so that
  // error line numbers match the user's.
  std::string body = "--" + std::string(code.substr(2));
  if (luaL_loadbuffer(l, body.data(), body.size(), "@user_function") != 0) {
    *error = fmt::format("ERR Error compiling function: {}", lua_tostring(l, -1));
    lua_pop(l, 1);
    return false;
  }
  use_library_env(l);
  LibraryLoad load;
  load.started_ms = engine::unix_ms();
  lua_pushlightuserdata(l, &load);
  lua_setfield(l, LUA_REGISTRYINDEX, kLoadingKey);
  lua_newtable(l);
  lua_setfield(l, LUA_REGISTRYINDEX, kPendingKey);
  lua_sethook(l, load_hook, LUA_MASKCOUNT, 100000);
  int err = lua_pcall(l, 0, 0, 0);
  lua_sethook(l, nullptr, 0, 0);
  lua_pushnil(l);
  lua_setfield(l, LUA_REGISTRYINDEX, kLoadingKey);
  if (err) {
    *error = fmt::format("ERR Error registering functions: {}", lua_isstring(l, -1) ? lua_tostring(l, -1) : "?");
    lua_pop(l, 1);
    return false;
  }
  if (load.functions.empty()) {
    *error = "ERR No functions registered";
    return false;
  }
  for (const auto& f : load.functions) {
    auto it = function_library_.find(lowered(f.name));
    if (it != function_library_.end() && it->second != lib) {
      *error = fmt::format("ERR Function {} already exists", f.name);
      return false;
    }
  }
  // Commit: the old version's functions out, the new ones in.
  std::lock_guard meta(meta_mu_);
  lua_getfield(l, LUA_REGISTRYINDEX, kFunctionsKey);
  if (auto old = libraries_.find(lib); old != libraries_.end()) {
    for (const auto& f : old->second.functions) {
      lua_pushnil(l);
      lua_setfield(l, -2, lowered(f.name).c_str());
      function_library_.erase(lowered(f.name));
    }
  }
  lua_getfield(l, LUA_REGISTRYINDEX, kPendingKey);
  for (const auto& f : load.functions) {
    lua_getfield(l, -1, lowered(f.name).c_str());
    lua_setfield(l, -3, lowered(f.name).c_str());
    function_library_[lowered(f.name)] = lib;
  }
  lua_pop(l, 2);
  lua_pushnil(l);
  lua_setfield(l, LUA_REGISTRYINDEX, kPendingKey);
  libraries_[lib] = Library{lib, std::string(code), std::move(load.functions)};
  *name = lib;
  return true;
}

bool LuaScripts::delete_library(std::string_view name) {
  std::lock_guard lock(mu_);
  std::lock_guard meta(meta_mu_);
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return false;
  lua_getfield(lua_, LUA_REGISTRYINDEX, kFunctionsKey);
  for (const auto& f : it->second.functions) {
    lua_pushnil(lua_);
    lua_setfield(lua_, -2, lowered(f.name).c_str());
    function_library_.erase(lowered(f.name));
  }
  lua_pop(lua_, 1);
  libraries_.erase(it);
  return true;
}

void LuaScripts::flush_libraries() {
  std::lock_guard lock(mu_);
  flush_libraries_locked();
}

bool LuaScripts::restore_libraries(const std::vector<std::string>& codes, RestorePolicy policy, std::string* error) {
  std::lock_guard lock(mu_);
  std::vector<std::string> before;
  {
    std::lock_guard meta(meta_mu_);
    for (const auto& [name, lib] : libraries_) before.push_back(lib.code);
  }
  if (policy == RestorePolicy::kFlush) flush_libraries_locked();
  for (const auto& code : codes) {
    std::string name;
    if (!load_library_locked(code, policy == RestorePolicy::kReplace, &name, error)) {
      // Redis words this one without the quotes FUNCTION LOAD puts in.
      if (error->starts_with("ERR Library '") && error->ends_with("' already exists")) {
        *error = "ERR Library " + error->substr(13, error->size() - 13 - 16) + " already exists";
      }
      flush_libraries_locked();
      for (const auto& old : before) {
        std::string ignored_name, ignored_error;
        load_library_locked(old, false, &ignored_name, &ignored_error);
      }
      return false;
    }
  }
  return true;
}

void LuaScripts::flush_libraries_locked() {
  lua_newtable(lua_);
  lua_setfield(lua_, LUA_REGISTRYINDEX, kFunctionsKey);
  std::lock_guard meta(meta_mu_);
  libraries_.clear();
  function_library_.clear();
}

std::vector<LuaScripts::Library> LuaScripts::libraries() {
  std::lock_guard meta(meta_mu_);
  std::vector<Library> out;
  for (const auto& [name, lib] : libraries_) out.push_back(lib);
  return out;
}

size_t LuaScripts::library_count() {
  std::lock_guard meta(meta_mu_);
  return libraries_.size();
}

size_t LuaScripts::cached_count() {
  std::lock_guard meta(meta_mu_);
  return cached_.size();
}

size_t LuaScripts::function_count() {
  std::lock_guard meta(meta_mu_);
  return function_library_.size();
}

void LuaScripts::call_function(CommandCtx& ctx, std::string_view name, std::span<const std::string_view> keys,
                               std::span<const std::string_view> args, bool read_only_command) {
  std::lock_guard lock(mu_);
  std::string key = lowered(name);
  auto lib = function_library_.find(key);
  if (lib == function_library_.end()) {
    ctx.reply.error("ERR Function not found");
    return;
  }
  bool no_writes = false;
  for (const auto& f : libraries_.find(lib->second)->second.functions) {
    if (lowered(f.name) == key) no_writes = f.no_writes();
  }
  if (read_only_command && !no_writes) {
    ctx.reply.error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  lua_State* l = lua_;
  lua_getglobal(l, "__redis__err__handler");
  lua_getfield(l, LUA_REGISTRYINDEX, kFunctionsKey);
  lua_getfield(l, -1, key.c_str());
  lua_remove(l, -2);
  execute(ctx, name, keys, args, no_writes || read_only_command, true);
}

}  // namespace cairn::command
