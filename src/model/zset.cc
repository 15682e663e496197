// The sorted-set type; see zset.h for the record layout and the costs.
#include "model/zset.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/keyspace.h"
#include "engine/status.h"
#include "model/score.h"

namespace cairn::model {

namespace {

using engine::Cf;
using engine::kTagMember;
using engine::kTagScore;

// ---------------------------------------------------------------------------
// Record keys.

std::string member_index_key(std::string_view prefix, std::string_view member) {
  std::string k;
  k.reserve(prefix.size() + 5 + member.size());
  k.append(prefix);
  k.push_back(kTagMember);
  k.append(engine::hashed_member_sub(member));
  return k;
}

std::string score_index_key(std::string_view prefix, double score, std::string_view member) {
  std::string k;
  k.reserve(prefix.size() + 1 + kScoreBytes + member.size());
  k.append(prefix);
  k.push_back(kTagScore);
  append_sortable_score(&k, score);
  k.append(member);
  return k;
}

std::string score_tag(std::string_view prefix) {
  std::string k(prefix);
  k.push_back(kTagScore);
  return k;
}

using engine::corrupt;

// Reads a member's score from the member index; false if it is no member.
bool read_score(View& v, std::string_view prefix, std::string_view member, double* score) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = v.get(Cf::kMembers, member_index_key(prefix, member), &value);
  if (s.IsNotFound()) return false;
  engine::check(s);
  if (!decode_score_value(std::string_view(value.data(), value.size()), score)) corrupt("bad sorted-set score");
  return true;
}

void put_entry(Txn& t, std::string_view prefix, std::string_view member, double score) {
  t.put(Cf::kMembers, member_index_key(prefix, member), score_value(score));
  t.put(Cf::kMembers, score_index_key(prefix, score, member), {});
}

void delete_entry(Txn& t, std::string_view prefix, std::string_view member, double score) {
  t.del(Cf::kMembers, member_index_key(prefix, member));
  t.del(Cf::kMembers, score_index_key(prefix, score, member));
}

// ---------------------------------------------------------------------------
// A cursor over one collection's score index, forwards or backwards. It checks
// the tag bounds itself rather than trusting every iterator to honour them.
class ScoreWalk {
 public:
  ScoreWalk(View& v, std::string_view prefix)
      : begin_(score_tag(prefix)), end_(engine::prefix_successor(begin_)), it_(v.iterate(Cf::kMembers, begin_, end_)) {}

  // First entry >= target.
  void seek(std::string_view target) {
    (*it_)->Seek(target < std::string_view(begin_) ? rocksdb::Slice(begin_) : rocksdb::Slice(target.data(), target.size()));
  }
  void seek_first() { (*it_)->Seek(begin_); }
  // Last entry <= target.
  void seek_at_or_before(std::string_view target) {
    if (target >= std::string_view(end_)) return seek_last();
    (*it_)->SeekForPrev(rocksdb::Slice(target.data(), target.size()));
  }
  // Last entry < target.
  void seek_before(std::string_view target) {
    std::string_view t = std::min(target, std::string_view(end_));
    (*it_)->SeekForPrev(rocksdb::Slice(t.data(), t.size()));
    if ((*it_)->Valid() && key() >= t) (*it_)->Prev();
  }
  void seek_last() { seek_before(end_); }

  bool valid() {
    if (!(*it_)->Valid()) {
      engine::check((*it_)->status());
      return false;
    }
    std::string_view k = key();
    if (k < std::string_view(begin_) || k >= std::string_view(end_)) return false;
    if (k.size() < begin_.size() + kScoreBytes) corrupt("bad sorted-set score index key");
    return true;
  }
  void next() { (*it_)->Next(); }
  void prev() { (*it_)->Prev(); }
  void step(bool backwards) { backwards ? prev() : next(); }

