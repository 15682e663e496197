// Shared machinery of the collection types (hash, list, set, sorted set):
// one record per key holding a CollectionMeta (version, count, list bounds),
// and one record per member in the members column family under
// [ns][key len][key][version]. Type files (hash.cc, list.cc, set.cc,
// zset.cc) build on these helpers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/keys.h"
#include "engine/record.h"
#include "model/keys.h"
#include "model/strings.h"

namespace cairn::model {

using engine::CollectionMeta;

// An open collection: its record as found, its meta, and its member prefix.
struct Collection {
  Found found;
  CollectionMeta meta;
  std::string prefix;  // member_prefix(ns, key, meta.version)
  bool exists = false;

  // Key of a member record: prefix + tag + sub.
  std::string member_key(char tag, std::string_view sub) const;
  // [lower, upper) bounds covering every record with `tag`.
  std::string tag_begin(char tag) const;
  std::string tag_end(char tag) const;
};

// Opens `key` as a collection of `type` for reading. kOk (exists), kNotFound
// (missing or expired) or kWrongType.
OpStatus open_collection(View& v, uint8_t ns, std::string_view key, ValueType type, int64_t now_ms,
                         Collection* c);

// Opens for writing: a missing key becomes a new, empty collection with a
// fresh version (Txn::new_collection_version; c->exists stays false until saved).
OpStatus open_collection_for_write(Txn& t, uint8_t ns, std::string_view key, ValueType type, Collection* c);

// Writes the collection's record after member changes (keeping its TTL), or
// deletes the key when the count reached zero, as Redis does.
void save_collection(Txn& t, uint8_t ns, std::string_view key, ValueType type, const Collection& c);

// Member sub keys of hashes, sets and sorted-set members: [hash:4 BE][name],
// so that *SCAN cursors are hash positions.
using engine::hashed_member_sub;
// The member name inside a hashed sub key (after prefix + tag).
std::string_view member_name(std::string_view record_key, size_t prefix_len);
// Hash position of a member record key (the 4 bytes after prefix + tag).
uint32_t member_hash_at(std::string_view record_key, size_t prefix_len);

// One page of a *SCAN over a collection's hashed members. `cursor` 0 starts;
// the returned cursor is 0 when done. Calls emit(name, value) per member.
template <typename Emit>
uint64_t scan_members(View& v, const Collection& c, uint64_t cursor, size_t count, Emit&& emit);

}  // namespace cairn::model

#include "model/collection_inl.h"
