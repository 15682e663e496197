// WATCH's registry; see watched_keys.h.
#include "command/watched_keys.h"

#include <algorithm>

#include "command/key_slot.h"
#include "engine/keyspace.h"
#include "engine/status.h"
#include "engine/txn.h"

namespace cairn::command {

void WatchedKeys::watch(Session* s, uint8_t db, std::string_view key, bool expired_now) {
  for (const auto& w : s->multi.watched) {
    if (w.db == db && w.key == key) return;  // Redis: watching twice is once
  }
  s->multi.watched.push_back({db, std::string(key), expired_now});
  std::lock_guard lock(mu_);
  auto& list = by_key_[key_slot(db, key)];
  list.push_back({s, expired_now});
  count_.store(by_key_.size(), std::memory_order_relaxed);
}

void WatchedKeys::unwatch_all(Session* s) {
  if (!s->multi.watched.empty()) {
    std::lock_guard lock(mu_);
    for (const auto& w : s->multi.watched) {
      auto it = by_key_.find(key_slot(w.db, w.key));
      if (it == by_key_.end()) continue;
      auto& list = it->second;
      list.erase(std::remove_if(list.begin(), list.end(), [s](const Watcher& x) { return x.session == s; }),
                 list.end());
      if (list.empty()) by_key_.erase(it);
    }
    count_.store(by_key_.size(), std::memory_order_relaxed);
    s->multi.watched.clear();
  }
  s->multi.dirty.store(false, std::memory_order_relaxed);
}

void WatchedKeys::flushing(engine::View& view, uint8_t db, uint8_t ns, int64_t now_ms) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mu_);
  for (auto& [k, list] : by_key_) {
    if (static_cast<uint8_t>(k[0]) != db) continue;
    engine::Found f;
    engine::check(engine::lookup(view, ns, std::string_view(k).substr(1), now_ms, &f));
    if (!f.present) continue;
    for (auto& w : list) w.session->multi.dirty.store(true, std::memory_order_relaxed);
  }
}

// The registry's flag and the session's copy, which EXEC reads (both on the
// writer thread).
void WatchedKeys::set_expired_at_watch(Watcher& w, uint8_t db, std::string_view key, bool expired) {
  w.expired_at_watch = expired;
  for (auto& mine : w.session->multi.watched) {
    if (mine.db == db && mine.key == key) mine.expired_at_watch = expired;
  }
}

void WatchedKeys::swapping(engine::View& view, uint8_t db, uint8_t outgoing, uint8_t incoming, int64_t now_ms) {
  if (count_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mu_);
  for (auto& [k, list] : by_key_) {
    if (static_cast<uint8_t>(k[0]) != db) continue;
    std::string_view key = std::string_view(k).substr(1);
    engine::Found out, in;
    engine::check(engine::lookup(view, outgoing, key, now_ms, &out));
    engine::check(engine::lookup(view, incoming, key, now_ms, &in));
    if (!out.present && !in.present) continue;
    const bool in_expired = in.present && !in.live;
    for (auto& w : list) {
      if (w.expired_at_watch) {
        if (!in.present) {  // an expired key now gone: no change anyone saw
          set_expired_at_watch(w, db, key, false);
          continue;
        }
        if (in_expired) continue;  // expired before, expired after
      } else if (!out.present && in_expired) {
        set_expired_at_watch(w, db, key, true);  // nothing, then a key already expired
        continue;
      }
      w.session->multi.dirty.store(true, std::memory_order_relaxed);
    }
  }
}

void WatchedKeys::changed(uint8_t db, engine::FeedKind kind, std::string_view key) {
  if (count_.load(std::memory_order_relaxed) == 0 || kind == engine::FeedKind::kFlush) return;
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key_slot(db, key));
  if (it == by_key_.end()) return;
  for (auto& w : it->second) {
    if (w.expired_at_watch) {
      // Already expired when watched: its removal by expiry changes nothing
      // the watcher saw; a later write does.
      w.expired_at_watch = false;
      if (kind == engine::FeedKind::kExpired) continue;
    }
    w.session->multi.dirty.store(true, std::memory_order_relaxed);
  }
}

}  // namespace cairn::command
