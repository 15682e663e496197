// The registry of connected clients, for CLIENT LIST/KILL/INFO and INFO's
// clients section. Connections add themselves on accept and remove on close.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "command/session.h"

namespace cairn::command {

class ClientRegistry {
 public:
  uint64_t add(Session* s);
  void remove(uint64_t id);
  size_t size() const;
  // Calls f for each session under the registry lock; f must not block.
  void for_each(const std::function<void(Session&)>& f) const;
  // Closes the matching clients; returns how many.
  size_t kill_if(const std::function<bool(Session&)>& pred);

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Session*> sessions_;
};

}  // namespace cairn::command
