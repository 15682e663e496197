// Watching the store over Server-Sent Events:
//
//   GET /v1/watch/{key}        changes to one key
//   GET /v1/watch?prefix=p     changes to keys starting with p ("" or absent: all keys)
//       ?ns=0..15  ?since=<revision>  ?encoding=base64
//
// Each change is an event whose `id:` is its revision and whose data is JSON:
// {"revision", "ns", "key", "kind": set|delete|expired|expire|flush, "value"}.
// `value` is the key's string value when the key still holds the write that
// event made, `null` when the key is gone or holds a collection, and absent
// (with "superseded": true) when a later write replaced it. With
// ?encoding=base64 `key` and `value` are base64.
//
// `since` (or the `Last-Event-ID` header EventSource sends on reconnect)
// replays every change after that revision from the change feed before going
// live. If the feed no longer holds some of them, an `event: gap` says which
// revisions were lost. Comment lines keep idle streams alive every 15 s.
// Watchers read the feed, not a queue fed by writers, so a slow watcher never
// slows writes; one that falls more than `kMaxLag` revisions behind, or
// whose socket stops draining, gets `event: lagged` and is closed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <string_view>

#include "command/server_context.h"
#include "net/http_kv.h"

namespace cairn::net {

bool is_watch_path(std::string_view path);
// Streams events until the client goes away or the server stops (then
// *streamed is true and the connection is not reused). Bad parameters are
// answered as an ordinary JSON response in `res`, with *streamed false.
boost::asio::awaitable<void> handle_watch(command::ServerContext& server, boost::beast::tcp_stream& stream,
                                          HttpRequest& req, std::string_view path, std::string_view query,
                                          HttpResponse& res, bool* streamed);

}  // namespace cairn::net
