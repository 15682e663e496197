// Fuzzes the HTTP request path up to the store: Beast's request parser with
// Cairn's limits (16 KiB of headers, a bounded body), then what Cairn does
// with a parsed request before touching data: splitting target into path and
// query, percent-decoding the key segment, reading query parameters and
// bearer tokens, and parsing the body as an Upstash command, pipeline or
// path-style command. Invariants: decoding never grows a key, a parsed
// command is never empty, and every error has a message.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/http/query.h"
#include "protocol/http/upstash.h"

namespace http = boost::beast::http;
namespace ph = cairn::protocol::http;

namespace {

void route(const http::request<http::string_body>& req) {
  std::string_view target(req.target().data(), req.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  std::string_view query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
  for (const char* name : {"ns", "prefix", "cursor", "limit", "ttl", "ttl_ms", "ttl_at", "since", "_token"}) {
    (void)ph::query_param(query, name);
  }
  if (auto it = req.find(http::field::authorization); it != req.end()) {
    std::string_view auth(it->value().data(), it->value().size());
    (void)auth.starts_with("Bearer ");
  }
  constexpr std::string_view kKv = "/v1/kv/";
  if (path.starts_with(kKv)) {
    std::string key;
    if (ph::percent_decode(path.substr(kKv.size()), &key, false)) FUZZ_CHECK(key.size() <= path.size());
  }
  std::string error;
  if (path == "/") {
    ph::Command cmd;
    if (ph::parse_json_command(req.body(), &cmd, &error)) FUZZ_CHECK(!cmd.empty());
    else FUZZ_CHECK(!error.empty());
  } else if (path == "/pipeline" || path == "/multi-exec") {
    std::vector<ph::Command> cmds;
    if (ph::parse_json_commands(req.body(), &cmds, &error)) {
      for (const auto& c : cmds) FUZZ_CHECK(!c.empty());
    } else {
      FUZZ_CHECK(!error.empty());
    }
  } else {
    ph::Command cmd;
    const std::string* body = req.method() == http::verb::post ? &req.body() : nullptr;
    if (ph::parse_path_command(path, query, body, &cmd, &error)) FUZZ_CHECK(!cmd.empty());
    else FUZZ_CHECK(!error.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  // Fed in pieces, as reads deliver it: the parser must cope with any split.
  while (used < size && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;  // Cairn answers 400/413/431 and closes
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return 0;
  route(parser.get());
  return 0;
}
