// The string type: short values inline in the key's record, long ones in
// chunks (engine/string_chunks.h). Operations return an OpStatus; handlers
// turn it into Redis replies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/keys.h"

namespace cairn::model {

enum class OpStatus { kOk, kNotFound, kWrongType, kNotInteger, kNotFloat, kOverflow, kTooLarge, kNanOrInf };

// kOk with f->payload the value, kNotFound, or kWrongType.
OpStatus get_string(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f);
// As get_string, without reading a chunked value's bytes: for its length or
// a part of it (string_length, read_range).
OpStatus find_string(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f);
uint64_t string_length(const Found& f);
// Bytes [offset, offset + len) of string `f`, clamped to its length.
std::string read_range(View& v, uint8_t ns, std::string_view key, const Found& f, uint64_t offset, uint64_t len);
// Makes f->payload a found string's whole value (reads a chunked one).
void load_string(View& v, uint8_t ns, std::string_view key, Found* f);
// Overwrites the bytes at `offset` of string `old` (not live: empty) with
// `data`, zero-filling a gap, keeping its TTL; the new length.
uint64_t write_range(Txn& t, uint8_t ns, std::string_view key, const Found& old, uint64_t offset,
                     std::string_view data);
// Writes a string over whatever `old` was (any type), with `metadata`
// (none by default: a new value drops the old one's metadata).
void put_string(Txn& t, uint8_t ns, std::string_view key, const Found& old, std::string_view value,
                int64_t expire_at_ms, std::string_view metadata = {});
OpStatus incr_by(Txn& t, uint8_t ns, std::string_view key, int64_t delta, int64_t* result);
OpStatus incr_by_float(Txn& t, uint8_t ns, std::string_view key, long double delta, std::string* result);
OpStatus append(Txn& t, uint8_t ns, std::string_view key, std::string_view suffix, uint64_t max_len,
                size_t* new_len);
OpStatus set_range(Txn& t, uint8_t ns, std::string_view key, uint64_t offset, std::string_view data,
                   uint64_t max_len, size_t* new_len);
// Redis GETRANGE index rules (negative from the end, clamped) on a string
// of `len` bytes: false when the range is empty, else [*first, *last].
bool resolve_substring(uint64_t len, int64_t start, int64_t end, uint64_t* first, uint64_t* last);
std::string_view substring(std::string_view s, int64_t start, int64_t end);

}  // namespace cairn::model