  std::string_view key() const { return std::string_view((*it_)->key().data(), (*it_)->key().size()); }
  double score() const { return decode_sortable_score(key().substr(begin_.size())); }
  std::string_view member() const { return key().substr(begin_.size() + kScoreBytes); }
  const std::string& tag() const { return begin_; }

 private:
  std::string begin_, end_;
  std::unique_ptr<engine::BoundedIterator> it_;
};

// Every member of a collection in member-index (hash) order: emit(member, value).
template <typename Emit>
void walk_member_index(View& v, std::string_view prefix, Emit&& emit) {
  std::string begin(prefix);
  begin.push_back(kTagMember);
  std::string end = engine::prefix_successor(begin);
  auto it = v.iterate(Cf::kMembers, begin, end);
  const size_t prefix_len = begin.size();
  for ((*it)->Seek(begin); (*it)->Valid(); (*it)->Next()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    if (k >= std::string_view(end)) break;
    if (!emit(member_name(k, prefix_len), std::string_view((*it)->value().data(), (*it)->value().size()))) return;
  }
  engine::check((*it)->status());
}

// ---------------------------------------------------------------------------
// Range selection.

// Redis's rank rules: negative indexes count from the end; the result is
// clamped. False when nothing is selected.
bool clamp_ranks(int64_t n, int64_t start, int64_t stop, int64_t* first, int64_t* last) {
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *first = start;
  *last = stop;
  return true;
}

// Entries with ascending ranks first..last, emitted in descending order if
// `descending`. Walks from the nearer end of the index, so the cost is
// O(min(first, n - last) + (last - first)).
void collect_ranks(View& v, const Collection& c, int64_t first, int64_t last, bool descending,
                   std::vector<ScoredMember>* out) {
  const int64_t n = c.meta.count;
  const int64_t len = last - first + 1;
  ScoreWalk w(v, c.prefix);
  const bool from_start = first <= n - 1 - last;
  int64_t skip = from_start ? first : n - 1 - last;
  if (from_start) w.seek_first();
  else w.seek_last();
  for (; skip > 0 && w.valid(); --skip) w.step(!from_start);
  size_t base = out->size();
  for (int64_t i = 0; i < len && w.valid(); ++i, w.step(!from_start)) {
    out->push_back({std::string(w.member()), w.score()});
  }
  // The walk went the other way from what was asked: flip what it added.
  if (from_start == descending) std::reverse(out->begin() + static_cast<std::ptrdiff_t>(base), out->end());
}

// Bounds of a score range as score-index keys: [lower, upper).
std::string score_lower(const std::string& tag, const ScoreRange& r) {
  std::string k = tag;
  append_sortable_score(&k, r.min);
  return r.min_exclusive ? engine::prefix_successor(std::move(k)) : k;
}
std::string score_upper(const std::string& tag, const ScoreRange& r) {
  std::string k = tag;
  append_sortable_score(&k, r.max);
  return r.max_exclusive ? k : engine::prefix_successor(std::move(k));
}

// Calls emit(score, member) for entries in the score range, in ascending (or
// descending) order, after skipping `offset` and at most `limit` (< 0: all).
template <typename Emit>
void walk_score_range(View& v, const Collection& c, const ScoreRange& r, bool descending, int64_t offset,
                      int64_t limit, Emit&& emit) {
  if (offset < 0 || limit == 0) return;
  ScoreWalk w(v, c.prefix);
  const std::string lower = score_lower(w.tag(), r), upper = score_upper(w.tag(), r);
  if (lower >= upper) return;
  auto in_range = [&] { return descending ? w.key() >= std::string_view(lower) : w.key() < std::string_view(upper); };
  if (descending) w.seek_before(upper);
  else w.seek(lower);
  // Like Redis: the first entry must be in range, then the offset skips
  // entries without checking them and the range check resumes (the same thing
  // as checking throughout, unless a lex range meets mixed scores).
  if (!w.valid() || !in_range()) return;
  for (; offset > 0 && w.valid(); --offset) w.step(descending);
  for (; limit != 0 && w.valid() && in_range(); w.step(descending)) {
    emit(w.score(), w.member());
    if (limit > 0) --limit;
  }
}

int lex_compare_bounds(const LexBound& a, const LexBound& b) {
  using K = LexBound::Kind;
  if (a.kind == b.kind && a.kind != K::kValue) return 0;
  if (a.kind == K::kMinusInf || b.kind == K::kPlusInf) return -1;
  if (a.kind == K::kPlusInf || b.kind == K::kMinusInf) return 1;
  return a.value.compare(b.value);
}

bool lex_range_empty(const LexRange& r) {
  int cmp = lex_compare_bounds(r.min, r.max);
  return cmp > 0 || (cmp == 0 && (r.min.exclusive || r.max.exclusive));
}

bool lex_above_min(std::string_view m, const LexBound& min) {
  switch (min.kind) {
    case LexBound::Kind::kMinusInf: return true;
    case LexBound::Kind::kPlusInf: return false;
    case LexBound::Kind::kValue: return min.exclusive ? m > min.value : m >= min.value;
  }
  return false;
}

bool lex_below_max(std::string_view m, const LexBound& max) {
  switch (max.kind) {
    case LexBound::Kind::kMinusInf: return false;
    case LexBound::Kind::kPlusInf: return true;
    case LexBound::Kind::kValue: return max.exclusive ? m < max.value : m <= max.value;
  }
  return false;
}

// Lex ranges assume every member has the same score, as Redis documents:
// then the score index orders them by member bytes and the walk seeks
// straight to the bound. With mixed scores the answer is unspecified; Redis
// then scans in score order for the first member past the bound and goes on
// while members stay inside the other bound, and so does this (linearly: a
// misuse, not a case to optimise).
template <typename Emit>
void walk_lex_range(View& v, const Collection& c, const LexRange& r, bool descending, int64_t offset, int64_t limit,
                    Emit&& emit) {
  if (offset < 0 || limit == 0 || lex_range_empty(r)) return;
  ScoreWalk w(v, c.prefix);
  w.seek_last();
  if (!w.valid()) return;
  const std::string last_key(w.key());
  const std::string last_member(w.member());
  w.seek_first();
  if (!w.valid()) return;
  const std::string first_key(w.key());
  // Redis's quick rejection: nothing can be in range.
  if (!lex_above_min(last_member, r.min) || !lex_below_max(w.member(), r.max)) return;
  const size_t score_end = w.tag().size() + kScoreBytes;
  const bool one_score = first_key.compare(0, score_end, last_key, 0, score_end) == 0;
  const LexBound& start = descending ? r.max : r.min;
  if (descending) w.seek_last();
  if (one_score && start.kind == LexBound::Kind::kValue) {
    std::string target = first_key.substr(0, score_end);
    target.append(start.value);
    if (!descending) {
      if (start.exclusive) target.push_back('\0');
      w.seek(target);
    } else if (start.exclusive) {
      w.seek_before(target);
    } else {
      w.seek_at_or_before(target);
    }
  } else {
    while (w.valid() && !(descending ? lex_below_max(w.member(), r.max) : lex_above_min(w.member(), r.min))) {
      w.step(descending);
    }
  }
  auto in_range = [&] { return descending ? lex_above_min(w.member(), r.min) : lex_below_max(w.member(), r.max); };
  // Like Redis: the first entry must be in range, then the offset skips
  // entries without checking them and the range check resumes (the same thing
  // as checking throughout, unless a lex range meets mixed scores).
  if (!w.valid() || !in_range()) return;
  for (; offset > 0 && w.valid(); --offset) w.step(descending);
  for (; limit != 0 && w.valid() && in_range(); w.step(descending)) {
    emit(w.score(), w.member());
    if (limit > 0) --limit;
  }
}

// The members a RangeSpec selects, in the order it asks for.
void select_range(View& v, const Collection& c, const RangeSpec& spec, std::vector<ScoredMember>* out) {
  auto add = [out](double score, std::string_view member) { out->push_back({std::string(member), score}); };
  switch (spec.by) {
    case RangeSpec::By::kRank: {
      int64_t first, last;
      if (!clamp_ranks(c.meta.count, spec.start, spec.stop, &first, &last)) return;
      if (spec.reverse) {
        // ZREVRANGE indexes count from the high end.
        int64_t n = c.meta.count;
        std::tie(first, last) = std::make_pair(n - 1 - last, n - 1 - first);
      }
      collect_ranks(v, c, first, last, spec.reverse, out);
      return;
    }
    case RangeSpec::By::kScore:
      if (spec.offset > 0 && spec.offset >= c.meta.count) return;
      walk_score_range(v, c, spec.score, spec.reverse, spec.offset, spec.limit, add);
      return;
    case RangeSpec::By::kLex:
      if (spec.offset > 0 && spec.offset >= c.meta.count) return;
      walk_lex_range(v, c, spec.lex, spec.reverse, spec.offset, spec.limit, add);
      return;
  }
}

std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

bool member_order(const ScoredMember& a, const ScoredMember& b) {
  if (a.score != b.score) return a.score < b.score;
  return a.member < b.member;
}

// Score of a member of a set-operation source; false if absent.
bool source_score(View& v, const SetOpSource& s, std::string_view member, double* score) {
  if (s.prefix.empty()) return false;
  if (!s.is_set) return read_score(v, s.prefix, member, score);
  rocksdb::PinnableSlice value;
  rocksdb::Status st = v.get(Cf::kMembers, member_index_key(s.prefix, member), &value);
  if (st.IsNotFound()) return false;
  engine::check(st);
  *score = 1.0;
  return true;
}

// Every (member, score) of a source; emit returns false to stop.
template <typename Emit>
void for_each_source_member(View& v, const SetOpSource& s, Emit&& emit) {
  if (s.prefix.empty()) return;
  walk_member_index(v, s.prefix, [&](std::string_view member, std::string_view value) {
    double score = 1.0;
    if (!s.is_set && !decode_score_value(value, &score)) corrupt("bad sorted-set score");
    return emit(member, score);
  });
}

void aggregate_into(double* target, double value, Aggregate a) {
  switch (a) {
    case Aggregate::kSum:
      *target += value;
      // +inf plus -inf: Redis's convention is 0.
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin: *target = std::min(*target, value); break;
    case Aggregate::kMax: *target = std::max(*target, value); break;
  }
}

double weighted(double score, double weight) {
  double d = score * weight;
  return std::isnan(d) ? 0 : d;  // 0 * inf
}

}  // namespace

