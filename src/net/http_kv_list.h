// Namespace-wide routes of the native API:
//
//   GET    /v1/kv?prefix=p&cursor=c&limit=n&count=1&ns=N&encoding=base64
//          a page of keys in key order: {"keys": [{"name", "revision",
//          "ttl_ms"}], "cursor": "…" | null, "count": n (with count=1)};
//          the cursor is opaque (base64url of the last key returned)
//   DELETE /v1/kv?ns=N            flush the namespace (FLUSHDB)
//   POST   /v1/admin/compact      flush memtables and compact the store in
//                                 the background (BGREWRITEAOF's work)
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string_view>

#include "command/server_context.h"
#include "net/http_kv.h"

namespace cairn::net {

boost::asio::awaitable<void> handle_kv_namespace(command::ServerContext& server, HttpRequest& req,
                                                 std::string_view query, HttpResponse& res);
void handle_compact(command::ServerContext& server, HttpRequest& req, HttpResponse& res);

}  // namespace cairn::net
