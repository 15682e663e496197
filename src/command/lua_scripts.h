// Lua scripting (EVAL and friends): one Lua 5.1 state (Debian's liblua5.1)
// with Redis's sandbox and libraries (cjson and bit from Debian's lua-cjson
// and lua-bitop), the script cache by SHA1, the `redis` table (call, pcall,
// error_reply, status_reply, sha1hex, log, setresp, set_repl, breakpoint…),
// and Redis's conversions between replies and Lua values both ways.
//
// A script runs inside the EVAL command, on the writer: its redis.call()s
// run against the EVAL's own Txn, so they see each other's writes and commit
// together with one revision, and no other client sees part of a script.
// The state is used by one script at a time (mu_); SCRIPT KILL and the BUSY
// check only read atomics, so they work while a script runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "command/context.h"

struct lua_State;

namespace cairn::command {

class LuaScripts {
 public:
  LuaScripts();
  ~LuaScripts();
  LuaScripts(const LuaScripts&) = delete;
  LuaScripts& operator=(const LuaScripts&) = delete;

  // What a script's "#!lua flags=…" line declares.
  struct ScriptFlags {
    bool shebang = false;  // without one, Redis's compatibility mode
    bool no_writes = false;
  };
  // Compiles `body` into the cache (SCRIPT LOAD, EVAL). False with Redis's
  // error text when it does not compile.
  bool load(std::string_view body, std::string* sha, std::string* error);
  bool exists(std::string_view sha);
  void flush();
  // Runs the cached script `sha` for ctx (EVAL, EVALSHA) and writes its reply;
  // NOSCRIPT if it is not cached.
  void run(CommandCtx& ctx, std::string_view sha, std::span<const std::string_view> keys,
           std::span<const std::string_view> args, bool read_only);

  // Redis Functions. A library is Lua code starting "#!lua name=<lib>"
  // that calls redis.register_function; its functions run with (KEYS, ARGV).
  struct FunctionInfo {
    std::string name, description;
    std::vector<std::string> flags;  // no-writes, allow-oom, allow-stale, no-cluster, allow-cross-slot-keys
    bool no_writes() const;
  };
  struct Library {
    std::string name, code;
    std::vector<FunctionInfo> functions;
  };
  // FUNCTION LOAD: false with Redis's error; on success `name` is the library's.
  bool load_library(std::string_view code, bool replace, std::string* name, std::string* error);
  bool delete_library(std::string_view name);
  void flush_libraries();
  // FUNCTION RESTORE: loads every library's code by the policy (APPEND:
  // none may exist yet; REPLACE: same-named ones are replaced; FLUSH: all
  // others go first), all or nothing: on an error the libraries are as before.
  enum class RestorePolicy { kAppend, kReplace, kFlush };
  bool restore_libraries(const std::vector<std::string>& codes, RestorePolicy policy, std::string* error);
  std::vector<Library> libraries();
  size_t function_count();
  size_t library_count();
  size_t cached_count();  // scripts in the script cache
  // FCALL / FCALL_RO.
  void call_function(CommandCtx& ctx, std::string_view name, std::span<const std::string_view> keys,
                     std::span<const std::string_view> args, bool read_only_command);

  // While a script runs past busy-reply-threshold, other clients get -BUSY.
  bool busy() const;
  // The running script or function, for FUNCTION STATS.
  struct Running {
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms;
  };
  std::optional<Running> running();
  // True while the running script is a function (FCALL), for the BUSY text.
  bool running_function() const { return running_function_.load(std::memory_order_relaxed); }
  // SCRIPT KILL (is_eval) or FUNCTION KILL: "" when the running script will
  // stop, else the error.
  std::string kill(bool is_eval);

  // SHUTDOWN: the running script (and any later one) stops at its next hook
  // and its writes are rolled back, so the writer can drain.
  void abort_for_shutdown();

  static std::string sha1_hex(std::string_view data);

  std::atomic<int64_t> busy_threshold_ms{5000};  // busy-reply-threshold (lua-time-limit)

 private:
  void open_state();
  void close_state();
  // Runs the function on top of the stack (the error handler below it): a
  // script (KEYS and ARGV globals) or a function (KEYS and ARGV arguments).
  void execute(CommandCtx& ctx, std::string_view name, std::span<const std::string_view> keys,
               std::span<const std::string_view> args, bool read_only, bool as_function);
  bool load_library_locked(std::string_view code, bool replace, std::string* name, std::string* error);
  void flush_libraries_locked();

  std::mutex mu_;  // the Lua state; held for a whole script
  // The script cache's names, the library tables and the running script's name, readable while a script
  // holds mu_ (FUNCTION STATS, LIST). Taken after mu_ when both are held.
  std::mutex meta_mu_;
  std::string running_name_;
  std::vector<std::string> running_command_;
  lua_State* lua_ = nullptr;
  std::unordered_map<std::string, ScriptFlags> cached_;
  std::map<std::string, Library, std::less<>> libraries_;
  std::map<std::string, std::string, std::less<>> function_library_;  // function -> library
  // The running script, for BUSY and SCRIPT KILL from other threads.
  std::atomic<int64_t> running_since_ms_{0};  // 0: none
  std::atomic<bool> running_wrote_{false};
  std::atomic<bool> kill_requested_{false};
  std::atomic<bool> running_function_{false};
  std::atomic<bool> abort_requested_{false};

  friend struct LuaRunAccess;
};

}  // namespace cairn::command