// ---------------------------------------------------------------------------
// Parsing.

namespace {
// Redis parses range bounds with strtod up to the first NUL.
bool parse_bound(std::string_view s, double* out, bool* exclusive) {
  *exclusive = !s.empty() && s[0] == '(';
  if (*exclusive) s.remove_prefix(1);
  std::string buf(s);
  char* end = nullptr;
  double d = std::strtod(buf.c_str(), &end);
  if (*end != '\0' || std::isnan(d)) return false;
  *out = d;
  return true;
}

bool parse_lex_bound(std::string_view s, LexBound* out) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() != 1) return false;
      out->kind = s[0] == '+' ? LexBound::Kind::kPlusInf : LexBound::Kind::kMinusInf;
      out->exclusive = true;
      out->value.clear();
      return true;
    case '(':
    case '[':
      out->kind = LexBound::Kind::kValue;
      out->exclusive = s[0] == '(';
      out->value.assign(s.substr(1));
      return true;
    default: return false;
  }
}
}  // namespace

bool parse_score_range(std::string_view min, std::string_view max, ScoreRange* out) {
  return parse_bound(min, &out->min, &out->min_exclusive) && parse_bound(max, &out->max, &out->max_exclusive);
}

bool parse_lex_range(std::string_view min, std::string_view max, LexRange* out) {
  return parse_lex_bound(min, &out->min) && parse_lex_bound(max, &out->max);
}

