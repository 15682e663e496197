// Set operations; see set.h.
//
// Set algebra reads members in hash order, which is the same order in every
// set ([hash:4 BE][member] after each set's prefix): SUNION is a streaming
// k-way merge, SINTER walks the smallest set and looks each member up in the
// others, SDIFF walks the first set and looks each member up in the rest.
#include "model/set.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "engine/keyspace.h"

namespace cairn::model {

namespace {

constexpr ValueType kSet = ValueType::kSet;

// The distinct sets named by `keys`, opened in order (a key named twice is
// opened once). kWrongType if any key holds another type, even after a
// missing key, as Redis reports it.
struct OpenSets {
  std::deque<Collection> sets;          // deque: Collections must not move once opened
  std::vector<std::string_view> names;  // parallel to sets
  bool any_missing = false;
};

OpStatus open_sets(View& v, uint8_t ns, std::span<const std::string_view> keys, int64_t now_ms, OpenSets* out) {
  for (std::string_view key : keys) {
    if (std::find(out->names.begin(), out->names.end(), key) != out->names.end()) continue;
    Collection& c = out->sets.emplace_back();
    OpStatus s = open_set(v, ns, key, now_ms, &c);
    if (s == OpStatus::kWrongType) return s;
    if (s == OpStatus::kNotFound) out->any_missing = true;
    out->names.push_back(key);
  }
  return OpStatus::kOk;
}

// Reads one set's member records in order.
class MemberCursor {
 public:
  MemberCursor(View& v, const Collection& c)
      : begin_(c.tag_begin(engine::kTagMember)),
        it_(v.iterate(engine::Cf::kMembers, begin_, c.tag_end(engine::kTagMember))) {
    (*it_)->Seek(begin_);
    settle();
  }
  bool valid() const { return (*it_)->Valid(); }
  // [hash:4][member]: the part that orders members alike in every set.
  std::string_view sub() const {
    std::string_view k((*it_)->key().data(), (*it_)->key().size());
    return k.substr(begin_.size());
  }
  std::string_view name() const {
    return member_name(std::string_view((*it_)->key().data(), (*it_)->key().size()), begin_.size());
  }
  void next() {
    (*it_)->Next();
    settle();
  }

