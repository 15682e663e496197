// HTTP connection loop and routing; see http_connection.h.
#include "net/http_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <chrono>

#include "command/args.h"
#include "command/dispatch.h"
#include "command/errors.h"
#include "command/session.h"
#include "common/log.h"
#include "engine/clock.h"
#include "net/command_runner.h"
#include "net/http_answers.h"
#include "net/http_kv.h"
#include "net/http_kv_batch.h"
#include "net/http_kv_list.h"
#include "net/http_metrics.h"
#include "net/openapi.h"
#include "net/http_watch.h"
#include "protocol/http/json_reply.h"
#include "protocol/http/query.h"
#include "protocol/http/upstash.h"

namespace cairn::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ph = protocol::http;

namespace {

HttpConnection::Response json_response(http::status status, std::string body) {
  HttpConnection::Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

HttpConnection::Response error_response(http::status status, std::string_view msg) {
  return json_response(status, ph::format_error(msg));
}

// Compares without an early exit, so response time does not reveal how
// much of a guessed token was right.
bool same_secret(std::string_view presented, std::string_view token) {
  if (token.empty() || presented.size() != token.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i]) ^ static_cast<unsigned char>(token[i]);
  }
  return diff == 0;
}

}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, command::ServerContext& server,
                               const HttpOptions& options)
    : stream_(std::move(socket)), server_(server), options_(options) {
  boost::system::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

asio::awaitable<void> HttpConnection::run() {
  auto self = shared_from_this();
  int64_t open = server_.stats().http_connections.fetch_add(1, std::memory_order_relaxed);
  struct Closed {
    command::ServerStats& st;
    ~Closed() { st.http_connections.fetch_sub(1, std::memory_order_relaxed); }
  } closed{server_.stats()};
  if (open >= options_.max_connections ||
      open + static_cast<int64_t>(server_.clients().size()) >= server_.settings().connection_descriptors) {
    // Over the cap: a clear answer instead of a silent reset, then close.
    server_.stats().http_rejected_connections.fetch_add(1, std::memory_order_relaxed);
    Response res;
    error_answer(res, http::status::service_unavailable, "too_many_connections",
                 "the server has as many connections open as --http-max-connections or its open-files "
                 "limit allows; retry later");
    res.set(http::field::retry_after, "1");
    res.keep_alive(false);
    res.prepare_payload();
    stream_.expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    auto [wec, wn] = co_await http::async_write(stream_, res, asio::as_tuple(asio::use_awaitable));
    if (!wec) co_await linger();
    co_return;
  }
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      // Answer what can be answered (limits, malformed requests); a closed,
      // reset or timed-out connection just ends.
      Response res;
      if (ec == http::error::body_limit) {
        res = error_response(http::status::payload_too_large, "ERR request body too large");
      } else if (ec == http::error::header_limit) {
        res = error_response(http::status::request_header_fields_too_large, "ERR request headers too large");
      } else if (ec != http::error::end_of_stream && ec != beast::error::timeout && ec != asio::error::eof &&
                 ec != asio::error::connection_reset && ec != http::error::partial_message) {
        res = error_response(http::status::bad_request, "ERR malformed HTTP request: " + ec.message());
      } else {
        break;
      }
      res.keep_alive(false);
      res.prepare_payload();
      stream_.expires_after(std::chrono::seconds(options_.read_timeout_seconds));
      auto [wec, wn] = co_await http::async_write(stream_, res, asio::as_tuple(asio::use_awaitable));
      if (!wec) co_await linger();
      break;
    }
    Request req = parser.release();
    Response res;
    route_ = command::HttpRoute::kOther;
    auto t0 = std::chrono::steady_clock::now();
    co_await handle(req, res);
    auto r = static_cast<size_t>(route_);
    auto& st = server_.stats();
    st.http_requests[r].fetch_add(1, std::memory_order_relaxed);
    if (res.result_int() >= 400) st.http_errors[r].fetch_add(1, std::memory_order_relaxed);
    auto us = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
    st.http_usec[r].fetch_add(us, std::memory_order_relaxed);
    st.http_latency[r].record(us);
    if (streamed_) break;  // a watch stream: it wrote its own response and ends the connection
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    stream_.expires_after(std::chrono::seconds(options_.read_timeout_seconds));
    auto [wec, wn] = co_await http::async_write(stream_, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !res.keep_alive()) break;
  }
  boost::system::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
}

asio::awaitable<void> HttpConnection::linger() {
  // Closing with unread input makes the kernel send a reset, which can
  // destroy the answer before the client reads it (a 413 while it is still
  // sending the body). So: stop sending, then read and discard for a short
  // while, as nginx's lingering close does.
  boost::system::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  stream_.expires_after(std::chrono::seconds(2));
  std::array<char, 16384> sink;
  size_t total = 0;
  while (total < (64u << 20)) {
    auto [rec, n] = co_await stream_.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    total += n;
  }
}

bool HttpConnection::authorized(const Request& req, std::string_view query) const {
  if (options_.tokens.empty()) return true;
  std::string presented;
  auto it = req.find(http::field::authorization);
  if (it != req.end()) {
    std::string_view v = it->value();
    if (v.size() < 7 || !command::iequals(v.substr(0, 7), "Bearer ")) return false;
    presented.assign(v.substr(7));
  } else {
    presented = ph::query_param(query, "_token").value_or("");
  }
  bool ok = false;
  for (const std::string& t : options_.tokens) ok |= same_secret(presented, t);
  return ok;
}