// ---------------------------------------------------------------------------
// Writes.

OpStatus zadd(Txn& t, uint8_t ns, std::string_view key, std::span<const ScoreArg> items, const ZAddFlags& flags,
              ZAddResult* result) {
  *result = ZAddResult{};
  Collection c;
  OpStatus s = open_collection_for_write(t, ns, key, ValueType::kZSet, &c);
  if (s != OpStatus::kOk) return s;
  if (!c.exists && flags.xx) return OpStatus::kOk;
  for (const ScoreArg& item : items) {
    double score = normalize_score(item.score);
    double current;
    // Always look: the same member may come twice in one ZADD.
    if (read_score(t, c.prefix, item.member, &current)) {
      if (flags.nx) continue;
      if (flags.incr) {
        score = normalize_score(score + current);
        if (std::isnan(score)) return OpStatus::kNanOrInf;
      }
      if ((flags.lt && score >= current) || (flags.gt && score <= current)) continue;
      ++result->processed;
      result->score = score;
      if (score != current) {
        t.del(Cf::kMembers, score_index_key(c.prefix, current, item.member));
        put_entry(t, c.prefix, item.member, score);
        ++result->updated;
      }
    } else if (!flags.xx) {
      put_entry(t, c.prefix, item.member, score);
      ++c.meta.count;
      ++result->added;
      ++result->processed;
      result->score = score;
    }
  }
  if (result->added || result->updated) save_collection(t, ns, key, ValueType::kZSet, c);
  return OpStatus::kOk;
}

