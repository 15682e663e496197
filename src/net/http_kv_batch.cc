// The batch route of the native API; see http_kv_batch.h.
#include "net/http_kv_batch.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <vector>

#include "engine/clock.h"
#include "engine/txn.h"
#include "model/keys.h"
#include "model/strings.h"
#include "net/writer_op.h"
#include "protocol/http/batch.h"
#include "protocol/http/json_reply.h"

namespace cairn::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace ph = protocol::http;

namespace {

using Op = ph::BatchOp;

}  // namespace

asio::awaitable<void> handle_kv_batch(command::ServerContext& server, HttpRequest& req, std::string_view query,
                                      HttpResponse& res) {
  if (req.method() != http::verb::post) {
    error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use POST");
    co_return;
  }
  uint8_t ns = 0;
  if (!parse_ns(query, &ns, res)) co_return;
  ph::BatchRequest batch;
  std::string error;
  if (!ph::parse_batch(req.body(), &batch, &error)) {
    error_answer(res, http::status::bad_request, "bad_batch", error);
    co_return;
  }
  const bool atomic = batch.atomic, base64 = batch.base64;
  std::vector<Op>& ops = batch.ops;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].key.size() > server.settings().max_key_bytes.load() ||
        ops[i].value.size() > server.settings().max_value_bytes.load()) {
      error_answer(res, http::status::payload_too_large, "too_large", "op " + std::to_string(i) + ": key or value too large");
      co_return;
    }
  }

  json::array results;
  bool committed = true;
  std::optional<uint64_t> atomic_revision;
  auto text = [&](std::string_view s) { return json::value(base64 ? ph::base64_encode(s) : ph::valid_utf8(s)); };
  FnOp fn([&](engine::Txn& txn) {
    int64_t now = txn.now_ms();
    // Atomic: every check first, against the store as this group sees it.
    if (atomic) {
      for (const Op& op : ops) {
        if (op.kind == Op::kGet) continue;
        engine::Found f;
        model::find(txn, ns, op.key, now, &f);
        uint64_t current = f.live ? f.header.revision : 0;
        bool fails = (op.nx && f.live) || (op.if_revision && *op.if_revision != current) ||
                     (op.kind == Op::kDelete && !f.live && !op.if_revision);
        if (fails) committed = false;
      }
    }
    for (const Op& op : ops) {
      json::object r;
      engine::Found f;
      if (!atomic) txn.begin_commit();
      if (op.kind == Op::kGet) {
        model::OpStatus st = model::get_string(txn, ns, op.key, now, &f);
        r["ok"] = st == model::OpStatus::kOk;
        if (st == model::OpStatus::kOk) {
          r["value"] = text(f.payload);
          r["revision"] = f.header.revision;
        } else {
          r["code"] = st == model::OpStatus::kWrongType ? "wrong_type" : "not_found";
        }
        results.push_back(std::move(r));
        continue;
      }
      model::find(txn, ns, op.key, now, &f);
      uint64_t current = f.live ? f.header.revision : 0;
      const char* code = nullptr;
      if (op.nx && f.live) code = "exists";
      else if (op.if_revision && *op.if_revision != current) code = "revision_mismatch";
      else if (op.kind == Op::kDelete && !f.live) code = "not_found";
      if (code || !committed) {
        r["ok"] = false;
        r["code"] = code ? code : "not_run";
        results.push_back(std::move(r));
        continue;
      }
      if (op.kind == Op::kSet) {
        model::put_string(txn, ns, op.key, f, op.value, op.ttl_ms ? now + op.ttl_ms : 0);
        txn.key_event(ns, engine::kEventString, "set", op.key);
        if (op.ttl_ms) txn.key_event(ns, engine::kEventGeneric, "expire", op.key);
      } else {
        model::delete_key(txn, ns, op.key);
        txn.key_event(ns, engine::kEventGeneric, "del", op.key);
      }
      uint64_t rev = txn.revision();
      if (atomic) atomic_revision = rev;
      r["ok"] = true;
      r["revision"] = rev;
      results.push_back(std::move(r));
    }
  });
  co_await async_run_op(server.engine(), fn, asio::use_awaitable);
  if (!fn.status.ok() || !fn.failure.empty()) {
    storage_failure_answer(res, fn.status, fn.failure);
    co_return;
  }
  json::object o;
  o["committed"] = committed;
  o["revision"] = atomic_revision ? json::value(*atomic_revision) : json::value(nullptr);
  o["results"] = std::move(results);
  json_answer(res, committed ? http::status::ok : http::status::conflict, o);
}

}  // namespace cairn::net
