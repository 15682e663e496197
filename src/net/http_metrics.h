// GET /metrics: Prometheus text format (version 0.0.4). Commands and their
// time per command and per front door, HTTP requests per route, connections,
// revisions, the record cache's hit ratio, block-cache use, disk use, write
// groups and fsync time, keys per namespace.
#pragma once

#include <string>

#include "command/server_context.h"

namespace cairn::net {

std::string render_metrics(command::ServerContext& server);

}  // namespace cairn::net
