// A RESP connection blocked in BLPOP and friends (command/blocking.h): it
// sleeps until the wait is served (and durable), times out, or is ended by
// CLIENT UNBLOCK, then writes the answer and goes on with the commands that
// came after it. Meanwhile it still reads, so a client that goes away is
// noticed; what it sends waits in the input buffer, as in Redis.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>

#include "command/blocking.h"
#include "engine/clock.h"
#include "net/resp_connection.h"

namespace cairn::net {

namespace asio = boost::asio;

asio::awaitable<void> RespConnection::run_blocked() {
  using namespace asio::experimental::awaitable_operators;
  using State = command::BlockedWait::State;
  std::shared_ptr<command::BlockedWait> w = std::move(session_.blocked);
  blocked_wait_ = w;
  command::BlockedClients& registry = server_.blocked();
  auto timer = std::make_shared<asio::steady_timer>(socket_.get_executor());
  // Expiring the timer (not cancelling a wait) also wakes a wait that starts
  // after the wake-up was posted.
  registry.set_waker(*w, [weak = std::weak_ptr(timer), ex = socket_.get_executor()] {
    asio::post(ex, [weak] {
      if (auto t = weak.lock()) t->expires_at(asio::steady_timer::time_point::min());
    });
  });
  State state = State::kWaiting;
  while (!closed_) {
    int64_t now = engine::unix_ms();
    // Armed before the state is read: a wake-up from here on ends the wait below.
    if (w->deadline_ms == 0) timer->expires_after(std::chrono::hours(1));
    else timer->expires_after(std::chrono::milliseconds(std::max<int64_t>(0, w->deadline_ms - now)));
    state = registry.poll(*w, now);
    if (state != State::kWaiting) break;
    // Read only into the room there is: the commands still to run point into
    // the buffer, so it must not move.
    if (in_end_ < in_.size()) {
      auto woke = co_await (socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                                                    asio::as_tuple(asio::use_awaitable)) ||
                            timer->async_wait(asio::as_tuple(asio::use_awaitable)));
      if (woke.index() == 0) {
        auto [ec, n] = std::get<0>(woke);
        if (ec) break;  // gone: close() drops the wait
        in_end_ += n;
        server_.stats().net_input_bytes.fetch_add(n, std::memory_order_relaxed);
      }
    } else {
      co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  if (closed_ || state == State::kWaiting) {
    close();
    co_return;
  }
  registry.set_waker(*w, nullptr);
  blocked_wait_.reset();
  session_.last_active_ms.store(engine::unix_ms(), std::memory_order_relaxed);
  if (state == State::kServed) {
    out_.append(w->out);
  } else if (state == State::kUnblockedError) {
    reply_.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else if (w->timeout_null_array) {
    reply_.null_array();
  } else {
    reply_.null();
  }
}

}  // namespace cairn::net
