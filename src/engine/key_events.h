// Keyspace notifications as a commit carries them: what happened to which
// key, in the order it happened. Commands name their events (Redis's names
// and classes, command/notify.h); the engine itself adds "expired" (a key
// removed because its TTL passed) and "new" (a key created). A Txn keeps
// them only for the classes the mask enables, drops a rolled-back command's,
// and the engine hands a group's events to its sink once the group is
// committed (after its fsync under --fsync always), so a subscriber that
// reads the key on an event sees the change.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::engine {

// Redis's notification classes (notify-keyspace-events letters), as bits.
enum KeyEventType : uint32_t {
  kEventKeyspace = 1u << 0,   // K: publish on __keyspace@<db>__:<key>
  kEventKeyevent = 1u << 1,   // E: publish on __keyevent@<db>__:<event>
  kEventGeneric = 1u << 2,    // g
  kEventString = 1u << 3,     // $
  kEventList = 1u << 4,       // l
  kEventSet = 1u << 5,        // s
  kEventHash = 1u << 6,       // h
  kEventZset = 1u << 7,       // z
  kEventExpired = 1u << 8,    // x
  kEventEvicted = 1u << 9,    // e
  kEventStream = 1u << 10,    // t
  kEventKeyMiss = 1u << 11,   // m
  kEventModule = 1u << 13,    // d
  kEventNew = 1u << 14,       // n
  kEventAll = kEventGeneric | kEventString | kEventList | kEventSet | kEventHash | kEventZset | kEventExpired |
              kEventEvicted | kEventStream | kEventModule,  // A
};

struct KeyEvent {
  uint8_t ns;
  uint32_t type;  // one class bit
  std::string event;
  std::string key;
};

// Receives each committed group's events, on the thread that ran the group.
class KeyEventSink {
 public:
  virtual ~KeyEventSink() = default;
  virtual void committed(const std::vector<KeyEvent>& events) = 0;
};

}  // namespace cairn::engine
