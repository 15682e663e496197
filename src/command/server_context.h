// The server as commands see it: the engine, settings, clients and counters.
// Filled by server/ at start-up, so commands never depend on the layers above.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <cstdint>
#include <functional>

#include "command/blocking.h"
#include "command/channels.h"
#include "command/clients.h"
#include "command/lua_scripts.h"
#include "command/notify.h"
#include "common/latency_histogram.h"
#include "command/session.h"
#include "command/settings.h"
#include "command/watched_keys.h"
#include "engine/engine.h"
#include "model/databases.h"

namespace cairn::command {

// HTTP routes as /metrics labels them.
enum class HttpRoute : uint8_t { kHealth, kUpstash, kKv, kList, kWatch, kAdmin, kMetrics, kOther };
inline constexpr int kHttpRouteCount = 8;
inline const char* http_route_name(int r) {
  static constexpr const char* kNames[] = {"healthz", "upstash", "kv", "list", "watch", "admin", "metrics", "other"};
  return kNames[r];
}

struct ServerStats {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> connections_received{0};
  std::atomic<uint64_t> rejected_connections{0};
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
  std::atomic<uint64_t> net_input_bytes{0};
  std::atomic<uint64_t> net_output_bytes{0};
  std::atomic<uint64_t> error_replies{0};
  // INFO errorstats: error replies by code ("ERR", "WRONGTYPE", …); at most
  // kMaxErrorCodes codes, as Redis stops tracking new ones past 128.
  static constexpr size_t kMaxErrorCodes = 128;
  std::mutex error_codes_mu;
  std::map<std::string, uint64_t, std::less<>> error_codes;
  void count_error(std::string_view code) {
    std::lock_guard lock(error_codes_mu);
    auto it = error_codes.find(code);
    if (it != error_codes.end()) ++it->second;
    else if (error_codes.size() < kMaxErrorCodes) error_codes.emplace(code, 1);
  }
  // Engine counters at the last CONFIG RESETSTAT (the engine's own never reset).
  std::atomic<uint64_t> expired_keys_base{0};
  // Per front door (Door): commands run and the microseconds they took.
  std::array<std::atomic<uint64_t>, kDoorCount> door_commands{};
  std::array<std::atomic<uint64_t>, kDoorCount> door_usec{};
  std::array<LatencyHistogram, kDoorCount> door_latency;
  // The HTTP port: open connections, and requests by route (HttpRoute).
  std::atomic<int64_t> http_connections{0};
  std::atomic<uint64_t> http_rejected_connections{0};  // over --http-max-connections
  std::atomic<uint64_t> drained_clients{0};  // closed after --drain-timeout
  std::atomic<int64_t> http_watchers{0};  // open watch streams
  std::atomic<int64_t> resp_watchers{0};  // connections in CAIRN.WATCH mode
  std::array<std::atomic<uint64_t>, kHttpRouteCount> http_requests{};
  std::array<std::atomic<uint64_t>, kHttpRouteCount> http_errors{};  // answered 4xx/5xx
  std::array<std::atomic<uint64_t>, kHttpRouteCount> http_usec{};
  std::array<LatencyHistogram, kHttpRouteCount> http_latency;
};

// The engine takes one observer of changed keys: WATCH and the blocked
// clients both need them.
// clients both need them, by database (SWAPDB moves a database's namespace).
class KeyChangeFanout final : public engine::ChangeObserver {
 public:
  KeyChangeFanout(WatchedKeys& w, BlockedClients& b, const std::array<std::atomic<uint8_t>, engine::kMaxNamespaces>& db_of)
      : watched_(w), blocked_(b), db_of_(db_of) {}
  void changed(uint8_t ns, engine::FeedKind kind, std::string_view key) override {
    uint8_t db = ns < db_of_.size() ? db_of_[ns].load(std::memory_order_acquire) : ns;
    watched_.changed(db, kind, key);
    blocked_.changed(db, kind, key);
  }

 private:
  WatchedKeys& watched_;
  BlockedClients& blocked_;
  const std::array<std::atomic<uint8_t>, engine::kMaxNamespaces>& db_of_;
};

class ServerContext {
 public:
  ServerContext(engine::Engine& e, Settings& s, ClientRegistry& c) : engine_(e), settings_(s), clients_(c) {
    set_database_map(model::read_database_map(engine_.committed()));
    engine_.set_change_observer(&key_changes_);
    load_functions();
  }
  ~ServerContext() {
    engine_.set_change_observer(nullptr);
    engine_.set_key_events(0, nullptr);
  }
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;
  engine::Engine& engine() { return engine_; }
  // SWAPDB: the namespace that holds Redis database `db` (databases past the
  // 16 are their own), and the database a namespace is shown as.
  uint8_t db_ns(uint8_t db) const {
    return db < db_ns_.size() ? db_ns_[db].load(std::memory_order_acquire) : db;
  }
  uint8_t ns_db(uint8_t ns) const { return ns < ns_db_.size() ? ns_db_[ns].load(std::memory_order_acquire) : ns; }
  model::DatabaseMap database_map() const {
    model::DatabaseMap m;
    for (size_t d = 0; d < m.size(); ++d) m[d] = db_ns_[d].load(std::memory_order_acquire);
    return m;
  }
  void set_database_map(const model::DatabaseMap& m) {
    for (size_t ns = 0; ns < ns_db_.size(); ++ns) ns_db_[ns].store(static_cast<uint8_t>(ns), std::memory_order_release);
    for (size_t d = 0; d < m.size(); ++d) {
      db_ns_[d].store(m[d], std::memory_order_release);
      ns_db_[m[d]].store(static_cast<uint8_t>(d), std::memory_order_release);
    }
  }
  WatchedKeys& watched_keys() { return watched_keys_; }
  BlockedClients& blocked() { return blocked_; }
  Channels& channels() { return channels_; }
  LuaScripts& scripts() { return scripts_; }
  // The function libraries stored by FUNCTION LOAD (at start-up).
  void load_functions();
  // notify-keyspace-events: Txns keep events only while K or E and a class are on.
  uint32_t notify_flags() const { return keyspace_publisher_.flags(); }
  void set_notify_flags(uint32_t flags) {
    keyspace_publisher_.set_flags(flags);
    bool publishes = flags & (engine::kEventKeyspace | engine::kEventKeyevent);
    engine_.set_key_events(publishes ? flags : 0, &keyspace_publisher_);
  }
  Settings& settings() { return settings_; }
  ClientRegistry& clients() { return clients_; }
  ServerStats& stats() { return stats_; }
  int64_t start_unix_ms = 0;
  uint16_t tcp_port = 0;
  int io_threads = 1;
  std::function<void()> request_shutdown;
  // A RESP reply writer over `out` (set by server/: commands do not know the
  // protocol): a served blocked command writes its client's reply with it.
  std::function<std::unique_ptr<Reply>(std::string& out, const std::atomic<int>& resp)> make_resp_reply;

 private:
  engine::Engine& engine_;
  Settings& settings_;
  ClientRegistry& clients_;
  ServerStats stats_;
  std::array<std::atomic<uint8_t>, engine::kUserNamespaces> db_ns_{};
  std::array<std::atomic<uint8_t>, engine::kMaxNamespaces> ns_db_{};
  WatchedKeys watched_keys_;
  BlockedClients blocked_;
  KeyChangeFanout key_changes_{watched_keys_, blocked_, ns_db_};
  Channels channels_;
  KeyspacePublisher keyspace_publisher_{channels_, [this](uint8_t ns) { return ns_db(ns); }};
  LuaScripts scripts_;
};

}  // namespace cairn::command
