// Pending point writes of a write group; see overlay.h.
#include "engine/overlay.h"

#include <algorithm>

namespace cairn::engine {

const Overlay::Pending* Overlay::find(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

Overlay::Pending& Overlay::slot(std::string_view key) {
  // One lookup serves both the undo record and the write.
  auto it = map_.find(key);
  if (!marks_.empty()) {
    undo_.push_back({std::string(key), it == map_.end() ? std::nullopt : std::optional<Pending>(it->second)});
  }
  if (it == map_.end()) it = map_.emplace(std::string(key), Pending{}).first;
  return it->second;
}

void Overlay::put(std::string_view key, std::string_view value) {
  Pending& p = slot(key);
  p.deleted = false;
  p.value.assign(value);
}

void Overlay::del(std::string_view key) {
  Pending& p = slot(key);
  p.deleted = true;
  p.value.clear();
}

void Overlay::rollback() {
  if (marks_.empty()) return;
  size_t mark = marks_.back();
  marks_.pop_back();
  while (undo_.size() > mark) {
    Undo& u = undo_.back();
    if (u.before) {
      map_.insert_or_assign(std::move(u.key), std::move(*u.before));
    } else {
      map_.erase(u.key);
    }
    undo_.pop_back();
  }
}

void Overlay::pop() {
  if (marks_.empty()) return;
  marks_.pop_back();
  // The outer savepoint (if any) still needs these entries to roll back past
  // this one; with none open, nothing can roll back any more.
  if (marks_.empty()) undo_.clear();
}

std::vector<std::pair<const std::string*, const Overlay::Pending*>> Overlay::sorted() const {
  std::vector<std::pair<const std::string*, const Pending*>> out;
  out.reserve(map_.size());
  for (const auto& [k, p] : map_) out.emplace_back(&k, &p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

}  // namespace cairn::engine
