// Client registry; see clients.h.
#include "command/clients.h"

namespace cairn::command {

uint64_t ClientRegistry::add(Session* s) {
  std::lock_guard l(mu_);
  s->id = next_id_++;
  sessions_[s->id] = s;
  return s->id;
}

void ClientRegistry::remove(uint64_t id) {
  std::lock_guard l(mu_);
  sessions_.erase(id);
}

size_t ClientRegistry::size() const {
  std::lock_guard l(mu_);
  return sessions_.size();
}

void ClientRegistry::for_each(const std::function<void(Session&)>& f) const {
  std::lock_guard l(mu_);
  for (auto& [id, s] : sessions_) f(*s);
}

size_t ClientRegistry::kill_if(const std::function<bool(Session&)>& pred) {
  std::lock_guard l(mu_);
  size_t n = 0;
  for (auto& [id, s] : sessions_) {
    if (pred(*s) && s->kill) {
      s->kill();
      ++n;
    }
  }
  return n;
}

}  // namespace cairn::command
