// The command table: one entry per command with its arity, flags, key
// positions and handler. Families (strings.cc, keys.cc, server.cc, …) each
// register their commands into it at start-up; every front door dispatches
// through it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/latency_histogram.h"
#include "command/context.h"

namespace cairn::command {

enum CommandFlag : uint32_t {
  kWrite = 1 << 0,      // changes data: runs on the writer thread, in a group commit
  kReadOnly = 1 << 1,
  kAdmin = 1 << 2,
  kFast = 1 << 3,
  kNoAuth = 1 << 4,     // allowed before AUTH
  kLoading = 1 << 5,
  kStale = 1 << 6,
  kExclusive = 1 << 7,  // runs alone in its group (range deletes: FLUSHDB, FLUSHALL)
  kNoScript = 1 << 8,
  kPubSub = 1 << 9,
  kBlocking = 1 << 10,
  kDenyOom = 1 << 11,
  kConnection = 1 << 12,  // connection state only (documentation/ACL category)
  kMayReplicate = 1 << 13,
  kWhileWatching = 1 << 14,  // allowed on a connection in CAIRN.WATCH mode
  kOnWriter = 1 << 15,       // runs in a write group without writing (WATCH, EXEC: ordered with commits)
  kMultiControl = 1 << 16,   // runs at once inside MULTI instead of being queued (EXEC, DISCARD, WATCH, …)
  kNoMulti = 1 << 17,        // refused inside MULTI (SAVE, SHUTDOWN)
  kWhileSubscribed = 1 << 18,  // allowed on a RESP2 connection that is subscribed (pub/sub)
  kRunsScript = 1 << 19,       // runs Lua (EVAL, FCALL…): may run long, so on the writer thread only
};

struct CommandStats {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> usec{0};
  LatencyHistogram latency;  // of the same calls; its sum is `usec`
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> rejected{0};
};

struct CommandSpec {
  std::string name;  // lower case
  int arity = 0;     // Redis convention: negative means "at least -arity"
  uint32_t flags = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  Handler handler = nullptr;
  std::string_view group;    // Redis docs group: "string", "generic", "server", …
  std::string_view summary;
  std::string_view since;
  std::string_view acl;      // extra ACL categories, space separated, e.g. "@string"
  std::vector<std::string> subcommands;  // "config|get", … for COMMAND
  std::unique_ptr<CommandStats> stats = std::make_unique<CommandStats>();
  // For a kOnWriter command: true for the forms that run where reads run
  // instead (FUNCTION KILL must not wait behind the script it stops).
  bool (*runs_inline)(std::span<const std::string_view> argv) = nullptr;

  bool is_write() const { return flags & kWrite; }
};

class CommandTable {
 public:
  void add(CommandSpec spec);
  // Case-insensitive.
  const CommandSpec* find(std::string_view name) const;
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [name, spec] : commands_) f(*spec);
  }
  size_t size() const { return commands_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>, Hash, std::equal_to<>> commands_;
};

// Builds a table entry. Each family wraps it with its docs group and ACL
// category. `first`/`last`/`step` are Redis's key positions (0: no keys).
CommandSpec make_spec(std::string_view group, std::string_view acl, const char* name, int arity, uint32_t flags,
                      int first, int last, int step, Handler handler, std::string_view summary,
                      std::string_view since);

// The process-wide table, filled once by register_all_commands().
CommandTable& command_table();
void register_all_commands();

// Family registration (one per file).
void register_string_commands(CommandTable& t);
void register_key_commands(CommandTable& t);
void register_server_commands(CommandTable& t);
void register_connection_commands(CommandTable& t);
void register_bitmap_commands(CommandTable& t);
void register_hash_commands(CommandTable& t);
void register_set_commands(CommandTable& t);
void register_introspection_commands(CommandTable& t);
void register_list_commands(CommandTable& t);
void register_zset_commands(CommandTable& t);
void register_watch_commands(CommandTable& t);
void register_transaction_commands(CommandTable& t);
void register_pubsub_commands(CommandTable& t);
void register_scripting_commands(CommandTable& t);
void register_stream_commands(CommandTable& t);        // streams.cc
void register_stream_read_commands(CommandTable& t);   // stream_read.cc
void register_stream_group_commands(CommandTable& t);  // stream_groups.cc
void register_stream_info_commands(CommandTable& t);   // stream_info.cc

}  // namespace cairn::command
