// Hashed member records; see hashed_members.h.
//
// Random members. Two strategies, picked per request:
//
// * Walk (exactly uniform). When the collection is small (at most kWalkLimit
//   members) or the request is a sizeable part of it (count >= size /
//   kWalkFraction, so the reply is comparable to the collection anyway), one
//   ordered walk over the members serves the request: reservoir sampling for
//   distinct members, and for repeats a sorted list of random positions that
//   the walk fills in. Memory stays O(count) either way.
//
// * Seek (fast, uniform up to a negligible tail). Otherwise each pick costs
//   a few seeks, whatever the collection's size, and never reads it whole.
//   Seeking to a random hash and taking the next member would favour members
//   after wide gaps in hash space (gaps of n random hashes are roughly
//   exponential, so some members would be several times likelier than
//   others). Instead a pick draws a window [h, h + w) of hash space (wrapping
//   around past 2^32) with w = kWindowMembers * 2^32 / size, so it holds about
//   kWindowMembers members, and a slot number s in [0, kSlots). If the window
//   has a member at index s (in key order) that member is the pick, otherwise
//   the pick is drawn again (about kSlots / kWindowMembers draws on average).
//   Every member lies in a window with probability w / 2^32 and then sits at
//   one index, chosen with probability 1 / kSlots: each member is equally
//   likely. The one exception is a member at index kSlots or later in its
//   window, which needs more than kSlots members (mean kWindowMembers) to
//   share the window: with 4 and 16, a Poisson tail near 1e-5. Such members
//   are picked less often, never more. If the size in the collection's meta is
//   off (a concurrent write between reading it and sampling, on the committed
//   store), only the number of draws and the size of that tail change; after
//   kMaxDraws misses a pick falls back to the member at or after a random hash.
#include "model/hashed_members.h"

#include <algorithm>
#include <memory>
#include <random>
#include <unordered_set>
#include <utility>

namespace cairn::model {

using engine::Cf;

std::string member_record_key(const Collection& c, std::string_view name) {
  return c.member_key(engine::kTagMember, hashed_member_sub(name));
}

bool get_member(View& v, const Collection& c, std::string_view name, std::string* value) {
  if (c.prefix.empty()) return false;  // a missing collection never opened for writing
  rocksdb::PinnableSlice slice;
  rocksdb::Status s = v.get(Cf::kMembers, member_record_key(c, name), &slice);
  engine::check(s);
  if (s.IsNotFound()) return false;
  if (value) value->assign(slice.data(), slice.size());
  return true;
}

namespace {

bool member_exists(Txn& t, const std::string& record_key) {
  rocksdb::PinnableSlice slice;
  rocksdb::Status s = t.get(Cf::kMembers, record_key, &slice);
  engine::check(s);
  return !s.IsNotFound();
}

}  // namespace

bool put_member(Txn& t, Collection* c, std::string_view name, std::string_view value) {
  std::string k = member_record_key(*c, name);
  bool added = !member_exists(t, k);
  t.put(Cf::kMembers, k, value);
  if (added) ++c->meta.count;
  return added;
}

bool insert_member(Txn& t, Collection* c, std::string_view name, std::string_view value) {
  std::string k = member_record_key(*c, name);
  if (member_exists(t, k)) return false;
  t.put(Cf::kMembers, k, value);
  ++c->meta.count;
  return true;
}

bool delete_member(Txn& t, Collection* c, std::string_view name) {
  std::string k = member_record_key(*c, name);
  if (!member_exists(t, k)) return false;
  t.del(Cf::kMembers, k);
  --c->meta.count;
  return true;
}

std::vector<MemberEntry> all_members(View& v, const Collection& c, bool with_values) {
  std::vector<MemberEntry> out;
  if (!c.exists) return out;
  if (c.meta.count > 0) out.reserve(static_cast<size_t>(std::min<int64_t>(c.meta.count, 1 << 20)));
  for_each_member(v, c, [&](std::string_view name, std::string_view value) {
    out.push_back({std::string(name), with_values ? std::string(value) : std::string()});
  });
  return out;
}

namespace {

constexpr uint64_t kWalkLimit = 1024;
constexpr uint64_t kWalkFraction = 16;
constexpr uint64_t kWindowMembers = 4;
constexpr uint64_t kSlots = 16;
constexpr int kMaxDraws = 200;
constexpr uint64_t kHashSpace = uint64_t{1} << 32;

std::mt19937_64& rng() {
  thread_local std::mt19937_64 r{std::random_device{}()};
  return r;
}

// Uniform in [0, n), n > 0.
uint64_t uniform(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng()); }

uint64_t size_of(const Collection& c) { return c.exists && c.meta.count > 0 ? static_cast<uint64_t>(c.meta.count) : 0; }

bool use_walk(uint64_t size, uint64_t count) { return size <= kWalkLimit || count >= size / kWalkFraction; }

MemberEntry entry(std::string_view name, std::string_view value, bool with_values) {
  return {std::string(name), with_values ? std::string(value) : std::string()};
}

// Positions an iterator on random members of one collection (see the top of
// this file for how, and why it is uniform).
class SeekSampler {
 public:
  SeekSampler(View& v, const Collection& c, uint64_t size)
      : begin_(c.tag_begin(engine::kTagMember)),
        it_(v.iterate(Cf::kMembers, begin_, c.tag_end(engine::kTagMember))),
        window_(std::clamp<uint64_t>(kWindowMembers * kHashSpace / std::max<uint64_t>(size, 1), 1, kHashSpace)) {}

