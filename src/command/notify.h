// Keyspace notifications (notify-keyspace-events): the setting's letters,
// notify(), which write commands call as Redis's do (after the change, with
// Redis's event name and class), and KeyspacePublisher, which turns each
// committed group's events (engine/key_events.h) into PUBLISHes on
// __keyspace@<db>__:<key> and __keyevent@<db>__:<event>. Events are
// published once the commit is durable, so every door's writes notify and a
// subscriber that reads the key sees the change.
#pragma once

#include <atomic>
#include <functional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "command/channels.h"
#include "command/context.h"
#include "engine/key_events.h"

namespace cairn::command {

// "KEA", "gKE", …: false on a letter Redis does not know.
bool parse_event_flags(std::string_view letters, uint32_t* flags);
// Redis's canonical spelling ("AKE", "gKE").
std::string format_event_flags(uint32_t flags);

// Records an event for `key` in the session's database. Only write commands
// (they run in a Txn) notify; a no-op while the class is off.
inline void notify(CommandCtx& ctx, uint32_t type, std::string_view event, std::string_view key) {
  if (engine::Txn* t = ctx.view.txn()) t->key_event(ctx.ns(), type, event, key);
}
// The same in another database (COPY … DB, MOVE).
inline void notify_in(CommandCtx& ctx, uint8_t ns, uint32_t type, std::string_view event, std::string_view key) {
  if (engine::Txn* t = ctx.view.txn()) t->key_event(ns, type, event, key);
}

// Whether events of `type` are kept now: guards the extra reads a command
// makes only to name its events right.
inline bool notifying(CommandCtx& ctx, uint32_t type) {
  engine::Txn* t = ctx.view.txn();
  return t && t->keeps_key_events(type);
}

// After a command removed members (LPOP, HDEL, SREM, ZREM, …): "del" too if
// that emptied and so deleted the key, as Redis notifies.
void notify_del_if_gone(CommandCtx& ctx, std::string_view key);

class KeyspacePublisher final : public engine::KeyEventSink {
 public:
  // `db_of`: the database a namespace is shown as (SWAPDB moves them).
  KeyspacePublisher(Channels& channels, std::function<uint8_t(uint8_t)> db_of)
      : channels_(channels), db_of_(std::move(db_of)) {}
  // K and E say where to publish; the classes say what. Set by CONFIG SET.
  void set_flags(uint32_t flags) { flags_.store(flags, std::memory_order_relaxed); }
  uint32_t flags() const { return flags_.load(std::memory_order_relaxed); }
  void committed(const std::vector<engine::KeyEvent>& events) override;

 private:
  Channels& channels_;
  std::function<uint8_t(uint8_t)> db_of_;
  std::atomic<uint32_t> flags_{0};
};

}  // namespace cairn::command
