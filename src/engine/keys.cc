// Key encodings for every column family; see keys.h and docs/FORMAT.md.
#include "engine/keys.h"

#include <xxhash.h>

#include "engine/coding.h"

namespace cairn::engine {

uint64_t scan_hash(std::string_view user_key) {
  // XXH3 is stable across versions and platforms, which on-disk order needs.
  return XXH3_64bits(user_key.data(), user_key.size()) >> (64 - kScanHashBits);
}

std::string data_key(uint8_t ns, std::string_view user_key) {
  std::string k;
  k.reserve(1 + user_key.size());
  k.push_back(static_cast<char>(ns));
  k.append(user_key);
  return k;
}

std::string data_prefix(uint8_t ns) { return std::string(1, static_cast<char>(ns)); }

std::string scan_key(uint8_t ns, std::string_view user_key) {
  std::string k;
  k.reserve(9 + user_key.size());
  k.push_back(static_cast<char>(ns));
  put_be64(&k, scan_hash(user_key));
  k.append(user_key);
  return k;
}

std::string scan_seek_key(uint8_t ns, uint64_t hash) {
  std::string k;
  k.push_back(static_cast<char>(ns));
  put_be64(&k, hash);
  return k;
}

std::string expiry_key(int64_t at_ms, uint8_t ns, std::string_view user_key) {
  std::string k;
  k.reserve(9 + user_key.size());
  put_be64(&k, static_cast<uint64_t>(at_ms));
  k.push_back(static_cast<char>(ns));
  k.append(user_key);
  return k;
}

std::string feed_key(uint64_t revision, uint32_t index) {
  std::string k;
  put_be64(&k, revision);
  put_be16(&k, static_cast<uint16_t>(index >> 16));
  put_be16(&k, static_cast<uint16_t>(index & 0xffff));
  return k;
}

std::string count_meta_key(uint8_t ns) {
  std::string k = "count";
  k.push_back(static_cast<char>(ns));
  return k;
}

std::string member_prefix(uint8_t ns, std::string_view user_key, uint64_t version) {
  std::string k;
  k.reserve(13 + user_key.size());
  k.push_back(static_cast<char>(ns));
  uint32_t n = static_cast<uint32_t>(user_key.size());
  for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>((n >> shift) & 0xff));
  k.append(user_key);
  put_be64(&k, version);
  return k;
}

uint32_t member_hash(std::string_view member) {
  return static_cast<uint32_t>(XXH3_64bits(member.data(), member.size()) >> 32);
}

std::string hashed_member_sub(std::string_view member) {
  std::string s;
  s.reserve(4 + member.size());
  uint32_t h = member_hash(member);
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((h >> shift) & 0xff));
  s.append(member);
  return s;
}

std::string prefix_successor(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (prefix.empty()) return prefix;
  prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

bool decode_expiry_key(std::string_view k, ExpiryEntry* out) {
  if (k.size() < 9) return false;
  out->at_ms = static_cast<int64_t>(get_be64(k.data()));
  out->ns = static_cast<uint8_t>(k[8]);
  out->user_key = k.substr(9);
  return true;
}

bool decode_scan_key(std::string_view k, ScanEntry* out) {
  if (k.size() < 9) return false;
  out->hash = get_be64(k.data() + 1);
  out->user_key = k.substr(9);
  return true;
}

}  // namespace cairn::engine