OpStatus zrem(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> members,
              int64_t* removed) {
  *removed = 0;
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kZSet, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  for (std::string_view m : members) {
    double score;
    if (!read_score(t, c.prefix, m, &score)) continue;
    delete_entry(t, c.prefix, m, score);
    --c.meta.count;
    ++*removed;
  }
  if (*removed) save_collection(t, ns, key, ValueType::kZSet, c);
  return OpStatus::kOk;
}

OpStatus zremrange(Txn& t, uint8_t ns, std::string_view key, const RangeSpec& spec, int64_t* removed) {
  *removed = 0;
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kZSet, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  RangeSpec all = spec;
  all.reverse = false;
  all.offset = 0;
  all.limit = -1;
  std::vector<ScoredMember> doomed;
  select_range(t, c, all, &doomed);
  for (const ScoredMember& m : doomed) delete_entry(t, c.prefix, m.member, m.score);
  c.meta.count -= static_cast<int64_t>(doomed.size());
  *removed = static_cast<int64_t>(doomed.size());
  if (*removed) save_collection(t, ns, key, ValueType::kZSet, c);
  return OpStatus::kOk;
}

OpStatus zpop(Txn& t, uint8_t ns, std::string_view key, bool max, int64_t count, std::vector<ScoredMember>* out) {
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kZSet, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  {
    ScoreWalk w(t, c.prefix);
    if (max) w.seek_last();
    else w.seek_first();
    for (int64_t i = 0; i < count && w.valid(); ++i, w.step(max)) out->push_back({std::string(w.member()), w.score()});
  }
  for (const ScoredMember& m : *out) delete_entry(t, c.prefix, m.member, m.score);
  c.meta.count -= static_cast<int64_t>(out->size());
  if (!out->empty()) save_collection(t, ns, key, ValueType::kZSet, c);
  return OpStatus::kOk;
}

OpStatus zmpop(Txn& t, uint8_t ns, std::span<const std::string_view> keys, bool max, int64_t count,
               size_t* popped_key, std::vector<ScoredMember>* out) {
  for (size_t i = 0; i < keys.size(); ++i) {
    OpStatus s = zpop(t, ns, keys[i], max, count, out);
    if (s == OpStatus::kNotFound) continue;
    *popped_key = i;
    return s;
  }
  return OpStatus::kNotFound;
}

