// Prometheus metrics; see http_metrics.h.
#include "net/http_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "command/table.h"
#include "engine/clock.h"
#include "engine/keys.h"

namespace cairn::net {

namespace {

double seconds(uint64_t usec) { return static_cast<double>(usec) / 1e6; }

class Writer {
 public:
  // One metric family: its HELP and TYPE lines, then samples.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <typename T>
  void sample(std::string_view name, T value, std::string_view labels = {}) {
    if (labels.empty()) fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    else fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
  }
  // The samples of one histogram (the family line is the caller's): its
  // cumulative buckets, sum and count.
  void histogram(std::string_view name, const LatencyHistogram& h, uint64_t sum_usec, std::string_view labels = {}) {
    std::string sep = labels.empty() ? "" : std::string(labels) + ",";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
      cumulative += h.count(i);
      if (i + 1 < LatencyHistogram::kBuckets) {
        fmt::format_to(std::back_inserter(out_), "{}_bucket{{{}le=\"{}\"}} {}\n", name, sep,
                       static_cast<double>(LatencyHistogram::kBoundsUsec[i]) / 1e6, cumulative);
      } else {
        fmt::format_to(std::back_inserter(out_), "{}_bucket{{{}le=\"+Inf\"}} {}\n", name, sep, cumulative);
      }
    }
    sample(std::string(name) + "_sum", seconds(sum_usec), labels);
    sample(std::string(name) + "_count", cumulative, labels);
  }
  template <typename T>
  void single(std::string_view name, std::string_view type, std::string_view help, T value) {
    family(name, type, help);
    sample(name, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string render_metrics(command::ServerContext& server) {
  Writer w;
  engine::Engine& e = server.engine();
  const command::ServerStats& st = server.stats();

  std::vector<const command::CommandSpec*> specs;
  command::command_table().for_each([&](const command::CommandSpec& s) {
    if (s.stats->calls.load() || s.stats->failed.load() || s.stats->rejected.load()) specs.push_back(&s);
  });
  std::sort(specs.begin(), specs.end(), [](auto* a, auto* b) { return a->name < b->name; });
  w.family("cairn_commands_total", "counter", "Commands run, by command (any front door).");
  for (auto* s : specs) w.sample("cairn_commands_total", s->stats->calls.load(), fmt::format("command=\"{}\"", s->name));
  w.family("cairn_command_duration_seconds", "histogram", "Time spent running commands, by command.");
  for (auto* s : specs) {
    w.histogram("cairn_command_duration_seconds", s->stats->latency, s->stats->usec.load(),
                fmt::format("command=\"{}\"", s->name));
  }
  w.family("cairn_command_errors_total", "counter", "Commands that answered an error, by command.");
  for (auto* s : specs) {
    w.sample("cairn_command_errors_total", s->stats->failed.load() + s->stats->rejected.load(),
             fmt::format("command=\"{}\"", s->name));
  }
  w.family("cairn_door_commands_total", "counter", "Commands run, by front door.");
  for (int d = 0; d < command::kDoorCount; ++d) {
    w.sample("cairn_door_commands_total", st.door_commands[d].load(),
             fmt::format("door=\"{}\"", command::door_name(static_cast<command::Door>(d))));
  }
  w.family("cairn_door_command_duration_seconds", "histogram", "Time spent running commands, by front door.");
  for (int d = 0; d < command::kDoorCount; ++d) {
    w.histogram("cairn_door_command_duration_seconds", st.door_latency[d], st.door_usec[d].load(),
                fmt::format("door=\"{}\"", command::door_name(static_cast<command::Door>(d))));
  }
  w.family("cairn_http_requests_total", "counter", "HTTP requests answered, by route.");
  for (int r = 0; r < command::kHttpRouteCount; ++r) {
    w.sample("cairn_http_requests_total", st.http_requests[r].load(), fmt::format("route=\"{}\"", command::http_route_name(r)));
  }
  w.family("cairn_http_request_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status, by route.");
  for (int r = 0; r < command::kHttpRouteCount; ++r) {
    w.sample("cairn_http_request_errors_total", st.http_errors[r].load(), fmt::format("route=\"{}\"", command::http_route_name(r)));
  }
  w.family("cairn_http_request_duration_seconds", "histogram", "Time spent answering HTTP requests, by route.");
  for (int r = 0; r < command::kHttpRouteCount; ++r) {
    w.histogram("cairn_http_request_duration_seconds", st.http_latency[r], st.http_usec[r].load(),
                fmt::format("route=\"{}\"", command::http_route_name(r)));
  }
  w.family("cairn_connections", "gauge", "Open client connections, by front door.");
  w.sample("cairn_connections", server.clients().size(), "door=\"resp\"");
  w.sample("cairn_connections", st.http_connections.load(), "door=\"http\"");
  w.family("cairn_watchers", "gauge", "Open watch streams, by front door (HTTP SSE, RESP CAIRN.WATCH).");
  w.sample("cairn_watchers", st.http_watchers.load(), "door=\"http\"");
  w.sample("cairn_watchers", st.resp_watchers.load(), "door=\"resp\"");
  w.single("cairn_connections_received_total", "counter", "RESP connections accepted.", st.connections_received.load());
  w.family("cairn_rejected_connections_total", "counter",
           "Connections refused over the connection cap, by front door.");
  w.sample("cairn_rejected_connections_total", st.rejected_connections.load(), "door=\"resp\"");
  w.sample("cairn_rejected_connections_total", st.http_rejected_connections.load(), "door=\"http\"");
  w.single("cairn_drained_clients_total", "counter", "RESP clients closed because they stopped reading (--drain-timeout).",
           st.drained_clients.load());
  w.single("cairn_revision", "gauge", "The store's last committed revision.", e.last_revision());
  w.single("cairn_feed_first_revision", "gauge", "The oldest revision the change feed still holds.",
           e.feed_first_revision());
  w.family("cairn_keys", "gauge", "Keys stored, by namespace (Redis database); empty namespaces left out.");
  for (int ns = 0; ns < engine::kUserNamespaces; ++ns) {
    if (int64_t n = e.key_count(static_cast<uint8_t>(ns))) w.sample("cairn_keys", n, fmt::format("ns=\"{}\"", ns));
  }
  const engine::RecordCache& rc = e.record_cache();
  uint64_t hits = rc.hits(), misses = rc.misses();
  w.single("cairn_record_cache_hits_total", "counter", "Record-cache lookups that hit.", hits);
  w.single("cairn_record_cache_misses_total", "counter", "Record-cache lookups that missed.", misses);
  w.single("cairn_record_cache_hit_ratio", "gauge", "Record-cache hits / lookups since start.",
           hits + misses ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0.0);
  w.single("cairn_record_cache_bytes", "gauge", "Bytes the record cache holds.", rc.charged());
  uint64_t block_cache = 0;
  e.db()->GetIntProperty(e.cf(engine::Cf::kData), "rocksdb.block-cache-usage", &block_cache);
  w.single("cairn_block_cache_bytes", "gauge", "Bytes in RocksDB's block cache (memtables charged to it).", block_cache);
  w.single("cairn_disk_bytes", "gauge", "Bytes of the data directory.", e.disk_bytes());
  const engine::EngineStats& es = e.stats();
  w.single("cairn_write_groups_total", "counter", "Write groups committed (one RocksDB write each).", es.groups.load());
  w.single("cairn_write_ops_total", "counter", "Write operations in those groups.", es.ops.load());
  w.single("cairn_write_errors_total", "counter", "Write groups that failed.", es.write_errors.load());
  w.family("cairn_fsync_duration_seconds", "histogram", "WAL fsyncs (with their writes), by duration.");
  w.histogram("cairn_fsync_duration_seconds", es.fsync_latency, es.fsync_micros.load());
  w.single("cairn_wal_unsynced_windows_total", "counter",
           "--fsync everysec: WAL syncs that covered acknowledged writes.", es.unsynced_windows.load());
  w.single("cairn_wal_unsynced_window_max_seconds", "gauge",
           "--fsync everysec: the longest an acknowledged write waited for its WAL sync, since start "
           "(what an OS crash could lose).",
           static_cast<double>(es.unsynced_window_max_micros.load()) / 1e6);
  w.single("cairn_wal_unsynced_window_last_seconds", "gauge", "--fsync everysec: the same, for the latest sync.",
           static_cast<double>(es.unsynced_window_last_micros.load()) / 1e6);
  w.single("cairn_wal_unsynced_writes_max", "gauge",
           "--fsync everysec: the most client writes acknowledged in one window, since start.",
           es.unsynced_writes_max.load());
  w.single("cairn_expired_keys_total", "counter", "Keys removed because their TTL passed.", es.expired_keys.load());
  w.single("cairn_uptime_seconds", "gauge", "Seconds since the server started.",
           static_cast<double>(engine::unix_ms() - server.start_unix_ms) / 1000.0);
  return w.take();
}

}  // namespace cairn::net
