// Fuzzes the RESP request parser (multi-bulk and inline). Each input is
// parsed twice: whole, and revealed a few bytes at a time as a slow client
// would send it. Both must yield the same commands and the same outcome, a
// command never consumes more than it was given, and an error always comes
// with its reply text.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/resp/resp_parser.h"

using cairn::protocol::resp::ParserLimits;
using cairn::protocol::resp::RespParser;

namespace {

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  bool error = false;
  std::string error_text;
};

Outcome parse_all(std::string_view in, size_t step, const ParserLimits& limits) {
  Outcome out;
  RespParser parser;
  std::vector<std::string_view> argv;
  size_t begin = 0, visible = std::min(in.size(), step);
  while (begin < in.size()) {
    size_t consumed = 0;
    std::string error;
    auto r = parser.parse(in.data() + begin, visible - begin, limits, &argv, &consumed, &error);
    if (r == RespParser::Result::kError) {
      FUZZ_CHECK(!error.empty());
      out.error = true;
      out.error_text = error;
      break;
    }
    if (r == RespParser::Result::kNeedMore) {
      if (visible == in.size()) break;  // truncated: waits for more, forever
      visible = std::min(in.size(), visible + step);
      continue;
    }
    FUZZ_CHECK(consumed > 0 && consumed <= visible - begin);
    std::vector<std::string> cmd(argv.begin(), argv.end());
    for (const auto& a : cmd) FUZZ_CHECK(a.size() <= limits.max_bulk);
    if (!cmd.empty()) out.commands.push_back(std::move(cmd));
    parser.clear_storage();
    begin += consumed;
    visible = std::max(visible, std::min(in.size(), begin + step));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ParserLimits limits;
  limits.max_bulk = 1 << 16;
  limits.authenticated = (data[0] & 1) != 0;
  size_t step = 1 + (data[0] >> 4);  // 1..16 bytes per read
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  Outcome whole = parse_all(in, in.size() ? in.size() : 1, limits);
  Outcome slow = parse_all(in, step, limits);
  FUZZ_CHECK(whole.commands == slow.commands);
  FUZZ_CHECK(whole.error == slow.error);
  FUZZ_CHECK(whole.error_text == slow.error_text);
  return 0;
}
