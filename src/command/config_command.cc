// CONFIG GET / SET / RESETSTAT / REWRITE / HELP: the settings table. Live
// settings read and change the server (requirepass, timeout, maxclients,
// appendfsync, limits); settings Redis clients and test suites set but Cairn
// has no use for are validated like Redis, remembered, and returned by
// CONFIG GET. Part of the introspection family (introspection.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/dispatch.h"
#include "command/errors.h"
#include "command/introspection.h"
#include "command/server_context.h"
#include "command/table.h"
#include "engine/keys.h"
#include "model/glob.h"
#include "model/numbers.h"

namespace cairn::command::introspection {

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
std::string get_notify(ServerContext& s) { return format_event_flags(s.notify_flags()); }
void set_notify(ServerContext& s, const std::string& v) {
  uint32_t flags = 0;
  parse_event_flags(v, &flags);  // already normalized
  s.set_notify_flags(flags);
}
std::string get_busy_threshold(ServerContext& s) { return std::to_string(s.scripts().busy_threshold_ms.load()); }
void set_busy_threshold(ServerContext& s, const std::string& v) { s.scripts().busy_threshold_ms.store(to_i64(v)); }
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
std::string get_stream_entries(ServerContext& s) { return std::to_string(s.settings().stream_node_max_entries.load()); }
void set_stream_entries(ServerContext& s, const std::string& v) {
  s.settings().stream_node_max_entries.store(static_cast<int64_t>(to_u64(v)));
}
std::string get_stream_bytes(ServerContext& s) { return std::to_string(s.settings().stream_node_max_bytes.load()); }
void set_stream_bytes(ServerContext& s, const std::string& v) {
  s.settings().stream_node_max_bytes.store(static_cast<int64_t>(to_u64(v)));
}
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
    {.name = "stream-node-max-bytes", .kind = K::kMemory, .max = kLongMax, .get = get_stream_bytes,
     .set = set_stream_bytes},
    {.name = "stream-node-max-entries", .kind = K::kInt, .max = kLongMax, .get = get_stream_entries,
     .set = set_stream_entries},
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
    {.name = "lazyfree-lazy-eviction", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-expire", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-server-del", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-user-del", .kind = K::kBool, .def = "no"},
    {.name = "lazyfree-lazy-user-flush", .kind = K::kBool, .def = "no"},
    {.name = "latency-tracking", .kind = K::kBool, .def = "yes"},
    {.name = "notify-keyspace-events", .kind = K::kNotify, .get = get_notify, .set = set_notify},
    {.name = "slowlog-log-slower-than", .kind = K::kInt, .def = "10000", .min = -1},
    {.name = "slowlog-max-len", .kind = K::kInt, .def = "128", .max = kLongMax},
    {.name = "busy-reply-threshold", .alias = "lua-time-limit", .kind = K::kInt, .max = kLongMax,
     .get = get_busy_threshold, .set = set_busy_threshold},
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
Normalized normalize_notify(std::string_view v) {
  uint32_t flags = 0;
  if (!parse_event_flags(v, &flags)) return {"", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."};
  return {format_event_flags(flags), nullptr};
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
  {
    std::lock_guard lock(s.error_codes_mu);
    s.error_codes.clear();
  }
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

std::string config_get_one(ServerContext& server, std::string_view name) {
  const ConfigDef* d = find_config(name);
  return d ? config_value(server, *d) : std::string();
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

}  // namespace cairn::command::introspection
