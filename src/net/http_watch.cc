// Change-feed watch over Server-Sent Events; see http_watch.h.
#include "net/http_watch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <memory>

#include "engine/clock.h"
#include "engine/coding.h"
#include "engine/keys.h"
#include "engine/keyspace.h"
#include "engine/status.h"
#include "engine/txn.h"
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
constexpr size_t kBatch = 1000;  // feed records read per pass (whole revisions)
constexpr auto kKeepAlive = std::chrono::seconds(15);
constexpr auto kWriteDeadline = std::chrono::seconds(30);

const char* kind_name(engine::FeedKind k) {
  switch (k) {
    case engine::FeedKind::kSet: return "set";
    case engine::FeedKind::kDelete: return "delete";
    case engine::FeedKind::kExpired: return "expired";
    case engine::FeedKind::kExpire: return "expire";
    case engine::FeedKind::kFlush: return "flush";
  }
  return "unknown";
}

struct Filter {
  uint8_t ns = 0;
  bool exact = false;
  std::string key;  // the key, or the prefix
  bool base64 = false;
  bool matches(uint8_t rec_ns, engine::FeedKind kind, std::string_view k) const {
    if (rec_ns != ns) return false;
    if (kind == engine::FeedKind::kFlush) return true;  // a flush touches every key
    return exact ? k == key : k.substr(0, key.size()) == key;
  }
};

std::string text(std::string_view s, bool base64) { return base64 ? ph::base64_encode(s) : ph::valid_utf8(s); }

// One SSE event for a feed record; the value as of now if still current.
std::string event_for(engine::View& view, uint64_t revision, uint8_t ns, engine::FeedKind kind,
                      std::string_view key, const Filter& f, int64_t now_ms) {
  json::object o;
  o["revision"] = revision;
  o["ns"] = ns;
  o["key"] = text(key, f.base64);
  o["kind"] = kind_name(kind);
  if (kind == engine::FeedKind::kSet || kind == engine::FeedKind::kExpire) {
    engine::Found found;
    engine::check(engine::lookup(view, ns, key, now_ms, &found));
    if (!found.live || found.header.type != engine::ValueType::kString) {
      o["value"] = nullptr;
    } else if (found.header.revision == revision) {
      o["value"] = text(found.payload, f.base64);
    } else {
      o["superseded"] = true;
    }
  }
  return "id: " + std::to_string(revision) + "\nevent: change\ndata: " + json::serialize(o) + "\n\n";
}

// Appends to *out the events for the feed after `pos`, about kBatch records
// and always whole revisions, up to `head`; returns the new position.
uint64_t read_feed(engine::Engine& engine, const Filter& filter, uint64_t pos, uint64_t head, std::string* out) {
  engine::SnapshotView view(engine);
  std::string lower = engine::feed_key(pos + 1, 0);
  auto it = view.iterate(engine::Cf::kFeed, lower, engine::feed_key(head + 1, 0));
  size_t n = 0;
  uint64_t last_seen = pos;
  int64_t now = engine::unix_ms();
  for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next(), ++n) {
    rocksdb::Slice k = (*it)->key(), v = (*it)->value();
    if (k.size() != 12 || v.size() < 2) continue;
    uint64_t rev = engine::get_be64(k.data());
    if (n >= kBatch && rev != last_seen) return last_seen;  // the rest next pass
    last_seen = rev;
    auto ns = static_cast<uint8_t>(v[0]);
    auto kind = static_cast<engine::FeedKind>(v[1]);
    std::string_view key(v.data() + 2, v.size() - 2);
    if (filter.matches(ns, kind, key)) *out += event_for(view, rev, ns, kind, key, filter, now);
  }
  engine::check((*it)->status());
  return head;
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
  Filter filter;
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
  filter.base64 = ph::query_param(query, "encoding").value_or("") == "base64";
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

  // Wake-ups from the writer: cancel our timer (once per burst of commits).
  auto ex = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(ex);
  auto pending = std::make_shared<std::atomic<bool>>(false);
  std::weak_ptr<asio::steady_timer> weak = timer;
  uint64_t listener = engine.add_commit_listener([weak, pending, ex] {
    if (pending->exchange(true)) return;
    asio::post(ex, [weak, pending] {
      pending->store(false);
      if (auto t = weak.lock()) t->cancel();
    });
  });
  struct Unlisten {
    engine::Engine& e;
    uint64_t id;
    ~Unlisten() { e.remove_commit_listener(id); }
  } unlisten{engine, listener};

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

  std::string out;
  bool caught_up = false;  // replay done: falling out of the feed now means lagging
  for (;;) {
    if (hung_up->load()) co_return;
    uint64_t head_rev = engine.last_revision();
    out.clear();
    if (head_rev > pos) {
      uint64_t first = engine.feed_first_revision();
      if (pos + 1 < first) {
        if (caught_up) {
          // Writers trimmed the feed past this watcher: it cannot keep up.
          out = "event: lagged\ndata: {\"revision\":" + std::to_string(pos) + ",\"head\":" +
                std::to_string(head_rev) + ",\"reason\":\"fell behind the change feed\"}\n\n";
          stream.expires_after(kWriteDeadline);
          co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
          co_return;
        }
        out += "event: gap\ndata: {\"from\":" + std::to_string(pos + 1) + ",\"to\":" + std::to_string(first - 1) +
               ",\"reason\":\"older than the change feed retains\"}\n\n";
        pos = first - 1;
      }
      bool failed = false;
      try {
        pos = read_feed(engine, filter, pos, head_rev, &out);
      } catch (const engine::StoreError& e) {
        out = "event: error\ndata: " + json::serialize(json::object{{"error", e.what()}}) + "\n\n";
        failed = true;
      }
      if (failed) {
        stream.expires_after(kWriteDeadline);
        co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
        co_return;
      }
    }
    if (pos >= head_rev) caught_up = true;
    if (!out.empty()) {
      stream.expires_after(kWriteDeadline);
      auto [ec, wn] = co_await asio::async_write(stream, asio::buffer(out), asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;  // gone, or not draining for kWriteDeadline: dropped
      continue;
    }
    if (engine.last_revision() > pos) continue;
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
