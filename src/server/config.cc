// Configuration parsing with Boost.Program_options; see config.h.
#include "server/config.h"

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>
#include <sched.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <thread>

namespace cairn::server {

namespace po = boost::program_options;

namespace {

// CPUs this process may run on (taskset, cpusets), not the machine's count:
// more I/O threads than CPUs only adds context switches.
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace

bool parse_size(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  size_t i = 0;
  uint64_t v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(s[i++] - '0');
  }
  if (i == 0) return false;
  std::string unit;
  for (; i < s.size(); ++i) unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
  uint64_t mul = 1;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k" || unit == "kb") mul = 1ull << 10;
  else if (unit == "m" || unit == "mb") mul = 1ull << 20;
  else if (unit == "g" || unit == "gb") mul = 1ull << 30;
  else return false;
  if (v > UINT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

bool parse_fsync(const std::string& s, engine::FsyncPolicy* out) {
  if (s == "always") *out = engine::FsyncPolicy::kAlways;
  else if (s == "everysec") *out = engine::FsyncPolicy::kEverySec;
  else if (s == "no") *out = engine::FsyncPolicy::kNo;
  else return false;
  return true;
}

ParseResult parse_config(int argc, char** argv, command::Settings& settings, Config* out) {
  out->settings = &settings;
  std::string data_dir, bind, fsync, cache, max_key, max_value, requirepass, disk_reserve;
  int port = 0, threads = 0, http_port = 0;
  int64_t http_max_watchers = 0, http_max_connections = 0;
  int http_request_timeout = 0;
  std::string http_bind, http_max_body;
  std::vector<std::string> http_tokens;
  uint64_t maxclients = 0, feed_retention = 0;
  int64_t timeout = 0, drain_timeout = 0;
  po::options_description desc(
      "Usage: cairn [serve] [options]\n\n"
      "Runs the Cairn server. Every option can also be given as an environment\n"
      "variable: --data-dir is CAIRN_DATA_DIR, --fsync is CAIRN_FSYNC, and so on.\n\nOptions");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("data-dir", po::value(&data_dir)->default_value("./data"), "directory holding the store")
      ("bind", po::value(&bind)->default_value("127.0.0.1"), "address to listen on")
      ("port", po::value(&port)->default_value(6379), "RESP (Redis protocol) port; 0 picks a free port")
      ("http-port", po::value(&http_port)->default_value(4869),
       "HTTP port (Upstash-compatible REST, /healthz); 0 turns HTTP off")
      ("http-bind", po::value(&http_bind)->default_value("127.0.0.1"),
       "address the HTTP port listens on; other than loopback only with --http-token")
      ("http-token", po::value(&http_tokens)->multitoken(),
       "bearer token HTTP requests must present (repeat for several); none: no HTTP authentication")
      ("http-max-body-bytes", po::value(&http_max_body)->default_value("64mb"),
       "largest HTTP request body accepted (larger: 413)")
      ("http-max-watchers", po::value(&http_max_watchers)->default_value(1000),
       "most concurrent HTTP watch streams (more get 429)")
      ("http-max-connections", po::value(&http_max_connections)->default_value(10000),
       "most concurrent HTTP connections (more are answered 503 and closed)")
      ("http-request-timeout", po::value(&http_request_timeout)->default_value(30),
       "seconds a request (headers and body) may take to arrive, and an idle keep-alive connection may wait")
      ("threads", po::value(&threads)->default_value(0), "I/O threads (0: one per CPU this process may use)")
      ("fsync", po::value(&fsync)->default_value("always"),
       "when a write is acknowledged: always (after fsync, group commit), everysec (WAL written, fsync each "
       "second), no (WAL written, the OS decides)")
      ("cache-bytes", po::value(&cache)->default_value("256mb"),
       "memory budget for the block cache and memtables (e.g. 256mb, 1g)")
      ("disk-reserve", po::value(&disk_reserve)->default_value("64mb"),
       "free disk space below which writes are refused (reads continue); 0 turns the check off")
      ("max-key-bytes", po::value(&max_key)->default_value("64kb"), "largest key accepted")
      ("max-value-bytes", po::value(&max_value)->default_value("512mb"), "largest value or argument accepted")
      ("maxclients", po::value(&maxclients)->default_value(10000), "most concurrent clients")
      ("timeout", po::value(&timeout)->default_value(0), "close clients idle this many seconds (0: never)")
      ("drain-timeout", po::value(&drain_timeout)->default_value(30),
       "close RESP clients whose replies are not read for this many seconds")
      ("requirepass", po::value(&requirepass)->default_value(""), "password clients must AUTH with")
      ("feed-retention", po::value(&feed_retention)->default_value(1000000),
       "revisions (commits) whose change-feed records stay on disk for watchers");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    std::string prefix = "CAIRN_";
    po::store(po::parse_environment(desc,
                                    [&](const std::string& env) -> std::string {
                                      if (env.rfind(prefix, 0) != 0) return "";
                                      std::string name;
                                      for (char c : env.substr(prefix.size())) {
                                        name.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(c)));
                                      }
                                      if (name == "help" || name == "version") return "";
                                      return desc.find_nothrow(name, false) ? name : "";
                                    }),
              vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "cairn: " << e.what() << "\n\n" << desc << "\n";
    return ParseResult::kError;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return ParseResult::kExit;
  }
  if (vm.count("version")) {
    std::cout << "cairn " << CAIRN_VERSION << "\n";
    return ParseResult::kExit;
  }
  auto fail = [&](const std::string& msg) {
    std::cerr << "cairn: " << msg << "\n";
    return ParseResult::kError;
  };
  if (!parse_fsync(fsync, &out->fsync)) return fail("--fsync must be always, everysec or no");
  out->fsync_name = fsync;
  uint64_t v;
  if (!parse_size(cache, &v)) return fail("--cache-bytes: not a size: " + cache);
  settings.cache_bytes = v;
  if (!parse_size(disk_reserve, &v)) return fail("--disk-reserve: not a size: " + disk_reserve);
  settings.disk_reserve_bytes = v;
  if (!parse_size(max_key, &v) || v == 0) return fail("--max-key-bytes: not a size: " + max_key);
  settings.max_key_bytes = v;
  if (!parse_size(max_value, &v) || v == 0) return fail("--max-value-bytes: not a size: " + max_value);
  settings.max_value_bytes = v;
  if (port < 0 || port > 65535) return fail("--port must be 0..65535");
  if (http_port < 0 || http_port > 65535) return fail("--http-port must be 0..65535 (0: no HTTP)");
  for (const std::string& t : http_tokens) {
    if (t.empty()) return fail("--http-token must not be empty");
  }
  if (http_port != 0 && http_tokens.empty()) {
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(http_bind, ec);
    if (ec || !addr.is_loopback()) {
      return fail("--http-bind " + http_bind + " is not a loopback address: set --http-token so that HTTP "
                  "requests need a token");
    }
  }
  settings.http_bind = http_bind;
  settings.http_port = http_port;
  settings.http_tokens = http_tokens;
  if (!parse_size(http_max_body, &v) || v == 0) return fail("--http-max-body-bytes: not a size: " + http_max_body);
  settings.http_max_body_bytes = v;
  if (http_max_watchers < 0) return fail("--http-max-watchers must not be negative");
  settings.http_max_watchers = http_max_watchers;
  if (http_max_connections < 1) return fail("--http-max-connections must be at least 1");
  settings.http_max_connections = http_max_connections;
  if (http_request_timeout < 1) return fail("--http-request-timeout must be at least 1 second");
  settings.http_request_timeout_seconds = http_request_timeout;
  if (threads < 0 || threads > 256) return fail("--threads must be 0..256");
  if (maxclients == 0) return fail("--maxclients must be at least 1");
  if (timeout < 0) return fail("--timeout must be 0 (never) or a number of seconds");
  settings.data_dir = data_dir;
  settings.bind = bind;
  settings.port = port;
  settings.threads = threads ? threads : std::clamp(usable_cpus(), 1, 256);
  settings.maxclients = maxclients;
  settings.timeout_seconds = timeout;
  if (drain_timeout < 1) return fail("--drain-timeout must be at least 1 second");
  settings.drain_timeout_seconds = drain_timeout;
  settings.feed_retention = feed_retention;
  settings.set_requirepass(requirepass);
  return ParseResult::kRun;
}

}  // namespace cairn::server
