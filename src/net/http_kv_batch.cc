// The batch route of the native API; see http_kv_batch.h.
#include "net/http_kv_batch.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <vector>

#include "engine/clock.h"
#include "engine/txn.h"
#include "model/keys.h"
#include "model/strings.h"
#include "net/writer_op.h"
#include "protocol/http/json_reply.h"

namespace cairn::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace ph = protocol::http;

namespace {

constexpr size_t kMaxOps = 1000;

struct Op {
  enum Kind { kGet, kSet, kDelete } kind = kGet;
  std::string key, value;
  int64_t ttl_ms = 0;
  bool nx = false;
  std::optional<uint64_t> if_revision;
};

// Reads one op; false with *error set.
bool parse_op(const json::value& v, bool base64, Op* op, std::string* error) {
  if (!v.is_object()) return (*error = "each op is an object", false);
  const json::object& o = v.get_object();
  auto str = [&](const char* name, std::string* out, bool required) {
    const json::value* f = o.if_contains(name);
    if (!f) return !required || (*error = std::string("missing \"") + name + "\"", false);
    if (!f->is_string()) return (*error = std::string("\"") + name + "\" must be a string", false);
    std::string_view s(f->get_string().data(), f->get_string().size());
    if (base64) return ph::base64_decode(s, out) || (*error = std::string("\"") + name + "\" is not base64", false);
    out->assign(s);
    return true;
  };
  const json::value* kind = o.if_contains("op");
  if (!kind || !kind->is_string()) return (*error = "missing \"op\" (get, set, delete)", false);
  std::string_view k(kind->get_string().data(), kind->get_string().size());
  if (k == "get") op->kind = Op::kGet;
  else if (k == "set") op->kind = Op::kSet;
  else if (k == "delete") op->kind = Op::kDelete;
  else return (*error = "\"op\" must be get, set or delete", false);
  if (!str("key", &op->key, true) || op->key.empty()) return error->empty() ? (*error = "empty key", false) : false;
  if (op->kind == Op::kSet && !str("value", &op->value, true)) return false;
  if (const json::value* t = o.if_contains("ttl_ms")) {
    if (!t->is_int64() || t->get_int64() <= 0) return (*error = "\"ttl_ms\" must be a positive integer", false);
    op->ttl_ms = t->get_int64();
  }
  if (const json::value* n = o.if_contains("nx")) {
    if (!n->is_bool()) return (*error = "\"nx\" must be true or false", false);
    op->nx = n->get_bool();
  }
  if (const json::value* r = o.if_contains("if_revision")) {
    if (!(r->is_int64() && r->get_int64() >= 0) && !r->is_uint64()) {
      return (*error = "\"if_revision\" must be a revision number", false);
    }
    op->if_revision = r->is_uint64() ? r->get_uint64() : static_cast<uint64_t>(r->get_int64());
  }
  return true;
}

}  // namespace

asio::awaitable<void> handle_kv_batch(command::ServerContext& server, HttpRequest& req, std::string_view query,
                                      HttpResponse& res) {
  if (req.method() != http::verb::post) {
    error_answer(res, http::status::method_not_allowed, "method_not_allowed", "use POST");
    co_return;
  }
  uint8_t ns = 0;
  if (!parse_ns(query, &ns, res)) co_return;
  json::parse_options popt;
  popt.max_depth = 8;
  boost::system::error_code ec;
  json::value body = json::parse(req.body(), ec, {}, popt);
  if (ec || !body.is_object() || !body.get_object().contains("ops") || !body.get_object().at("ops").is_array()) {
    error_answer(res, http::status::bad_request, "bad_batch", "the body must be {\"ops\": [...]} (JSON)");
    co_return;
  }
  const json::object& top = body.get_object();
  bool atomic = top.contains("atomic") && top.at("atomic").is_bool() && top.at("atomic").get_bool();
  bool base64 = top.contains("encoding") && top.at("encoding") == "base64";
  const json::array& raw_ops = top.at("ops").get_array();
  if (raw_ops.empty() || raw_ops.size() > kMaxOps) {
    error_answer(res, http::status::bad_request, "bad_batch", "a batch has 1 to 1000 ops");
    co_return;
  }
  std::vector<Op> ops(raw_ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string error;
    if (!parse_op(raw_ops[i], base64, &ops[i], &error)) {
      error_answer(res, http::status::bad_request, "bad_batch", "op " + std::to_string(i) + ": " + error);
      co_return;
    }
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
      if (op.kind == Op::kSet) model::put_string(txn, ns, op.key, f, op.value, op.ttl_ms ? now + op.ttl_ms : 0);
      else model::delete_key(txn, ns, op.key);
      uint64_t rev = txn.revision();
      if (atomic) atomic_revision = rev;
      r["ok"] = true;
      r["revision"] = rev;
      results.push_back(std::move(r));
    }
  });
  co_await async_run_op(server.engine(), fn, asio::use_awaitable);
  if (!fn.status.ok() || !fn.failure.empty()) {
    error_answer(res, http::status::internal_server_error, "storage", fn.failure.empty() ? fn.status.ToString() : fn.failure);
    co_return;
  }
  json::object o;
  o["committed"] = committed;
  o["revision"] = atomic_revision ? json::value(*atomic_revision) : json::value(nullptr);
  o["results"] = std::move(results);
  json_answer(res, committed ? http::status::ok : http::status::conflict, o);
}

}  // namespace cairn::net
