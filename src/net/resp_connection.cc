// RESP connection loop; see resp_connection.h.
#include "net/resp_connection.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fmt/format.h>

#include <cstring>
#include <optional>

#include "command/dispatch.h"
#include "command/errors.h"
#include "command/table.h"
#include "common/log.h"
#include "engine/clock.h"
#include "engine/status.h"
#include "net/command_runner.h"
#include "net/writer_op.h"

namespace cairn::net {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {

constexpr size_t kInitialBuffer = 16 * 1024;
constexpr size_t kFlushThreshold = 1 << 20;  // send replies early past this

std::string endpoint_string(const asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

RespConnection::RespConnection(asio::ip::tcp::socket socket, command::ServerContext& server)
    : socket_(std::move(socket)),
      server_(server),
      mailbox_(std::make_shared<PubSubMailbox>(socket_.get_executor())),
      reply_(out_, session_.resp) {
  session_.subscriber = mailbox_.get();
  session_.can_block = true;
  boost::system::error_code ec;
  session_.addr = endpoint_string(socket_.remote_endpoint(ec));
  session_.laddr = endpoint_string(socket_.local_endpoint(ec));
  session_.authenticated = !server_.settings().has_password.load();
  session_.fd = static_cast<int>(socket_.native_handle());
  session_.created_ms = engine::unix_ms();
  session_.last_active_ms = session_.created_ms;
}

RespConnection::~RespConnection() {
  if (registered_) server_.clients().remove(session_.id);
}

void RespConnection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  server_.watched_keys().unwatch_all(&session_);
  if (blocked_wait_) server_.blocked().cancel(*blocked_wait_);
  server_.channels().unsubscribe_all(mailbox_.get());
  session_.subscriptions = 0;
  if (registered_) {
    server_.clients().remove(session_.id);
    registered_ = false;
  }
}

asio::awaitable<void> RespConnection::run() {
  auto self = shared_from_this();
  size_t open = server_.clients().size();
  if (open >= server_.settings().maxclients.load() ||
      static_cast<int64_t>(open) + server_.stats().http_connections.load(std::memory_order_relaxed) >=
          server_.settings().connection_descriptors) {
    server_.stats().rejected_connections++;
    static constexpr std::string_view kFull = "-ERR max number of clients reached\r\n";
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(kFull), ec);
    close();
    co_return;
  }
  // kill is set before the session is registered: another thread (CLIENT
  // KILL, shutdown) reads it under the registry's lock from then on.
  session_.kill = [weak = weak_from_this(), ex = socket_.get_executor()] {
    asio::post(ex, [weak] {
      if (auto c = weak.lock()) c->close();
    });
  };
  server_.clients().add(&session_);
  registered_ = true;
  server_.stats().connections_received++;
  asio::co_spawn(socket_.get_executor(), watchdog(), asio::detached);
  in_.resize(kInitialBuffer);
  try {
    while (!closed_ && !session_.closing) {
      if (session_.watch.active) {
        co_await run_watch();
      } else if (session_.subscriptions > 0) {
        co_await run_subscribed();
      } else if (!co_await read_and_execute()) {
        break;
      }
    }
  } catch (const boost::system::system_error&) {
    // Peer closed or reset; nothing to answer.
  }
  close();
}

bool RespConnection::make_room_to_read() {
  if (in_end_ == in_.size()) {
    // Grow with the data actually received (doubling, up to what the
    // pending command needs), never by a length the client only claims.
    size_t want = in_.size() * 2;
    if (parser_.needed() > in_.size()) want = std::min(want, parser_.needed());
    if (want > server_.settings().max_query_bytes.load()) {
      log::warn("closing client {}: query buffer over max-query-bytes", session_.addr);
      return false;
    }
    in_.resize(want);
  }
  return true;
}

asio::awaitable<void> RespConnection::execute_received(size_t n) {
  in_end_ += n;
  server_.stats().net_input_bytes.fetch_add(n, std::memory_order_relaxed);
  batch_now_ms_ = engine::unix_ms();
  session_.last_active_ms.store(batch_now_ms_, std::memory_order_relaxed);
  co_await execute_batch();
}

asio::awaitable<bool> RespConnection::read_and_execute() {
  if (!make_room_to_read()) co_return false;
  size_t n = co_await socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                                               use_awaitable);
  co_await execute_received(n);
  co_return true;
}