  // False if the collection has no members.
  bool pick() {
    for (int draw = 0; draw < kMaxDraws; ++draw) {
      uint64_t h = rng()() & (kHashSpace - 1);
      if (pick_in_window(h, h + window_, uniform(kSlots))) return true;
    }
    // Far fewer members than the meta said: take the member at or after a
    // random hash (biased towards members after wide gaps, but rare).
    seek(rng()() & (kHashSpace - 1));
    if (!(*it_)->Valid() && !wrap()) return false;
    return true;
  }

  std::string_view name() const { return member_name(key(), begin_.size()); }
  std::string_view value() const { return std::string_view((*it_)->value().data(), (*it_)->value().size()); }

 private:
  std::string_view key() const { return std::string_view((*it_)->key().data(), (*it_)->key().size()); }

  void seek(uint64_t hash) {
    std::string target = begin_;
    for (int shift = 24; shift >= 0; shift -= 8) target.push_back(static_cast<char>((hash >> shift) & 0xff));
    (*it_)->Seek(target);
  }

  // Back to the first member; false if there is none.
  bool wrap() {
    engine::check((*it_)->status());
    (*it_)->Seek(begin_);
    if ((*it_)->Valid()) return true;
    engine::check((*it_)->status());
    return false;
  }

  // Positions on the member at index `slot` among those whose hash lies in
  // [from, to) (to may pass 2^32: the window wraps). False if there is none.
  bool pick_in_window(uint64_t from, uint64_t to, uint64_t slot) {
    seek(from);
    uint64_t offset = 0;  // 2^32 once wrapped
    for (uint64_t index = 0;; ++index) {
      if (!(*it_)->Valid()) {
        engine::check((*it_)->status());
        if (offset || to <= kHashSpace) return false;
        (*it_)->Seek(begin_);
        offset = kHashSpace;
        if (!(*it_)->Valid()) {
          engine::check((*it_)->status());
          return false;
        }
      }
      uint64_t h = member_hash_at(key(), begin_.size()) + offset;
      if (h >= to) return false;
      if (index == slot) return true;
      (*it_)->Next();
    }
  }

  std::string begin_;
  std::unique_ptr<engine::BoundedIterator> it_;
  uint64_t window_;
};

// Reservoir sampling: `count` distinct members, uniformly, in one walk.
std::vector<MemberEntry> reservoir(View& v, const Collection& c, uint64_t count, bool with_values) {
  std::vector<MemberEntry> out;
  out.reserve(static_cast<size_t>(std::min<uint64_t>(count, kWalkLimit * kWalkFraction)));
  uint64_t seen = 0;
  for_each_member(v, c, [&](std::string_view name, std::string_view value) {
    if (out.size() < count) {
      out.push_back(entry(name, value, with_values));
    } else {
      uint64_t j = uniform(seen + 1);
      if (j < count) out[j] = entry(name, value, with_values);
    }
    ++seen;
  });
  std::shuffle(out.begin(), out.end(), rng());
  return out;
}

}  // namespace

std::vector<MemberEntry> random_distinct_members(View& v, const Collection& c, uint64_t count, bool with_values) {
  const uint64_t size = size_of(c);
  if (count == 0 || size == 0) return {};
  if (count >= size) return all_members(v, c, with_values);
  if (use_walk(size, count)) return reservoir(v, c, count, with_values);

  std::vector<MemberEntry> out;
  out.reserve(count);
  std::unordered_set<std::string> taken;
  SeekSampler sampler(v, c, size);
  // count < size / kWalkFraction here, so repeats are rare; the bound only
  // matters if the collection shrank while we read it.
  for (uint64_t attempts = 4 * count + 64; out.size() < count && attempts > 0; --attempts) {
    if (!sampler.pick()) return out;
    if (!taken.emplace(sampler.name()).second) continue;
    out.push_back(entry(sampler.name(), sampler.value(), with_values));
  }
  if (out.size() < count) return reservoir(v, c, count, with_values);
  return out;
}

std::vector<MemberEntry> random_members(View& v, const Collection& c, uint64_t count, bool with_values) {
  const uint64_t size = size_of(c);
  if (count == 0 || size == 0) return {};
  std::vector<MemberEntry> out;
  if (!use_walk(size, count)) {
    out.reserve(count);
    SeekSampler sampler(v, c, size);
    while (out.size() < count && sampler.pick()) out.push_back(entry(sampler.name(), sampler.value(), with_values));
    return out;
  }
  // Each reply slot draws a position; one walk fills the slots in position
  // order, so the reply comes out in random order.
  std::vector<std::pair<uint64_t, uint64_t>> picks(count);  // (position, slot)
  for (uint64_t i = 0; i < count; ++i) picks[i] = {uniform(size), i};
  std::sort(picks.begin(), picks.end());
  out.resize(count);
  std::vector<bool> filled(count, false);
  size_t next = 0;
  uint64_t position = 0;
  for_each_member(v, c, [&](std::string_view name, std::string_view value) {
    for (; next < picks.size() && picks[next].first == position; ++next) {
      out[picks[next].second] = entry(name, value, with_values);
      filled[picks[next].second] = true;
    }
    ++position;
    return next < picks.size();
  });
  if (next < picks.size()) {
    // The collection shrank while we read it: drop the slots left empty.
    size_t kept = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (filled[i]) out[kept++] = std::move(out[i]);
    }
    out.resize(kept);
  }
  return out;
}

}  // namespace cairn::model
