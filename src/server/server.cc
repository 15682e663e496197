// Server lifecycle; see server.h.
#include "server/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "command/table.h"
#include "common/log.h"
#include "engine/clock.h"
#include "net/http_connection.h"
#include "net/io_threads.h"
#include "net/resp_connection.h"
#include "protocol/resp/resp_reply.h"

namespace cairn::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Accept failures (EMFILE from outside the budget, ENOMEM) repeat every
// pause while they last: log the first, then a count every 10 s.
class AcceptFailureLog {
 public:
  explicit AcceptFailureLog(const char* door) : door_(door) {}
  void failed(const boost::system::error_code& ec) {
    auto now = std::chrono::steady_clock::now();
    if (logged_once_ && now - last_ < std::chrono::seconds(10)) {
      suppressed_++;
      return;
    }
    if (suppressed_ > 0) {
      log::warn("{} accept failed: {} ({} more since the last report)", door_, ec.message(), suppressed_);
    } else {
      log::warn("{} accept failed: {}", door_, ec.message());
    }
    suppressed_ = 0;
    last_ = now;
    logged_once_ = true;
  }

 private:
  const char* door_;
  std::chrono::steady_clock::time_point last_{};
  uint64_t suppressed_ = 0;
  bool logged_once_ = false;
};

// Accepts connections for one front door; `make` wraps each socket in its
// connection object (which has a run() coroutine).
template <typename MakeConnection>
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, net::IoThreads& io, const char* door,
                                  MakeConnection make) {
  AcceptFailureLog failures(door);
  for (;;) {
    asio::io_context& target = io.next();
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(target, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors (EMFILE) or memory: pause instead of spinning on
      // an accept that keeps failing; established clients keep being served.
      failures.failed(ec);
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto conn = make(std::move(socket));
    asio::co_spawn(target, [conn]() -> asio::awaitable<void> { co_await conn->run(); }, asio::detached);
  }
}

bool listen(tcp::acceptor& acceptor, const std::string& bind, int port) {
  try {
    tcp::endpoint ep(asio::ip::make_address(bind), static_cast<uint16_t>(port));
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return true;
  } catch (const std::exception& e) {
    log::error("cannot listen on {}:{}: {}", bind, port, e.what());
    return false;
  }
}

// Every connection is a descriptor, and the default soft limit (often 1,024)
// is far below --maxclients: raise it to the hard limit, as Redis does.
// Returns the limit in force.
uint64_t raise_open_files_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t before = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0) log::info("open files limit raised from {} to {}", before, rl.rlim_cur);
    else getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur == RLIM_INFINITY ? uint64_t{1} << 20 : static_cast<uint64_t>(rl.rlim_cur);
}

// Descriptors the store and the server need besides table files and client
// connections: WAL, MANIFEST, LOCK, info log, directories, flush and
// compaction outputs, listening sockets, epoll and event fds, and the socket
// of a client being refused.
constexpr uint64_t kReservedDescriptors = 128;

// Splits the open-files limit between RocksDB's table files (a quarter, 64 to
// 10,000) and client connections (the rest), so that a flood of clients gets
// "max number of clients" instead of starving the store of descriptors (a
// flush or a new WAL failing with EMFILE stops every write).
void budget_descriptors(uint64_t limit, command::Settings& settings, engine::EngineOptions& eo) {
  uint64_t usable = limit > kReservedDescriptors ? limit - kReservedDescriptors : 0;
  uint64_t tables = std::clamp<uint64_t>(usable / 4, 64, 10000);
  uint64_t connections = usable > tables ? usable - tables : 0;
  eo.max_open_files = static_cast<int>(tables);
  settings.connection_descriptors = static_cast<int64_t>(connections);
  uint64_t want = settings.maxclients.load() + static_cast<uint64_t>(settings.http_max_connections);
  if (connections < want) {
    log::warn("open files limit is {}: room for {} client connections (RESP and HTTP together) and {} open "
              "table files, fewer than --maxclients + --http-max-connections ({}); clients past it are refused",
              limit, connections, tables, want);
  }
}

}  // namespace

