// Template bodies for collection.h.
#pragma once

#include "engine/status.h"

namespace cairn::model {

template <typename Emit>
uint64_t scan_members(View& v, const Collection& c, uint64_t cursor, size_t count, Emit&& emit) {
  const std::string begin = c.tag_begin(engine::kTagMember);
  std::string seek = begin;
  if (cursor > 0) {
    uint32_t h = static_cast<uint32_t>(cursor - 1);
    for (int shift = 24; shift >= 0; shift -= 8) seek.push_back(static_cast<char>((h >> shift) & 0xff));
  }
  auto it = v.iterate(engine::Cf::kMembers, begin, c.tag_end(engine::kTagMember));
  size_t seen = 0;
  uint32_t last_hash = 0;
  const size_t prefix_len = c.prefix.size() + 1;
  for ((*it)->Seek(seek); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    uint32_t h = member_hash_at(k, prefix_len);
    // Finish a whole hash value before stopping, so the cursor always advances.
    if (seen >= count && h != last_hash) return static_cast<uint64_t>(h) + 1;
    ++seen;
    last_hash = h;
    emit(member_name(k, prefix_len), std::string_view((*it)->value().data(), (*it)->value().size()));
  }
  engine::check((*it)->status());
  return 0;
}

}  // namespace cairn::model