OpStatus zrangestore(Txn& t, uint8_t ns, std::string_view dst, std::string_view src, const RangeSpec& spec,
                     int64_t* stored) {
  std::vector<ScoredMember> members;
  OpStatus s = zrange(t, ns, src, t.now_ms(), spec, &members);
  if (s == OpStatus::kWrongType) return s;
  store_zset(t, ns, dst, members);
  *stored = static_cast<int64_t>(members.size());
  return OpStatus::kOk;
}

void store_zset(Txn& t, uint8_t ns, std::string_view dst, const std::vector<ScoredMember>& members) {
  Found old;
  find(t, ns, dst, t.now_ms(), &old);
  if (members.empty()) {
    if (old.present) engine::delete_record(t, ns, dst, old, old.live ? engine::FeedKind::kDelete : engine::FeedKind::kExpired);
    return;
  }
  // A fresh incarnation: write_record drops the old one's members.
  CollectionMeta meta;
  meta.version = t.new_collection_version();
  meta.count = static_cast<int64_t>(members.size());
  std::string prefix = engine::member_prefix(ns, dst, meta.version);
  for (const ScoredMember& m : members) put_entry(t, prefix, m.member, m.score);
  std::string payload;
  engine::encode_collection(ValueType::kZSet, meta, &payload);
  engine::write_record(t, ns, dst, old, ValueType::kZSet, 0, payload);
}

// ---------------------------------------------------------------------------
// Reads.

OpStatus zcard(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t* count) {
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  *count = s == OpStatus::kOk ? c.meta.count : 0;
  return s;
}

OpStatus zscores(View& v, uint8_t ns, std::string_view key, int64_t now_ms,
                 std::span<const std::string_view> members, std::vector<std::optional<double>>* scores) {
  scores->assign(members.size(), std::nullopt);
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  if (s != OpStatus::kOk) return s;
  for (size_t i = 0; i < members.size(); ++i) {
    double score;
    if (read_score(v, c.prefix, members[i], &score)) (*scores)[i] = score;
  }
  return s;
}

// ZRANK reads the member's score, then walks the score index away from the
// member's entry in both directions at once, one step each in turn. The walk
// that reaches its end first tells the rank: the backward one counted the
// members before, the forward one those after (rank = n - 1 - after). So the
// cost is O(min(rank, n - rank)) records: the two ends of a large set are
// cheap, the middle costs about n/2 steps each way.
OpStatus zrank(View& v, uint8_t ns, std::string_view key, int64_t now_ms, std::string_view member, bool reverse,
               std::optional<int64_t>* rank) {
  rank->reset();
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  if (s != OpStatus::kOk) return s;
  double score;
  if (!read_score(v, c.prefix, member, &score)) return s;
  const std::string at = score_index_key(c.prefix, score, member);
  ScoreWalk forward(v, c.prefix), backward(v, c.prefix);
  forward.seek(at);
  backward.seek_at_or_before(at);
  int64_t before = 0, after = 0, r;
  for (;;) {
    backward.prev();
    if (!backward.valid()) {
      r = before;
      break;
    }
    ++before;
    forward.next();
    if (!forward.valid()) {
      r = c.meta.count - 1 - after;
      break;
    }
    ++after;
  }
  r = std::clamp<int64_t>(r, 0, std::max<int64_t>(c.meta.count - 1, 0));
  *rank = reverse ? c.meta.count - 1 - r : r;
  return s;
}

OpStatus zcount(View& v, uint8_t ns, std::string_view key, int64_t now_ms, const ScoreRange& range,
                int64_t* count) {
  *count = 0;
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  if (s != OpStatus::kOk) return s;
  walk_score_range(v, c, range, false, 0, -1, [count](double, std::string_view) { ++*count; });
  return s;
}

