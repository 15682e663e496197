// The set type: one collection record per key (collection.h) and one member
// record per member with an empty value (hashed_members.h). Operations return
// an OpStatus; handlers in command/sets.cc turn results into replies. A set
// that loses its last member is deleted, as in Redis.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "model/hashed_members.h"

namespace cairn::model {

// Opens `key` as a set for reading: kOk, kNotFound or kWrongType.
OpStatus open_set(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Collection* s);

bool set_contains(View& v, const Collection& s, std::string_view member);

// SADD: *added counts the members that were new.
OpStatus set_add(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> members,
                 int64_t* added);

// SREM: *removed counts the members that were there; kNotFound if no set.
OpStatus set_remove(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> members,
                    int64_t* removed);

// SMOVE: *moved is false when `src` is missing or lacks `member`. kWrongType
// if either key holds another type (a missing src is checked first, as Redis
// does).
OpStatus set_move(Txn& t, uint8_t ns, std::string_view src, std::string_view dst, std::string_view member,
                  bool* moved);

// SPOP: removes up to `count` random members and returns them (all of them,
// deleting the key, when count >= the set's size). kNotFound if no set.
OpStatus set_pop(Txn& t, uint8_t ns, std::string_view key, uint64_t count, std::vector<std::string>* popped);

enum class SetCombine { kInter, kUnion, kDiff };

// SINTER/SUNION/SDIFF of the sets at `keys` (missing keys are empty sets).
// kWrongType if any key holds another type.
OpStatus set_combine(View& v, uint8_t ns, std::span<const std::string_view> keys, SetCombine op, int64_t now_ms,
                     std::vector<std::string>* out);

// SINTERCARD: the intersection's size, counting stops at `limit` (0: none).
OpStatus set_inter_card(View& v, uint8_t ns, std::span<const std::string_view> keys, uint64_t limit,
                        int64_t now_ms, uint64_t* card);

// SINTERSTORE/SUNIONSTORE/SDIFFSTORE: writes the result as a set at `dst`
// over whatever was there (its TTL is dropped), or deletes `dst` when the
// result is empty. *card is the result's size.
OpStatus set_combine_store(Txn& t, uint8_t ns, std::string_view dst, std::span<const std::string_view> keys,
                           SetCombine op, int64_t* card);

// Writes `members` (distinct) as the set at `key`, replacing any value of any
// type; deletes the key when `members` is empty.
void replace_set(Txn& t, uint8_t ns, std::string_view key, const std::vector<std::string>& members);

}  // namespace cairn::model
