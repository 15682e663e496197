// Listing, flushing and compacting over HTTP; see http_kv_list.h.
#include "net/http_kv_list.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

#include "engine/clock.h"
#include "engine/keys.h"
#include "engine/record.h"
#include "engine/status.h"
#include "engine/txn.h"
#include "model/keys.h"
#include "net/writer_op.h"
#include "protocol/http/json_reply.h"
#include "protocol/http/query.h"

namespace cairn::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace ph = protocol::http;

namespace {

constexpr int64_t kDefaultLimit = 100, kMaxLimit = 1000;

// Cursors are base64url (no padding) so they survive a query string as is.
std::string to_cursor(std::string_view key) {
  std::string b = ph::base64_encode(key);
  for (char& c : b) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!b.empty() && b.back() == '=') b.pop_back();
  return b;
}

std::optional<std::string> from_cursor(std::string_view c) {
  if (c.find_first_of("+/=") != std::string_view::npos) return std::nullopt;  // not base64url
  std::string b(c), out;
  for (char& ch : b) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  b.append((4 - b.size() % 4) % 4, '=');
  if (!ph::base64_decode(b, &out)) return std::nullopt;
  return out;
}

// The header of the data record under `it`, if the record is live at `now`.
std::optional<engine::RecordHeader> live_header(engine::BoundedIterator& it, int64_t now) {
  engine::RecordHeader h;
  std::string_view payload;
  if (!engine::decode_record(std::string_view(it->value().data(), it->value().size()), &h, &payload)) return {};
  if (h.expire_at_ms && h.expire_at_ms <= now) return {};
  return h;
}

}  // namespace

asio::awaitable<void> handle_kv_namespace(command::ServerContext& server, HttpRequest& req, std::string_view query,
                                          HttpResponse& res) {
  uint8_t ns = 0;
  if (!parse_ns(query, &ns, res)) co_return;
  if (req.method() == http::verb::delete_) {
    FnOp op([&](engine::Txn& txn) {
      server.watched_keys().flushing(txn, server.ns_db(ns), ns, txn.now_ms());
      model::flush_namespace(txn, ns);
    });
    op.is_exclusive = true;
    co_await async_run_op(server.engine(), op, asio::use_awaitable);
    if (!op.status.ok() || !op.failure.empty()) {
      storage_failure_answer(res, op.status, op.failure);
    } else {
      json_answer(res, http::status::ok, json::object{{"flushed", true}, {"ns", ns}});
    }
    co_return;
  }
  if (req.method() != http::verb::get) {
    error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use GET (list) or DELETE (flush)");
    res.set(http::field::allow, "GET, DELETE");
    co_return;
  }

  std::string prefix = ph::query_param(query, "prefix").value_or("");
  int64_t limit = kDefaultLimit;
  if (auto l = ph::query_param(query, "limit")) {
    auto v = parse_i64(*l);
    if (!v || *v < 1 || *v > kMaxLimit) {
      error_answer(res, http::status::bad_request, "bad_limit", "limit must be 1..1000");
      co_return;
    }
    limit = *v;
  }
  std::optional<std::string> after;
  if (auto c = ph::query_param(query, "cursor"); c && !c->empty()) {
    after = from_cursor(*c);
    if (!after || after->compare(0, prefix.size(), prefix) != 0) {
      error_answer(res, http::status::bad_request, "bad_cursor", "not a cursor of this listing");
      co_return;
    }
  }
  bool base64 = ph::query_param(query, "encoding").value_or("") == "base64";
  bool want_count = ph::query_param(query, "count").value_or("") == "1";

  engine::SnapshotView view(server.engine());
  int64_t now = engine::unix_ms();
  std::string lower = engine::data_key(ns, prefix);
  std::string upper = engine::prefix_successor(lower);
  std::string start = after ? engine::data_key(ns, *after) + std::string(1, '\0') : lower;
  json::array keys;
  std::optional<std::string> last;
  bool more = false;
  try {
    auto it = view.iterate(engine::Cf::kData, lower, upper);
    for ((*it)->Seek(start); (*it)->Valid(); (*it)->Next()) {
      std::string_view name((*it)->key().data() + 1, (*it)->key().size() - 1);
      std::optional<engine::RecordHeader> live = live_header(*it, now);
      if (!live) continue;
      const engine::RecordHeader& h = *live;
      if (static_cast<int64_t>(keys.size()) == limit) {
        more = true;
        break;
      }
      json::object k;
      k["name"] = base64 ? ph::base64_encode(name) : ph::valid_utf8(name);
      k["revision"] = h.revision;
      k["ttl_ms"] = h.expire_at_ms ? json::value(h.expire_at_ms - now) : json::value(nullptr);
      boost::system::error_code mec;
      k["metadata"] = h.metadata.empty() ? json::value(nullptr) : json::parse(h.metadata, mec);
      if (mec) k["metadata"] = nullptr;
      keys.push_back(std::move(k));
      last.emplace(name);
    }
    engine::check((*it)->status());
  } catch (const engine::StoreError& e) {
    error_answer(res, http::status::internal_server_error, "storage", e.what());
    co_return;
  }
  json::object o;
  o["keys"] = std::move(keys);
  o["cursor"] = more && last ? json::value(to_cursor(*last)) : json::value(nullptr);
  if (want_count) {
    // Counted, not taken from the key count: that one includes keys whose
    // TTL passed but that the sweep has not removed yet.
    int64_t count = 0;
    try {
      auto it = view.iterate(engine::Cf::kData, lower, upper);
      for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next()) count += live_header(*it, now) ? 1 : 0;
      engine::check((*it)->status());
    } catch (const engine::StoreError& e) {
      error_answer(res, http::status::internal_server_error, "storage", e.what());
      co_return;
    }
    o["count"] = count;
  }
  json_answer(res, http::status::ok, o);
}

void handle_compact(command::ServerContext& server, HttpRequest& req, HttpResponse& res) {
  if (req.method() != http::verb::post) {
    error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use POST");
    return;
  }
  if (!server.engine().persist_in_background(true)) {
    error_answer(res, http::status::conflict, "busy", "a compaction or save is already running");
    return;
  }
  json_answer(res, http::status::accepted, json::object{{"started", true}});
}

}  // namespace cairn::net
