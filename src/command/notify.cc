// Keyspace notifications; see notify.h.
#include "command/notify.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "engine/txn.h"
#include "model/keys.h"

namespace cairn::command {

namespace {

struct EventLetter {
  char c;
  uint32_t bit;
};
// In the order Redis spells them (keyspaceEventsFlagsToString).
constexpr EventLetter kLetters[] = {
    {'g', engine::kEventGeneric}, {'$', engine::kEventString},  {'l', engine::kEventList},
    {'s', engine::kEventSet},     {'h', engine::kEventHash},    {'z', engine::kEventZset},
    {'x', engine::kEventExpired}, {'e', engine::kEventEvicted}, {'t', engine::kEventStream},
    {'d', engine::kEventModule},  {'n', engine::kEventNew},     {'K', engine::kEventKeyspace},
    {'E', engine::kEventKeyevent}, {'m', engine::kEventKeyMiss}};

}  // namespace

bool parse_event_flags(std::string_view letters, uint32_t* flags) {
  uint32_t f = 0;
  for (char c : letters) {
    if (c == 'A') {
      f |= engine::kEventAll;
      continue;
    }
    auto it = std::find_if(std::begin(kLetters), std::end(kLetters), [c](const EventLetter& l) { return l.c == c; });
    if (it == std::end(kLetters)) return false;
    f |= it->bit;
  }
  *flags = f;
  return true;
}

std::string format_event_flags(uint32_t flags) {
  std::string out;
  bool all = (flags & engine::kEventAll) == engine::kEventAll;
  if (all) out += 'A';
  for (const EventLetter& l : kLetters) {
    if (!(flags & l.bit)) continue;
    if (all && (l.bit & engine::kEventAll)) continue;
    if (all && l.bit == engine::kEventNew) continue;  // Redis spells A without n
    out += l.c;
  }
  return out;
}

void notify_del_if_gone(CommandCtx& ctx, std::string_view key) {
  engine::Txn* t = ctx.view.txn();
  if (!t || !t->keeps_key_events(engine::kEventGeneric)) return;
  if (!model::exists(*t, ctx.ns(), key, ctx.now_ms)) t->key_event(ctx.ns(), engine::kEventGeneric, "del", key);
}

void KeyspacePublisher::committed(const std::vector<engine::KeyEvent>& events) {
  uint32_t flags = flags_.load(std::memory_order_relaxed);
  std::string channel;
  for (const engine::KeyEvent& e : events) {
    if (!(flags & e.type)) continue;
    const int db = db_of_(e.ns);
    if (flags & engine::kEventKeyspace) {
      channel = fmt::format("__keyspace@{}__:", db);
      channel += e.key;
      channels_.publish(channel, e.event, false);
    }
    if (flags & engine::kEventKeyevent) {
      channel = fmt::format("__keyevent@{}__:{}", db, e.event);
      channels_.publish(channel, e.key, false);
    }
  }
}

}  // namespace cairn::command
