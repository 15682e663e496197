// Following the change feed for one watcher, shared by the HTTP watch
// (Server-Sent Events, http_watch.h) and the RESP port's CAIRN.WATCH
// (resp_watch.h): which records match, where the watcher is, and what to say
// when the feed no longer holds what it asked for.
//
// A follower reads the feed itself, in batches of whole revisions, so writers
// never queue anything for watchers: a slow watcher only falls behind. One
// that is still replaying history when the feed's oldest revision passes it
// gets a gap (those revisions are gone; it goes on from the oldest kept); one
// that had caught up and then falls out of the feed is lagging, and its
// stream ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/txn.h"

namespace cairn::net {

const char* feed_kind_name(engine::FeedKind k);

struct WatchFilter {
  uint8_t ns = 0;
  bool exact = false;  // one key, or every key starting with `key`
  std::string key;
  bool matches(uint8_t rec_ns, engine::FeedKind kind, std::string_view k) const {
    if (rec_ns != ns) return false;
    if (kind == engine::FeedKind::kFlush) return true;  // a flush touches every key
    return exact ? k == key : k.substr(0, key.size()) == key;
  }
};

struct FeedEvent {
  // What the event can say about the value: only set/expire events carry
  // one, and only while the key still holds the string that write stored.
  enum class Value : uint8_t {
    kNone,        // a delete, expiry or flush
    kCurrent,     // `value` is the string this write stored
    kGone,        // the key is gone now, or holds a collection
    kSuperseded,  // a later write replaced it (its own event follows)
  };
  uint64_t revision = 0;
  uint8_t ns = 0;
  engine::FeedKind kind = engine::FeedKind::kSet;
  std::string key;
  Value state = Value::kNone;
  std::string value;
};

class FeedFollower {
 public:
  // `position` is the last revision already delivered (or skipped).
  FeedFollower(engine::Engine& engine, WatchFilter filter, uint64_t position)
      : engine_(engine), filter_(std::move(filter)), position_(position) {}

  struct Step {
    std::vector<FeedEvent> events;
    std::optional<std::pair<uint64_t, uint64_t>> gap;  // [from, to] lost before these events
    bool lagged = false;  // fell out of the feed after catching up: end the stream
    uint64_t head = 0;    // the store's revision when the step was read
  };
  // Reads the next batch after position() (about a thousand records, always
  // whole revisions). Throws engine::StoreError if the store fails.
  void next(Step* step);
  bool behind() const { return engine_.last_revision() > position_; }
  uint64_t position() const { return position_; }
  const WatchFilter& filter() const { return filter_; }

 private:
  engine::Engine& engine_;
  WatchFilter filter_;
  uint64_t position_;
  bool caught_up_ = false;  // replay done: falling out of the feed now means lagging
};

}  // namespace cairn::net
