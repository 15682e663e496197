// What the introspection family's files share (introspection.cc, info.cc,
// config_command.cc, command_docs.cc, client_command.cc): small helpers, the
// table of subcommands that container commands (CONFIG, CLIENT, COMMAND,
// MEMORY, SLOWLOG, LATENCY) dispatch through, and process figures. Other
// families do not include it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "command/context.h"
#include "command/server_context.h"
#include "command/table.h"
#include "engine/engine.h"

namespace cairn::command::introspection {

// The Redis version Cairn answers as (also in HELLO): libraries gate on it.
constexpr std::string_view kRedisVersion = "7.0.15";
// Flags of commands that also run while loading and on a stale replica.
constexpr uint32_t kLS = kLoading | kStale;

// ---- small helpers (introspection.cc) ----
std::string lower(std::string_view s);
std::string upper(std::string_view s);
// Error replies are one line: Redis maps CR and LF in echoed input to spaces.
std::string one_line(std::string s);
bool arity_ok(int arity, size_t argc);
// Redis's HELP reply: a header naming the command, the lines, then HELP itself.
void reply_help(CommandCtx& ctx, std::initializer_list<std::string_view> lines);
// "1.50M", as Redis's bytesToHuman.
std::string bytes_to_human(uint64_t n);
// Redis's memtoull: digits with an optional unit b, k, kb, m, mb, g, gb.
bool parse_memory(std::string_view s, uint64_t* out);
// Client names and CLIENT SETINFO values: printable ASCII without spaces.
bool is_printable_token(std::string_view s);
// Redis's getTimeoutFromObjectOrReply, for milliseconds.
bool arg_timeout_ms(CommandCtx& ctx, size_t i, int64_t* ms);
std::vector<std::string_view> split_words(std::string_view s);
const std::string& run_id();
// The replication ID INFO shows and DEBUG CHANGE-REPL-ID changes.
std::string replid();
void change_replid();

// ---- subcommands (introspection.cc) ----
struct Subcommand {
  std::string name;  // full name: "config|get"
  int arity = 0;     // counts the container's name, as Redis does
  uint32_t flags = 0;
  Handler handler = nullptr;  // null: documented here, run by another family
  std::string_view summary, since, acl;
  int first_key = 0, last_key = 0, key_step = 0;
  std::unique_ptr<CommandStats> stats = std::make_unique<CommandStats>();
};
// Filled once by register_introspection_commands(), read-only afterwards.
std::vector<Subcommand>& subcommand_table();
const Subcommand* find_subcommand(std::string_view full_name);
const Subcommand* find_subcommand(std::string_view container, std::string_view sub);
void add_sub(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
             std::string_view since, std::string_view acl = "", int first_key = 0);
// Runs argv[1] of a container command, with Redis's errors and per-subcommand stats.
void cmd_container(CommandCtx& ctx);
// For a container that dispatches itself: replies Redis's unknown-subcommand
// or arity error for argv[1] and returns false.
bool subcommand_ok(CommandCtx& ctx);
// Containers whose subcommands run through cmd_container.
bool runs_subcommands_here(const CommandSpec& spec);

// ---- process figures (introspection.cc) ----
struct ProcessMemory {
  uint64_t allocated = 0;  // heap bytes in use (malloc)
  uint64_t rss = 0;        // resident set size
  uint64_t peak = 0;       // highest `allocated` seen
  uint64_t system = 0;     // physical memory of the machine
};
extern std::atomic<uint64_t> peak_allocated;
ProcessMemory process_memory();
double ratio(uint64_t a, uint64_t b);
int64_t total_keys(ServerContext& server);
const char* fsync_name(engine::FsyncPolicy p);

// ---- CONFIG (config_command.cc) ----
// CONFIG GET's value of one setting ("" if there is none by that name).
std::string config_get_one(ServerContext& server, std::string_view name);
std::string get_port(ServerContext& s);
std::string get_dir(ServerContext& s);
void add_config_subs();

// ---- INFO (info.cc) ----
void cmd_info(CommandCtx& ctx);

// ---- COMMAND (command_docs.cc) ----
void cmd_command(CommandCtx& ctx);
void add_command_subs();

// ---- CLIENT (client_command.cc) ----
void add_client_subs();

}  // namespace cairn::command::introspection
