// List operations; see list.h.
#include "model/list.h"

#include <algorithm>
#include <utility>

#include "engine/coding.h"
#include "engine/status.h"

namespace cairn::model {

namespace {

using engine::Cf;
using engine::kTagPosition;

constexpr uint64_t kSignBit = 1ull << 63;
// Reads on the committed store retry when a write changes the list under
// them; a list rewritten this often in a row gets an error instead.
constexpr int kReadAttempts = 64;
// Rewrites of positions read and write in chunks of at most this many
// elements or bytes, so a long shift never holds the whole list in memory.
constexpr size_t kChunkElements = 256;
constexpr size_t kChunkBytes = 4u << 20;

using engine::corrupt;

std::string position_key(const Collection& c, int64_t pos) {
  return c.member_key(kTagPosition, encode_list_position(pos));
}


// Redis's index rule: negative counts from the tail. The offset from the
// head, or false when out of range.
bool resolve_index(int64_t index, int64_t len, int64_t* offset) {
  if (index < 0) index += len;
  if (index < 0 || index >= len) return false;
  *offset = index;
  return true;
}

// Redis's range rule (LRANGE, LTRIM, pops): inclusive [start, stop], negative
// from the tail, clamped. Offsets [*from, *to), or false when empty.
bool resolve_range(int64_t start, int64_t stop, int64_t len, int64_t* from, int64_t* to) {
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return false;
  if (stop >= len) stop = len - 1;
  *from = start;
  *to = stop + 1;
  return true;
}

// Calls fn(pos, element) for the positions [from, to), ascending or
// descending; fn returns false to stop. Returns false when a position in the
// range has no record (a concurrent write on the committed store, or damage).
template <typename Fn>
bool visit(View& v, const Collection& c, int64_t from, int64_t to, bool backward, Fn&& fn) {
  if (from >= to) return true;
  const std::string tag = c.tag_begin(kTagPosition);
  const std::string lower = position_key(c, from);
  auto it = v.iterate(Cf::kMembers, lower, position_key(c, to));
  if (backward) (*it)->SeekForPrev(position_key(c, to - 1));
  else (*it)->Seek(lower);
  int64_t pos = backward ? to - 1 : from;
  for (int64_t n = to - from; n > 0; --n) {
    if (!(*it)->Valid()) {
      engine::check((*it)->status());
      return false;
    }
    std::string_view k = (*it)->key().ToStringView();
    if (k.size() != tag.size() + 8 || k.substr(0, tag.size()) != tag ||
        decode_list_position(k.substr(tag.size())) != pos) {
      return false;
    }
    if (!fn(pos, (*it)->value().ToStringView())) return true;
    if (backward) {
      --pos;
      (*it)->Prev();
    } else {
      ++pos;
      (*it)->Next();
    }
  }
  return true;
}

// Opens `key` for a read that spans several records and runs body(c), which
// returns false if it found a position missing. On the committed store (no
// snapshot across records) the list's record is read again afterwards; if a
// write changed it in between, the body runs again on the new state.
template <typename Body>
OpStatus read_list(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Body&& body) {
  for (int attempt = 1;; ++attempt) {
    Collection c;
    OpStatus s = open_collection(v, ns, key, ValueType::kList, now_ms, &c);
    if (s != OpStatus::kOk) return s;
    bool complete = body(c);
    if (v.txn() != nullptr) {
      if (!complete) corrupt("list element missing");
      return OpStatus::kOk;
    }
    Found again;
    find(v, ns, key, now_ms, &again);
    bool unchanged = again.present && again.raw.ToStringView() == c.found.raw.ToStringView();
    if (unchanged) {
      if (!complete) corrupt("list element missing");
      return OpStatus::kOk;
    }
    if (attempt == kReadAttempts) {
      throw engine::StoreError(rocksdb::Status::Busy("list changed during the read too often; try again"));
    }
  }
}

// The element at absolute position `pos` of a list being written.
std::string read_at(Txn& t, const Collection& c, int64_t pos) {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = t.get(Cf::kMembers, position_key(c, pos), &value);
  if (s.IsNotFound()) corrupt("list element missing");
  engine::check(s);
  return value.ToString();
}

// Moves the elements at positions [from, to) by `delta`, in the order that
// never overwrites an element before it is read. The caller fills or
// deletes the positions left behind.
void shift(Txn& t, const Collection& c, int64_t from, int64_t to, int64_t delta) {
  const bool backward = delta > 0;
  std::vector<std::pair<int64_t, std::string>> chunk;
  while (from < to) {
    chunk.clear();
    size_t bytes = 0;
    bool ok = visit(t, c, from, to, backward, [&](int64_t pos, std::string_view e) {
      chunk.emplace_back(pos, std::string(e));
      bytes += e.size();
      return chunk.size() < kChunkElements && bytes < kChunkBytes;
    });
    if (!ok || chunk.empty()) corrupt("list element missing");
    for (const auto& [pos, e] : chunk) t.put(Cf::kMembers, position_key(c, pos + delta), e);
    if (backward) to = chunk.back().first;
    else from = chunk.back().first + 1;
  }
}

// Removes the elements at `gone` (ascending, distinct offsets from the head)
// by closing the gaps from the side with fewer elements to rewrite.
void close_gaps(Txn& t, Collection* c, const std::vector<int64_t>& gone) {
  CollectionMeta& m = c->meta;
  const int64_t n = m.count, k = static_cast<int64_t>(gone.size());
  if (k == n) {
    m.count = 0;  // save_collection drops every record
    return;
  }
  const int64_t head_cost = gone.back() + 1 - k;  // elements before the last gap
  const int64_t tail_cost = n - gone.front() - k;  // elements after the first gap
  if (head_cost <= tail_cost) {
    // Elements before a gap move towards the tail by the number of gaps after them.
    for (int64_t i = k - 1; i >= 0; --i) {
      int64_t seg_from = i == 0 ? 0 : gone[i - 1] + 1;
      shift(t, *c, m.head + seg_from, m.head + gone[i], k - i);
    }
    for (int64_t p = m.head; p < m.head + k; ++p) t.del(Cf::kMembers, position_key(*c, p));
    m.head += k;
  } else {
    // Elements after a gap move towards the head by the number of gaps before them.
    for (int64_t i = 0; i < k; ++i) {
      int64_t seg_to = i + 1 == k ? n : gone[i + 1];
      shift(t, *c, m.head + gone[i] + 1, m.head + seg_to, -(i + 1));
    }
    for (int64_t p = m.tail - k; p < m.tail; ++p) t.del(Cf::kMembers, position_key(*c, p));
    m.tail -= k;
  }
  m.count = m.tail - m.head;
}

// Pops one element from `end` of an open, non-empty list (meta updated, not saved).
std::string pop_one(Txn& t, Collection* c, ListEnd end) {
  CollectionMeta& m = c->meta;
  int64_t pos = end == ListEnd::kHead ? m.head : m.tail - 1;
  std::string e = read_at(t, *c, pos);
  t.del(Cf::kMembers, position_key(*c, pos));
  if (end == ListEnd::kHead) ++m.head;
  else --m.tail;
  m.count = m.tail - m.head;
  return e;
}

void push_one(Txn& t, Collection* c, ListEnd end, std::string_view e) {
  CollectionMeta& m = c->meta;
  if (end == ListEnd::kHead) t.put(Cf::kMembers, position_key(*c, --m.head), e);
  else t.put(Cf::kMembers, position_key(*c, m.tail++), e);
  m.count = m.tail - m.head;
}

}  // namespace

std::string encode_list_position(int64_t pos) {
  std::string s;
  engine::put_be64(&s, static_cast<uint64_t>(pos) ^ kSignBit);
  return s;
}

int64_t decode_list_position(std::string_view sub) {
  if (sub.size() != 8) corrupt("bad list position");
  return static_cast<int64_t>(engine::get_be64(sub.data()) ^ kSignBit);
}

OpStatus list_probe(View& v, uint8_t ns, std::string_view key, int64_t now_ms) {
  Collection c;
  return open_collection(v, ns, key, ValueType::kList, now_ms, &c);
}

OpStatus list_length(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t* length) {
  Collection c;
  OpStatus s = open_collection(v, ns, key, ValueType::kList, now_ms, &c);
  *length = s == OpStatus::kOk ? c.meta.count : 0;
  return s;
}

OpStatus list_index(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t index,
                    std::optional<std::string>* element) {
  return read_list(v, ns, key, now_ms, [&](const Collection& c) {
    element->reset();
    int64_t offset;
    if (!resolve_index(index, c.meta.count, &offset)) return true;
    rocksdb::PinnableSlice value;
    rocksdb::Status s = v.get(Cf::kMembers, position_key(c, c.meta.head + offset), &value);
    if (s.IsNotFound()) return false;
    engine::check(s);
    element->emplace(value.data(), value.size());
    return true;
  });
}

OpStatus list_range(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t start, int64_t stop,
                    std::vector<std::string>* out) {
  return read_list(v, ns, key, now_ms, [&](const Collection& c) {
    out->clear();
    int64_t from, to;
    if (!resolve_range(start, stop, c.meta.count, &from, &to)) return true;
    out->reserve(static_cast<size_t>(to - from));
    return visit(v, c, c.meta.head + from, c.meta.head + to, false, [&](int64_t, std::string_view e) {
      out->emplace_back(e);
      return true;
    });
  });
}

OpStatus list_positions(View& v, uint8_t ns, std::string_view key, int64_t now_ms, std::string_view element,
                        const ListPosOptions& o, std::vector<int64_t>* out) {
  const bool backward = o.rank < 0;
  // |rank| computed in unsigned arithmetic, so INT64_MIN cannot overflow.
  const uint64_t rank = backward ? 0 - static_cast<uint64_t>(o.rank) : static_cast<uint64_t>(o.rank);
  return read_list(v, ns, key, now_ms, [&](const Collection& c) {
    out->clear();
    const int64_t len = c.meta.count;
    int64_t index = 0;  // elements compared so far
    uint64_t matches = 0;
    return visit(v, c, c.meta.head, c.meta.tail, backward, [&](int64_t, std::string_view e) {
      if (o.maxlen > 0 && index >= o.maxlen) return false;
      if (e == element && ++matches >= rank) {
        out->push_back(backward ? len - index - 1 : index);
        if (o.count > 0 && static_cast<int64_t>(out->size()) >= o.count) return false;
      }
      ++index;
      return true;
    });
  });
}

OpStatus list_push(Txn& t, uint8_t ns, std::string_view key, ListEnd end,
                   std::span<const std::string_view> elements, bool only_if_exists, int64_t* length) {
  Collection c;
  OpStatus s = only_if_exists ? open_collection(t, ns, key, ValueType::kList, t.now_ms(), &c)
                              : open_collection_for_write(t, ns, key, ValueType::kList, &c);
  if (s != OpStatus::kOk) {
    *length = 0;
    return s;
  }
  for (std::string_view e : elements) push_one(t, &c, end, e);
  save_collection(t, ns, key, ValueType::kList, c);
  *length = c.meta.count;
  return OpStatus::kOk;
}

OpStatus list_pop(Txn& t, uint8_t ns, std::string_view key, ListEnd end, int64_t count,
                  std::vector<std::string>* out) {
  out->clear();
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kList, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  CollectionMeta& m = c.meta;
  const int64_t n = std::min(count, m.count);
  if (n == 1) {
    out->push_back(pop_one(t, &c, end));
  } else if (n > 1) {
    const bool backward = end == ListEnd::kTail;
    const int64_t from = backward ? m.tail - n : m.head, to = from + n;
    out->reserve(static_cast<size_t>(n));
    bool ok = visit(t, c, from, to, backward, [&](int64_t, std::string_view e) {
      out->emplace_back(e);
      return true;
    });
    if (!ok) corrupt("list element missing");
    // Emptying the list leaves the records to save_collection, which drops
    // them all at once.
    if (n < m.count) {
      for (int64_t p = from; p < to; ++p) t.del(Cf::kMembers, position_key(c, p));
    }
    if (backward) m.tail -= n;
    else m.head += n;
    m.count = m.tail - m.head;
  }
  save_collection(t, ns, key, ValueType::kList, c);
  return OpStatus::kOk;
}

OpStatus list_set(Txn& t, uint8_t ns, std::string_view key, int64_t index, std::string_view element,
                  bool* in_range) {
  *in_range = false;
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kList, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  int64_t offset;
  if (!resolve_index(index, c.meta.count, &offset)) return OpStatus::kOk;
  *in_range = true;
  t.put(Cf::kMembers, position_key(c, c.meta.head + offset), element);
  save_collection(t, ns, key, ValueType::kList, c);
  return OpStatus::kOk;
}

OpStatus list_trim(Txn& t, uint8_t ns, std::string_view key, int64_t start, int64_t stop) {
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kList, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  CollectionMeta& m = c.meta;
  int64_t from, to;
  if (!resolve_range(start, stop, m.count, &from, &to)) {
    m.count = 0;  // save_collection drops every record
  } else {
    const int64_t keep_head = m.head + from, keep_tail = m.head + to;
    for (int64_t p = m.head; p < keep_head; ++p) t.del(Cf::kMembers, position_key(c, p));
    for (int64_t p = keep_tail; p < m.tail; ++p) t.del(Cf::kMembers, position_key(c, p));
    m.head = keep_head;
    m.tail = keep_tail;
    m.count = m.tail - m.head;
  }
  save_collection(t, ns, key, ValueType::kList, c);
  return OpStatus::kOk;
}

OpStatus list_remove(Txn& t, uint8_t ns, std::string_view key, int64_t count, std::string_view element,
                     int64_t* removed) {
  *removed = 0;
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kList, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  const bool backward = count < 0;
  const uint64_t limit = backward ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  std::vector<int64_t> gone;  // offsets from the head
  const int64_t head = c.meta.head;
  bool ok = visit(t, c, c.meta.head, c.meta.tail, backward, [&](int64_t pos, std::string_view e) {
    if (e == element) {
      gone.push_back(pos - head);
      if (limit > 0 && gone.size() >= limit) return false;
    }
    return true;
  });
  if (!ok) corrupt("list element missing");
  if (gone.empty()) return OpStatus::kOk;
  if (backward) std::reverse(gone.begin(), gone.end());
  close_gaps(t, &c, gone);
  save_collection(t, ns, key, ValueType::kList, c);
  *removed = static_cast<int64_t>(gone.size());
  return OpStatus::kOk;
}

OpStatus list_insert(Txn& t, uint8_t ns, std::string_view key, bool after, std::string_view pivot,
                     std::string_view element, int64_t* length) {
  *length = 0;
  Collection c;
  OpStatus s = open_collection(t, ns, key, ValueType::kList, t.now_ms(), &c);
  if (s != OpStatus::kOk) return s;
  CollectionMeta& m = c.meta;
  int64_t found = -1;
  bool ok = visit(t, c, m.head, m.tail, false, [&](int64_t pos, std::string_view e) {
    if (e != pivot) return true;
    found = pos - m.head;
    return false;
  });
  if (!ok) corrupt("list element missing");
  if (found < 0) {
    *length = -1;
    return OpStatus::kOk;
  }
  const int64_t at = after ? found + 1 : found;  // offset of the new element
  if (at <= m.count - at) {
    shift(t, c, m.head, m.head + at, -1);
    --m.head;
  } else {
    shift(t, c, m.head + at, m.tail, +1);
    ++m.tail;
  }
  t.put(Cf::kMembers, position_key(c, m.head + at), element);
  m.count = m.tail - m.head;
  save_collection(t, ns, key, ValueType::kList, c);
  *length = m.count;
  return OpStatus::kOk;
}

OpStatus list_move(Txn& t, uint8_t ns, std::string_view src, std::string_view dst, ListEnd from, ListEnd to,
                   std::optional<std::string>* moved) {
  moved->reset();
  Collection source;
  OpStatus s = open_collection(t, ns, src, ValueType::kList, t.now_ms(), &source);
  if (s != OpStatus::kOk) return s;
  if (src == dst) {
    std::string e = pop_one(t, &source, from);
    push_one(t, &source, to, e);
    save_collection(t, ns, src, ValueType::kList, source);
    moved->emplace(std::move(e));
    return OpStatus::kOk;
  }
  Collection target;
  s = open_collection_for_write(t, ns, dst, ValueType::kList, &target);
  if (s != OpStatus::kOk) return s;
  std::string e = pop_one(t, &source, from);
  push_one(t, &target, to, e);
  save_collection(t, ns, src, ValueType::kList, source);
  save_collection(t, ns, dst, ValueType::kList, target);
  moved->emplace(std::move(e));
  return OpStatus::kOk;
}

}  // namespace cairn::model