asio::awaitable<void> HttpConnection::handle(Request& req, Response& res) {
  std::string_view target = req.target();
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);

  if (path == "/metrics") {
    route_ = command::HttpRoute::kMetrics;
    if (!authorized(req, query)) {
      res = error_response(http::status::unauthorized, "Unauthorized");
      co_return;
    }
    res = Response{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = render_metrics(server_);
    co_return;
  }
  if (path == "/healthz") {
    route_ = command::HttpRoute::kHealth;
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res = error_response(http::status::method_not_allowed, "ERR use GET");
      co_return;
    }
    res = json_response(http::status::ok, R"({"status":"ok"})");
    co_return;
  }
  if (!authorized(req, query)) {
    res = error_response(http::status::unauthorized, "Unauthorized");
    res.set(http::field::www_authenticate, "Bearer");
    co_return;
  }
  if (path == "/v1/openapi.json") {
    route_ = command::HttpRoute::kOther;
    if (req.method() != http::verb::get) {
      res = error_response(http::status::method_not_allowed, "ERR use GET");
      co_return;
    }
    res = json_response(http::status::ok, std::string(openapi_json()));
    co_return;
  }
  if (path == "/v1/kv") {
    route_ = command::HttpRoute::kList;
    co_await handle_kv_namespace(server_, req, query, res);
    co_return;
  }
  if (path == "/v1/admin/compact") {
    route_ = command::HttpRoute::kAdmin;
    handle_compact(server_, req, res);
    co_return;
  }
  if (path == "/v1/kv/batch" && req.method() == http::verb::post) {
    route_ = command::HttpRoute::kKv;
    co_await handle_kv_batch(server_, req, query, res);
    co_return;
  }
  if (is_kv_path(path)) {
    route_ = command::HttpRoute::kKv;
    co_await handle_kv(server_, req, path, query, res);
    co_return;
  }
  if (is_watch_path(path)) {
    route_ = command::HttpRoute::kWatch;
    co_await handle_watch(server_, stream_, req, path, query, res, &streamed_);
    co_return;
  }
  route_ = command::HttpRoute::kUpstash;
  co_await upstash(req, path, query, res);
}

asio::awaitable<void> HttpConnection::upstash(Request& req, std::string_view path, std::string_view query,
                                             Response& res) {
  http::verb m = req.method();
  bool json_body = path == "/" || path == "/pipeline" || path == "/multi-exec";
  if (json_body && m != http::verb::post) {
    res = error_response(http::status::method_not_allowed, "ERR use POST with a JSON body");
    co_return;
  }
  if (!json_body && m != http::verb::get && m != http::verb::post && m != http::verb::put &&
      m != http::verb::head) {
    res = error_response(http::status::method_not_allowed, "ERR method not allowed");
    co_return;
  }

  // Parse into owned strings, then views for the command layer.
  std::vector<ph::Command> commands;
  std::string error;
  bool parsed;
  if (path == "/pipeline" || path == "/multi-exec") {
    parsed = ph::parse_json_commands(req.body(), &commands, &error);
  } else {
    commands.emplace_back();
    if (path == "/") {
      parsed = ph::parse_json_command(req.body(), &commands[0], &error);
    } else {
      bool with_body = (m == http::verb::post || m == http::verb::put) && !req.body().empty();
      parsed = ph::parse_path_command(path, query, with_body ? &req.body() : nullptr, &commands[0], &error);
    }
  }
  if (!parsed) {
    res = error_response(http::status::bad_request, error);
    co_return;
  }

  std::vector<std::vector<std::string_view>> views(commands.size());
  std::vector<command::Argv> argvs;
  argvs.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    views[i].assign(commands[i].begin(), commands[i].end());
    argvs.emplace_back(views[i].data(), views[i].size());
  }

  auto enc = req.find("Upstash-Encoding");
  bool base64 = enc != req.end() && command::iequals(enc->value(), "base64");
  ph::JsonReply reply(base64);
  command::Session session;
  session.door = command::Door::kHttp;
  session.authenticated = true;
  session.addr = peer_;
  session.created_ms = engine::unix_ms();
  // The session ends with the request: so do its WATCHes.
  struct Unwatch {
    command::ServerContext& server;
    command::Session& session;
    ~Unwatch() { server.watched_keys().unwatch_all(&session); }
  } unwatch{server_, session};
  co_await run_commands(server_, session, reply, argvs, path == "/multi-exec");

  const auto& results = reply.results();
  if (path == "/pipeline" || path == "/multi-exec") {
    res = json_response(http::status::ok, ph::format_results(results));
  } else if (results.empty()) {
    res = error_response(http::status::internal_server_error, "ERR no reply");
  } else {
    // A command error is 400, as Upstash answers; a full disk is 507.
    http::status status = !results[0].is_error                               ? http::status::ok
                          : results[0].error.starts_with(command::err::kDiskFull) ? http::status::insufficient_storage
                                                                                 : http::status::bad_request;
    res = json_response(status, ph::format_result(results[0]));
  }
  // Read-your-writes token: the store's revision after this request.
  res.set("upstash-sync-token", std::to_string(server_.engine().last_revision()));
}

}  // namespace cairn::net
