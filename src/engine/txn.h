// A write group in progress on the writer thread: reads see the committed
// store plus this group's own changes; writes collect into one batch that the
// engine commits atomically. A "commit" inside the group is one user-visible
// atomic change (a command, an EXEC) and gets the next revision.
#pragma once

#include <rocksdb/utilities/write_batch_with_index.h>

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/keys.h"
#include "engine/overlay.h"
#include "engine/view.h"

namespace cairn::engine {

// What a change-feed record says happened to a key.
enum class FeedKind : uint8_t {
  kSet = 1,      // value (or collection) written
  kDelete = 2,   // removed by a command
  kExpired = 3,  // removed because its TTL passed
  kExpire = 4,   // only the TTL changed
  kFlush = 5,    // the whole namespace was emptied (key is empty)
};

class Txn final : public View {
 public:
  Txn(Engine& engine, int64_t now_ms);

  rocksdb::Status get(Cf cf, std::string_view key, rocksdb::PinnableSlice* value) override;
  std::unique_ptr<BoundedIterator> iterate(Cf cf, std::string lower, std::string upper) override;
  int64_t key_count(uint8_t ns) const override;
  Txn* txn() override { return this; }

  void put(Cf cf, std::string_view key, std::string_view value);
  void del(Cf cf, std::string_view key);
  // Applied at commit, after everything else. Reads in the same group do not
  // see it, so use it only in exclusive ops or on records nothing can reach
  // any more (the members of a dropped collection version).
  void delete_range(Cf cf, std::string begin, std::string end);

  // Commit boundaries and the revision of the current commit (assigned on
  // first use, so read-only commands consume none).
  void begin_commit();
  uint64_t revision();
  // A version number for a new collection incarnation, unique even when one
  // commit creates several (delete + recreate inside MULTI/EXEC or a script):
  // (revision << 20) | sequence within the commit.
  uint64_t new_collection_version();
  void add_count(uint8_t ns, int64_t delta) { count_delta_[ns] += delta; }
  void set_count(uint8_t ns, int64_t value);
  void feed(uint8_t ns, FeedKind kind, std::string_view user_key);
  // A keyspace notification (key_events.h), kept if its class is enabled;
  // published once the group commits.
  bool keeps_key_events(uint32_t type) const { return key_event_mask_ & type; }
  void key_event(uint8_t ns, uint32_t type, std::string_view event, std::string_view key) {
    if (key_event_mask_ & type) key_events_.push_back({ns, type, std::string(event), std::string(key)});
  }

  // Per-command rollback, so a failing command leaves nothing half-applied.
  void set_savepoint();
  void rollback_to_savepoint();
  void pop_savepoint();

  int64_t now_ms() const { return now_ms_; }
  Engine& engine() { return engine_; }
  bool empty() const;

 private:
  friend class Engine;
  // The data and scan-index families keep their pending writes in hash
  // overlays (see overlay.h); the rest in the indexed batch.
  Overlay* overlay(Cf cf) {
    if (cf == Cf::kData) return &data_overlay_;
    if (cf == Cf::kScan) return &scan_overlay_;
    return nullptr;
  }
  // Appends the overlays to the batch, each in key order; called by commit.
  // Returns the data family's entries (valid while this Txn lives), which
  // the commit also hands to the record cache.
  std::vector<std::pair<const std::string*, const Overlay::Pending*>> write_overlays(rocksdb::WriteBatch* wb);

  Engine& engine_;
  int64_t now_ms_;
  rocksdb::WriteBatchWithIndex batch_;
  Overlay data_overlay_;
  Overlay scan_overlay_;
  std::vector<std::tuple<Cf, std::string, std::string>> range_deletes_;
  std::array<int64_t, kMaxNamespaces> count_delta_{};
  std::array<int64_t, kMaxNamespaces> count_reset_{};  // -1: not reset
  uint64_t first_revision_;  // next_revision_ when the group began
  uint64_t commit_revision_ = 0;
  uint32_t feed_index_ = 0;
  uint32_t version_seq_ = 0;
  uint32_t key_event_mask_;  // the engine's, when the group began
  std::vector<KeyEvent> key_events_;
  struct SavePoint {
    std::array<int64_t, kMaxNamespaces> count_delta;
    std::array<int64_t, kMaxNamespaces> count_reset;
    size_t range_deletes;
    uint64_t commit_revision;
    uint32_t feed_index;
    uint64_t next_revision;
    size_t key_events;
  };
  std::vector<SavePoint> savepoints_;
};

}  // namespace cairn::engine
