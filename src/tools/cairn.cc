// The `cairn` command line. `cairn serve` (also the default) runs the server;
// other tools (export, import, backup, check, bench) join here later.
#include <cstring>
#include <iostream>

#include "command/settings.h"
#include "server/config.h"
#include "server/server.h"

int main(int argc, char** argv) {
  int first = 1;
  if (argc > 1 && argv[1][0] != '-') {
    if (std::strcmp(argv[1], "serve") != 0) {
      std::cerr << "cairn: unknown subcommand '" << argv[1] << "' (try: cairn serve --help)\n";
      return 2;
    }
    first = 2;
  }
  // Program_options expects argv[0] to be the program name.
  argv[first - 1] = argv[0];
  static cairn::command::Settings settings;
  cairn::server::Config config;
  switch (cairn::server::parse_config(argc - first + 1, argv + first - 1, settings, &config)) {
    case cairn::server::ParseResult::kExit: return 0;
    case cairn::server::ParseResult::kError: return 2;
    case cairn::server::ParseResult::kRun: break;
  }
  return cairn::server::serve(settings, config);
}
