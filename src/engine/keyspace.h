// Record-level operations shared by every data type: lookup with lazy expiry,
// and writes/deletes that keep the SCAN index, the expiry index, the key
// count and the change feed in step with the data records.
#pragma once

#include <rocksdb/slice.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/record.h"
#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::engine {

struct Found {
  rocksdb::PinnableSlice raw;
  RecordHeader header;
  std::string_view payload;  // points into raw (or into owned)
  // header.chunked: where the string's chunks are and its length. Its bytes,
  // once read (load_string in string_chunks.h), are in owned, and payload
  // then points there.
  ChunkedString chunks;
  std::string owned;
  bool present = false;      // a record is on disk (it may have expired)
  bool live = false;         // present and not expired at the lookup time
};

// The version under which the found record's members live (0: none).
uint64_t members_version(const Found& f);

rocksdb::Status lookup(View& view, uint8_t ns, std::string_view key, int64_t now_ms, Found* out);

// Writes `key` as a whole record. `old` is what lookup() returned for it.
void write_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old, ValueType type,
                  int64_t expire_at_ms, std::string_view payload, FeedKind kind = FeedKind::kSet,
                  std::string_view metadata = {});

// Writes `key` with a header of the caller's making (type, expiry, metadata,
// chunked); the revision is the commit's.
void put_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old, RecordHeader header,
                std::string_view payload, FeedKind kind);

// The same record with a new expiry (0: none); value, type, metadata and
// members stay.
void rewrite_expiry(Txn& txn, uint8_t ns, std::string_view key, const Found& old, int64_t expire_at_ms);

void delete_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old,
                   FeedKind kind = FeedKind::kDelete);

// Removes the key named by an expiry-index entry if its TTL really passed;
// drops the entry either way. Returns true if a key was removed.
bool expire_entry(Txn& txn, std::string_view expiry_index_key);

}  // namespace cairn::engine
