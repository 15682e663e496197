// One HTTP/1.1 connection on the HTTP port (Boost.Beast): reads requests
// one at a time with bounded headers and bodies and a read deadline,
// authenticates them, routes them, and writes the answers (keep-alive).
//
// Routes: GET /healthz; the native API /v1/kv/{key} (http_kv.h); watch
// streams /v1/watch (http_watch.h); and the Upstash-compatible REST dialect
// (POST /, /pipeline, /multi-exec, path-style /cmd/arg/…).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <string>
#include <vector>

#include "command/server_context.h"

namespace cairn::net {

struct HttpOptions {
  std::vector<std::string> tokens;  // empty: no authentication
  size_t max_body_bytes = 64u << 20;
  size_t max_header_bytes = 16u << 10;
  int64_t max_connections = 10000;  // more are answered 503 and closed
  int read_timeout_seconds = 30;  // a request (headers and body) must arrive within this
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  HttpConnection(boost::asio::ip::tcp::socket socket, command::ServerContext& server, const HttpOptions& options);
  boost::asio::awaitable<void> run();

 private:
  // Results go to `res` (a GCC 12 coroutine bug rejects awaitables that
  // return a response by value).
  boost::asio::awaitable<void> handle(Request& req, Response& res);
  boost::asio::awaitable<void> upstash(Request& req, std::string_view path, std::string_view query, Response& res);
  bool authorized(const Request& req, std::string_view query) const;
  // After an error answer that ends the connection: drain input briefly so
  // the answer is not lost to a reset.
  boost::asio::awaitable<void> linger();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  command::ServerContext& server_;
  const HttpOptions& options_;
  std::string peer_;
  bool streamed_ = false;  // the request became a watch stream
  command::HttpRoute route_ = command::HttpRoute::kOther;  // of the request being answered
};

}  // namespace cairn::net
