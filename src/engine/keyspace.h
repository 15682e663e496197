// Record-level operations shared by every data type: lookup with lazy expiry,
// and writes/deletes that keep the SCAN index, the expiry index, the key
// count and the change feed in step with the data records.
#pragma once

#include <rocksdb/slice.h>

#include <cstdint>
#include <string_view>

#include "engine/record.h"
#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::engine {

struct Found {
  rocksdb::PinnableSlice raw;
  RecordHeader header;
  std::string_view payload;  // points into raw
  bool present = false;      // a record is on disk (it may have expired)
  bool live = false;         // present and not expired at the lookup time
};

rocksdb::Status lookup(View& view, uint8_t ns, std::string_view key, int64_t now_ms, Found* out);

// Writes `key` as a whole record. `old` is what lookup() returned for it.
void write_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old, ValueType type,
                  int64_t expire_at_ms, std::string_view payload, FeedKind kind = FeedKind::kSet,
                  std::string_view metadata = {});

void delete_record(Txn& txn, uint8_t ns, std::string_view key, const Found& old,
                   FeedKind kind = FeedKind::kDelete);

// Removes the key named by an expiry-index entry if its TTL really passed;
// drops the entry either way. Returns true if a key was removed.
bool expire_entry(Txn& txn, std::string_view expiry_index_key);

}  // namespace cairn::engine
