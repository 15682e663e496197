// INFO: Redis 7.0's sections and fields, which libraries and test suites
// parse, filled from Cairn's own figures, plus a "cairn" section (record
// cache, disk, revisions). Part of the introspection family (introspection.h).
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/dispatch.h"
#include "command/introspection.h"
#include "command/server_context.h"
#include "command/table.h"
#include "engine/clock.h"
#include "engine/keys.h"
#include "engine/record.h"

namespace cairn::command::introspection {

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
  std::string hz = config_get_one(server, "hz");
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
                 "client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:{}\r\n"
                 "tracking_clients:0\r\nclients_in_timeout_table:{}\r\n",
                 server.clients().size(), server.settings().maxclients.load(), server.blocked().blocked_clients(),
                 server.blocked().clients_with_deadline());
}

void info_memory(ServerContext& server, Out o) {
  ProcessMemory m = process_memory();
  std::string policy = config_get_one(server, "maxmemory-policy");
  fmt::format_to(o,
                 "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\n"
                 "used_memory_rss_human:{}\r\nused_memory_peak:{}\r\nused_memory_peak_human:{}\r\n"
                 "used_memory_peak_perc:{:.2f}%\r\nused_memory_overhead:0\r\nused_memory_startup:0\r\n"
                 "used_memory_dataset:{}\r\nused_memory_dataset_perc:100.00%\r\ntotal_system_memory:{}\r\n"
                 "total_system_memory_human:{}\r\nused_memory_lua:0\r\nused_memory_vm_eval:0\r\n"
                 "used_memory_scripts_eval:0\r\nnumber_of_cached_scripts:{}\r\nnumber_of_functions:{}\r\n"
                 "number_of_libraries:{}\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:{}\r\n"
                 "mem_fragmentation_ratio:{:.2f}\r\nmem_fragmentation_bytes:{}\r\nmem_allocator:libc\r\n"
                 "active_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n"
                 "cairn_cache_bytes:{}\r\n",
                 m.allocated, bytes_to_human(m.allocated), m.rss, bytes_to_human(m.rss), m.peak,
                 bytes_to_human(m.peak), 100.0 * ratio(m.allocated, m.peak), m.allocated, m.system,
                 bytes_to_human(m.system), server.scripts().cached_count(), server.scripts().function_count(),
                 server.scripts().library_count(), policy, ratio(m.rss, m.allocated),
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
                 "keyspace_misses:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\n"
                 "latest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n"
                 "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n"
                 "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
                 "current_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\n"
                 "tracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:{}\r\n"
                 "dump_payload_sanitizations:0\r\ntotal_reads_processed:0\r\ntotal_writes_processed:0\r\n"
                 "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n",
                 s.connections_received.load(), s.commands.load(), s.net_input_bytes.load(),
                 s.net_output_bytes.load(), s.rejected_connections.load(), expired, s.keyspace_hits.load(),
                 s.keyspace_misses.load(), server.channels().active_count(Channels::Space::kChannel),
                 server.channels().patterns(), server.channels().active_count(Channels::Space::kShard),
                 s.error_replies.load());
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

void info_errorstats(ServerContext& server, Out o) {
  fmt::format_to(o, "# Errorstats\r\n");
  ServerStats& s = server.stats();
  std::lock_guard lock(s.error_codes_mu);
  for (const auto& [code, count] : s.error_codes) fmt::format_to(o, "errorstat_{}:count={}\r\n", code, count);
}
void info_latencystats(ServerContext&, Out o) { fmt::format_to(o, "# Latencystats\r\n"); }
void info_cluster(ServerContext&, Out o) { fmt::format_to(o, "# Cluster\r\ncluster_enabled:0\r\n"); }

// Cairn does not count keys with a TTL per namespace: expires is 0.
void info_keyspace(ServerContext& server, Out o) {
  fmt::format_to(o, "# Keyspace\r\n");
  for (int db = 0; db < engine::kUserNamespaces; ++db) {
    int64_t keys = server.engine().key_count(server.db_ns(static_cast<uint8_t>(db)));
    if (keys > 0) fmt::format_to(o, "db{}:keys={},expires=0,avg_ttl=0\r\n", db, keys);
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

}  // namespace cairn::command::introspection