asio::awaitable<void> RespConnection::execute_batch() {
  args_.clear();
  cmds_.clear();
  protocol::resp::ParserLimits limits;
  limits.max_bulk = server_.settings().max_value_bytes.load();
  limits.authenticated = session_.authenticated;
  std::string protocol_error;
  std::vector<std::string_view> argv;
  for (;;) {
    size_t consumed = 0;
    auto r = parser_.parse(in_.data() + in_begin_, in_end_ - in_begin_, limits, &argv, &consumed, &protocol_error);
    if (r == protocol::resp::RespParser::Result::kNeedMore) break;
    if (r == protocol::resp::RespParser::Result::kError) break;
    in_begin_ += consumed;
    if (!argv.empty()) {
      cmds_.emplace_back(args_.size(), argv.size());
      args_.insert(args_.end(), argv.begin(), argv.end());
    }
    // Until AUTH succeeds, parse one command at a time: limits depend on it.
    if (!session_.authenticated) break;
  }

  auto argv_at = [&](size_t i) {
    return command::Argv(args_.data() + cmds_[i].first, cmds_[i].second);
  };
  size_t i = 0;
  // The reads between two writes share one snapshot; a write ends it, so the
  // reads after it see it.
  std::optional<engine::SnapshotView> reads;
  while (i < cmds_.size() && !session_.closing && !closed_) {
    command::Argv cmd = argv_at(i);
    const command::CommandSpec* spec = command::lookup_command(cmd[0]);
    // CLIENT REPLY OFF / SKIP: one command at a time, its reply dropped.
    bool silenced = session_.replies_off || session_.skip_next_reply;
    size_t mark = reply_.mark();
    session_.reply_mode_set = session_.reply_pushed = false;
    if (session_.watch.active && spec && !(spec->flags & command::kWhileWatching)) {
      reply_.error(fmt::format("ERR Can't execute '{}': only CAIRN.UNWATCH / PING / QUIT / RESET are allowed "
                               "while the connection watches",
                               spec->name));
      ++i;
    } else if (runs_on_writer(server_, session_, spec, cmd)) {
      reads.reset();
      command::CommandOp op(server_, session_, reply_);
      i = gather_writes(op, spec, i, silenced ? i + 1 : cmds_.size(), argv_at);
      co_await async_run_op(server_.engine(), op, use_awaitable);
      if (session_.blocked) {
        co_await flush();  // the replies before it go now
        mark = 0;
        co_await run_blocked();
      }
      batch_now_ms_ = engine::unix_ms();
    } else {
      if (!reads) reads.emplace(server_.engine());
      run_read(server_, session_, reply_, cmd, spec, batch_now_ms_, *reads);
      ++i;
    }
    if (silenced && !session_.reply_mode_set) {
      if (!session_.reply_pushed) reply_.rewind(mark);
      session_.skip_next_reply = false;
    }
    if (out_.size() >= kFlushThreshold) {
      reads.reset();  // not held while a slow client drains its replies
      co_await flush();
      batch_now_ms_ = engine::unix_ms();
    }
  }
  if (!protocol_error.empty()) {
    log::warn("closing client {}: {}", session_.addr, protocol_error);
    reply_.error(protocol_error);
    session_.closing = true;
  }
  co_await flush();
  parser_.clear_storage();
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
    if (in_.size() > 4 * kInitialBuffer) {
      in_.resize(kInitialBuffer);
      in_.shrink_to_fit();
    }
  } else if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
}

asio::awaitable<void> RespConnection::flush() {
  if (out_.empty() || closed_) {
    out_.clear();
    co_return;
  }
  size_t n = out_.size();
  // Piece by piece, stamping each: --drain-timeout measures time without
  // progress, so a large reply to a slow but reading client is not cut off.
  for (size_t done = 0; done < n;) {
    flush_started_ms_.store(engine::unix_ms(), std::memory_order_relaxed);
    done += co_await socket_.async_write_some(asio::buffer(out_.data() + done, n - done), use_awaitable);
  }
  flush_started_ms_.store(0, std::memory_order_relaxed);
  server_.stats().net_output_bytes.fetch_add(n, std::memory_order_relaxed);
  if (out_.capacity() > 4 * kFlushThreshold) {
    std::string().swap(out_);
  } else {
    out_.clear();
  }
}

asio::awaitable<void> RespConnection::watchdog() {
  auto self = shared_from_this();
  asio::steady_timer timer(socket_.get_executor());
  while (!closed_) {
    timer.expires_after(std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    int64_t timeout = server_.settings().timeout_seconds.load();
    // Like Redis's subscribers, a watching client is idle by design.
    int64_t now = engine::unix_ms();
    bool idle = now - session_.last_active_ms.load() > timeout * 1000;
    // A blocked client waits on its own timeout, not --timeout (as in Redis).
    if (timeout > 0 && !session_.watch.active && session_.subscriptions == 0 && !blocked_wait_ && idle) close();
    // A write that has made no progress for --drain-timeout: the client stopped
    // reading. Closing it bounds its output and frees its place.
    int64_t started = flush_started_ms_.load(std::memory_order_relaxed);
    if (started && now - started > server_.settings().drain_timeout_seconds.load() * 1000) {
      log::warn("closing client {}: its replies were not read for --drain-timeout", session_.addr);
      server_.stats().drained_clients.fetch_add(1, std::memory_order_relaxed);
      close();
    }
  }
}

}  // namespace cairn::net
