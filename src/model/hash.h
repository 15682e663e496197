// The hash type: one collection record per key (collection.h) and one member
// record per field, whose value is the field's value (hashed_members.h).
// Operations return an OpStatus; handlers in command/hashes.cc turn results
// into replies. A hash that loses its last field is deleted, as in Redis.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "model/hashed_members.h"

namespace cairn::model {

// Opens `key` as a hash for reading: kOk, kNotFound or kWrongType.
OpStatus open_hash(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Collection* h);

// The value of `field` in an open hash; false if the field is absent.
bool hash_get(View& v, const Collection& h, std::string_view field, std::string* value);

// HSET/HMSET: `pairs` is field, value, field, value, …; *added counts the
// fields that did not exist before.
OpStatus hash_set(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> pairs,
                  int64_t* added);

// HSETNX: sets the field only if it is absent; *set tells whether it did.
OpStatus hash_set_if_absent(Txn& t, uint8_t ns, std::string_view key, std::string_view field,
                            std::string_view value, bool* set);

// HDEL: *removed counts the fields that existed; kNotFound if no hash.
OpStatus hash_delete(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> fields,
                     int64_t* removed);

// HINCRBY: kNotInteger if the field holds no integer, kOverflow.
OpStatus hash_incr_by(Txn& t, uint8_t ns, std::string_view key, std::string_view field, int64_t delta,
                      int64_t* result);

// HINCRBYFLOAT: kNotFloat if the field holds no number, kNanOrInf if the
// result is not finite. *result is the stored (formatted) value.
OpStatus hash_incr_by_float(Txn& t, uint8_t ns, std::string_view key, std::string_view field,
                            long double delta, std::string* result);

}  // namespace cairn::model
