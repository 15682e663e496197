// Watch mode of a RESP connection (CAIRN.WATCH, command/watch.cc): the
// connection follows the change feed and pushes every matching change, while
// it still reads and answers the few commands allowed in that mode.
//
// Pushes (RESP3 push type; arrays in RESP2, like Redis's pub/sub messages):
//   ["change", <revision>, <kind>, <key>, <value>]  kind: set|delete|expired|expire|flush;
//       value is the string that write stored while the key still holds it,
//       else null (deleted, a collection, or replaced: a later change follows)
//   ["gap", <from>, <to>]      SINCE asked for revisions the feed no longer holds
//   ["lagged", <revision>, <head>]  the client fell out of the feed; it is closed
// A client that stops reading is dropped after --drain-timeout (the
// connection's watchdog), so writers never wait for watchers.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>

#include "engine/status.h"
#include "net/commit_waker.h"
#include "net/feed_follower.h"
#include "net/resp_connection.h"

namespace cairn::net {

namespace asio = boost::asio;

namespace {

constexpr auto kIdleWait = std::chrono::hours(1);  // woken by commits and by input

void push_event(command::Reply& reply, const FeedEvent& ev) {
  reply.push(5);
  reply.bulk("change");
  reply.integer(static_cast<int64_t>(ev.revision));
  reply.bulk(feed_kind_name(ev.kind));
  reply.bulk(ev.key);
  if (ev.state == FeedEvent::Value::kCurrent) reply.bulk(ev.value);
  else reply.null();
}

void push_pair(command::Reply& reply, std::string_view what, uint64_t a, uint64_t b) {
  reply.push(3);
  reply.bulk(what);
  reply.integer(static_cast<int64_t>(a));
  reply.integer(static_cast<int64_t>(b));
}

}  // namespace

asio::awaitable<void> RespConnection::run_watch() {
  const command::WatchState& w = session_.watch;
  FeedFollower follower(server_.engine(), WatchFilter{w.ns, w.exact, w.key}, w.position);
  FeedFollower::Step step;
  server_.stats().resp_watchers.fetch_add(1);
  struct Release {
    command::ServerStats& st;
    ~Release() { st.resp_watchers.fetch_sub(1); }
  } release{server_.stats()};

  // The coroutine sleeps on `timer`; a commit or input from the client wakes it.
  auto timer = std::make_shared<asio::steady_timer>(socket_.get_executor());
  CommitWaker waker(server_.engine(), timer);
  auto readable = std::make_shared<bool>(false);  // only touched on this connection's thread
  auto wait_for_input = [this, readable, weak = std::weak_ptr<asio::steady_timer>(timer)] {
    socket_.async_wait(asio::ip::tcp::socket::wait_read, [readable, weak](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted) return;
      *readable = true;
      if (auto t = weak.lock()) t->cancel();
    });
  };
  struct StopWaiting {
    asio::ip::tcp::socket& s;
    ~StopWaiting() {
      boost::system::error_code ec;
      s.cancel(ec);
    }
  } stop_waiting{socket_};
  wait_for_input();

  while (session_.watch.active && !closed_ && !session_.closing) {
    if (*readable) {
      *readable = false;
      if (!co_await read_and_execute()) {
        close();
        co_return;
      }
      if (session_.watch.active) wait_for_input();
      continue;
    }
    if (follower.behind()) {
      std::string error;
      try {
        follower.next(&step);
      } catch (const engine::StoreError& e) {
        error = e.what();
      }
      session_.watch.position = follower.position();
      if (!error.empty()) {
        reply_.error("ERR watch stopped: " + error);
        session_.closing = true;
      } else if (step.lagged) {
        push_pair(reply_, "lagged", follower.position(), step.head);
        session_.closing = true;
      } else {
        if (step.gap) push_pair(reply_, "gap", step.gap->first, step.gap->second);
        for (const FeedEvent& ev : step.events) push_event(reply_, ev);
      }
      co_await flush();
      continue;
    }
    timer->expires_after(kIdleWait);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace cairn::net
