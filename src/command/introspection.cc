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
// maxmemory 0.
//
// This file holds what the family shares (introspection.h), MEMORY, SLOWLOG,
// LATENCY, DEBUG, ROLE, WAIT and the registration; CONFIG, INFO, COMMAND and
// CLIENT have a file each.
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
#include "command/introspection.h"
#include "command/server_context.h"
#include "command/table.h"
#include "common/log.h"
#include "engine/clock.h"
#include "engine/keys.h"
#include "engine/record.h"
#include "model/glob.h"
#include "model/keys.h"
#include "model/numbers.h"

namespace cairn::command::introspection {

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

// ---------------------------------------------------------------------------
// Subcommands: the table container commands dispatch through
// ---------------------------------------------------------------------------


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


// Containers whose subcommands run through cmd_container (their own stats
// are kept per subcommand).
bool runs_subcommands_here(const CommandSpec& spec) {
  return spec.handler == cmd_container || spec.handler == cmd_command;
}

// ---------------------------------------------------------------------------
// Memory and process figures (INFO memory, MEMORY STATS)
// ---------------------------------------------------------------------------


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
  char tag = f.header.type == engine::ValueType::kList     ? engine::kTagPosition
             : f.header.type == engine::ValueType::kStream ? engine::kTagStreamEntry
                                                           : engine::kTagMember;
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


void add_sub(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
             std::string_view since, std::string_view acl, int first_key) {
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
  constexpr std::string_view x = "@stream";
  constexpr uint32_t xw = kWrite | kDenyOom;
  add_sub("xgroup|create", -5, xw, nullptr, "Create a consumer group.", "5.0.0", x, 2);
  add_sub("xgroup|setid", -5, kWrite, nullptr, "Set a consumer group to an arbitrary last delivered ID value.",
          "5.0.0", x, 2);
  add_sub("xgroup|destroy", 4, kWrite, nullptr, "Destroy a consumer group.", "5.0.0", x, 2);
  add_sub("xgroup|createconsumer", 5, xw, nullptr, "Create a consumer in a consumer group.", "6.2.0", x, 2);
  add_sub("xgroup|delconsumer", 5, kWrite, nullptr, "Delete a consumer from a consumer group.", "5.0.0", x, 2);
  add_sub("xgroup|help", 2, kLS, nullptr, "Show helpful text about the different subcommands", "5.0.0", x);
  add_sub("xinfo|consumers", 4, kReadOnly, nullptr, "List the consumers in a consumer group", "5.0.0", x, 2);
  add_sub("xinfo|groups", 3, kReadOnly, nullptr, "List the consumer groups of a stream", "5.0.0", x, 2);
  add_sub("xinfo|stream", -3, kReadOnly, nullptr, "Get information about a stream", "5.0.0", x, 2);
  add_sub("xinfo|help", 2, kLS, nullptr, "Show helpful text about the different subcommands", "5.0.0", x);
}

// For containers whose handler dispatches itself (XGROUP, XINFO): Redis's
// unknown-subcommand and arity errors from the subcommand table.
bool subcommand_ok(CommandCtx& ctx) {
  const Subcommand* sub = find_subcommand(ctx.arg(0), ctx.arg(1));
  if (!sub) {
    ctx.reply.error(one_line(fmt::format("ERR unknown subcommand '{}'. Try {} HELP.", ctx.arg(1).substr(0, 128),
                                         upper(ctx.arg(0)))));
    return false;
  }
  if (!arity_ok(sub->arity, ctx.argc())) {
    ctx.reply.error(err::wrong_arity(sub->name));
    return false;
  }
  return true;
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

}  // namespace cairn::command::introspection

namespace cairn::command {

void register_introspection_commands(CommandTable& t) {
  using namespace introspection;
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