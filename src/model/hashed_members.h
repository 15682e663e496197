// Member records of the hashed collections (hash fields, set members):
//
//   members [prefix][kTagMember][hash:4 BE][name] -> value   ("" for sets)
//
// where prefix = member_prefix(ns, key, version) (collection.h). This file
// keeps the collection's member count exact while members are written, walks
// members in hash order, and picks random members without reading a large
// collection whole (SPOP, SRANDMEMBER, HRANDFIELD).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/status.h"
#include "model/collection.h"

namespace cairn::model {

// The record key of member `name` of an open collection.
std::string member_record_key(const Collection& c, std::string_view name);

// Looks member `name` up; fills *value (if not null) when it is there.
bool get_member(View& v, const Collection& c, std::string_view name, std::string* value);

// Writes member `name` = `value` whether or not it exists; true if it is new
// (c->meta.count grows).
bool put_member(Txn& t, Collection* c, std::string_view name, std::string_view value);

// Writes member `name` = `value` only if it is absent; true if it was added.
bool insert_member(Txn& t, Collection* c, std::string_view name, std::string_view value);

// Removes member `name`; true if it was there (c->meta.count shrinks).
bool delete_member(Txn& t, Collection* c, std::string_view name);

// Calls fn(name, value) for every member, in hash order. If fn returns bool,
// returning false stops the walk.
template <typename Fn>
void for_each_member(View& v, const Collection& c, Fn&& fn) {
  const std::string begin = c.tag_begin(engine::kTagMember);
  auto it = v.iterate(engine::Cf::kMembers, begin, c.tag_end(engine::kTagMember));
  const size_t prefix_len = begin.size();  // prefix + tag, as member_name() expects
  for ((*it)->Seek(begin); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    std::string_view name = member_name(k, prefix_len);
    std::string_view value((*it)->value().data(), (*it)->value().size());
    if constexpr (std::is_same_v<std::invoke_result_t<Fn&, std::string_view, std::string_view>, bool>) {
      if (!fn(name, value)) return;
    } else {
      fn(name, value);
    }
  }
  engine::check((*it)->status());
}

struct MemberEntry {
  std::string name;
  std::string value;  // empty unless values were asked for
  bool operator==(const MemberEntry&) const = default;
};

// Every member, in hash order.
std::vector<MemberEntry> all_members(View& v, const Collection& c, bool with_values);

// Up to `count` distinct members chosen at random (every member when count
// is at least the collection's size). See hashed_members.cc for how the
// choice is made and how close to uniform it is.
std::vector<MemberEntry> random_distinct_members(View& v, const Collection& c, uint64_t count, bool with_values);

// `count` members, each chosen independently at random (repeats allowed), in
// random order.
std::vector<MemberEntry> random_members(View& v, const Collection& c, uint64_t count, bool with_values);

}  // namespace cairn::model
