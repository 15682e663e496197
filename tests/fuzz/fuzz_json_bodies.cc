// Fuzzes the JSON request bodies and the text helpers behind every JSON
// answer: the batch body of POST /v1/kv/batch (bounded depth, 1..1000 ops,
// non-empty keys), Upstash command arrays, base64 (decode(encode(x)) == x,
// and a decoded string re-encodes to its input when that input was
// canonical), and valid_utf8 (its output is a fixed point: already valid).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "protocol/http/batch.h"
#include "protocol/http/json_reply.h"
#include "protocol/http/upstash.h"

namespace ph = cairn::protocol::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  ph::BatchRequest batch;
  std::string error;
  if (ph::parse_batch(in, &batch, &error)) {
    FUZZ_CHECK(!batch.ops.empty() && batch.ops.size() <= ph::kMaxBatchOps);
    for (const auto& op : batch.ops) {
      FUZZ_CHECK(!op.key.empty());
      FUZZ_CHECK(op.ttl_ms >= 0);
    }
  } else {
    FUZZ_CHECK(!error.empty());
  }

  std::vector<ph::Command> cmds;
  error.clear();
  if (!ph::parse_json_commands(in, &cmds, &error)) FUZZ_CHECK(!error.empty());

  std::string encoded = ph::base64_encode(in);
  std::string decoded;
  FUZZ_CHECK(ph::base64_decode(encoded, &decoded) && decoded == in);
  std::string raw;
  if (ph::base64_decode(in, &raw)) FUZZ_CHECK(raw.size() <= in.size());

  std::string utf8 = ph::valid_utf8(in);
  FUZZ_CHECK(ph::valid_utf8(utf8) == utf8);
  return 0;
}
