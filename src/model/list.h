// The list type on the ordered keyspace. A list is one collection record
// (model/collection.h) whose CollectionMeta holds the positions head..tail-1
// of its elements, and one record per element in the members column family:
//
//   [member prefix][kTagPosition][position:8]  -> element
//
// where position:8 is the signed position as big-endian (uint64(pos) ^ 2^63),
// so that negative positions sort first and a range of indexes is a range
// scan. LPUSH writes at head-1, RPUSH at tail; pops, LINDEX and LSET at
// either end touch one record. LINSERT and LREM rewrite the positions on the
// shorter side of the change; LTRIM deletes the trimmed records.
//
// Operations return an OpStatus (kOk, kNotFound for a missing key, or
// kWrongType) and their result through out-parameters; handlers in
// command/lists.cc turn them into replies. Reads take any View: on the
// committed store they re-check the list's record after reading members and
// retry if a write landed in between, so a reply reflects one list state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"

namespace cairn::model {

enum class ListEnd { kHead, kTail };  // LEFT, RIGHT

// The 8-byte sub key of the element at `pos`, and back.
std::string encode_list_position(int64_t pos);
int64_t decode_list_position(std::string_view sub);

// kOk if `key` is a list, kNotFound if missing, kWrongType otherwise.
OpStatus list_probe(View& v, uint8_t ns, std::string_view key, int64_t now_ms);

OpStatus list_length(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t* length);

// The element at `index` (negative counts from the tail); nullopt when the
// index is out of range.
OpStatus list_index(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t index,
                    std::optional<std::string>* element);

// LRANGE's inclusive [start, stop] with Redis's index rules.
OpStatus list_range(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t start, int64_t stop,
                    std::vector<std::string>* out);

struct ListPosOptions {
  int64_t rank = 1;    // nth match; negative searches from the tail
  int64_t count = 1;   // matches wanted; 0 = all
  int64_t maxlen = 0;  // elements compared at most; 0 = all
};
// Indexes (from the head) of the matches LPOS reports.
OpStatus list_positions(View& v, uint8_t ns, std::string_view key, int64_t now_ms, std::string_view element,
                        const ListPosOptions& options, std::vector<int64_t>* out);

// Pushes each element in turn at `end`. With only_if_exists a missing key is
// left alone (kNotFound). `length` is the new length.
OpStatus list_push(Txn& t, uint8_t ns, std::string_view key, ListEnd end,
                   std::span<const std::string_view> elements, bool only_if_exists, int64_t* length);

// Removes up to `count` (>= 1) elements from `end`, in pop order. Deletes the
// key when it empties.
OpStatus list_pop(Txn& t, uint8_t ns, std::string_view key, ListEnd end, int64_t count,
                  std::vector<std::string>* out);

// Replaces the element at `index`; *in_range is false (and nothing changes)
// when there is none.
OpStatus list_set(Txn& t, uint8_t ns, std::string_view key, int64_t index, std::string_view element,
                  bool* in_range);

// Keeps the inclusive [start, stop] (Redis's index rules); deletes the key
// when nothing is left.
OpStatus list_trim(Txn& t, uint8_t ns, std::string_view key, int64_t start, int64_t stop);

// Removes the first |count| occurrences of `element` (from the tail when
// count < 0, all when 0).
OpStatus list_remove(Txn& t, uint8_t ns, std::string_view key, int64_t count, std::string_view element,
                     int64_t* removed);

// Inserts `element` before/after the first occurrence of `pivot`. `length` is
// the new length, or -1 when the pivot is not in the list.
OpStatus list_insert(Txn& t, uint8_t ns, std::string_view key, bool after, std::string_view pivot,
                     std::string_view element, int64_t* length);

// Pops from `from` of `src` and pushes at `to` of `dst` (which may be the same
// list: a rotation). kNotFound when src is missing; kWrongType when either key
// holds another type, and then nothing changes.
OpStatus list_move(Txn& t, uint8_t ns, std::string_view src, std::string_view dst, ListEnd from, ListEnd to,
                   std::optional<std::string>* moved);

}  // namespace cairn::model
