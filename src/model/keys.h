// Generic key operations that work on every type: find, delete, TTL,
// rename/copy, and the SCAN/KEYS/RANDOMKEY walks over the keyspace.
// Operations return results; handlers in command/ turn them into replies.
// Storage I/O errors are thrown as engine::StoreError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/keyspace.h"
#include "engine/record.h"
#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::model {

using engine::Found;
using engine::Txn;
using engine::ValueType;
using engine::View;

void find(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f);
bool exists(View& v, uint8_t ns, std::string_view key, int64_t now_ms);

// Removes a live key of any type; false if there was none.
bool delete_key(Txn& t, uint8_t ns, std::string_view key);

enum class ExpireCond { kNone, kNX, kXX, kGT, kLT };
// Sets an absolute expiry; a time in the past deletes the key. Returns false
// if the key is missing or the condition does not hold.
bool set_expire(Txn& t, uint8_t ns, std::string_view key, int64_t at_ms, ExpireCond cond);
bool persist(Txn& t, uint8_t ns, std::string_view key);
// -2: no key, -1: no expiry, else the absolute expiry (ms).
int64_t expire_at(View& v, uint8_t ns, std::string_view key, int64_t now_ms);

enum class MoveResult { kOk, kNoSuchKey, kTargetExists };
MoveResult rename_key(Txn& t, uint8_t ns, std::string_view src, std::string_view dst, bool only_if_absent);
MoveResult copy_key(Txn& t, uint8_t src_ns, std::string_view src, uint8_t dst_ns, std::string_view dst,
                    bool replace);

struct ScanPage {
  std::vector<std::string> keys;
  uint64_t cursor = 0;  // 0: the walk is complete
};
// Walks keys in hash order from `cursor`, examining about `count` entries.
ScanPage scan_keys(View& v, uint8_t ns, uint64_t cursor, size_t count, std::string_view pattern,
                   std::optional<ValueType> type, int64_t now_ms);
std::vector<std::string> match_keys(View& v, uint8_t ns, std::string_view pattern, int64_t now_ms);
std::optional<std::string> random_key(View& v, uint8_t ns, int64_t now_ms);

using engine::prefix_successor;

}  // namespace cairn::model

namespace cairn::model {
// Empties namespace `ns`. Must run in an exclusive op: large namespaces are
// removed with range deletes, which reads in the same group would not see.
// in_transaction (inside EXEC, not exclusive): point deletes only, O(keys and
// members), so the rest of the commit sees them.
void flush_namespace(Txn& t, uint8_t ns, bool in_transaction = false);
}  // namespace cairn::model
