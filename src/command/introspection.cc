// The introspection family: INFO, CONFIG, COMMAND, CLIENT, MEMORY, DEBUG,
// SLOWLOG, LATENCY, ROLE and WAIT — what redis-cli, client libraries and test
// suites ask a server about itself. Replies and errors follow Redis 7.0 to
// the byte, because libraries parse them (INFO fields, CLIENT LIST lines,
// COMMAND's 10-element entries, CONFIG SET's error forms).
//
// Container commands (CONFIG, CLIENT, COMMAND, MEMORY, SLOWLOG, LATENCY) run
// their subcommands from a table kept here, with Redis's per-subcommand arity,
// flags and statistics ("cmdstat_config|get"). The same table documents the
// subcommands other families registered by name only (OBJECT, FUNCTION).
//
// What Cairn does not have (replication, slow log, latency monitor, eviction,
// client pause) answers as an idle Redis would: empty logs, no replicas,
// maxmemory 0. Settings Redis clients and test suites set but Cairn has no
// use for (hash-max-listpack-entries, save, …) are validated like Redis,
// remembered, and returned by CONFIG GET; they change nothing else.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "command/args.h"
#include "command/dispatch.h"
#include "command/errors.h"
#include "command/server_context.h"
#include "command/table.h"
#include "common/log.h"
#include "engine/clock.h"
#include "engine/keys.h"
#include "engine/record.h"
#include "model/glob.h"
#include "model/keys.h"
#include "model/numbers.h"

namespace cairn::command {

namespace {

// The Redis version Cairn answers as (also in HELLO): libraries gate on it.
constexpr std::string_view kRedisVersion = "7.0.15";

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

// Error replies are one line: Redis maps CR and LF in echoed input to spaces.
std::string one_line(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return s;
}

bool arity_ok(int arity, size_t argc) {
  int n = static_cast<int>(argc);
  return arity >= 0 ? n == arity : n >= -arity;
}

// Redis's HELP reply: a header naming the command, the lines, then HELP itself.
void reply_help(CommandCtx& ctx, std::initializer_list<std::string_view> lines) {
  ctx.reply.array(lines.size() + 3);
  ctx.reply.simple(fmt::format("{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", upper(ctx.arg(0))));
  for (std::string_view l : lines) ctx.reply.simple(l);
  ctx.reply.simple("HELP");
  ctx.reply.simple("    Prints this help.");
}

// "1.50M", as Redis's bytesToHuman.
std::string bytes_to_human(uint64_t n) {
  if (n < 1024) return fmt::format("{}B", n);
  static constexpr char kUnits[] = "KMGTP";
  double d = static_cast<double>(n) / 1024;
  size_t i = 0;
  while (d >= 1024 && i + 1 < sizeof(kUnits) - 1) {
    d /= 1024;
    ++i;
  }
  return fmt::format("{:.2f}{}", d, kUnits[i]);
}

// Redis's memtoull: digits with an optional unit b, k, kb, m, mb, g, gb.
bool parse_memory(std::string_view s, uint64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits == 0 || digits > 20) return false;
  std::string unit = lower(s.substr(digits));
  uint64_t mul;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k") mul = 1000;
  else if (unit == "kb") mul = 1024;
  else if (unit == "m") mul = 1000 * 1000;
  else if (unit == "mb") mul = 1024 * 1024;
  else if (unit == "g") mul = 1000ull * 1000 * 1000;
  else if (unit == "gb") mul = 1024ull * 1024 * 1024;
  else return false;
  uint64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (v > UINT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

// Client names and CLIENT SETINFO values: printable ASCII without spaces.
bool is_printable_token(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '!' && c <= '~'; });
}

// Redis's getTimeoutFromObjectOrReply, for milliseconds.
bool arg_timeout_ms(CommandCtx& ctx, size_t i, int64_t* ms) {
  if (!model::parse_int64(ctx.arg(i), ms)) {
    ctx.reply.error("ERR timeout is not an integer or out of range");
    return false;
  }
  if (*ms < 0) {
    ctx.reply.error("ERR timeout is negative");
    return false;
  }
  return true;
}

std::string random_hex40() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(engine::unix_us()));
  std::string s;
  for (int i = 0; i < 40; ++i) s.push_back("0123456789abcdef"[gen() & 15]);
  return s;
}

const std::string& run_id() {
  static const std::string id = random_hex40();
  return id;
}

// The replication ID INFO and DEBUG CHANGE-REPL-ID show. Cairn has no
// replication yet; the ID and the revision stand in for Redis's offsets.
std::mutex replid_mu;
std::string& replid_locked() {
  static std::string id = random_hex40();
  return id;
}
std::string replid() {
  std::lock_guard l(replid_mu);
  return replid_locked();
}
void change_replid() {
  std::lock_guard l(replid_mu);
  replid_locked() = random_hex40();
}

// ---------------------------------------------------------------------------
// Subcommands: the table container commands dispatch through
// ---------------------------------------------------------------------------

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
std::vector<Subcommand>& subcommand_table() {
  static std::vector<Subcommand> table;
  return table;
}

const Subcommand* find_subcommand(std::string_view full_name) {
  for (const Subcommand& s : subcommand_table()) {
    if (iequals(s.name, full_name)) return &s;
  }
  return nullptr;
}

const Subcommand* find_subcommand(std::string_view container, std::string_view sub) {
  if (container.size() + sub.size() + 1 > 64) return nullptr;
  return find_subcommand(lower(container) + "|" + lower(sub));
}