 private:
  void settle() {
    if (!(*it_)->Valid()) engine::check((*it_)->status());
  }
  std::string begin_;
  std::unique_ptr<engine::BoundedIterator> it_;
};

// Calls emit(member) for each member of the intersection until emit returns false.
template <typename Emit>
void intersect(View& v, const OpenSets& open, Emit&& emit) {
  if (open.any_missing || open.sets.empty()) return;
  std::vector<const Collection*> order;
  for (const Collection& c : open.sets) order.push_back(&c);
  std::sort(order.begin(), order.end(),
            [](const Collection* a, const Collection* b) { return a->meta.count < b->meta.count; });
  for_each_member(v, *order[0], [&](std::string_view name, std::string_view) {
    for (size_t j = 1; j < order.size(); ++j) {
      if (!get_member(v, *order[j], name, nullptr)) return true;
    }
    return emit(name);
  });
}

}  // namespace

OpStatus open_set(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Collection* s) {
  return open_collection(v, ns, key, kSet, now_ms, s);
}

bool set_contains(View& v, const Collection& s, std::string_view member) { return get_member(v, s, member, nullptr); }

OpStatus set_add(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> members,
                 int64_t* added) {
  *added = 0;
  Collection s;
  OpStatus st = open_collection_for_write(t, ns, key, kSet, &s);
  if (st != OpStatus::kOk) return st;
  for (std::string_view m : members) {
    if (insert_member(t, &s, m, {})) ++*added;
  }
  if (*added) save_collection(t, ns, key, kSet, s);
  return OpStatus::kOk;
}

OpStatus set_remove(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> members,
                    int64_t* removed) {
  *removed = 0;
  Collection s;
  OpStatus st = open_set(t, ns, key, t.now_ms(), &s);
  if (st != OpStatus::kOk) return st;
  for (std::string_view m : members) {
    if (delete_member(t, &s, m)) ++*removed;
    if (s.meta.count == 0) break;
  }
  if (*removed) save_collection(t, ns, key, kSet, s);
  return OpStatus::kOk;
}

OpStatus set_move(Txn& t, uint8_t ns, std::string_view src, std::string_view dst, std::string_view member,
                  bool* moved) {
  *moved = false;
  Collection from;
  OpStatus st = open_set(t, ns, src, t.now_ms(), &from);
  if (st == OpStatus::kNotFound) return OpStatus::kOk;
  if (st != OpStatus::kOk) return st;
  Collection to;
  if (open_set(t, ns, dst, t.now_ms(), &to) == OpStatus::kWrongType) return OpStatus::kWrongType;
  if (src == dst) {
    *moved = set_contains(t, from, member);
    return OpStatus::kOk;
  }
  if (!delete_member(t, &from, member)) return OpStatus::kOk;
  save_collection(t, ns, src, kSet, from);
  if (!to.exists) open_collection_for_write(t, ns, dst, kSet, &to);
  // The destination changes only if the member is new there.
  if (insert_member(t, &to, member, {})) save_collection(t, ns, dst, kSet, to);
  *moved = true;
  return OpStatus::kOk;
}

OpStatus set_pop(Txn& t, uint8_t ns, std::string_view key, uint64_t count, std::vector<std::string>* popped) {
  popped->clear();
  Collection s;
  OpStatus st = open_set(t, ns, key, t.now_ms(), &s);
  if (st != OpStatus::kOk || count == 0) return st;
  if (count >= static_cast<uint64_t>(s.meta.count)) {
    // Everything goes: read the members and drop the key (and its member
    // records, in one range delete when there are many).
    for (MemberEntry& e : all_members(t, s, false)) popped->push_back(std::move(e.name));
    s.meta.count = 0;
    save_collection(t, ns, key, kSet, s);
    return OpStatus::kOk;
  }
  for (MemberEntry& e : random_distinct_members(t, s, count, false)) {
    if (delete_member(t, &s, e.name)) popped->push_back(std::move(e.name));
  }
  if (!popped->empty()) save_collection(t, ns, key, kSet, s);
  return OpStatus::kOk;
}

OpStatus set_combine(View& v, uint8_t ns, std::span<const std::string_view> keys, SetCombine op, int64_t now_ms,
                     std::vector<std::string>* out) {
  out->clear();
  OpenSets open;
  OpStatus st = open_sets(v, ns, keys, now_ms, &open);
  if (st != OpStatus::kOk) return st;
  switch (op) {
    case SetCombine::kInter:
      intersect(v, open, [&](std::string_view name) {
        out->emplace_back(name);
        return true;
      });
      break;
    case SetCombine::kUnion: {
      std::vector<std::unique_ptr<MemberCursor>> cursors;
      for (const Collection& c : open.sets) {
        if (c.exists) cursors.push_back(std::make_unique<MemberCursor>(v, c));
      }
      // k-way merge: take the smallest current member, advance every cursor on it.
      while (true) {
        const MemberCursor* least = nullptr;
        for (const auto& cur : cursors) {
          if (cur->valid() && (!least || cur->sub() < least->sub())) least = cur.get();
        }
        if (!least) break;
        std::string sub(least->sub());
        out->emplace_back(least->name());
        for (auto& cur : cursors) {
          if (cur->valid() && cur->sub() == sub) cur->next();
        }
      }
      break;
    }
    case SetCombine::kDiff: {
      // A key named again after the first (deduplicated away by open_sets)
      // subtracts the first set from itself.
      if (std::count(keys.begin(), keys.end(), keys[0]) > 1) break;
      const Collection& first = open.sets[0];
      if (!first.exists) break;
      for_each_member(v, first, [&](std::string_view name, std::string_view) {
        for (size_t j = 1; j < open.sets.size(); ++j) {
          if (get_member(v, open.sets[j], name, nullptr)) return;
        }
        out->emplace_back(name);
      });
      break;
    }
  }
  return OpStatus::kOk;
}

OpStatus set_inter_card(View& v, uint8_t ns, std::span<const std::string_view> keys, uint64_t limit,
                        int64_t now_ms, uint64_t* card) {
  *card = 0;
  OpenSets open;
  OpStatus st = open_sets(v, ns, keys, now_ms, &open);
  if (st != OpStatus::kOk) return st;
  intersect(v, open, [&](std::string_view) {
    ++*card;
    return limit == 0 || *card < limit;
  });
  return OpStatus::kOk;
}

OpStatus set_combine_store(Txn& t, uint8_t ns, std::string_view dst, std::span<const std::string_view> keys,
                           SetCombine op, int64_t* card) {
  std::vector<std::string> members;
  OpStatus st = set_combine(t, ns, keys, op, t.now_ms(), &members);
  if (st != OpStatus::kOk) return st;
  replace_set(t, ns, dst, members);
  *card = static_cast<int64_t>(members.size());
  return OpStatus::kOk;
}

void replace_set(Txn& t, uint8_t ns, std::string_view key, const std::vector<std::string>& members) {
  Found old;
  find(t, ns, key, t.now_ms(), &old);
  if (members.empty()) {
    if (old.present) {
      engine::delete_record(t, ns, key, old, old.live ? engine::FeedKind::kDelete : engine::FeedKind::kExpired);
    }
    return;
  }
  // A fresh version: the old members (if `key` held a collection) become
  // unreachable at once and write_record() reclaims them.
  Collection s;
  s.meta.version = t.new_collection_version();
  s.prefix = engine::member_prefix(ns, key, s.meta.version);
  for (const std::string& m : members) t.put(engine::Cf::kMembers, member_record_key(s, m), {});
  s.meta.count = static_cast<int64_t>(members.size());
  std::string payload;
  engine::encode_collection(kSet, s.meta, &payload);
  engine::write_record(t, ns, key, old, kSet, 0, payload);
}

}  // namespace cairn::model
