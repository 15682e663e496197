// The byte layout of keys in each column family (docs/FORMAT.md is the reference).
//
//   data    [ns:1][user key]                   -> record (record.h)
//   scan    [ns:1][hash:8 BE][user key]        -> ""      SCAN/RANDOMKEY order
//   expiry  [at_ms:8 BE][ns:1][user key]       -> ""      background TTL sweep
//   feed    [revision:8 BE][index:2 BE]        -> [ns:1][kind:1][user key]
//   meta    "revision" | "count" [ns:1]        -> u64 LE
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::engine {

// RESP databases 0..15 and HTTP ns=0..15 share these namespaces; ids above
// kUserNamespaces are reserved for front doors with isolated data.
constexpr int kUserNamespaces = 16;
constexpr int kMaxNamespaces = 32;

// SCAN cursors are decimal integers that every client can parse, including
// JavaScript ones that hold them in a double: 52 bits of hash keep them exact.
constexpr int kScanHashBits = 52;

uint64_t scan_hash(std::string_view user_key);

std::string data_key(uint8_t ns, std::string_view user_key);
std::string data_prefix(uint8_t ns);
std::string scan_key(uint8_t ns, std::string_view user_key);
std::string scan_seek_key(uint8_t ns, uint64_t hash);
std::string expiry_key(int64_t at_ms, uint8_t ns, std::string_view user_key);
std::string feed_key(uint64_t revision, uint16_t index);
std::string count_meta_key(uint8_t ns);
inline constexpr std::string_view kRevisionMetaKey = "revision";

struct ExpiryEntry {
  int64_t at_ms;
  uint8_t ns;
  std::string_view user_key;
};
bool decode_expiry_key(std::string_view k, ExpiryEntry* out);

struct ScanEntry {
  uint64_t hash;
  std::string_view user_key;
};
// `k` includes the namespace byte.
bool decode_scan_key(std::string_view k, ScanEntry* out);

}  // namespace cairn::engine
