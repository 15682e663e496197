// Fuzzes the decoders of bytes that come back from disk: records (header,
// expiry, metadata, payload), collection metadata, expiry-index keys and
// scan-index keys. Whatever decodes must re-encode to the same bytes, so a
// decoder never accepts something the encoder could not have written.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/keys.h"
#include "engine/record.h"
#include "fuzz_check.h"

namespace engine = cairn::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  engine::RecordHeader h;
  std::string_view payload;
  if (engine::decode_record(in, &h, &payload)) {
    std::string again;
    engine::encode_record(h, payload, &again);
    FUZZ_CHECK(again == in);
    if (engine::is_collection(h.type)) {
      engine::CollectionMeta m;
      if (engine::decode_collection(h.type, payload, &m)) {
        std::string meta;
        engine::encode_collection(h.type, m, &meta);
        FUZZ_CHECK(meta == payload);
      }
    }
  }

  engine::ExpiryEntry e;
  if (engine::decode_expiry_key(in, &e)) {
    FUZZ_CHECK(engine::expiry_key(e.at_ms, e.ns, e.user_key) == in);
  }

  engine::ScanEntry s;
  if (engine::decode_scan_key(in, &s) && !in.empty()) {
    FUZZ_CHECK(s.user_key.size() < in.size());
  }
  return 0;
}
