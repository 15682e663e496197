// Large strings in chunks. A string longer than kInlineStringBytes is not
// one record: the key's record holds a ChunkedString (version, length) with
// the chunked flag, and the bytes are member records of kStringChunkBytes
// each, under member_prefix(ns, key, version) + 'c' + [chunk index: u32 BE]
// (docs/FORMAT.md). A missing chunk, and the bytes past the end of a short
// one, read as zeros. So SETRANGE or SETBIT far past the end writes only the
// chunk it touches, APPEND only the tail, GETRANGE and GETBIT read only what
// they return; a whole read costs the value's size once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/keyspace.h"

namespace cairn::engine {

inline constexpr size_t kInlineStringBytes = 64 * 1024;
inline constexpr size_t kStringChunkBytes = 16 * 1024;

// Key of chunk `index` of the incarnation whose member prefix is `prefix`.
std::string chunk_key(std::string_view prefix, uint32_t index);

// Length of string record `f` (inline or chunked).
uint64_t string_length(const Found& f);

// Appends bytes [offset, offset + len) of string record `f`, clamped to its
// length, to `out`.
void read_string(View& v, uint8_t ns, std::string_view key, const Found& f, uint64_t offset, uint64_t len,
                 std::string* out);

// Makes f->payload the whole value: a chunked string is read into f->owned.
// A no-op for anything else.
void load_string(View& v, uint8_t ns, std::string_view key, Found* f);

// Writes `value` as key's string over `old`: one record when it is short,
// chunks when it is long (all-zero chunks are not written).
void write_string(Txn& t, uint8_t ns, std::string_view key, const Found& old, std::string_view value,
                  int64_t expire_at_ms, std::string_view metadata = {}, FeedKind kind = FeedKind::kSet);

// Overwrites the bytes at `offset` of string `old` (not live: empty) with
// `data`, zero-filling any gap, and gives the key `expire_at_ms`. A chunked
// string keeps its chunks and rewrites only those `data` touches. Returns
// the new length.
uint64_t write_string_range(Txn& t, uint8_t ns, std::string_view key, const Found& old, uint64_t offset,
                            std::string_view data, int64_t expire_at_ms);

}  // namespace cairn::engine
