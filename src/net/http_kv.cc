// The native `/v1/kv` API; see http_kv.h.
#include "net/http_kv.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

#include "engine/clock.h"
#include "engine/keyspace.h"
#include "engine/txn.h"
#include "model/keys.h"
#include "model/strings.h"
#include "net/writer_op.h"
#include "protocol/http/json_reply.h"
#include "protocol/http/query.h"
#include "protocol/http/upstash.h"

namespace cairn::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::string_view kPrefix = "/v1/kv/";
constexpr size_t kMaxMetadata = 1024;

// If-Match: a revision, optionally quoted like an ETag ("12" or W/"12").
std::optional<int64_t> if_match(const HttpRequest& req, bool* present) {
  auto it = req.find(http::field::if_match);
  *present = it != req.end();
  if (!*present) return std::nullopt;
  std::string_view v = it->value();
  if (v.rfind("W/", 0) == 0) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  auto r = parse_i64(v);
  if (r && *r < 0) return std::nullopt;
  return r;
}

bool header_is_one(const HttpRequest& req, std::string_view name) {
  auto it = req.find(name);
  return it != req.end() && (it->value() == "1" || it->value() == "true");
}

void revision_headers(HttpResponse& res, const engine::Found& f, int64_t now_ms) {
  res.set("X-KV-Revision", std::to_string(f.header.revision));
  if (!f.header.metadata.empty()) res.set("X-KV-Metadata", f.header.metadata);
  if (f.header.expire_at_ms) res.set("X-KV-TTL", std::to_string(std::max<int64_t>(f.header.expire_at_ms - now_ms, 0)));
}

// A write whose group failed or whose function threw: 500, true.
bool answer_failure(HttpResponse& res, const FnOp& op) {
  if (op.status.ok() && op.failure.empty()) return false;
  storage_failure_answer(res, op.status, op.failure);
  return true;
}

// ?ttl= (seconds), ttl_ms= or ttl_at= (epoch seconds): *at is the absolute
// expiry in ms, 0 when none is given. False with *error on a bad one.
bool ttl_from_query(std::string_view query, int64_t now, int64_t* at, std::string* error) {
  *at = 0;
  auto ttl = protocol::http::query_param(query, "ttl");
  auto ttl_ms = protocol::http::query_param(query, "ttl_ms");
  auto ttl_at = protocol::http::query_param(query, "ttl_at");
  if (int(ttl.has_value()) + int(ttl_ms.has_value()) + int(ttl_at.has_value()) > 1) {
    *error = "give one of ttl, ttl_ms, ttl_at";
    return false;
  }
  const std::optional<std::string>& t = ttl ? ttl : ttl_ms ? ttl_ms : ttl_at;
  if (!t) return true;
  auto v = parse_i64(*t);
  if (!v || *v <= 0 || *v > INT64_MAX / 1000 / 4) {
    *error = "the TTL must be a positive integer";
    return false;
  }
  *at = ttl_at ? *v * 1000 : now + *v * (ttl ? 1000 : 1);
  if (*at <= now) {
    *error = "ttl_at is in the past";
    return false;
  }
  return true;
}

json::value old_json(const std::optional<std::pair<std::string, uint64_t>>& old) {
  if (!old) return nullptr;
  json::object o;
  o["value_base64"] = protocol::http::base64_encode(old->first);
  o["revision"] = old->second;
  return o;
}

}  // namespace

bool is_kv_path(std::string_view path) { return path.rfind(kPrefix, 0) == 0; }

