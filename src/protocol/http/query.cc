// Query-string parameters; see query.h.
#include "protocol/http/query.h"

#include "protocol/http/upstash.h"

namespace cairn::protocol::http {

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string out;
    if (eq == std::string_view::npos) return out;
    if (!percent_decode(pair.substr(eq + 1), &out, true)) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

}  // namespace cairn::protocol::http