OpStatus zlexcount(View& v, uint8_t ns, std::string_view key, int64_t now_ms, const LexRange& range,
                   int64_t* count) {
  *count = 0;
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  if (s != OpStatus::kOk) return s;
  walk_lex_range(v, c, range, false, 0, -1, [count](double, std::string_view) { ++*count; });
  return s;
}

OpStatus zrange(View& v, uint8_t ns, std::string_view key, int64_t now_ms, const RangeSpec& spec,
                std::vector<ScoredMember>* out) {
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  if (s != OpStatus::kOk) return s;
  select_range(v, c, spec, out);
  return s;
}

OpStatus zrandmember(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t count,
                     std::vector<ScoredMember>* out) {
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kZSet, now_ms, &c);
  if (s != OpStatus::kOk) return s;
  const int64_t n = c.meta.count;
  if (count == 0 || n <= 0) return s;
  if (count >= n) {
    // Every member, highest score first: Redis walks the set from its tail.
    RangeSpec all;
    all.reverse = true;
    select_range(v, c, all, out);
    return s;
  }
  // Draw ranks (into the member index, whose order is as good as any for a
  // uniform draw), remembering the reply slot of each draw.
  std::vector<std::pair<int64_t, size_t>> draws;
  std::uniform_int_distribution<int64_t> any(0, n - 1);
  if (count < 0) {
    draws.reserve(static_cast<size_t>(-count));
    for (int64_t i = 0; i < -count; ++i) draws.emplace_back(any(rng()), static_cast<size_t>(i));
  } else {
    // Floyd's algorithm: `count` distinct ranks in O(count).
    std::unordered_set<int64_t> chosen;
    for (int64_t j = n - count; j < n; ++j) {
      int64_t r = std::uniform_int_distribution<int64_t>(0, j)(rng());
      chosen.insert(chosen.count(r) ? j : r);
    }
    for (int64_t r : chosen) draws.emplace_back(r, draws.size());
    // Distinct draws come back in random order.
    std::vector<size_t> slots(draws.size());
    for (size_t i = 0; i < slots.size(); ++i) slots[i] = i;
    std::shuffle(slots.begin(), slots.end(), rng());
    for (size_t i = 0; i < draws.size(); ++i) draws[i].second = slots[i];
  }
  std::sort(draws.begin(), draws.end());
  out->assign(draws.size(), ScoredMember{});
  std::vector<bool> filled(draws.size(), false);
  // One pass over the member index, from whichever end reaches every drawn
  // rank sooner.
  const bool from_start = draws.back().first <= n - 1 - draws.front().first;
  std::string begin(c.prefix);
  begin.push_back(kTagMember);
  std::string end = engine::prefix_successor(begin);
  auto it = v.iterate(Cf::kMembers, begin, end);
  size_t next = from_start ? 0 : draws.size();
  int64_t rank = from_start ? 0 : n - 1;
  if (from_start) {
    (*it)->Seek(begin);
  } else {
    (*it)->SeekForPrev(end);
    if ((*it)->Valid() && (*it)->key().compare(end) >= 0) (*it)->Prev();
  }
  while ((from_start ? next < draws.size() : next > 0) && (*it)->Valid()) {
    std::string_view k((*it)->key().data(), (*it)->key().size());
    if (k < std::string_view(begin) || k >= std::string_view(end)) break;
    auto fill = [&](size_t i) {
      ScoredMember& m = (*out)[draws[i].second];
      m.member.assign(member_name(k, begin.size()));
      if (!decode_score_value(std::string_view((*it)->value().data(), (*it)->value().size()), &m.score)) {
        corrupt("bad sorted-set score");
      }
      filled[draws[i].second] = true;
    };
    if (from_start) {
      while (next < draws.size() && draws[next].first == rank) fill(next++);
      (*it)->Next();
      ++rank;
    } else {
      while (next > 0 && draws[next - 1].first == rank) fill(--next);
      (*it)->Prev();
      --rank;
    }
  }
  engine::check((*it)->status());
  // A set that shrank under a concurrent write leaves some draws unfilled.
  size_t kept = 0;
  for (size_t i = 0; i < out->size(); ++i) {
    if (!filled[i]) continue;
    if (i != kept) (*out)[kept] = std::move((*out)[i]);
    ++kept;
  }
  out->resize(kept);
  return s;
}