asio::awaitable<void> handle_kv(command::ServerContext& server, HttpRequest& req, std::string_view path,
                                std::string_view query, HttpResponse& res) {
  std::string key;
  std::string_view raw_key = path.substr(kPrefix.size());
  bool incr = raw_key.size() > 5 && raw_key.substr(raw_key.size() - 5) == "/incr";
  if (incr) raw_key.remove_suffix(5);
  if (raw_key.empty() || raw_key.find('/') != std::string_view::npos ||
      !protocol::http::percent_decode(raw_key, &key, false)) {
    error_answer(res, http::status::not_found, "not_found", "no such route: keys are one percent-encoded path segment");
    co_return;
  }
  if (key.empty() || key.size() > server.settings().max_key_bytes.load()) {
    error_answer(res, http::status::bad_request, "bad_key", key.empty() ? "empty key" : "key is too large");
    co_return;
  }
  uint8_t ns = 0;
  if (!parse_ns(query, &ns, res)) co_return;
  int64_t now = engine::unix_ms();
  http::verb m = req.method();

  if (incr) {
    if (m != http::verb::post) {
      error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use POST");
      co_return;
    }
    auto d = protocol::http::query_param(query, "delta");
    std::optional<int64_t> delta = d ? parse_i64(*d) : std::optional<int64_t>(1);
    if (!delta) {
      error_answer(res, http::status::bad_request, "bad_delta", "delta must be an integer");
      co_return;
    }
    model::OpStatus st = model::OpStatus::kOk;
    int64_t result = 0;
    uint64_t revision = 0;
    FnOp op([&](engine::Txn& txn) {
      st = model::incr_by(txn, ns, key, *delta, &result);
      if (st == model::OpStatus::kOk) revision = txn.revision();
    });
    co_await async_run_op(server.engine(), op, asio::use_awaitable);
    if (answer_failure(res, op)) co_return;
    if (st == model::OpStatus::kWrongType) {
      error_answer(res, http::status::conflict, "wrong_type", "the key holds a collection, not a string value");
    } else if (st == model::OpStatus::kNotInteger) {
      error_answer(res, http::status::conflict, "not_integer", "the value is not an integer");
    } else if (st == model::OpStatus::kOverflow) {
      error_answer(res, http::status::conflict, "overflow", "increment or decrement would overflow");
    } else {
      json::object o;
      o["value"] = result;
      o["revision"] = revision;
      json_answer(res, http::status::ok, o);
      res.set("X-KV-Revision", std::to_string(revision));
    }
    co_return;
  }

  if (m == http::verb::patch) {
    int64_t at = 0;
    std::string ttl_error;
    bool persist = protocol::http::query_param(query, "persist").value_or("") == "1";
    if (!ttl_from_query(query, now, &at, &ttl_error) || (persist == (at != 0))) {
      error_answer(res, http::status::bad_request, "bad_ttl",
                   ttl_error.empty() ? "give one of ttl, ttl_ms, ttl_at or persist=1" : ttl_error);
      co_return;
    }
    bool return_value = header_is_one(req, "X-KV-Return-Value");
    bool found = false;
    uint64_t revision = 0;
    std::optional<std::string> value;
    FnOp op([&](engine::Txn& txn) {
      engine::Found f;
      model::find(txn, ns, key, txn.now_ms(), &f);
      if (!f.live) return;
      found = true;
      if (return_value && f.header.type == engine::ValueType::kString) {
        model::load_string(txn, ns, key, &f);
        value.emplace(f.payload);
      }
      bool changed = persist ? model::persist(txn, ns, key) : model::set_expire(txn, ns, key, at, model::ExpireCond::kNone);
      // PERSIST on a key without a TTL changes nothing and takes no revision.
      revision = changed ? txn.revision() : f.header.revision;
    });
    co_await async_run_op(server.engine(), op, asio::use_awaitable);
    if (answer_failure(res, op)) co_return;
    if (!found) {
      error_answer(res, http::status::not_found, "not_found", "no such key");
      co_return;
    }
    json::object o;
    o["revision"] = revision;
    o["ttl_ms"] = at ? json::value(std::max<int64_t>(at - now, 0)) : json::value(nullptr);
    if (return_value) o["value_base64"] = value ? json::value(protocol::http::base64_encode(*value)) : nullptr;
    json_answer(res, http::status::ok, o);
    res.set("X-KV-Revision", std::to_string(revision));
    co_return;
  }

  if (m == http::verb::get || m == http::verb::head) {
    engine::SnapshotView view(server.engine());
    engine::Found f;
    model::OpStatus st = model::get_string(view, ns, key, now, &f);
    if (st == model::OpStatus::kNotFound) {
      error_answer(res, http::status::not_found, "not_found", "no such key");
    } else if (st == model::OpStatus::kWrongType) {
      error_answer(res, http::status::conflict, "wrong_type", "the key holds a collection, not a string value");
    } else {
      res.result(http::status::ok);
      res.set(http::field::content_type, "application/octet-stream");
      revision_headers(res, f, now);
      if (m == http::verb::get) res.body().assign(f.payload);
    }
    co_return;
  }

  bool has_match = false;
  std::optional<int64_t> match = if_match(req, &has_match);
  if (has_match && !match) {
    error_answer(res, http::status::bad_request, "bad_if_match", "If-Match must be a revision number");
    co_return;
  }
  bool return_old = header_is_one(req, "X-KV-Return-Old");

  if (m == http::verb::put) {
    int64_t at = 0;
    std::string ttl_error;
    if (!ttl_from_query(query, now, &at, &ttl_error)) {
      error_answer(res, http::status::bad_request, "bad_ttl", ttl_error);
      co_return;
    }
    bool nx = protocol::http::query_param(query, "nx").value_or("") == "1";
    // X-KV-Metadata: JSON, at most 1 KiB, stored with the value.
    std::string metadata;
    if (auto mh = req.find("X-KV-Metadata"); mh != req.end()) {
      metadata.assign(mh->value());
      if (metadata.size() > kMaxMetadata) {
        error_answer(res, http::status::payload_too_large, "metadata_too_large", "X-KV-Metadata is over 1024 bytes");
        co_return;
      }
      boost::system::error_code jec;
      json::parse_options po;
      po.max_depth = 16;
      json::parse(metadata, jec, {}, po);
      if (jec) {
        error_answer(res, http::status::bad_request, "bad_metadata", "X-KV-Metadata must be JSON");
        co_return;
      }
    }
    if (req.body().size() > server.settings().max_value_bytes.load()) {
      error_answer(res, http::status::payload_too_large, "too_large", "value is too large");
      co_return;
    }
    enum class Outcome { kWritten, kExists, kMismatch } outcome = Outcome::kWritten;
    uint64_t revision = 0;
    std::optional<std::pair<std::string, uint64_t>> old;
    const std::string& value = req.body();
    FnOp op([&](engine::Txn& txn) {
      engine::Found f;
      model::find(txn, ns, key, txn.now_ms(), &f);
      uint64_t current = f.live ? f.header.revision : 0;
      if (nx && f.live) {
        outcome = Outcome::kExists;
        return;
      }
      if (match && static_cast<uint64_t>(*match) != current) {
        outcome = Outcome::kMismatch;
        return;
      }
      if (return_old && f.live && f.header.type == engine::ValueType::kString) {
        model::load_string(txn, ns, key, &f);
        old.emplace(std::string(f.payload), current);
      }
      model::put_string(txn, ns, key, f, value, at, metadata);
      // Keyspace notifications, as Redis's SET names them.
      txn.key_event(ns, engine::kEventString, "set", key);
      if (at) txn.key_event(ns, engine::kEventGeneric, "expire", key);
      revision = txn.revision();
    });
    co_await async_run_op(server.engine(), op, asio::use_awaitable);
    if (answer_failure(res, op)) co_return;
    if (outcome == Outcome::kExists) {
      error_answer(res, http::status::precondition_failed, "exists", "the key exists (nx=1)");
    } else if (outcome == Outcome::kMismatch) {
      error_answer(res, http::status::precondition_failed, "revision_mismatch", "the key's revision is not If-Match's");
    } else {
      json::object o;
      o["revision"] = revision;
      if (return_old) o["old"] = old_json(old);
      json_answer(res, http::status::ok, o);
      res.set("X-KV-Revision", std::to_string(revision));
    }
    co_return;
  }

  if (m == http::verb::delete_) {
    enum class Outcome { kDeleted, kAbsent, kMismatch } outcome = Outcome::kDeleted;
    uint64_t revision = 0;
    std::optional<std::pair<std::string, uint64_t>> old;
    FnOp op([&](engine::Txn& txn) {
      engine::Found f;
      model::find(txn, ns, key, txn.now_ms(), &f);
      if (!f.live) {
        outcome = Outcome::kAbsent;
        return;
      }
      if (match && static_cast<uint64_t>(*match) != f.header.revision) {
        outcome = Outcome::kMismatch;
        return;
      }
      if (return_old && f.header.type == engine::ValueType::kString) {
        model::load_string(txn, ns, key, &f);
        old.emplace(std::string(f.payload), f.header.revision);
      }
      model::delete_key(txn, ns, key);
      txn.key_event(ns, engine::kEventGeneric, "del", key);
      revision = txn.revision();
    });
    co_await async_run_op(server.engine(), op, asio::use_awaitable);
    if (answer_failure(res, op)) co_return;
    if (outcome == Outcome::kAbsent) {
      error_answer(res, http::status::not_found, "not_found", "no such key");
    } else if (outcome == Outcome::kMismatch) {
      error_answer(res, http::status::precondition_failed, "revision_mismatch", "the key's revision is not If-Match's");
    } else {
      json::object o;
      o["revision"] = revision;
      o["deleted"] = true;
      if (return_old) o["old"] = old_json(old);
      json_answer(res, http::status::ok, o);
      res.set("X-KV-Revision", std::to_string(revision));
    }
    co_return;
  }
  error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use GET, HEAD, PUT, PATCH or DELETE");
  res.set(http::field::allow, "GET, HEAD, PUT, PATCH, DELETE");
}

}  // namespace cairn::net