int serve(command::Settings& settings, const Config& config) {
  uint64_t open_files_limit = raise_open_files_limit();
  engine::EngineOptions eo;
  budget_descriptors(open_files_limit, settings, eo);
  eo.dir = settings.data_dir;
  eo.fsync = config.fsync;
  eo.cache_bytes = settings.cache_bytes;
  eo.feed_retention = settings.feed_retention;
  eo.disk_reserve_bytes = settings.disk_reserve_bytes;
  std::unique_ptr<engine::Engine> engine;
  auto t0 = std::chrono::steady_clock::now();
  rocksdb::Status s = engine::Engine::open(eo, &engine);
  if (!s.ok()) {
    log::error("cannot open the store in {}: {}", settings.data_dir, s.ToString());
    return 1;
  }
  auto open_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

  command::register_all_commands();
  command::ClientRegistry clients;
  command::ServerContext ctx(*engine, settings, clients);
  ctx.start_unix_ms = engine::unix_ms();
  net::IoThreads io(settings.threads);
  ctx.io_threads = settings.threads;

  tcp::acceptor acceptor(io.at(0));
  tcp::acceptor http_acceptor(io.at(0));
  net::HttpOptions http_options;
  http_options.tokens = settings.http_tokens;
  http_options.max_body_bytes = settings.http_max_body_bytes;
  http_options.max_connections = settings.http_max_connections;
  http_options.read_timeout_seconds = settings.http_request_timeout_seconds;
  if (!listen(acceptor, settings.bind, settings.port) ||
      (settings.http_port != 0 && !listen(http_acceptor, settings.http_bind, settings.http_port))) {
    engine->close();
    return 1;
  }
  ctx.tcp_port = acceptor.local_endpoint().port();

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  auto request_stop = [&] {
    ctx.scripts().abort_for_shutdown();  // a running script would hold the writer
    std::lock_guard l(mu);
    stop = true;
    cv.notify_all();
  };
  ctx.request_shutdown = request_stop;
  ctx.make_resp_reply = [](std::string& out, const std::atomic<int>& resp) -> std::unique_ptr<command::Reply> {
    return std::make_unique<protocol::resp::RespReply>(out, resp);
  };
  asio::signal_set signals(io.at(0), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) {
      log::info("received signal {}, shutting down", sig);
      request_stop();
    }
  });
  asio::co_spawn(io.at(0),
                 accept_loop(acceptor, io, "RESP",
                             [&ctx](tcp::socket s) { return std::make_shared<net::RespConnection>(std::move(s), ctx); }),
                 asio::detached);
  if (http_acceptor.is_open()) {
    asio::co_spawn(io.at(0), accept_loop(http_acceptor, io, "HTTP", [&ctx, &http_options](tcp::socket s) {
                     return std::make_shared<net::HttpConnection>(std::move(s), ctx, http_options);
                   }),
                   asio::detached);
    log::info("HTTP on {}:{} ({})", settings.http_bind, http_acceptor.local_endpoint().port(),
              settings.http_tokens.empty() ? "no token required" : "bearer token required");
  }
  io.start();
  log::info("cairn {} ready to accept connections on {}:{} (data {}, fsync {}, {} I/O threads, store opened in {} ms)",
            CAIRN_VERSION, settings.bind, ctx.tcp_port, settings.data_dir, config.fsync_name, settings.threads,
            open_ms);

  {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return stop; });
  }
  // Stop accepting, close clients (in-flight writes still commit), then stop.
  asio::post(io.at(0), [&] {
    boost::system::error_code ec;
    acceptor.close(ec);
    http_acceptor.close(ec);
    signals.cancel(ec);
  });
  clients.kill_if([](command::Session&) { return true; });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (clients.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  io.stop();
  engine->close();
  log::info("shut down cleanly");
  return 0;
}

}  // namespace cairn::server
