// Shared HTTP answers and parameters; see http_answers.h.
#include "net/http_answers.h"

#include <boost/json/serialize.hpp>

#include <charconv>

#include "engine/keys.h"
#include "protocol/http/json_reply.h"
#include "protocol/http/query.h"

namespace cairn::net {

namespace http = boost::beast::http;

void json_answer(HttpResponse& res, http::status status, const boost::json::object& body) {
  res.result(status);
  res.set(http::field::content_type, "application/json");
  res.body() = boost::json::serialize(body);
}

void error_answer(HttpResponse& res, http::status status, std::string_view code, std::string_view msg) {
  json_answer(res, status, boost::json::object{{"error", protocol::http::valid_utf8(msg)}, {"code", code}});
}

void storage_failure_answer(HttpResponse& res, const rocksdb::Status& status, std::string_view failure) {
  if (!failure.empty()) {
    error_answer(res, http::status::internal_server_error, "storage", failure);
  } else if (status.IsNoSpace()) {
    error_answer(res, http::status::insufficient_storage, "insufficient_storage",
                 "the disk is full (free space below --disk-reserve): writes are refused, reads work");
  } else {
    error_answer(res, http::status::internal_server_error, "storage", status.ToString());
  }
}

std::optional<int64_t> parse_i64(std::string_view s) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool parse_ns(std::string_view query, uint8_t* ns, HttpResponse& res) {
  *ns = 0;
  auto n = protocol::http::query_param(query, "ns");
  if (!n) return true;
  auto v = parse_i64(*n);
  if (!v || *v < 0 || *v >= engine::kUserNamespaces) {
    error_answer(res, http::status::bad_request, "bad_ns", "ns must be 0..15");
    return false;
  }
  *ns = static_cast<uint8_t>(*v);
  return true;
}

}  // namespace cairn::net
