// The byte layout of keys in each column family (docs/FORMAT.md is the reference).
//
//   data    [ns:1][user key]                   -> record (record.h)
//   scan    [ns:1][hash:8 BE][user key]        -> ""      SCAN/RANDOMKEY order
//   expiry  [at_ms:8 BE][ns:1][user key]       -> ""      background TTL sweep
//   feed    [revision:8 BE][index:4 BE]        -> [ns:1][kind:1][user key]
//   meta    "revision" | "count" [ns:1]        -> u64 LE
//   members [ns:1][key len:4 BE][user key][version:8 BE][tag:1][sub key] -> member value
//           (collections: hash/set/zset members, list positions, zset scores)
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
std::string feed_key(uint64_t revision, uint32_t index);
std::string count_meta_key(uint8_t ns);
inline constexpr std::string_view kRevisionMetaKey = "revision";
// On-disk format version, checked at open (docs/FORMAT.md).
inline constexpr std::string_view kFormatMetaKey = "format";
// 2 added chunked strings (record flag 0x04); a version 1 store is a valid
// version 2 store, and opening one marks it 2, so that a binary that reads
// only 1 refuses it instead of meeting records it cannot decode.
// 3 added streams (type 5's payload and member tags e n g p k q), on the
// same rule.
inline constexpr uint64_t kFormatVersion = 3;
inline constexpr uint64_t kOldestUpgradableFormat = 1;

// The prefix shared by every member record of one collection incarnation.
std::string member_prefix(uint8_t ns, std::string_view user_key, uint64_t version);
// Member tags: which index of the collection a member record belongs to.
inline constexpr char kTagMember = 'm';    // hash field / set member / zset member -> value or score
inline constexpr char kTagPosition = 'l';  // list position -> element
inline constexpr char kTagScore = 's';     // zset score index: [score:8][member] -> ""
inline constexpr char kTagChunk = 'c';     // chunked string: [chunk index:4 BE] -> bytes
// Streams (model/stream.h): IDs are [ms:8 BE][seq:8 BE], names [len:4 BE][bytes].
inline constexpr char kTagStreamEntry = 'e';     // [id] -> fields and values
inline constexpr char kTagStreamNode = 'n';      // [first id] -> node counts (approximate trimming)
inline constexpr char kTagStreamGroup = 'g';     // [group name] -> last delivered ID, entries read, counts
inline constexpr char kTagStreamPel = 'p';       // [group][id] -> delivery time, count, consumer
inline constexpr char kTagStreamConsumer = 'k';  // [group][consumer] -> seen time, pending count
inline constexpr char kTagStreamConsumerPel = 'q';  // [group][consumer][id] -> ""

// Hash of a member name that orders HSCAN/SSCAN/ZSCAN; sub keys are [hash:4 BE][member].
uint32_t member_hash(std::string_view member);
std::string hashed_member_sub(std::string_view member);

// The smallest key greater than every key starting with `prefix` ("" if none).
std::string prefix_successor(std::string prefix);

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
