// Start-up and shutdown: opens the engine, registers the commands, starts
// the I/O threads and the RESP listener, and on SIGTERM/SIGINT or SHUTDOWN
// stops accepting, lets in-flight commands finish, syncs and closes.
#pragma once

#include "server/config.h"

namespace cairn::server {

// Runs until shutdown; returns the process exit code.
int serve(command::Settings& settings, const Config& config);

}  // namespace cairn::server
