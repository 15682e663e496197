// The stream type on the ordered keyspace. A stream is one collection record
// whose payload carries its StreamMeta (engine/record.h: last ID, first ID,
// largest deleted ID, entries ever added, group count, last node), and member
// records under its version (engine/keys.h tags):
//
//   'e' [ms:8][seq:8]          -> the entry's fields and values
//   'n' [first ms:8][seq:8]    -> a node: live and total entries, bytes, last ID
//
// IDs are big-endian so entries sort by ID: XRANGE is a range scan, XADD an
// append, and a stream of millions of entries costs what it reads. Nodes
// stand for Redis's listpack nodes: entries are counted into the last node
// until it holds stream-node-max-entries (or -bytes), so approximate trimming
// (MAXLEN ~, MINID ~, LIMIT) removes whole nodes exactly as Redis does.
//
// A trim removes a prefix of the stream; whole nodes go with one range
// delete, which reads in the same group do not see, so every read of
// entries is bounded below by the first live ID (and nothing is read from an
// empty stream). Consumer groups are in model/stream_groups.h.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"

namespace cairn::model {

struct StreamId {
  uint64_t ms = 0, seq = 0;
  auto operator<=>(const StreamId&) const = default;
};
inline constexpr StreamId kStreamIdMin{0, 0};
inline constexpr StreamId kStreamIdMax{UINT64_MAX, UINT64_MAX};

std::string format_stream_id(StreamId id);  // "ms-seq"
// The next / previous ID; false (unchanged) at the end of the ID space.
bool stream_id_increment(StreamId* id);
bool stream_id_decrement(StreamId* id);
// The 16-byte sortable form used in member sub keys, and back.
std::string encode_stream_id(StreamId id);
StreamId decode_stream_id(std::string_view sixteen_bytes);

struct StreamEntry {
  StreamId id;
  std::vector<std::string> fields;  // field, value, field, value, ...
};

// Node limits (CONFIG stream-node-max-entries / -bytes; 0: no limit).
struct StreamNodeLimits {
  int64_t max_entries = 100;
  int64_t max_bytes = 4096;
};

// The IDs and counters of an open stream (c.meta.stream, c.meta.count).
StreamId stream_last_id(const Collection& c);
StreamId stream_first_id(const Collection& c);
StreamId stream_max_deleted_id(const Collection& c);
void set_stream_last_id(Collection* c, StreamId id);
void set_stream_max_deleted_id(Collection* c, StreamId id);

// kOk, kNotFound (missing or expired) or kWrongType.
OpStatus open_stream(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Collection* c);
// For a write. A missing key: kNotFound unless `create`, then a new empty
// stream (c->exists false until save_stream).
OpStatus open_stream_for_write(Txn& t, uint8_t ns, std::string_view key, bool create, Collection* c);
// Writes the stream's record, keeping its TTL. An empty stream stays (as in
// Redis, only DEL removes a stream).
void save_stream(Txn& t, uint8_t ns, std::string_view key, Collection* c);

enum class StreamAddResult { kOk, kIdNotGreater, kTooLarge };
// Appends an entry. `id`: the ID asked for (nullopt: `*`, generated from
// now_ms); `seq_given` false for the `ms-*` form. The caller has checked
// that the stream's last ID is not the largest possible.
StreamAddResult stream_append(Txn& t, Collection* c, std::optional<StreamId> id, bool seq_given,
                              std::span<const std::string_view> fields, const StreamNodeLimits& limits,
                              StreamId* added);

enum class TrimStrategy { kNone, kMaxLen, kMinId };
struct StreamTrim {
  TrimStrategy strategy = TrimStrategy::kNone;
  bool approx = false;  // whole nodes only
  int64_t limit = 0;    // entries removed at most (0: no limit)
  int64_t maxlen = 0;
  StreamId minid;
};
// Redis's streamTrim: returns the entries removed.
int64_t stream_trim(Txn& t, Collection* c, const StreamTrim& trim);

// Entries with start <= id <= end, ascending (or descending), at most
// `count` (0: all).
std::vector<StreamEntry> stream_range(View& v, const Collection& c, StreamId start, StreamId end, size_t count,
                                      bool reverse);
// One entry, if it exists.
std::optional<StreamEntry> stream_entry(View& v, const Collection& c, StreamId id);
// XDEL: removes the entries that exist; returns how many.
int64_t stream_delete(Txn& t, Collection* c, std::span<const StreamId> ids);

// How many nodes the stream has (XINFO's radix-tree-keys), kept in its meta.
int64_t stream_node_count(const Collection& c);

// Redis's streamEstimateDistanceFromFirstEverEntry: the logical read counter
// of `id`, or -1 when fragmentation makes it unknown.
int64_t stream_estimate_entries_read(const Collection& c, StreamId id);
// Whether an XDEL'd ID may lie in [start, end] (streamRangeHasTombstones).
bool stream_range_has_tombstones(const Collection& c, StreamId start, StreamId end);

}  // namespace cairn::model
