// The native REST API over the store, `/v1/kv/{key}`: raw values in and out,
// revisions and TTLs in headers, compare-and-set with If-Match. Keys are
// percent-decoded path segments (binary-safe); `?ns=0..15` picks the
// namespace (Redis's database number).
//
//   GET    /v1/kv/{key}   value; X-KV-Revision, X-KV-TTL (ms, if any); 404
//   HEAD   /v1/kv/{key}   the same headers, no body
//   PUT    /v1/kv/{key}   body = value; ?ttl=s | ttl_ms= | ttl_at=epoch s; ?nx=1;
//                         If-Match: <revision> (0: must not exist) → 412 on mismatch;
//                         X-KV-Return-Old: 1 → the old value in the reply
//   DELETE /v1/kv/{key}   If-Match, X-KV-Return-Old as for PUT; 404 if absent
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string_view>

#include "command/server_context.h"
#include "net/http_answers.h"

namespace cairn::net {

// True if `path` is the native API's (then `res` holds the answer).
bool is_kv_path(std::string_view path);
boost::asio::awaitable<void> handle_kv(command::ServerContext& server, HttpRequest& req, std::string_view path,
                                       std::string_view query, HttpResponse& res);

}  // namespace cairn::net