// ---------------------------------------------------------------------------
// Set operations.

OpStatus open_sources(View& v, uint8_t ns, int64_t now_ms, std::span<const std::string_view> keys,
                      std::vector<SetOpSource>* sources) {
  sources->clear();
  for (std::string_view key : keys) {
    Found f;
    find(v, ns, key, now_ms, &f);
    SetOpSource src;
    if (f.live) {
      ValueType type = f.header.type;
      if (type != ValueType::kZSet && type != ValueType::kSet) return OpStatus::kWrongType;
      CollectionMeta meta;
      if (!engine::decode_collection(type, f.payload, &meta)) corrupt("bad collection record");
      src.prefix = engine::member_prefix(ns, key, meta.version);
      src.count = meta.count;
      src.is_set = type == ValueType::kSet;
    }
    sources->push_back(std::move(src));
  }
  return OpStatus::kOk;
}

std::vector<ScoredMember> combine(View& v, SetOp op, std::vector<SetOpSource> sources, Aggregate aggregate) {
  std::vector<ScoredMember> out;
  if (sources.empty()) return out;
  // Smallest first, as Redis does: an intersection then iterates the
  // smallest input and probes the others.
  if (op != SetOp::kDiff) {
    std::stable_sort(sources.begin(), sources.end(),
                     [](const SetOpSource& a, const SetOpSource& b) { return a.count < b.count; });
  }
  const SetOpSource& first = sources[0];
  switch (op) {
    case SetOp::kInter:
      if (first.count == 0) break;
      for_each_source_member(v, first, [&](std::string_view member, double score) {
        double acc = weighted(score, first.weight);
        for (size_t j = 1; j < sources.size(); ++j) {
          double other;
          if (!source_score(v, sources[j], member, &other)) return true;
          aggregate_into(&acc, other * sources[j].weight, aggregate);
        }
        out.push_back({std::string(member), acc});
        return true;
      });
      break;
    case SetOp::kUnion: {
      std::unordered_map<std::string, double> acc;
      for (const SetOpSource& src : sources) {
        for_each_source_member(v, src, [&](std::string_view member, double score) {
          double value = weighted(score, src.weight);
          auto [it, inserted] = acc.try_emplace(std::string(member), value);
          if (!inserted) aggregate_into(&it->second, value, aggregate);
          return true;
        });
      }
      out.reserve(acc.size());
      for (auto& [member, score] : acc) out.push_back({member, score});
      break;
    }
    case SetOp::kDiff:
      if (first.count == 0) break;
      for_each_source_member(v, first, [&](std::string_view member, double score) {
        for (size_t j = 1; j < sources.size(); ++j) {
          double other;
          if (source_score(v, sources[j], member, &other)) return true;
        }
        out.push_back({std::string(member), score});
        return true;
      });
      break;
  }
  for (ScoredMember& m : out) m.score = normalize_score(m.score);
  std::sort(out.begin(), out.end(), member_order);
  return out;
}

int64_t intersection_size(View& v, std::vector<SetOpSource> sources, int64_t limit) {
  if (sources.empty()) return 0;
  std::stable_sort(sources.begin(), sources.end(),
                   [](const SetOpSource& a, const SetOpSource& b) { return a.count < b.count; });
  int64_t n = 0;
  if (sources[0].count == 0) return 0;
  for_each_source_member(v, sources[0], [&](std::string_view member, double) {
    for (size_t j = 1; j < sources.size(); ++j) {
      double other;
      if (!source_score(v, sources[j], member, &other)) return true;
    }
    ++n;
    return limit == 0 || n < limit;
  });
  return n;
}

}  // namespace cairn::model
