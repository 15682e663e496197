// WATCH's registry: which sessions watch which keys, by Redis database (as in
// Redis, a watch stays with its database when SWAPDB moves the data). The
// engine reports every key a write changes (engine::ChangeObserver, its
// namespace turned into the database by ServerContext's KeyChangeFanout) as
// the write is made, from any door, the expiry sweep included; a session
// watching that key is marked dirty and its EXEC answers nil. As in Redis 7.0: a key that was already
// expired when watched and is then removed by expiry is not a change, and
// FLUSHDB/FLUSHALL touch only the watched keys that existed (flushing()).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "command/session.h"
#include "engine/engine.h"
#include "engine/view.h"

namespace cairn::command {

class WatchedKeys final : public engine::ChangeObserver {
 public:
  // Adds (db, key) to s's watched keys (s->multi.watched too).
  void watch(Session* s, uint8_t db, std::string_view key, bool expired_now);
  // Drops all of s's watches and clears its dirty mark (EXEC, DISCARD,
  // UNWATCH, RESET, disconnect).
  void unwatch_all(Session* s);
  // Database `db` (in namespace `ns`) is about to be emptied: marks the
  // sessions watching a key that exists in `view`.
  void flushing(engine::View& view, uint8_t db, uint8_t ns, int64_t now_ms);
  // SWAPDB: database `db` is about to show namespace `incoming` instead of
  // `outgoing`. Marks its watchers of keys that either holds, with Redis
  // 7.0's rules for keys that were already expired (touchAllWatchedKeysInDb).
  void swapping(engine::View& view, uint8_t db, uint8_t outgoing, uint8_t incoming, int64_t now_ms);

  // `db`: the database (not the namespace) the changed key is in.
  void changed(uint8_t db, engine::FeedKind kind, std::string_view key) override;

  size_t watched_keys() const { return count_.load(std::memory_order_relaxed); }

 private:
  struct Watcher {
    Session* session;
    bool expired_at_watch;
  };

  static void set_expired_at_watch(Watcher& w, uint8_t db, std::string_view key, bool expired);

  std::mutex mu_;
  std::atomic<size_t> count_{0};  // keys in by_key_: 0 lets changed() return at once
  std::unordered_map<std::string, std::vector<Watcher>> by_key_;
};

}  // namespace cairn::command
