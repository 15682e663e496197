// POST /v1/kv/batch: many gets, sets and deletes in one request.
//
//   {"atomic": true, "encoding": "base64"?, "ops": [
//     {"op": "get", "key": "k"},
//     {"op": "set", "key": "k", "value": "v", "ttl_ms": 1000?, "nx": true?, "if_revision": 12?},
//     {"op": "delete", "key": "k", "if_revision": 12?}]}
//
// Answers {"committed": bool, "revision": n | null, "results": [...]}, one
// result per op: {"ok": true, "value"?, "revision"?} or {"ok": false, "code"}.
// atomic: every check (nx, if_revision) is made first, inside the same write
// group; if one fails nothing is written (409, "committed": false), else all
// writes land as one commit with one revision, and gets see the batch's own
// earlier writes. Not atomic: each op stands alone, each write its own
// commit. With "encoding": "base64", keys and values are base64 both ways.
// At most 1,000 ops.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <string_view>

#include "command/server_context.h"
#include "net/http_answers.h"

namespace cairn::net {

boost::asio::awaitable<void> handle_kv_batch(command::ServerContext& server, HttpRequest& req,
                                             std::string_view query, HttpResponse& res);

}  // namespace cairn::net
