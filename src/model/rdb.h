// Redis's RDB serialization, the parts DUMP-style payloads are made of:
// length and string encodings (LZF-compressed strings through Debian's
// liblzf), and the payload trailer (RDB version, CRC-64 "Jones" as Redis
// computes it). FUNCTION DUMP / RESTORE use it; payloads move between Redis
// 7.0 and Cairn both ways.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::model::rdb {

constexpr uint16_t kRdbVersion = 10;        // Redis 7.0
constexpr uint8_t kOpcodeFunction2 = 245;   // a function library's code
constexpr uint8_t kOpcodeFunctionPreGa = 246;

// Redis's crc64 (Jones polynomial, reflected): crc64(0, "123456789") is
// 0xe9c6d914c4b8d9ca.
uint64_t crc64(uint64_t crc, std::string_view data);

void append_length(std::string& out, uint64_t len);
// As Redis's rdbSaveRawString: LZF-compressed when longer than 20 bytes
// and compression pays.
void append_string(std::string& out, std::string_view s);
// Appends the RDB version and the CRC-64 of everything before it.
void append_trailer(std::string& out);

// Reads from a payload's body; every read fails (nullopt) rather than read
// past the end of malformed input.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }
  std::optional<uint8_t> byte();
  // A plain length (no special encodings).
  std::optional<uint64_t> length();
  // A string in any encoding: raw, integer-encoded, LZF.
  std::optional<std::string> string();

 private:
  // Length or, with `*encoded` set, the special encoding number.
  std::optional<uint64_t> length_or_encoding(bool* encoded);
  std::string_view data_;
  size_t pos_ = 0;
};

// Checks a payload's trailer (version no newer than ours, CRC-64 right) and
// returns its body without the trailer.
std::optional<std::string_view> verify_payload(std::string_view payload);

}  // namespace cairn::model::rdb
