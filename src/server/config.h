// Command-line and environment configuration for `cairn serve`. Every flag
// has an environment twin: --data-dir <-> CAIRN_DATA_DIR, and so on; the
// command line wins.
#pragma once

#include <string>
#include <vector>

#include "command/settings.h"
#include "engine/engine.h"

namespace cairn::server {

struct Config {
  command::Settings* settings = nullptr;  // filled in place
  engine::FsyncPolicy fsync = engine::FsyncPolicy::kAlways;
  std::string fsync_name = "always";
};

enum class ParseResult { kRun, kExit, kError };

// Parses argv (after the program name and optional "serve"). Prints help or
// errors itself. `settings` must outlive the server.
ParseResult parse_config(int argc, char** argv, command::Settings& settings, Config* out);

// "64mb", "1g", "1048576" -> bytes; false on garbage.
bool parse_size(const std::string& s, uint64_t* out);
bool parse_fsync(const std::string& s, engine::FsyncPolicy* out);

}  // namespace cairn::server
