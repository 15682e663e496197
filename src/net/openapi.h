// The OpenAPI 3.0 document of the native HTTP API (docs/openapi.json, built
// into the binary), served at GET /v1/openapi.json.
#pragma once

#include <string_view>

namespace cairn::net {

std::string_view openapi_json();

}  // namespace cairn::net
