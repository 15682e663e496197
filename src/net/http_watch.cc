// Change-feed watch over Server-Sent Events; see http_watch.h.
#include "net/http_watch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <memory>

#include "engine/status.h"
#include "net/commit_waker.h"
#include "net/feed_follower.h"
#include "protocol/http/json_reply.h"
#include "protocol/http/query.h"
#include "protocol/http/upstash.h"

namespace cairn::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace ph = protocol::http;

namespace {

constexpr std::string_view kKeyPrefix = "/v1/watch/";
constexpr auto kKeepAlive = std::chrono::seconds(15);
constexpr auto kWriteDeadline = std::chrono::seconds(30);

std::string text(std::string_view s, bool base64) { return base64 ? ph::base64_encode(s) : ph::valid_utf8(s); }

std::string sse_event(const FeedEvent& ev, bool base64) {
  json::object o;
  o["revision"] = ev.revision;
  o["ns"] = ev.ns;
  o["key"] = text(ev.key, base64);
  o["kind"] = feed_kind_name(ev.kind);
  switch (ev.state) {
    case FeedEvent::Value::kNone: break;
    case FeedEvent::Value::kCurrent: o["value"] = text(ev.value, base64); break;
    case FeedEvent::Value::kGone: o["value"] = nullptr; break;
    case FeedEvent::Value::kSuperseded: o["superseded"] = true; break;
  }
  return "id: " + std::to_string(ev.revision) + "\nevent: change\ndata: " + json::serialize(o) + "\n\n";
}

}  // namespace

bool is_watch_path(std::string_view path) { return path == "/v1/watch" || path.rfind(kKeyPrefix, 0) == 0; }

asio::awaitable<void> handle_watch(command::ServerContext& server, boost::beast::tcp_stream& stream,
                                   HttpRequest& req, std::string_view path, std::string_view query,
                                   HttpResponse& res, bool* streamed) {
  *streamed = false;
  engine::Engine& engine = server.engine();
  if (req.method() != http::verb::get) {
    error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use GET");
    co_return;
  }
  WatchFilter filter;
  if (path != "/v1/watch") {
    std::string_view raw = path.substr(kKeyPrefix.size());
    if (raw.empty() || raw.find('/') != std::string_view::npos || !ph::percent_decode(raw, &filter.key, false)) {
      error_answer(res, http::status::bad_request, "bad_key", "the key is one percent-encoded path segment");
      co_return;
    }
    filter.exact = true;
  } else {
    filter.key = ph::query_param(query, "prefix").value_or("");
  }
  if (!parse_ns(query, &filter.ns, res)) co_return;
  bool base64 = ph::query_param(query, "encoding").value_or("") == "base64";
  uint64_t pos = engine.last_revision();  // the last revision already delivered (or skipped)
  std::optional<std::string> since = ph::query_param(query, "since");
  if (!since) {
    auto it = req.find("Last-Event-ID");
    if (it != req.end()) since = std::string(it->value());
  }
  if (since) {
    auto v = parse_i64(*since);
    if (!v || *v < 0) {
      error_answer(res, http::status::bad_request, "bad_since", "since / Last-Event-ID must be a revision number");
      co_return;
    }
    pos = std::min(static_cast<uint64_t>(*v), engine.last_revision());
  }

  // A bounded number of streams: each holds a connection and a coroutine.
  command::ServerStats& stats = server.stats();
  if (stats.http_watchers.fetch_add(1) >= server.settings().http_max_watchers) {
    stats.http_watchers.fetch_sub(1);
    error_answer(res, http::status::too_many_requests, "too_many_watchers",
                 "the server has --http-max-watchers watch streams open; retry later");
    res.set(http::field::retry_after, "5");
    co_return;
  }
  struct Release {
    command::ServerStats& st;
    ~Release() { st.http_watchers.fetch_sub(1); }
  } release{stats};

  // The stream: headers, then events; no Content-Length, closed at the end.
  *streamed = true;
  std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n: watching from revision " +
      std::to_string(pos) + "\n\n";
  stream.expires_after(kWriteDeadline);
  auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(head), asio::as_tuple(asio::use_awaitable));
  if (hec) co_return;

  // Wake-ups from the writer cancel the timer.
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
  CommitWaker waker(engine, timer);
  std::weak_ptr<asio::steady_timer> weak = timer;

  // A client that hangs up is noticed at once (its socket turns readable at
  // EOF), not at the next write, so its place is freed; an SSE client sends
  // nothing, so anything readable ends the stream.
  auto hung_up = std::make_shared<std::atomic<bool>>(false);
  stream.socket().async_wait(asio::ip::tcp::socket::wait_read,
                             [hung_up, weak](const boost::system::error_code& ec) {
                               if (ec == asio::error::operation_aborted) return;
                               hung_up->store(true);
                               if (auto t = weak.lock()) t->cancel();
                             });
  struct StopWaiting {
    boost::beast::tcp_stream& s;
    ~StopWaiting() {
      boost::system::error_code ec;
      s.socket().cancel(ec);
    }
  } stop_waiting{stream};

  FeedFollower follower(engine, std::move(filter), pos);
  FeedFollower::Step step;
  std::string out;
  for (;;) {
    if (hung_up->load()) co_return;
    out.clear();
    if (follower.behind()) {
      bool failed = false;
      try {
        follower.next(&step);
      } catch (const engine::StoreError& e) {
        out = "event: error\ndata: " + json::serialize(json::object{{"error", e.what()}}) + "\n\n";
        failed = true;
      }
      if (failed) {
        stream.expires_after(kWriteDeadline);
        co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      if (step.lagged) {
        out = "event: lagged\ndata: {\"revision\":" + std::to_string(follower.position()) + ",\"head\":" +
              std::to_string(step.head) + ",\"reason\":\"fell behind the change feed\"}\n\n";
        stream.expires_after(kWriteDeadline);
        co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
        co_return;
      }
      if (step.gap) {
        out += "event: gap\ndata: {\"from\":" + std::to_string(step.gap->first) + ",\"to\":" +
               std::to_string(step.gap->second) + ",\"reason\":\"older than the change feed retains\"}\n\n";
      }
      for (const FeedEvent& ev : step.events) out += sse_event(ev, base64);
    }
    if (!out.empty()) {
      stream.expires_after(kWriteDeadline);
      auto [ec, wn] = co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;  // gone, or not draining for kWriteDeadline: dropped
      continue;
    }
    if (follower.behind()) continue;
    timer->expires_after(kKeepAlive);
    auto [tec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!tec) {  // 15 s without changes: a comment keeps proxies from closing the stream
      static constexpr std::string_view kPing = ": keep-alive\n\n";
      stream.expires_after(kWriteDeadline);
      auto [ec, wn] = co_await asio::async_write(stream, asio::buffer(kPing), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
    }
  }
}

}  // namespace cairn::net