// Runs argv[1] of a container command (CONFIG GET, CLIENT LIST, …): the
// unknown-subcommand and arity errors Redis gives, and per-subcommand stats.
void cmd_container(CommandCtx& ctx) {
  const Subcommand* sub = find_subcommand(ctx.arg(0), ctx.arg(1));
  if (!sub || !sub->handler) {
    ctx.reply.error(one_line(fmt::format("ERR unknown subcommand '{}'. Try {} HELP.", ctx.arg(1).substr(0, 128),
                                         upper(ctx.arg(0)))));
    return;
  }
  if (!arity_ok(sub->arity, ctx.argc())) {
    ctx.reply.error(err::wrong_arity(sub->name));
    sub->stats->rejected.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  ctx.session.last_command_name.store(sub->name.c_str(), std::memory_order_relaxed);
  auto t0 = std::chrono::steady_clock::now();
  sub->handler(ctx);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  sub->stats->calls.fetch_add(1, std::memory_order_relaxed);
  sub->stats->usec.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
  sub->stats->latency.record(static_cast<uint64_t>(us));
}


void cmd_command(CommandCtx& ctx);

// Containers whose subcommands run through cmd_container (their own stats
// are kept per subcommand).
bool runs_subcommands_here(const CommandSpec& spec) {
  return spec.handler == cmd_container || spec.handler == cmd_command;
}

// ---------------------------------------------------------------------------
// Memory and process figures (INFO memory, MEMORY STATS)
// ---------------------------------------------------------------------------

struct ProcessMemory {
  uint64_t allocated = 0;  // heap bytes in use (malloc)
  uint64_t rss = 0;        // resident set size
  uint64_t peak = 0;       // highest `allocated` seen
  uint64_t system = 0;     // physical memory of the machine
};

std::atomic<uint64_t> peak_allocated{0};

uint64_t resident_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

ProcessMemory process_memory() {
  ProcessMemory m;
  struct mallinfo2 mi = mallinfo2();
  m.allocated = mi.uordblks + mi.hblkhd;
  m.rss = resident_bytes();
  uint64_t peak = peak_allocated.load();
  while (m.allocated > peak && !peak_allocated.compare_exchange_weak(peak, m.allocated)) {
  }
  m.peak = std::max(peak, m.allocated);
  m.system = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return m;
}

double ratio(uint64_t a, uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

int64_t total_keys(ServerContext& server) {
  int64_t n = 0;
  for (int ns = 0; ns < engine::kUserNamespaces; ++ns) n += server.engine().key_count(static_cast<uint8_t>(ns));
  return n;
}

const char* fsync_name(engine::FsyncPolicy p) {
  switch (p) {
    case engine::FsyncPolicy::kAlways: return "always";
    case engine::FsyncPolicy::kEverySec: return "everysec";
    case engine::FsyncPolicy::kNo: return "no";
  }
  return "always";
}

// ---------------------------------------------------------------------------
// CONFIG: the settings table
// ---------------------------------------------------------------------------

enum class ConfigKind { kBool, kInt, kMemory, kEnum, kString, kSave, kNotify, kOutputLimit };

// One setting. Live settings read and write the server through get/set;
// the others are "tolerated": validated, remembered in Settings::tolerated.
struct ConfigDef {
  std::string_view name{};
  std::string_view alias{};  // Redis 7's old name ("hash-max-ziplist-entries")
  ConfigKind kind = ConfigKind::kString;
  std::string_view def{};    // default, as CONFIG GET shows it
  int64_t min = 0;
  int64_t max = INT64_MAX;
  std::string_view choices{};  // kEnum: space separated
  bool immutable = false;
  // Fixed in Cairn though Redis can change it (port, bind, dir): setting the
  // value it already has succeeds, as a "set everything back" loop expects.
  bool fixed = false;
  bool percent = false;        // kMemory: also "N%"
  std::string (*get)(ServerContext&) = nullptr;
  void (*set)(ServerContext&, const std::string&) = nullptr;
  // Extra validation of the normalized value: an error text, or nullptr.
  const char* (*check)(const std::string&) = nullptr;
};

uint64_t to_u64(const std::string& v) {
  uint64_t n = 0;
  model::parse_uint64(v, &n);
  return n;
}

int64_t to_i64(const std::string& v) {
  int64_t n = 0;
  model::parse_int64(v, &n);
  return n;
}

std::string get_port(ServerContext& s) {
  return std::to_string(s.tcp_port ? static_cast<int>(s.tcp_port) : s.settings().port);
}
std::string get_bind(ServerContext& s) { return s.settings().bind; }
std::string get_dir(ServerContext& s) {
  std::error_code ec;
  auto p = std::filesystem::absolute(s.settings().data_dir, ec);
  return ec ? s.settings().data_dir : p.lexically_normal().string();
}
std::string get_requirepass(ServerContext& s) { return s.settings().requirepass(); }
void set_requirepass(ServerContext& s, const std::string& v) { s.settings().set_requirepass(v); }
std::string get_timeout(ServerContext& s) { return std::to_string(s.settings().timeout_seconds.load()); }
void set_timeout(ServerContext& s, const std::string& v) { s.settings().timeout_seconds.store(to_i64(v)); }
std::string get_maxclients(ServerContext& s) { return std::to_string(s.settings().maxclients.load()); }
void set_maxclients(ServerContext& s, const std::string& v) { s.settings().maxclients.store(to_u64(v)); }
std::string get_yes(ServerContext&) { return "yes"; }
void set_nothing(ServerContext&, const std::string&) {}
std::string get_appendfsync(ServerContext& s) { return fsync_name(s.engine().fsync()); }
void set_appendfsync(ServerContext& s, const std::string& v) {
  s.engine().set_fsync(v == "always" ? engine::FsyncPolicy::kAlways
                       : v == "no"   ? engine::FsyncPolicy::kNo
                                     : engine::FsyncPolicy::kEverySec);
}
std::string get_databases(ServerContext&) { return std::to_string(engine::kUserNamespaces); }
std::string get_zero(ServerContext&) { return "0"; }
std::string get_max_bulk(ServerContext& s) { return std::to_string(s.settings().max_value_bytes.load()); }
void set_max_bulk(ServerContext& s, const std::string& v) { s.settings().max_value_bytes.store(to_u64(v)); }
std::string get_query_limit(ServerContext& s) { return std::to_string(s.settings().max_query_bytes.load()); }
void set_query_limit(ServerContext& s, const std::string& v) { s.settings().max_query_bytes.store(to_u64(v)); }
std::string get_max_key(ServerContext& s) { return std::to_string(s.settings().max_key_bytes.load()); }
void set_max_key(ServerContext& s, const std::string& v) { s.settings().max_key_bytes.store(to_u64(v)); }
std::string get_cache(ServerContext& s) { return std::to_string(s.settings().cache_bytes); }
std::string get_io_threads(ServerContext& s) { return std::to_string(std::max(1, s.io_threads)); }

const char* only_yes(const std::string& v) {
  return v == "yes" ? nullptr : "Cairn always writes every change durably; appendonly cannot be turned off";
}
const char* only_zero(const std::string& v) {
  return v == "0" ? nullptr : "Cairn does not evict keys; its memory is bounded by cairn-cache-bytes";
}
const char* not_a_path(const std::string& v) {
  return v.find('/') == std::string::npos ? nullptr : "dbfilename can't be a path, just a filename";
}

constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kLongMax = LONG_MAX;
constexpr int64_t kMiB = 1024 * 1024;
constexpr std::string_view kDefaultOutputLimits =
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
constexpr std::string_view kEvictionPolicies =
    "volatile-lru volatile-lfu volatile-random volatile-ttl allkeys-lru allkeys-lfu allkeys-random noeviction";

using K = ConfigKind;

const ConfigDef kConfigs[] = {
    // Live: these read and change the running server.
    {.name = "port", .kind = K::kInt, .max = 65535, .fixed = true, .get = get_port},
    {.name = "bind", .kind = K::kString, .fixed = true, .get = get_bind},
    {.name = "dir", .kind = K::kString, .fixed = true, .get = get_dir},
    {.name = "requirepass", .kind = K::kString, .get = get_requirepass, .set = set_requirepass},
    {.name = "timeout", .kind = K::kInt, .max = kIntMax, .get = get_timeout, .set = set_timeout},
    {.name = "maxclients", .kind = K::kInt, .min = 1, .max = kIntMax, .get = get_maxclients, .set = set_maxclients},
    {.name = "appendonly", .kind = K::kBool, .get = get_yes, .set = set_nothing, .check = only_yes},
    {.name = "appendfsync", .kind = K::kEnum, .choices = "everysec always no", .get = get_appendfsync,
     .set = set_appendfsync},
    {.name = "databases", .kind = K::kInt, .min = 1, .max = kIntMax, .immutable = true, .get = get_databases},
    {.name = "maxmemory", .kind = K::kMemory, .get = get_zero, .set = set_nothing, .check = only_zero},
    {.name = "proto-max-bulk-len", .kind = K::kMemory, .min = kMiB, .max = kLongMax, .get = get_max_bulk,
     .set = set_max_bulk},
    {.name = "client-query-buffer-limit", .kind = K::kMemory, .min = kMiB, .max = kLongMax, .get = get_query_limit,
     .set = set_query_limit},
    {.name = "cairn-max-key-bytes", .kind = K::kMemory, .min = 1, .max = 512 * kMiB, .get = get_max_key,
     .set = set_max_key},
    {.name = "cairn-cache-bytes", .kind = K::kMemory, .fixed = true, .get = get_cache},
    {.name = "io-threads", .kind = K::kInt, .min = 1, .max = 128, .immutable = true, .get = get_io_threads},
    // Tolerated: Redis's defaults; remembered, with no effect on Cairn.
    {.name = "save", .kind = K::kSave, .def = ""},
    {.name = "dbfilename", .kind = K::kString, .def = "dump.rdb", .check = not_a_path},
    {.name = "appendfilename", .kind = K::kString, .def = "appendonly.aof", .immutable = true},
    {.name = "maxmemory-policy", .kind = K::kEnum, .def = "noeviction", .choices = kEvictionPolicies},
    {.name = "maxmemory-clients", .kind = K::kMemory, .def = "0", .percent = true},
    {.name = "hash-max-listpack-entries", .alias = "hash-max-ziplist-entries", .kind = K::kInt, .def = "512",
     .max = kLongMax},
    {.name = "hash-max-listpack-value", .alias = "hash-max-ziplist-value", .kind = K::kMemory, .def = "64",
     .max = kLongMax},
    {.name = "zset-max-listpack-entries", .alias = "zset-max-ziplist-entries", .kind = K::kInt, .def = "128",
     .max = kLongMax},
    {.name = "zset-max-listpack-value", .alias = "zset-max-ziplist-value", .kind = K::kMemory, .def = "64",
     .max = kLongMax},
    {.name = "set-max-intset-entries", .kind = K::kInt, .def = "512", .max = kLongMax},
    {.name = "list-max-listpack-size", .alias = "list-max-ziplist-size", .kind = K::kInt, .def = "-2",
     .min = INT_MIN, .max = kIntMax},
    {.name = "list-compress-depth", .kind = K::kInt, .def = "0", .max = kIntMax},
    {.name = "stream-node-max-bytes", .kind = K::kMemory, .def = "4096", .max = kLongMax},
    {.name = "stream-node-max-entries", .kind = K::kInt, .def = "100"},
    {.name = "lazyfree-lazy-eviction", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-expire", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-server-del", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-user-del", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-user-flush", .kind = K::kBool, .def = "no"},
    {.name = "latency-tracking", .kind = K::kBool, .def = "yes"},
    {.name = "notify-keyspace-events", .kind = K::kNotify, .def = ""},
    {.name = "slowlog-log-slower-than", .kind = K::kInt, .def = "10000", .min = -1},
    {.name = "slowlog-max-len", .kind = K::kInt, .def = "128", .max = kLongMax},
    {.name = "busy-reply-threshold", .alias = "lua-time-limit", .kind = K::kInt, .def = "5000", .max = kLongMax},
    {.name = "activerehashing", .kind = K::kBool, .def = "yes"},
    {.name = "hz", .kind = K::kInt, .def = "10", .max = kIntMax},
    {.name = "loglevel", .kind = K::kEnum, .def = "notice", .choices = "debug verbose notice warning"},
    {.name = "client-output-buffer-limit", .kind = K::kOutputLimit, .def = kDefaultOutputLimits},
    {.name = "tracking-table-max-keys", .kind = K::kInt, .def = "1000000", .max = kLongMax},
    {.name = "latency-monitor-threshold", .kind = K::kInt, .def = "0"},
    {.name = "maxmemory-samples", .kind = K::kInt, .def = "5", .min = 1, .max = 64},
    {.name = "lfu-log-factor", .kind = K::kInt, .def = "10", .max = kIntMax},
    {.name = "lfu-decay-time", .kind = K::kInt, .def = "1", .max = kIntMax},
};

// By canonical name or alias, case-insensitively.
const ConfigDef* find_config(std::string_view name) {
  for (const ConfigDef& d : kConfigs) {
    if (iequals(d.name, name) || (!d.alias.empty() && iequals(d.alias, name))) return &d;
  }
  return nullptr;
}

std::string config_value(ServerContext& server, const ConfigDef& d) {
  if (d.get) return d.get(server);
  Settings& s = server.settings();
  std::lock_guard l(s.tolerated_mu);
  auto it = s.tolerated.find(d.name);
  return it == s.tolerated.end() ? std::string(d.def) : it->second;
}

void store_config(ServerContext& server, const ConfigDef& d, const std::string& value) {
  if (d.fixed) return;
  if (d.set) {
    d.set(server, value);
    return;
  }
  Settings& s = server.settings();
  std::lock_guard l(s.tolerated_mu);
  s.tolerated[std::string(d.name)] = value;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) words.push_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

// Each normalize_* turns a CONFIG SET value into the form CONFIG GET shows,
// or returns Redis's error text for it.
using Normalized = std::pair<std::string, const char*>;  // value, error

std::string range_error(const ConfigDef& d) {
  return fmt::format("argument must be between {} and {} inclusive", d.min, d.max);
}

Normalized normalize_bool(std::string_view v) {
  if (iequals(v, "yes")) return {"yes", nullptr};
  if (iequals(v, "no")) return {"no", nullptr};
  return {"", "argument must be 'yes' or 'no'"};
}

Normalized normalize_enum(const ConfigDef& d, std::string_view v, std::string* error) {
  for (std::string_view c : split_words(d.choices)) {
    if (iequals(c, v)) return {std::string(c), nullptr};
  }
  std::string list;
  for (std::string_view c : split_words(d.choices)) list += (list.empty() ? "" : ", ") + std::string(c);
  *error = "argument(s) must be one of the following: " + list;
  return {"", error->c_str()};
}

Normalized normalize_number(const ConfigDef& d, std::string_view v, std::string* error) {
  int64_t n = 0;
  if (d.kind == K::kMemory) {
    if (d.percent && v.size() > 1 && v.back() == '%') {
      int64_t pct;
      if (!model::parse_int64(v.substr(0, v.size() - 1), &pct) || pct < 0) {
        return {"", "argument must be a memory or percent value"};
      }
      if (pct > 100) return {"", "percentage argument must be less or equal to 100"};
      return {std::to_string(pct) + "%", nullptr};
    }
    uint64_t u;
    if (!parse_memory(v, &u)) return {"", d.percent ? "argument must be a memory or percent value"
                                                    : "argument must be a memory value"};
    if (u > static_cast<uint64_t>(INT64_MAX)) u = static_cast<uint64_t>(INT64_MAX);
    n = static_cast<int64_t>(u);
  } else if (!model::parse_int64(v, &n)) {
    return {"", "argument couldn't be parsed into an integer"};
  }
  if (n < d.min || n > d.max) {
    *error = range_error(d);
    return {"", error->c_str()};
  }
  return {std::to_string(n), nullptr};
}

// "3600 1 300 100": pairs of seconds and changes.
Normalized normalize_save(std::string_view v) {
  auto words = split_words(v);
  if (words.size() % 2 != 0) return {"", "Invalid save parameters"};
  std::string out;
  for (std::string_view w : words) {
    int64_t n;
    if (!model::parse_int64(w, &n) || n < 0) return {"", "Invalid save parameters"};
    out += (out.empty() ? "" : " ") + std::to_string(n);
  }
  return {out, nullptr};
}

// Keyspace event classes, in the order Redis prints them.
struct EventClass {
  char c;
  uint32_t bit;
};
constexpr EventClass kEventClasses[] = {{'g', 1 << 2},  {'$', 1 << 3},  {'l', 1 << 4},  {'s', 1 << 5},
                                        {'h', 1 << 6},  {'z', 1 << 7},  {'x', 1 << 8},  {'e', 1 << 9},
                                        {'t', 1 << 10}, {'d', 1 << 13}, {'n', 1 << 14}, {'K', 1 << 0},
                                        {'E', 1 << 1},  {'m', 1 << 11}};
constexpr uint32_t kEventsAll = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) |
                                (1 << 9) | (1 << 10) | (1 << 13);

Normalized normalize_notify(std::string_view v) {
  uint32_t flags = 0;
  for (char c : v) {
    if (c == 'A') {
      flags |= kEventsAll;
      continue;
    }
    auto it = std::find_if(std::begin(kEventClasses), std::end(kEventClasses),
                           [c](const EventClass& e) { return e.c == c; });
    if (it == std::end(kEventClasses)) return {"", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."};
    flags |= it->bit;
  }
  std::string out;
  bool all = (flags & kEventsAll) == kEventsAll;
  if (all) out += 'A';
  for (const EventClass& e : kEventClasses) {
    bool in_all = (e.bit & kEventsAll) != 0 || e.c == 'n';
    if ((flags & e.bit) && !(all && in_all)) out += e.c;
  }
  return {out, nullptr};
}

// "normal 0 0 0 slave … pubsub …": class, hard limit, soft limit, soft seconds.
// A SET names some classes; the others keep their current limits.
Normalized normalize_output_limit(std::string_view v, const std::string& current) {
  auto words = split_words(v);
  if (words.empty() || words.size() % 4 != 0) return {"", "Wrong number of arguments in buffer limit configuration."};
  auto cur = split_words(current);
  std::array<std::string, 3> classes = {"normal", "slave", "pubsub"};
  std::array<std::string, 3> limits;
  for (size_t i = 0; i + 3 < cur.size() && i / 4 < 3; i += 4) {
    limits[i / 4] = fmt::format("{} {} {}", cur[i + 1], cur[i + 2], cur[i + 3]);
  }
  for (size_t i = 0; i < words.size(); i += 4) {
    std::string cls = lower(words[i]);
    if (cls == "replica") cls = "slave";
    auto it = std::find(classes.begin(), classes.end(), cls);
    if (it == classes.end() || cls == "master") {
      return {"", "Invalid client class specified in buffer limit configuration."};
    }
    uint64_t hard, soft;
    int64_t secs;
    if (!parse_memory(words[i + 1], &hard) || !parse_memory(words[i + 2], &soft) ||
        !model::parse_int64(words[i + 3], &secs) || secs < 0) {
      return {"", "Error in hard, soft or soft_seconds setting in buffer limit configuration."};
    }
    limits[static_cast<size_t>(it - classes.begin())] = fmt::format("{} {} {}", hard, soft, secs);
  }
  std::string out;
  for (size_t i = 0; i < 3; ++i) out += (i ? " " : "") + classes[i] + " " + limits[i];
  return {out, nullptr};
}

// Validates and normalizes one value. `error` holds formatted messages.
Normalized normalize_config(ServerContext& server, const ConfigDef& d, std::string_view v, std::string* error) {
  Normalized n;
  switch (d.kind) {
    case K::kBool: n = normalize_bool(v); break;
    case K::kInt:
    case K::kMemory: n = normalize_number(d, v, error); break;
    case K::kEnum: n = normalize_enum(d, v, error); break;
    case K::kString: n = {std::string(v), nullptr}; break;
    case K::kSave: n = normalize_save(v); break;
    case K::kNotify: n = normalize_notify(v); break;
    case K::kOutputLimit: n = normalize_output_limit(v, config_value(server, d)); break;
  }
  if (!n.second && d.check) n.second = d.check(n.first);
  return n;
}

struct PendingSet {
  const ConfigDef* def;
  std::string value;
};

// CONFIG SET's checks, all before anything changes (the command is atomic).
// Returns the error reply, or "" with `out` ready to apply.
std::string prepare_config_set(ServerContext& server, Argv pairs, std::vector<PendingSet>* out) {
  for (size_t i = 0; i < pairs.size(); i += 2) {
    const ConfigDef* d = find_config(pairs[i]);
    if (!d) return fmt::format("ERR Unknown option or number of arguments for CONFIG SET - '{}'", pairs[i]);
    const char* problem = nullptr;
    if (d->immutable) problem = "can't set immutable config";
    for (const PendingSet& p : *out) {
      if (p.def == d) problem = "duplicate parameter";
    }
    if (problem) return fmt::format("ERR CONFIG SET failed (possibly related to argument '{}') - {}", pairs[i], problem);
    out->push_back({d, ""});
  }
  for (size_t i = 0; i < out->size(); ++i) {
    PendingSet& p = (*out)[i];
    std::string error;
    Normalized n = normalize_config(server, *p.def, pairs[2 * i + 1], &error);
    if (n.second) {
      return fmt::format("ERR CONFIG SET failed (possibly related to argument '{}') - {}", p.def->name, n.second);
    }
    if (p.def->fixed && n.first != config_value(server, *p.def)) {
      return fmt::format("ERR CONFIG SET failed (possibly related to argument '{}') - can't set immutable config",
                         pairs[2 * i]);
    }
    p.value = std::move(n.first);
  }
  return "";
}

bool has_glob(std::string_view s) { return s.find_first_of("[*?") != std::string_view::npos; }

// CONFIG GET: exact names answer with the name as asked; patterns match
// every name and alias (case-insensitively), each answered once.
std::vector<std::pair<std::string, std::string>> config_get(ServerContext& server, Argv patterns) {
  std::vector<std::pair<std::string, std::string>> out;
  auto seen = [&](std::string_view name) {
    return std::any_of(out.begin(), out.end(), [&](const auto& p) { return iequals(p.first, name); });
  };
  for (std::string_view pat : patterns) {
    if (!has_glob(pat)) {
      const ConfigDef* d = find_config(pat);
      if (d && !seen(pat)) out.emplace_back(std::string(pat), config_value(server, *d));
      continue;
    }
    for (const ConfigDef& d : kConfigs) {
      for (std::string_view name : {d.name, d.alias}) {
        if (!name.empty() && !seen(name) && model::glob_match(pat, name, true)) {
          out.emplace_back(std::string(name), config_value(server, d));
        }
      }
    }
  }
  return out;
}

void reset_stats(ServerContext& server) {
  ServerStats& s = server.stats();
  for (auto* c : {&s.commands, &s.connections_received, &s.rejected_connections, &s.keyspace_hits,
                  &s.keyspace_misses, &s.net_input_bytes, &s.net_output_bytes, &s.error_replies}) {
    c->store(0);
  }
  s.expired_keys_base.store(server.engine().stats().expired_keys.load());
  auto reset = [](CommandStats& c) {
    c.calls = 0;
    c.usec = 0;
    c.failed = 0;
    c.rejected = 0;
  };
  command_table().for_each([&](const CommandSpec& spec) { reset(*spec.stats); });
  for (Subcommand& sub : subcommand_table()) reset(*sub.stats);
  peak_allocated.store(0);
}

void cmd_config_get(CommandCtx& ctx) {
  auto pairs = config_get(ctx.server, ctx.argv.subspan(2));
  ctx.reply.map(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

void cmd_config_set(CommandCtx& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  std::vector<PendingSet> pending;
  std::string error = prepare_config_set(ctx.server, ctx.argv.subspan(2), &pending);
  if (!error.empty()) {
    ctx.reply.error(one_line(error));
    return;
  }
  for (const PendingSet& p : pending) store_config(ctx.server, *p.def, p.value);
  ctx.reply.ok();
}

void cmd_config_resetstat(CommandCtx& ctx) {
  reset_stats(ctx.server);
  ctx.reply.ok();
}

// Cairn is configured by its command line and environment, not a file.
void cmd_config_rewrite(CommandCtx& ctx) { ctx.reply.error("ERR The server is running without a config file"); }

void cmd_config_help(CommandCtx& ctx) {
  reply_help(ctx, {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                   "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
                   "    Reset statistics reported by the INFO command.", "REWRITE",
                   "    Rewrite the configuration file."});
}

// ---------------------------------------------------------------------------
// INFO
// ---------------------------------------------------------------------------

using Out = std::back_insert_iterator<std::string>;

void info_server(ServerContext& server, Out o) {
  static const std::string os = [] {
    struct utsname u {};
    uname(&u);
    return fmt::format("{} {} {}", u.sysname, u.release, u.machine);
  }();
  static const std::string exe = [] {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.string();
  }();
  int64_t now_us = engine::unix_us();
  int64_t uptime = std::max<int64_t>(0, (now_us / 1000 - server.start_unix_ms) / 1000);
  std::string hz = config_value(server, *find_config("hz"));
  fmt::format_to(o,
                 "# Server\r\nredis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
                 "redis_build_id:0\r\nredis_mode:standalone\r\nos:{}\r\narch_bits:{}\r\n"
                 "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\n"
                 "gcc_version:{}.{}.{}\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\n"
                 "server_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\n"
                 "lru_clock:{}\r\nexecutable:{}\r\nconfig_file:\r\nio_threads_active:{}\r\ncairn_version:{}\r\n",
                 kRedisVersion, os, sizeof(void*) * 8, __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__, getpid(),
                 run_id(), get_port(server), now_us, uptime, uptime / 86400, hz, hz,
                 (now_us / 1000000) & ((1 << 24) - 1), exe, server.io_threads > 1 ? 1 : 0, CAIRN_VERSION);
}

void info_clients(ServerContext& server, Out o) {
  fmt::format_to(o,
                 "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\n"
                 "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:0\r\n"
                 "tracking_clients:0\r\nclients_in_timeout_table:0\r\n",
                 server.clients().size(), server.settings().maxclients.load());
}

void info_memory(ServerContext& server, Out o) {
  ProcessMemory m = process_memory();
  std::string policy = config_value(server, *find_config("maxmemory-policy"));
  fmt::format_to(o,
                 "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\n"
                 "used_memory_rss_human:{}\r\nused_memory_peak:{}\r\nused_memory_peak_human:{}\r\n"
                 "used_memory_peak_perc:{:.2f}%\r\nused_memory_overhead:0\r\nused_memory_startup:0\r\n"
                 "used_memory_dataset:{}\r\nused_memory_dataset_perc:100.00%\r\ntotal_system_memory:{}\r\n"
                 "total_system_memory_human:{}\r\nused_memory_lua:0\r\nused_memory_vm_eval:0\r\n"
                 "used_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\n"
                 "number_of_libraries:0\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:{}\r\n"
                 "mem_fragmentation_ratio:{:.2f}\r\nmem_fragmentation_bytes:{}\r\nmem_allocator:libc\r\n"
                 "active_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n"
                 "cairn_cache_bytes:{}\r\n",
                 m.allocated, bytes_to_human(m.allocated), m.rss, bytes_to_human(m.rss), m.peak,
                 bytes_to_human(m.peak), 100.0 * ratio(m.allocated, m.peak), m.allocated, m.system,
                 bytes_to_human(m.system), policy, ratio(m.rss, m.allocated),
                 static_cast<int64_t>(m.rss) - static_cast<int64_t>(m.allocated), server.settings().cache_bytes);
}

// Every acknowledged write is already durable, so nothing is ever "changed
// since the last save"; SAVE and BGREWRITEAOF flush and compact.
void info_persistence(ServerContext& server, Out o) {
  const engine::EngineStats& es = server.engine().stats();
  const char* status = es.write_errors.load() ? "err" : "ok";
  fmt::format_to(o,
                 "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
                 "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
                 "current_save_keys_total:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:{}\r\n"
                 "rdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\n"
                 "rdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\n"
                 "rdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\naof_enabled:1\r\n"
                 "aof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\n"
                 "aof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\n"
                 "aof_rewrites_consecutive_failures:0\r\naof_last_write_status:{}\r\naof_last_cow_size:0\r\n"
                 "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\naof_current_size:{}\r\n"
                 "aof_base_size:0\r\naof_pending_rewrite:0\r\naof_buffer_length:0\r\naof_pending_bio_fsync:0\r\n"
                 "aof_delayed_fsync:0\r\ncairn_fsync_policy:{}\r\ncairn_fsyncs:{}\r\ncairn_fsync_usec:{}\r\n",
                 // One background persist at a time covers both BGSAVE and BGREWRITEAOF.
                 server.engine().persisting() ? 1 : 0, server.engine().last_save_unix(),
                 server.engine().persisting() ? 1 : 0, status, server.engine().disk_bytes(),
                 fsync_name(server.engine().fsync()), es.fsyncs.load(), es.fsync_micros.load());
}

void info_stats(ServerContext& server, Out o) {
  ServerStats& s = server.stats();
  uint64_t expired = server.engine().stats().expired_keys.load() - s.expired_keys_base.load();
  fmt::format_to(o,
                 "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\n"
                 "instantaneous_ops_per_sec:0\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n"
                 "total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n"
                 "instantaneous_input_kbps:0.00\r\ninstantaneous_output_kbps:0.00\r\n"
                 "instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n"
                 "rejected_connections:{}\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
                 "expired_keys:{}\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\n"
                 "expire_cycle_cpu_milliseconds:0\r\nevicted_keys:0\r\nevicted_clients:0\r\n"
                 "total_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:{}\r\n"
                 "keyspace_misses:{}\r\npubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\n"
                 "latest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n"
                 "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n"
                 "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
                 "current_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\n"
                 "tracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:{}\r\n"
                 "dump_payload_sanitizations:0\r\ntotal_reads_processed:0\r\ntotal_writes_processed:0\r\n"
                 "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n",
                 s.connections_received.load(), s.commands.load(), s.net_input_bytes.load(),
                 s.net_output_bytes.load(), s.rejected_connections.load(), expired, s.keyspace_hits.load(),
                 s.keyspace_misses.load(), s.error_replies.load());
}

// A primary without replicas; the revision counts as the replication offset.
void info_replication(ServerContext& server, Out o) {
  fmt::format_to(o,
                 "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
                 "master_replid:{}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
                 "master_repl_offset:{}\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
                 "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
                 replid(), server.engine().last_revision());
}

void info_cpu(ServerContext&, Out o) {
  struct rusage self {}, children {};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto tv = [](const timeval& t) { return fmt::format("{}.{:06d}", t.tv_sec, t.tv_usec); };
  fmt::format_to(o,
                 "# CPU\r\nused_cpu_sys:{}\r\nused_cpu_user:{}\r\nused_cpu_sys_children:{}\r\n"
                 "used_cpu_user_children:{}\r\n",
                 tv(self.ru_stime), tv(self.ru_utime), tv(children.ru_stime), tv(children.ru_utime));
}

void info_modules(ServerContext&, Out o) { fmt::format_to(o, "# Modules\r\n"); }

void format_cmdstat(Out o, std::string_view name, uint64_t calls, uint64_t usec, uint64_t rejected,
                    uint64_t failed) {
  if (!calls && !failed && !rejected) return;
  fmt::format_to(o, "cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},failed_calls={}\r\n", name,
                 calls, usec, calls ? static_cast<double>(usec) / static_cast<double>(calls) : 0.0, rejected,
                 failed);
}

// In name order; containers run here report per subcommand, as Redis does.
void info_commandstats(ServerContext&, Out o) {
  fmt::format_to(o, "# Commandstats\r\n");
  std::vector<const CommandSpec*> specs;
  command_table().for_each([&](const CommandSpec& s) { specs.push_back(&s); });
  std::sort(specs.begin(), specs.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const CommandSpec* spec : specs) {
    const CommandStats& st = *spec->stats;
    uint64_t calls = st.calls.load(), usec = st.usec.load();
    std::vector<const Subcommand*> subs;
    if (runs_subcommands_here(*spec)) {
      for (const std::string& sub_name : spec->subcommands) {
        if (const Subcommand* sub = find_subcommand(sub_name)) subs.push_back(sub);
      }
    }
    // The container's own calls: COMMAND without a subcommand. (The others'
    // remaining calls named an unknown subcommand, which Redis does not count.)
    for (const Subcommand* sub : subs) {
      calls -= std::min(calls, sub->stats->calls.load());
      usec -= std::min(usec, sub->stats->usec.load());
    }
    if (!subs.empty() && spec->handler != cmd_command) calls = usec = 0;
    format_cmdstat(o, spec->name, calls, usec, st.rejected.load(), st.failed.load());
    for (const Subcommand* sub : subs) {
      const CommandStats& ss = *sub->stats;
      format_cmdstat(o, sub->name, ss.calls.load(), ss.usec.load(), ss.rejected.load(), ss.failed.load());
    }
  }
}

void info_errorstats(ServerContext&, Out o) { fmt::format_to(o, "# Errorstats\r\n"); }
void info_latencystats(ServerContext&, Out o) { fmt::format_to(o, "# Latencystats\r\n"); }
void info_cluster(ServerContext&, Out o) { fmt::format_to(o, "# Cluster\r\ncluster_enabled:0\r\n"); }

// Cairn does not count keys with a TTL per namespace: expires is 0.
void info_keyspace(ServerContext& server, Out o) {
  fmt::format_to(o, "# Keyspace\r\n");
  for (int ns = 0; ns < engine::kUserNamespaces; ++ns) {
    int64_t keys = server.engine().key_count(static_cast<uint8_t>(ns));
    if (keys > 0) fmt::format_to(o, "db{}:keys={},expires=0,avg_ttl=0\r\n", ns, keys);
  }
}

void info_cairn(ServerContext& server, Out o) {
  engine::Engine& e = server.engine();
  const engine::EngineStats& es = e.stats();
  fmt::format_to(o,
                 "# Cairn\r\ncairn_version:{}\r\nlast_revision:{}\r\nfeed_first_revision:{}\r\n"
                 "feed_retention:{}\r\nwrite_groups:{}\r\nwrite_ops:{}\r\nwrite_errors:{}\r\nfsync_policy:{}\r\n"
                 "fsyncs:{}\r\nfsync_usec:{}\r\ndisk_bytes:{}\r\ncache_bytes:{}\r\nio_threads:{}\r\n"
                 "total_keys:{}\r\ndata_dir:{}\r\nrecord_cache_capacity:{}\r\nrecord_cache_used:{}\r\n"
                 "record_cache_hits:{}\r\nrecord_cache_misses:{}\r\n",
                 CAIRN_VERSION, e.last_revision(), e.feed_first_revision(), server.settings().feed_retention,
                 es.groups.load(), es.ops.load(), es.write_errors.load(), fsync_name(e.fsync()), es.fsyncs.load(),
                 es.fsync_micros.load(), e.disk_bytes(), server.settings().cache_bytes, std::max(1, server.io_threads),
                 total_keys(server), get_dir(server), e.record_cache().capacity(), e.record_cache().charged(),
                 e.record_cache().hits(), e.record_cache().misses());
}

struct InfoSection {
  std::string_view name;
  void (*write)(ServerContext&, Out);
  bool in_default;
};

// Redis's order; "all" is every section, "default" those marked.
constexpr InfoSection kInfoSections[] = {
    {"server", info_server, true},         {"clients", info_clients, true},
    {"memory", info_memory, true},         {"persistence", info_persistence, true},
    {"stats", info_stats, true},           {"replication", info_replication, true},
    {"cpu", info_cpu, true},               {"modules", info_modules, true},
    {"commandstats", info_commandstats, false}, {"errorstats", info_errorstats, true},
    {"latencystats", info_latencystats, false}, {"cluster", info_cluster, true},
    {"keyspace", info_keyspace, true},     {"cairn", info_cairn, true},
};

std::string build_info(ServerContext& server, Argv args) {
  bool all = false, defaults = args.empty();
  std::vector<std::string> asked;
  for (std::string_view a : args) {
    std::string s = lower(a);
    if (s == "all" || s == "everything") all = true;
    else if (s == "default") defaults = true;
    else asked.push_back(s == "module_list" ? "modules" : s);
  }
  std::string out;
  int written = 0;
  for (const InfoSection& sec : kInfoSections) {
    bool wanted = all || (defaults && sec.in_default) ||
                  std::find(asked.begin(), asked.end(), sec.name) != asked.end();
    if (!wanted) continue;
    if (written++) out += "\r\n";
    sec.write(server, std::back_inserter(out));
  }
  return out;
}

void cmd_info(CommandCtx& ctx) { ctx.reply.verbatim(build_info(ctx.server, ctx.argv.subspan(1))); }

// ---------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------

// ACL categories in Redis's order (COMMAND INFO lists them in this order).
constexpr std::array<std::string_view, 21> kAclCategories = {
    "keyspace", "read", "write",     "set",      "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo", "stream",     "pubsub",      "admin",
    "fast",     "slow", "blocking",  "dangerous", "connection", "transaction", "scripting"};

uint32_t acl_bit(std::string_view category) {
  if (!category.empty() && category[0] == '@') category.remove_prefix(1);
  for (size_t i = 0; i < kAclCategories.size(); ++i) {
    if (iequals(kAclCategories[i], category)) return 1u << i;
  }
  return 0;
}

// What COMMAND INFO/DOCS show about a command or a subcommand.
struct CommandMeta {
  std::string_view name;
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  std::string_view group, summary, since, acl;
  const CommandSpec* spec = nullptr;  // top-level commands only
};

// Explicit categories plus those Redis derives from the flags.
uint32_t acl_categories(const CommandMeta& m) {
  uint32_t bits = 0;
  for (std::string_view c : split_words(m.acl)) bits |= acl_bit(c);
  if (m.flags & kWrite) bits |= acl_bit("write");
  if ((m.flags & kReadOnly) && !(bits & acl_bit("scripting"))) bits |= acl_bit("read");
  if (m.flags & kAdmin) bits |= acl_bit("admin") | acl_bit("dangerous");
  if (m.flags & kPubSub) bits |= acl_bit("pubsub");
  if (m.flags & kFast) bits |= acl_bit("fast");
  if (m.flags & kBlocking) bits |= acl_bit("blocking");
  if (m.flags & kConnection) bits |= acl_bit("connection");
  if (!(bits & acl_bit("fast"))) bits |= acl_bit("slow");
  return bits;
}

CommandMeta meta_of(const CommandSpec& s) {
  return {s.name, s.arity, s.flags, s.first_key, s.last_key, s.key_step, s.group, s.summary, s.since, s.acl, &s};
}

// A subcommand the table does not describe gets its container's traits.
CommandMeta meta_of_sub(const CommandSpec& parent, std::string_view full_name) {
  if (const Subcommand* sub = find_subcommand(full_name)) {
    return {sub->name,     sub->arity, sub->flags,  sub->first_key, sub->last_key, sub->key_step,
            parent.group, sub->summary, sub->since, sub->acl,       nullptr};
  }
  return {full_name, -2, parent.flags, 0, 0, 0, parent.group, "", parent.since, parent.acl, nullptr};
}

// "get", "GET", "config|get": the command or subcommand, if any.
std::optional<CommandMeta> lookup_meta(std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* spec = command_table().find(name.substr(0, bar));
  if (!spec) return std::nullopt;
  if (bar == std::string_view::npos) return meta_of(*spec);
  std::string full = lower(name);
  for (const std::string& sub : spec->subcommands) {
    if (sub == full) return meta_of_sub(*spec, sub);
  }
  return std::nullopt;
}

struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {{kWrite, "write"},   {kReadOnly, "readonly"}, {kDenyOom, "denyoom"},
                                   {kAdmin, "admin"},   {kPubSub, "pubsub"},     {kNoScript, "noscript"},
                                   {kBlocking, "blocking"}, {kLoading, "loading"}, {kStale, "stale"},
                                   {kFast, "fast"},     {kNoAuth, "no_auth"}};

// Commands whose keys Redis finds through a key count or a keyword
// ("movablekeys"): a (first, last, step) range cannot say where they are.
// numkeys_at: argument holding the key count (the keys follow it), 0 if the
// keys are found otherwise; store_at: a destination key before the count.
struct MovableKeys {
  std::string_view name;
  int numkeys_at;
  int store_at;
};
constexpr MovableKeys kMovableKeys[] = {
    {"zunionstore", 2, 1}, {"zinterstore", 2, 1}, {"zdiffstore", 2, 1}, {"zunion", 1, 0},
    {"zinter", 1, 0},      {"zdiff", 1, 0},       {"zintercard", 1, 0}, {"sintercard", 1, 0},
    {"lmpop", 1, 0},       {"zmpop", 1, 0},       {"blmpop", 2, 0},     {"bzmpop", 2, 0},
    {"eval", 2, 0},        {"evalsha", 2, 0},     {"eval_ro", 2, 0},    {"evalsha_ro", 2, 0},
    {"fcall", 2, 0},       {"fcall_ro", 2, 0},    {"sort", 0, 0},       {"sort_ro", 0, 0},
    {"xread", 0, 0},       {"xreadgroup", 0, 0},  {"migrate", 0, 0},    {"georadius", 0, 0},
    {"georadiusbymember", 0, 0}};

const MovableKeys* movable_keys(std::string_view name) {
  for (const MovableKeys& m : kMovableKeys) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

void reply_flags(Reply& r, uint32_t flags, bool movable) {
  size_t n = std::count_if(std::begin(kFlagNames), std::end(kFlagNames), [&](auto& f) { return flags & f.flag; });
  r.set(n + (movable ? 1 : 0));
  for (const FlagName& f : kFlagNames) {
    if (flags & f.flag) r.simple(f.name);
  }
  if (movable) r.simple("movablekeys");
}

void reply_acl_categories(Reply& r, uint32_t bits) {
  r.set(static_cast<size_t>(__builtin_popcount(bits)));
  for (size_t i = 0; i < kAclCategories.size(); ++i) {
    if (bits & (1u << i)) r.simple(fmt::format("@{}", kAclCategories[i]));
  }
}

// One key specification derived from the legacy (first, last, step) range.
void reply_key_specs(Reply& r, const CommandMeta& m) {
  if (m.first_key <= 0) {
    r.set(0);
    return;
  }
  r.set(1);
  r.map(3);
  r.bulk("flags");
  if (m.flags & kWrite) {
    r.set(2);
    r.simple("RW");
    r.simple("update");
  } else {
    r.set(2);
    r.simple("RO");
    r.simple("access");
  }
  r.bulk("begin_search");
  r.map(2);
  r.bulk("type");
  r.bulk("index");
  r.bulk("spec");
  r.map(1);
  r.bulk("index");
  r.integer(m.first_key);
  r.bulk("find_keys");
  r.map(2);
  r.bulk("type");
  r.bulk("range");
  r.bulk("spec");
  r.map(3);
  r.bulk("lastkey");
  r.integer(m.last_key < 0 ? m.last_key : m.last_key - m.first_key);
  r.bulk("keystep");
  r.integer(m.key_step);
  r.bulk("limit");
  r.integer(0);
}

// COMMAND INFO's entry: name, arity, flags, first key, last key, step, ACL
// categories, tips, key specs, subcommands.
void reply_command_info(Reply& r, const CommandMeta& m) {
  r.array(10);
  r.bulk(m.name);
  r.integer(m.arity);
  reply_flags(r, m.flags, movable_keys(m.name) != nullptr);
  r.integer(m.first_key);
  r.integer(m.last_key);
  r.integer(m.key_step);
  reply_acl_categories(r, acl_categories(m));
  r.set(0);
  reply_key_specs(r, m);
  if (!m.spec || m.spec->subcommands.empty()) {
    r.set(0);
    return;
  }
  r.array(m.spec->subcommands.size());
  for (const std::string& sub : m.spec->subcommands) reply_command_info(r, meta_of_sub(*m.spec, sub));
}

// COMMAND DOCS's entry: summary, since, group, and subcommands if any.
void reply_command_docs(Reply& r, const CommandMeta& m) {
  bool subs = m.spec && !m.spec->subcommands.empty();
  std::string_view summary = m.summary.empty() ? std::string_view("A subcommand.") : m.summary;
  r.map(3 + (subs ? 1 : 0));
  r.bulk("summary");
  r.bulk(summary);
  r.bulk("since");
  r.bulk(m.since.empty() ? std::string_view("1.0.0") : m.since);
  r.bulk("group");
  r.bulk(m.group.empty() ? std::string_view("server") : m.group);
  if (!subs) return;
  r.bulk("subcommands");
  r.map(m.spec->subcommands.size());
  for (const std::string& sub : m.spec->subcommands) {
    r.bulk(sub);
    reply_command_docs(r, meta_of_sub(*m.spec, sub));
  }
}

std::vector<const CommandSpec*> all_commands() {
  std::vector<const CommandSpec*> specs;
  command_table().for_each([&](const CommandSpec& s) { specs.push_back(&s); });
  return specs;
}

void reply_all_command_info(Reply& r) {
  auto specs = all_commands();
  r.array(specs.size());
  for (const CommandSpec* s : specs) reply_command_info(r, meta_of(*s));
}

// COMMAND alone describes every command; COMMAND <sub> runs the subcommand.
void cmd_command(CommandCtx& ctx) {
  if (ctx.argc() > 1) cmd_container(ctx);
  else reply_all_command_info(ctx.reply);
}

void cmd_command_count(CommandCtx& ctx) { ctx.reply.integer(static_cast<int64_t>(command_table().size())); }

void cmd_command_info(CommandCtx& ctx) {
  if (ctx.argc() == 2) {
    reply_all_command_info(ctx.reply);
    return;
  }
  ctx.reply.array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto m = lookup_meta(ctx.arg(i));
    if (m) reply_command_info(ctx.reply, *m);
    else ctx.reply.null();
  }
}

void cmd_command_docs(CommandCtx& ctx) {
  std::vector<CommandMeta> found;
  if (ctx.argc() == 2) {
    for (const CommandSpec* s : all_commands()) found.push_back(meta_of(*s));
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (auto m = lookup_meta(ctx.arg(i))) found.push_back(*m);
    }
  }
  ctx.reply.map(found.size());
  for (const CommandMeta& m : found) {
    ctx.reply.bulk(m.name);
    reply_command_docs(ctx.reply, m);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
void cmd_command_list(CommandCtx& ctx) {
  std::string_view type, arg;
  if (ctx.argc() == 5 && iequals(ctx.arg(2), "filterby")) {
    type = ctx.arg(3);
    arg = ctx.arg(4);
    if (!iequals(type, "module") && !iequals(type, "aclcat") && !iequals(type, "pattern")) {
      ctx.reply.error(err::kSyntax);
      return;
    }
  } else if (ctx.argc() != 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  uint32_t category = iequals(type, "aclcat") ? acl_bit(arg) : 0;
  auto keep = [&](const CommandMeta& m) {
    if (type.empty()) return true;
    if (iequals(type, "module")) return false;  // Cairn has no modules
    if (category) return (acl_categories(m) & category) != 0;
    if (iequals(type, "aclcat")) return false;
    return model::glob_match(arg, m.name, true);
  };
  std::vector<std::string_view> names;
  for (const CommandSpec* s : all_commands()) {
    if (keep(meta_of(*s))) names.push_back(s->name);
    for (const std::string& sub : s->subcommands) {
      if (keep(meta_of_sub(*s, sub))) names.push_back(sub);
    }
  }
  ctx.reply.array(names.size());
  for (std::string_view n : names) ctx.reply.bulk(n);
}

// The command COMMAND GETKEYS asks about: argv[2], or its subcommand argv[3].
std::optional<CommandMeta> getkeys_target(CommandCtx& ctx) {
  const CommandSpec* spec = command_table().find(ctx.arg(2));
  if (!spec) return std::nullopt;
  if (spec->subcommands.empty() || ctx.argc() < 4) return meta_of(*spec);
  std::string full = lower(ctx.arg(2)) + "|" + lower(ctx.arg(3));
  for (const std::string& sub : spec->subcommands) {
    if (sub == full) return meta_of_sub(*spec, sub);
  }
  return std::nullopt;
}

// Keys of a command that counts them (ZUNIONSTORE dest 2 a b, EVAL s 1 k):
// false if the count is not a number or runs past the arguments.
bool counted_keys(Argv cmd, const MovableKeys& mk, std::vector<std::string_view>* keys) {
  int64_t n;
  int at = mk.numkeys_at;
  if (static_cast<int>(cmd.size()) <= at || !model::parse_int64(cmd[at], &n) || n < 0 ||
      n > static_cast<int64_t>(cmd.size()) - at - 1) {
    return false;
  }
  if (mk.store_at) keys->push_back(cmd[mk.store_at]);
  for (int64_t i = 0; i < n; ++i) keys->push_back(cmd[at + 1 + i]);
  return true;
}

void getkeys(CommandCtx& ctx, bool with_flags) {
  auto m = getkeys_target(ctx);
  int argc = static_cast<int>(ctx.argc()) - 2;
  if (!m) {
    ctx.reply.error("ERR Invalid command specified");
    return;
  }
  const MovableKeys* mk = movable_keys(m->name);
  bool counted = mk && mk->numkeys_at > 0;
  if (m->first_key <= 0 && !counted) {
    ctx.reply.error("ERR The command has no key arguments");
    return;
  }
  if (!arity_ok(m->arity, static_cast<size_t>(argc))) {
    ctx.reply.error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<std::string_view> keys;
  if (counted) {
    if (!counted_keys(ctx.argv.subspan(2), *mk, &keys)) {
      ctx.reply.error("ERR Invalid arguments specified for command");
      return;
    }
  } else {
    int last = m->last_key < 0 ? argc + m->last_key : m->last_key;
    for (int i = m->first_key; i <= last && i < argc; i += std::max(m->key_step, 1)) keys.push_back(ctx.arg(2 + i));
    if (keys.empty()) {
      ctx.reply.error("ERR Invalid arguments specified for command");
      return;
    }
  }
  ctx.reply.array(keys.size());
  for (std::string_view k : keys) {
    if (!with_flags) {
      ctx.reply.bulk(k);
      continue;
    }
    ctx.reply.array(2);
    ctx.reply.bulk(k);
    ctx.reply.set(2);
    ctx.reply.simple((m->flags & kWrite) ? "RW" : "RO");
    ctx.reply.simple((m->flags & kWrite) ? "update" : "access");
  }
}

void cmd_command_getkeys(CommandCtx& ctx) { getkeys(ctx, false); }
void cmd_command_getkeysandflags(CommandCtx& ctx) { getkeys(ctx, true); }

void cmd_command_help(CommandCtx& ctx) {
  reply_help(ctx, {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
                   "    Return the total number of commands in this Redis server.", "LIST",
                   "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
                   "    Return details about multiple Redis commands.",
                   "    If no command names are given, documentation details for all",
                   "    commands are returned.", "DOCS [<command-name> ...]",
                   "    Return documentation details about multiple Redis commands.",
                   "    If no command names are given, documentation details for all",
                   "    commands are returned.", "GETKEYS <full-command>",
                   "    Return the keys from a full Redis command.", "GETKEYSANDFLAGS <full-command>",
                   "    Return the keys and the access flags from a full Redis command."});
}

// ---------------------------------------------------------------------------
// CLIENT
// ---------------------------------------------------------------------------

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
  std::string flags;
  if (s.no_evict) flags += 'e';
  if (s.no_touch) flags += 'T';
  if (flags.empty()) flags = "N";
  const char* cmd = s.last_command_name.load(std::memory_order_relaxed);
  std::string name, lib_name, lib_ver;
  {
    std::lock_guard l(s.info_mu);
    name = s.name;
    lib_name = s.lib_name;
    lib_ver = s.lib_ver;
  }
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 multi=-1 qbuf={} "
      "qbuf-free=0 argv-mem={} multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem={} events=r cmd={} "
      "user=default redir=-1 resp={} lib-name={} lib-ver={}",
      s.id, s.addr, s.laddr, s.fd, name, std::max<int64_t>(0, (now_ms - s.created_ms) / 1000),
      std::max<int64_t>(0, (now_ms - s.last_active_ms.load(std::memory_order_relaxed)) / 1000), flags,
      static_cast<int>(s.db), qbuf, argv_mem, qbuf + argv_mem + sizeof(Session), cmd ? cmd : "NULL", s.resp.load(),
      lib_name, lib_ver);
}

// Redis's client types: every Cairn client is "normal".
bool known_client_type(std::string_view t) {
  return iequals(t, "normal") || iequals(t, "master") || iequals(t, "replica") || iequals(t, "slave") ||
         iequals(t, "pubsub");
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
    bool normal = iequals(t, "normal");
    pick = [normal](Session&) { return normal; };
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

// Only ON: silencing replies would need the connection's writer to drop them.
void cmd_client_reply(CommandCtx& ctx) {
  std::string_view mode = ctx.arg(2);
  if (iequals(mode, "on")) {
    ctx.reply.ok();
  } else if (iequals(mode, "off") || iequals(mode, "skip")) {
    ctx.reply.error(fmt::format("ERR CLIENT REPLY {} is not supported by Cairn", upper(mode)));
  } else {
    ctx.reply.error(err::kSyntax);
  }
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

// No client is ever blocked in a way CLIENT UNBLOCK could end.
void cmd_client_unblock(CommandCtx& ctx) {
  if (ctx.argc() == 4 && !iequals(ctx.arg(3), "timeout") && !iequals(ctx.arg(3), "error")) {
    ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    return;
  }
  int64_t id;
  if (!arg_int(ctx, 2, &id)) return;
  ctx.reply.integer(0);
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
  bool normal_only = true;  // TYPE normal or none; other types match nobody
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
      f->normal_only = iequals(val, "normal");
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

bool kill_matches(const KillFilter& f, const Session& s) {
  return f.normal_only && (f.addr.empty() || s.addr == f.addr) && (f.laddr.empty() || s.laddr == f.laddr) &&
         (f.id == 0 || s.id == f.id);
}

void cmd_client_kill(CommandCtx& ctx) {
  KillFilter f;
  if (!parse_kill_filter(ctx, &f)) return;
  bool kill_self = false;
  size_t killed = ctx.server.clients().kill_if([&](Session& s) {
    if (!kill_matches(f, s)) return false;
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
                   "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection (only ON).",
                   "SETNAME <name>", "    Assign the name <name> to the current connection.",
                   "SETINFO (LIB-NAME|LIB-VER) <value>", "    Set client library name or version.",
                   "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
                   "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.", "NO-TOUCH (ON|OFF)",
                   "    Will not touch LRU/LFU stats when this mode is on."});
}

// ---------------------------------------------------------------------------
// MEMORY
// ---------------------------------------------------------------------------

constexpr int64_t kRecordOverhead = 48;  // RocksDB entry and index overhead, roughly
constexpr int64_t kMemberOverhead = 16;

// Bytes a key takes: its record, plus its members for a collection (the
// first `samples` members, extrapolated; 0 samples reads them all).
// nullopt for a missing key.
std::optional<int64_t> key_memory(CommandCtx& ctx, std::string_view key, int64_t samples) {
  model::Found f;
  model::find(ctx.view, ctx.ns(), key, ctx.now_ms, &f);
  if (!f.live) return std::nullopt;
  int64_t total = static_cast<int64_t>(key.size() + f.raw.size()) + kRecordOverhead;
  engine::CollectionMeta meta;
  if (!engine::is_collection(f.header.type) || !engine::decode_collection(f.header.type, f.payload, &meta) ||
      meta.count <= 0) {
    return total;
  }
  char tag = f.header.type == engine::ValueType::kList ? engine::kTagPosition : engine::kTagMember;
  std::string lower_bound = engine::member_prefix(ctx.ns(), key, meta.version) + tag;
  auto it = ctx.view.iterate(engine::Cf::kMembers, lower_bound, engine::prefix_successor(lower_bound));
  int64_t seen = 0, bytes = 0;
  for ((*it)->Seek(lower_bound); (*it)->Valid() && (samples == 0 || seen < samples); (*it)->Next()) {
    bytes += static_cast<int64_t>((*it)->key().size() + (*it)->value().size()) + kMemberOverhead;
    ++seen;
  }
  if (seen == 0) return total;
  int64_t per_member = bytes / seen;
  // Sorted sets keep a second (score-ordered) record per member.
  int64_t records = meta.count * (f.header.type == engine::ValueType::kZSet ? 2 : 1);
  return total + per_member * records;
}

void cmd_memory_usage(CommandCtx& ctx) {
  int64_t samples = 5;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (!iequals(ctx.arg(i), "samples") || i + 1 >= ctx.argc()) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    if (!arg_int(ctx, ++i, &samples)) return;
    if (samples < 0) {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  auto bytes = key_memory(ctx, ctx.arg(2), samples);
  if (bytes) ctx.reply.integer(*bytes);
  else ctx.reply.null();
}

void cmd_memory_stats(CommandCtx& ctx) {
  ProcessMemory m = process_memory();
  int64_t keys = total_keys(ctx.server);
  uint64_t disk = ctx.server.engine().disk_bytes();
  auto pair_int = [&](std::string_view k, int64_t v) {
    ctx.reply.bulk(k);
    ctx.reply.integer(v);
  };
  auto pair_dbl = [&](std::string_view k, double v) {
    ctx.reply.bulk(k);
    ctx.reply.dbl(v);
  };
  ctx.reply.map(14);
  pair_int("peak.allocated", static_cast<int64_t>(m.peak));
  pair_int("total.allocated", static_cast<int64_t>(m.allocated));
  pair_int("startup.allocated", 0);
  pair_int("replication.backlog", 0);
  pair_int("clients.slaves", 0);
  pair_int("clients.normal", 0);
  pair_int("keys.count", keys);
  pair_int("keys.bytes-per-key", keys ? static_cast<int64_t>(disk) / keys : 0);
  pair_int("dataset.bytes", static_cast<int64_t>(disk));
  pair_dbl("peak.percentage", 100.0 * ratio(m.allocated, m.peak));
  pair_int("allocator.allocated", static_cast<int64_t>(m.allocated));
  pair_int("allocator.resident", static_cast<int64_t>(m.rss));
  pair_dbl("fragmentation", ratio(m.rss, m.allocated));
  pair_int("cairn.cache.bytes", static_cast<int64_t>(ctx.server.settings().cache_bytes));
}

void cmd_memory_doctor(CommandCtx& ctx) {
  ctx.reply.verbatim(
      "Hi Sam, Cairn keeps its data on disk and bounds memory with its cache (cairn-cache-bytes); "
      "there is no memory issue to report.\n");
}

void cmd_memory_malloc_stats(CommandCtx& ctx) { ctx.reply.verbatim("Stats not supported for the current allocator"); }

void cmd_memory_purge(CommandCtx& ctx) {
  malloc_trim(0);
  ctx.reply.ok();
}

void cmd_memory_help(CommandCtx& ctx) {
  reply_help(ctx, {"DOCTOR", "    Return memory problems reports.", "MALLOC-STATS",
                   "    Return internal statistics report from the memory allocator.", "PURGE",
                   "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
                   "    Return information about the memory usage of the server.", "USAGE <key> [SAMPLES <count>]",
                   "    Return memory in bytes used by <key> and its value. Nested values are",
                   "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

// ---------------------------------------------------------------------------
// SLOWLOG and LATENCY: Cairn keeps neither log; both answer empty.
// ---------------------------------------------------------------------------

void cmd_slowlog_get(CommandCtx& ctx) {
  if (ctx.argc() == 3) {
    int64_t count;
    if (!model::parse_int64(ctx.arg(2), &count) || count < -1) {
      ctx.reply.error("ERR count should be greater than or equal to -1");
      return;
    }
  } else if (ctx.argc() > 3) {
    ctx.reply.error(err::wrong_arity("slowlog|get"));
    return;
  }
  ctx.reply.array(0);
}

void cmd_slowlog_len(CommandCtx& ctx) { ctx.reply.integer(0); }
void cmd_ok(CommandCtx& ctx) { ctx.reply.ok(); }

void cmd_slowlog_help(CommandCtx& ctx) {
  reply_help(ctx, {"GET [<count>]", "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                   "    Entries are made of:",
                   "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                   "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
                   "    Reset the slowlog."});
}

void cmd_empty_array(CommandCtx& ctx) { ctx.reply.array(0); }
void cmd_latency_reset(CommandCtx& ctx) { ctx.reply.integer(0); }
// Commands (or subcommands) with calls, and their stats.
using CallStats = std::vector<std::pair<std::string_view, const CommandStats*>>;

void add_called(CallStats* out, std::string_view name, const CommandStats& st) {
  if (st.calls.load() == 0) return;
  for (const auto& [n, s] : *out) {
    if (n == name) return;
  }
  out->emplace_back(name, &st);
}

void add_called(CallStats* out, const CommandSpec& spec) {
  if (!runs_subcommands_here(spec)) {
    add_called(out, spec.name, *spec.stats);
    return;
  }
  for (const std::string& sub_name : spec.subcommands) {
    if (const Subcommand* sub = find_subcommand(sub_name)) add_called(out, sub->name, *sub->stats);
  }
}

// Call counts per command as Redis's LATENCY HISTOGRAM shapes them. Cairn
// keeps totals, not distributions: each histogram_usec is empty.
void cmd_latency_histogram(CommandCtx& ctx) {
  CallStats called;
  if (ctx.argc() == 2) {
    command_table().for_each([&](const CommandSpec& spec) { add_called(&called, spec); });
  }
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view name = ctx.arg(i);
    if (name.find('|') != std::string_view::npos) {
      if (const Subcommand* sub = find_subcommand(name)) add_called(&called, sub->name, *sub->stats);
    } else if (const CommandSpec* spec = command_table().find(name)) {
      add_called(&called, *spec);
    }
  }
  ctx.reply.map(called.size());
  for (const auto& [name, st] : called) {
    ctx.reply.bulk(name);
    ctx.reply.map(2);
    ctx.reply.bulk("calls");
    ctx.reply.integer(static_cast<int64_t>(st->calls.load()));
    ctx.reply.bulk("histogram_usec");
    ctx.reply.map(0);
  }
}

void cmd_latency_graph(CommandCtx& ctx) {
  ctx.reply.error(one_line(fmt::format("ERR No samples available for event '{}'", ctx.arg(2))));
}

void cmd_latency_doctor(CommandCtx& ctx) {
  ctx.reply.verbatim(
      "Cairn does not run a latency monitor, so there are no latency samples to analyze. "
      "Per-command call counts and times are in INFO commandstats.\n");
}

void cmd_latency_help(CommandCtx& ctx) {
  reply_help(ctx, {"DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>",
                   "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
                   "    Return time-latency samples for the <event> class.", "LATEST",
                   "    Return the latest latency samples for all events.", "RESET [<event> ...]",
                   "    Reset latency data of one or more <event> classes.",
                   "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
                   "    Return a cumulative distribution of latencies in the format of a histogram for the "
                   "specified command names.",
                   "    If no commands are specified then all histograms are replied."});
}

// ---------------------------------------------------------------------------
// DEBUG, ROLE, WAIT
// ---------------------------------------------------------------------------

// Only what cannot hurt the store: the rest of Redis's DEBUG (RELOAD,
// OBJECT, SET-ACTIVE-EXPIRE, …) pokes at internals Cairn does not have.
void cmd_debug(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (iequals(sub, "help") && ctx.argc() == 2) {
    reply_help(ctx, {"SLEEP <seconds>", "    Stop the connection's thread for <seconds> (decimals allowed).",
                     "LOG <message>", "    Write <message> to the server log.", "CHANGE-REPL-ID",
                     "    Change the replication ID shown by INFO replication."});
  } else if (iequals(sub, "sleep") && ctx.argc() == 3) {
    double secs;
    if (!arg_double(ctx, 2, &secs)) return;
    if (secs > 0) std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(secs * 1e6)));
    ctx.reply.ok();
  } else if (iequals(sub, "log") && ctx.argc() == 3) {
    log::info("DEBUG LOG: {}", ctx.arg(2));
    ctx.reply.ok();
  } else if (iequals(sub, "change-repl-id") && ctx.argc() == 2) {
    change_replid();
    ctx.reply.ok();
  } else {
    ctx.reply.error("ERR DEBUG subcommand not supported by Cairn");
  }
}

void cmd_role(CommandCtx& ctx) {
  ctx.reply.array(3);
  ctx.reply.bulk("master");
  ctx.reply.integer(static_cast<int64_t>(ctx.server.engine().last_revision()));
  ctx.reply.array(0);
}

// No replicas to wait for; a write acknowledged to the client is already
// durable under the fsync policy.
void cmd_wait(CommandCtx& ctx) {
  int64_t replicas, timeout;
  if (!arg_int(ctx, 1, &replicas)) return;
  if (!arg_timeout_ms(ctx, 2, &timeout)) return;
  ctx.reply.integer(0);
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

constexpr uint32_t kLS = kLoading | kStale;

void add_sub(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
             std::string_view since, std::string_view acl = "", int first_key = 0) {
  Subcommand s;
  s.name = name;
  s.arity = arity;
  s.flags = flags;
  s.handler = h;
  s.summary = summary;
  s.since = since;
  s.acl = acl;
  if (first_key) s.first_key = s.last_key = first_key, s.key_step = 1;
  subcommand_table().push_back(std::move(s));
}

void add_config_subs() {
  constexpr uint32_t f = kAdmin | kNoScript | kLS;
  add_sub("config|get", -3, f, cmd_config_get, "Get the values of configuration parameters", "2.0.0");
  add_sub("config|set", -4, f, cmd_config_set, "Set configuration parameters to the given values", "2.0.0");
  add_sub("config|resetstat", 2, f, cmd_config_resetstat, "Reset the stats returned by INFO", "2.0.0");
  add_sub("config|rewrite", 2, f, cmd_config_rewrite,
          "Rewrite the configuration file with the in memory configuration", "2.8.0");
  add_sub("config|help", 2, kLS, cmd_config_help, "Show helpful text about the different subcommands", "5.0.0");
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

void add_command_subs() {
  constexpr std::string_view c = "@connection";
  add_sub("command|count", 2, kLS, cmd_command_count, "Get total number of Redis commands", "2.8.13", c);
  add_sub("command|docs", -2, kLS, cmd_command_docs, "Get array of specific Redis command documentation", "7.0.0",
          c);
  add_sub("command|getkeys", -4, kLS, cmd_command_getkeys, "Extract keys given a full Redis command", "2.8.13", c);
  add_sub("command|getkeysandflags", -4, kLS, cmd_command_getkeysandflags,
          "Extract keys and access flags given a full Redis command", "7.0.0", c);
  add_sub("command|info", -2, kLS, cmd_command_info,
          "Get array of specific Redis command details, or all when no argument is given.", "2.8.13", c);
  add_sub("command|list", -2, kLS, cmd_command_list, "Get an array of Redis command names", "7.0.0", c);
  add_sub("command|help", 2, kLS, cmd_command_help, "Show helpful text about the different subcommands", "5.0.0", c);
}

void add_memory_subs() {
  add_sub("memory|usage", -3, kReadOnly, cmd_memory_usage, "Estimate the memory usage of a key", "4.0.0", "", 2);
  add_sub("memory|stats", 2, 0, cmd_memory_stats, "Show memory usage details", "4.0.0");
  add_sub("memory|doctor", 2, 0, cmd_memory_doctor, "Outputs memory problems report", "4.0.0");
  add_sub("memory|malloc-stats", 2, 0, cmd_memory_malloc_stats, "Show allocator internal stats", "4.0.0");
  add_sub("memory|purge", 2, 0, cmd_memory_purge, "Ask the allocator to release memory", "4.0.0");
  add_sub("memory|help", 2, kLS, cmd_memory_help, "Show helpful text about the different subcommands", "4.0.0");
}

void add_log_subs() {
  constexpr uint32_t a = kAdmin | kLS;
  constexpr uint32_t an = kAdmin | kNoScript | kLS;
  add_sub("slowlog|get", -2, a, cmd_slowlog_get, "Get the slow log's entries", "2.2.12");
  add_sub("slowlog|len", 2, a, cmd_slowlog_len, "Get the slow log's length", "2.2.12");
  add_sub("slowlog|reset", 2, a, cmd_ok, "Clear all entries from the slow log", "2.2.12");
  add_sub("slowlog|help", 2, kLS, cmd_slowlog_help, "Show helpful text about the different subcommands", "6.2.0");
  add_sub("latency|latest", 2, an, cmd_empty_array, "Return the latest latency samples for all events.", "2.8.13");
  add_sub("latency|history", 3, an, cmd_empty_array, "Return timestamp-latency samples for the event.", "2.8.13");
  add_sub("latency|reset", -2, an, cmd_latency_reset, "Reset latency data for one or more events.", "2.8.13");
  add_sub("latency|graph", 3, an, cmd_latency_graph, "Return a latency graph for the event.", "2.8.13");
  add_sub("latency|doctor", 2, an, cmd_latency_doctor, "Return a human readable latency analysis report.", "2.8.13");
  add_sub("latency|histogram", -2, an, cmd_latency_histogram,
          "Return the cumulative distribution of latencies of a subset of commands or all.", "7.0.0");
  add_sub("latency|help", 2, kLS, cmd_latency_help, "Show helpful text about the different subcommands.", "2.8.13");
}

// Documentation only: these containers belong to keys.cc and server.cc.
void add_foreign_subs() {
  constexpr std::string_view k = "@keyspace";
  add_sub("object|encoding", 3, kReadOnly, nullptr, "Inspect the internal encoding of a Redis object", "2.2.3", k, 2);
  add_sub("object|freq", 3, kReadOnly, nullptr, "Get the logarithmic access frequency counter of a Redis object",
          "4.0.0", k, 2);
  add_sub("object|idletime", 3, kReadOnly, nullptr, "Get the time since a Redis object was last accessed", "2.2.3",
          k, 2);
  add_sub("object|refcount", 3, kReadOnly, nullptr, "Get the number of references to the value of the key",
          "2.2.3", k, 2);
  add_sub("object|help", 2, kLS, nullptr, "Show helpful text about the different subcommands", "6.2.0", k);
  constexpr std::string_view s = "@scripting";
  add_sub("function|flush", -2, kNoScript | kWrite, nullptr, "Deleting all functions", "7.0.0", s);
  add_sub("function|list", -2, kNoScript, nullptr, "List information about all the functions", "7.0.0", s);
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view group,
                 std::string_view summary, std::string_view since, std::string_view acl = "") {
  CommandSpec s;
  s.name = name;
  s.arity = arity;
  s.flags = flags;
  s.handler = h;
  s.group = group;
  s.summary = summary;
  s.since = since;
  s.acl = acl;
  return s;
}

// A container: its subcommands are the table's entries named "<name>|…".
CommandSpec container(const char* name, Handler h, int arity, uint32_t flags, std::string_view group,
                      std::string_view summary, std::string_view since, std::string_view acl = "") {
  CommandSpec s = spec(name, arity, flags, h, group, summary, since, acl);
  std::string prefix = std::string(name) + "|";
  for (const Subcommand& sub : subcommand_table()) {
    if (sub.name.starts_with(prefix)) s.subcommands.push_back(sub.name);
  }
  return s;
}

}  // namespace

void register_introspection_commands(CommandTable& t) {
  if (subcommand_table().empty()) {
    add_config_subs();
    add_client_subs();
    add_command_subs();
    add_memory_subs();
    add_log_subs();
    add_foreign_subs();
  }
  t.add(spec("info", -1, kLS, cmd_info, "server", "Get information and statistics about the server", "1.0.0",
             "@dangerous"));
  t.add(container("config", cmd_container, -2, 0, "server", "A container for server configuration commands", "2.0.0"));
  t.add(container("client", cmd_container, -2, 0, "connection", "A container for client connection commands",
                  "2.4.0"));
  t.add(container("command", cmd_command, -1, kLS, "server", "Get array of Redis command details", "2.8.13",
                  "@connection"));
  t.add(container("memory", cmd_container, -2, 0, "server", "A container for memory diagnostics commands", "4.0.0"));
  t.add(container("slowlog", cmd_container, -2, 0, "server", "A container for slow log commands", "2.2.12"));
  t.add(container("latency", cmd_container, -2, 0, "server", "A container for latency diagnostics commands",
                  "2.8.13"));
  t.add(spec("debug", -2, kAdmin | kNoScript | kLS, cmd_debug, "server", "A container for debugging commands",
             "1.0.0"));
  t.add(spec("role", 1, kNoScript | kLS | kFast, cmd_role, "server",
             "Return the role of the instance in the context of replication", "2.8.12", "@admin @dangerous"));
  t.add(spec("wait", 3, kNoScript, cmd_wait, "generic",
             "Wait for the synchronous replication of all the write commands sent in the context of the current "
             "connection",
             "3.0.0", "@connection"));
}

}  // namespace cairn::command
