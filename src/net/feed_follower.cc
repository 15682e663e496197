// Reading the change feed for a watcher; see feed_follower.h.
#include "net/feed_follower.h"

#include "engine/clock.h"
#include "engine/coding.h"
#include "engine/keys.h"
#include "engine/keyspace.h"
#include "engine/status.h"
#include "engine/string_chunks.h"

namespace cairn::net {

namespace {

constexpr size_t kBatch = 1000;  // feed records read per step (whole revisions)

void describe_value(engine::View& view, int64_t now_ms, FeedEvent* ev) {
  if (ev->kind != engine::FeedKind::kSet && ev->kind != engine::FeedKind::kExpire) return;
  engine::Found found;
  engine::check(engine::lookup(view, ev->ns, ev->key, now_ms, &found));
  if (!found.live || found.header.type != engine::ValueType::kString) {
    ev->state = FeedEvent::Value::kGone;
  } else if (found.header.revision == ev->revision) {
    ev->state = FeedEvent::Value::kCurrent;
    engine::load_string(view, ev->ns, ev->key, &found);
    ev->value.assign(found.payload);
  } else {
    ev->state = FeedEvent::Value::kSuperseded;
  }
}

}  // namespace

const char* feed_kind_name(engine::FeedKind k) {
  switch (k) {
    case engine::FeedKind::kSet: return "set";
    case engine::FeedKind::kDelete: return "delete";
    case engine::FeedKind::kExpired: return "expired";
    case engine::FeedKind::kExpire: return "expire";
    case engine::FeedKind::kFlush: return "flush";
  }
  return "unknown";
}

void FeedFollower::next(Step* step) {
  step->events.clear();
  step->gap.reset();
  step->lagged = false;
  uint64_t head = engine_.last_revision();
  step->head = head;
  if (head <= position_) {
    caught_up_ = true;
    return;
  }
  uint64_t first = engine_.feed_first_revision();
  if (position_ + 1 < first) {
    if (caught_up_) {  // writers trimmed the feed past this watcher: it cannot keep up
      step->lagged = true;
      return;
    }
    step->gap.emplace(position_ + 1, first - 1);
    position_ = first - 1;
  }

  engine::SnapshotView view(engine_);
  std::string lower = engine::feed_key(position_ + 1, 0);
  auto it = view.iterate(engine::Cf::kFeed, lower, engine::feed_key(head + 1, 0));
  size_t n = 0;
  uint64_t last_seen = position_;
  int64_t now = engine::unix_ms();
  bool partial = false;
  for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next(), ++n) {
    rocksdb::Slice k = (*it)->key(), v = (*it)->value();
    if (k.size() != 12 || v.size() < 2) continue;
    uint64_t rev = engine::get_be64(k.data());
    if (n >= kBatch && rev != last_seen) {  // the rest next step
      partial = true;
      break;
    }
    last_seen = rev;
    auto ns = static_cast<uint8_t>(v[0]);
    auto kind = static_cast<engine::FeedKind>(v[1]);
    std::string_view key(v.data() + 2, v.size() - 2);
    if (!filter_.matches(ns, kind, key)) continue;
    FeedEvent& ev = step->events.emplace_back();
    ev.revision = rev;
    ev.ns = ns;
    ev.kind = kind;
    ev.key.assign(key);
    describe_value(view, now, &ev);
  }
  engine::check((*it)->status());
  position_ = partial ? last_seen : head;
  if (position_ >= head) caught_up_ = true;
}

}  // namespace cairn::net
