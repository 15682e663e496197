// RDB encodings for DUMP-style payloads; see rdb.h.
#include "model/rdb.h"

#include <lzf.h>

#include <array>
#include <limits>

namespace cairn::model::rdb {

namespace {

constexpr uint64_t kJonesReflected = 0x95ac9329ac4bc9b5ULL;

std::array<uint64_t, 256> make_crc_table() {
  std::array<uint64_t, 256> table{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int b = 0; b < 8; ++b) crc = (crc & 1) ? (crc >> 1) ^ kJonesReflected : crc >> 1;
    table[i] = crc;
  }
  return table;
}

// Length encodings: the top two bits of the first byte.
constexpr uint8_t k6Bit = 0, k14Bit = 1, kEncoded = 3;
constexpr uint8_t k32Bit = 0x80, k64Bit = 0x81;
// Special string encodings (after kEncoded).
constexpr uint8_t kEncInt8 = 0, kEncInt16 = 1, kEncInt32 = 2, kEncLzf = 3;

}  // namespace

uint64_t crc64(uint64_t crc, std::string_view data) {
  static const std::array<uint64_t, 256> table = make_crc_table();
  for (unsigned char c : data) crc = table[(crc ^ c) & 0xff] ^ (crc >> 8);
  return crc;
}

void append_length(std::string& out, uint64_t len) {
  if (len < (1 << 6)) {
    out.push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out.push_back(static_cast<char>((k14Bit << 6) | (len >> 8)));
    out.push_back(static_cast<char>(len & 0xff));
  } else if (len <= std::numeric_limits<uint32_t>::max()) {
    out.push_back(static_cast<char>(k32Bit));
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((len >> s) & 0xff));
  } else {
    out.push_back(static_cast<char>(k64Bit));
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((len >> s) & 0xff));
  }
}

void append_string(std::string& out, std::string_view s) {
  if (s.size() > 20 && s.size() <= std::numeric_limits<unsigned int>::max()) {
    std::string packed(s.size() - 4, '\0');
    unsigned int n = lzf_compress(s.data(), static_cast<unsigned int>(s.size()), packed.data(),
                                  static_cast<unsigned int>(packed.size()));
    if (n > 0) {
      out.push_back(static_cast<char>((kEncoded << 6) | kEncLzf));
      append_length(out, n);
      append_length(out, s.size());
      out.append(packed.data(), n);
      return;
    }
  }
  append_length(out, s.size());
  out.append(s);
}

void append_trailer(std::string& out) {
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  uint64_t crc = crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
}

std::optional<std::string_view> verify_payload(std::string_view payload) {
  if (payload.size() < 10) return std::nullopt;
  size_t footer = payload.size() - 10;
  auto at = [&](size_t i) { return static_cast<uint8_t>(payload[i]); };
  uint16_t version = static_cast<uint16_t>(at(footer) | (at(footer + 1) << 8));
  if (version > kRdbVersion) return std::nullopt;
  uint64_t crc = 0;
  for (int i = 7; i >= 0; --i) crc = (crc << 8) | at(footer + 2 + static_cast<size_t>(i));
  if (crc64(0, payload.substr(0, footer + 2)) != crc) return std::nullopt;
  return payload.substr(0, footer);
}

std::optional<uint8_t> Reader::byte() {
  if (pos_ >= data_.size()) return std::nullopt;
  return static_cast<uint8_t>(data_[pos_++]);
}

std::optional<uint64_t> Reader::length_or_encoding(bool* encoded) {
  *encoded = false;
  auto first = byte();
  if (!first) return std::nullopt;
  uint8_t type = *first >> 6;
  if (type == k6Bit) return *first & 0x3f;
  if (type == k14Bit) {
    auto second = byte();
    if (!second) return std::nullopt;
    return (static_cast<uint64_t>(*first & 0x3f) << 8) | *second;
  }
  if (type == kEncoded) {
    *encoded = true;
    return *first & 0x3f;
  }
  int bytes = *first == k32Bit ? 4 : *first == k64Bit ? 8 : 0;
  if (bytes == 0 || data_.size() - pos_ < static_cast<size_t>(bytes)) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_++]);
  return v;
}

std::optional<uint64_t> Reader::length() {
  bool encoded;
  auto len = length_or_encoding(&encoded);
  if (!len || encoded) return std::nullopt;
  return len;
}

std::optional<std::string> Reader::string() {
  bool encoded;
  auto len = length_or_encoding(&encoded);
  if (!len) return std::nullopt;
  if (encoded) {
    if (*len == kEncInt8 || *len == kEncInt16 || *len == kEncInt32) {
      size_t n = *len == kEncInt8 ? 1 : *len == kEncInt16 ? 2 : 4;
      if (data_.size() - pos_ < n) return std::nullopt;
      uint32_t v = 0;  // little-endian, sign-extended below
      for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
      pos_ += n;
      int64_t value = n == 1 ? static_cast<int8_t>(v) : n == 2 ? static_cast<int16_t>(v) : static_cast<int32_t>(v);
      return std::to_string(value);
    }
    if (*len != kEncLzf) return std::nullopt;
    auto packed = length();
    auto plain = length();
    if (!packed || !plain || *packed > data_.size() - pos_ || *plain > std::numeric_limits<unsigned int>::max() ||
        *plain > 512ull * 1024 * 1024) {
      return std::nullopt;
    }
    std::string out(*plain, '\0');
    unsigned int n = lzf_decompress(data_.data() + pos_, static_cast<unsigned int>(*packed), out.data(),
                                    static_cast<unsigned int>(out.size()));
    if (n != *plain) return std::nullopt;
    pos_ += *packed;
    return out;
  }
  if (*len > data_.size() - pos_) return std::nullopt;
  std::string out(data_.substr(pos_, *len));
  pos_ += *len;
  return out;
}

}  // namespace cairn::model::rdb
