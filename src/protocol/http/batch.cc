// Parsing the batch body; see batch.h.
#include "protocol/http/batch.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "protocol/http/json_reply.h"

namespace cairn::protocol::http {

namespace json = boost::json;

namespace {

// Reads one op; false with *error set.
bool parse_op(const json::value& v, bool base64, BatchOp* op, std::string* error) {
  if (!v.is_object()) return (*error = "each op is an object", false);
  const json::object& o = v.get_object();
  auto str = [&](const char* name, std::string* out, bool required) {
    const json::value* f = o.if_contains(name);
    if (!f) return !required || (*error = std::string("missing \"") + name + "\"", false);
    if (!f->is_string()) return (*error = std::string("\"") + name + "\" must be a string", false);
    std::string_view s(f->get_string().data(), f->get_string().size());
    if (base64) return base64_decode(s, out) || (*error = std::string("\"") + name + "\" is not base64", false);
    out->assign(s);
    return true;
  };
  const json::value* kind = o.if_contains("op");
  if (!kind || !kind->is_string()) return (*error = "missing \"op\" (get, set, delete)", false);
  std::string_view k(kind->get_string().data(), kind->get_string().size());
  if (k == "get") op->kind = BatchOp::kGet;
  else if (k == "set") op->kind = BatchOp::kSet;
  else if (k == "delete") op->kind = BatchOp::kDelete;
  else return (*error = "\"op\" must be get, set or delete", false);
  if (!str("key", &op->key, true) || op->key.empty()) return error->empty() ? (*error = "empty key", false) : false;
  if (op->kind == BatchOp::kSet && !str("value", &op->value, true)) return false;
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

bool parse_batch(std::string_view body, BatchRequest* out, std::string* error) {
  json::parse_options popt;
  popt.max_depth = kMaxBatchJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, popt);
  if (ec || !v.is_object() || !v.get_object().contains("ops") || !v.get_object().at("ops").is_array()) {
    *error = "the body must be {\"ops\": [...]} (JSON)";
    return false;
  }
  const json::object& top = v.get_object();
  out->atomic = top.contains("atomic") && top.at("atomic").is_bool() && top.at("atomic").get_bool();
  out->base64 = top.contains("encoding") && top.at("encoding") == "base64";
  const json::array& raw_ops = top.at("ops").get_array();
  if (raw_ops.empty() || raw_ops.size() > kMaxBatchOps) {
    *error = "a batch has 1 to 1000 ops";
    return false;
  }
  out->ops.assign(raw_ops.size(), BatchOp{});
  for (size_t i = 0; i < raw_ops.size(); ++i) {
    std::string op_error;
    if (!parse_op(raw_ops[i], out->base64, &out->ops[i], &op_error)) {
      *error = "op " + std::to_string(i) + ": " + op_error;
      return false;
    }
  }
  return true;
}

}  // namespace cairn::protocol::http
