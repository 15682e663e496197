// Runtime settings: what the command line sets and CONFIG GET/SET reads and
// changes. Numbers are atomics (read on every request); strings sit behind a
// mutex and are read rarely.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace cairn::command {

struct Settings {
  // Fixed at start-up.
  std::string data_dir = "./data";
  std::string bind = "127.0.0.1";
  int port = 6379;
  // HTTP front door (0: off). Without tokens it accepts only loopback binds.
  std::string http_bind = "127.0.0.1";
  int http_port = 4869;
  std::vector<std::string> http_tokens;
  size_t http_max_body_bytes = 64u << 20;
  int64_t http_max_watchers = 1000;  // concurrent SSE watch streams; more get 429
  int64_t http_max_connections = 10000;  // concurrent HTTP connections; more get 503
  int http_request_timeout_seconds = 30;  // a request (headers and body) must arrive within this
  int threads = 0;  // 0: number of cores
  size_t cache_bytes = 256u << 20;
  uint64_t disk_reserve_bytes = 64u << 20;  // writes refused below this much free disk
  uint64_t feed_retention = 1000000;
  // Descriptors left for client connections, RESP and HTTP together: the
  // open-files limit less the store's table files and a reserve (server.cc).
  // Past it a new client is refused at once, so the store never meets EMFILE.
  int64_t connection_descriptors = INT64_MAX;

  // Changeable with CONFIG SET.
  std::atomic<uint64_t> max_key_bytes{64u << 10};
  // Stream node limits (model/stream.h): how many entries / bytes make a node,
  // the unit approximate trimming removes.
  std::atomic<int64_t> stream_node_max_entries{100};
  std::atomic<int64_t> stream_node_max_bytes{4096};
  std::atomic<uint64_t> max_value_bytes{512u << 20};
  std::atomic<uint64_t> maxclients{10000};
  std::atomic<int64_t> timeout_seconds{0};
  // A client whose replies make no progress for this long (it stopped
  // reading) is closed: its output stays bounded and its place is freed.
  // Progress, not completion: a large reply to a slow reader is fine.
  std::atomic<int64_t> drain_timeout_seconds{30};
  std::atomic<uint64_t> output_buffer_limit{256u << 20};
  std::atomic<uint64_t> max_query_bytes{1u << 30};

  std::string requirepass() const {
    std::lock_guard l(mu_);
    return requirepass_;
  }
  void set_requirepass(std::string p) {
    std::lock_guard l(mu_);
    requirepass_ = std::move(p);
    has_password.store(!requirepass_.empty());
  }
  std::atomic<bool> has_password{false};

  // Redis settings Cairn accepts but does not act on (hash-max-listpack-entries,
  // save, notify-keyspace-events, …), by canonical name, so that CONFIG GET
  // returns what CONFIG SET stored. Missing: the Redis default.
  mutable std::mutex tolerated_mu;
  std::map<std::string, std::string, std::less<>> tolerated;

 private:
  mutable std::mutex mu_;
  std::string requirepass_;
};

}  // namespace cairn::command
