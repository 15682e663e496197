// Small pieces every native HTTP route shares: JSON answers and errors
// ({"error", "code"}), integer parameters and the `ns` parameter.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <rocksdb/status.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace cairn::net {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

void json_answer(HttpResponse& res, boost::beast::http::status status, const boost::json::object& body);
void error_answer(HttpResponse& res, boost::beast::http::status status, std::string_view code, std::string_view msg);
// A write the store refused or failed: 507 (`insufficient_storage`) when the
// disk is full, else 500 (`storage`). `failure` (an error thrown while
// running, if any) takes precedence over `status`.
void storage_failure_answer(HttpResponse& res, const rocksdb::Status& status, std::string_view failure);
// A whole decimal integer, nothing else.
std::optional<int64_t> parse_i64(std::string_view s);
// ?ns=0..15 (default 0) into *ns; false after answering 400.
bool parse_ns(std::string_view query, uint8_t* ns, HttpResponse& res);

}  // namespace cairn::net
