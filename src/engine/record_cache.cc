// Record cache with SIEVE eviction; see record_cache.h.
#include "engine/record_cache.h"

#include <xxhash.h>

#include <algorithm>
#include <vector>

namespace cairn::engine {

namespace {
// Bytes charged per entry beyond its key and value: the node, the hash
// table's slot and the allocator's rounding.
constexpr size_t kEntryOverhead = 96;
}  // namespace

struct RecordCache::Node {
  std::string key;
  std::string value;
  uint64_t hash = 0;
  uint64_t seq = 0;
  bool present = false;
  bool visited = false;
  Node* newer = nullptr;  // toward the head (most recently inserted)
  Node* older = nullptr;  // toward the tail
  size_t charge() const { return key.size() + value.size() + kEntryOverhead; }
};

// The index of a shard is an open-addressing table (linear probing,
// backward-shift deletion) of {hash, node}: a lookup of an absent key, the
// common case under random reads, touches one contiguous run of slots and no
// node, where a node-based hash map chases a pointer per bucket entry.
struct RecordCache::Shard {
  struct Slot {
    uint64_t hash = 0;
    Node* node = nullptr;  // nullptr: empty
  };
  std::mutex mu;
  std::vector<Slot> slots = std::vector<Slot>(16);
  size_t used = 0;
  Node* head = nullptr;  // newest
  Node* tail = nullptr;  // oldest
  Node* hand = nullptr;  // SIEVE's hand: next eviction candidate, moving toward the head
  size_t charged = 0;
  size_t capacity = 0;
  int writes_in_flight = 0;
  uint64_t fence = 0;  // sequence of the last write to this shard

  ~Shard() { free_nodes(); }

  void free_nodes() {
    for (Node* n = head; n;) {
      Node* next = n->older;
      delete n;
      n = next;
    }
    head = tail = hand = nullptr;
  }

  size_t mask() const { return slots.size() - 1; }

  // The slot holding `key`, or the empty slot where its probe ends.
  size_t probe(std::string_view key, uint64_t hash) const {
    size_t i = hash & mask();
    while (slots[i].node && !(slots[i].hash == hash && slots[i].node->key == key)) i = (i + 1) & mask();
    return i;
  }

  Node* find(std::string_view key, uint64_t hash) const { return slots[probe(key, hash)].node; }

  void remove_slot(size_t i) {
    // Backward shift: pull later entries of the run into the hole unless
    // that would move one before its home slot.
    for (size_t j = (i + 1) & mask(); slots[j].node; j = (j + 1) & mask()) {
      size_t home = slots[j].hash & mask();
      bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = Slot{};
    --used;
  }

  void index(Node* n) {
    if ((used + 1) * 4 > slots.size() * 3) grow();
    size_t i = n->hash & mask();
    while (slots[i].node) i = (i + 1) & mask();
    slots[i] = Slot{n->hash, n};
    ++used;
  }

  void grow() {
    std::vector<Slot> old(slots.size() * 2);
    old.swap(slots);
    for (const Slot& e : old) {
      if (!e.node) continue;
      size_t i = e.hash & mask();
      while (slots[i].node) i = (i + 1) & mask();
      slots[i] = e;
    }
  }

  void unlink(Node* n) {
    if (hand == n) hand = n->newer;
    (n->newer ? n->newer->older : head) = n->older;
    (n->older ? n->older->newer : tail) = n->newer;
    charged -= n->charge();
  }

  void erase(std::string_view key, uint64_t hash) {
    size_t i = probe(key, hash);
    Node* n = slots[i].node;
    if (!n) return;
    remove_slot(i);
    unlink(n);
    delete n;
  }

  void clear() {
    free_nodes();
    slots.assign(16, Slot{});
    used = 0;
    charged = 0;
  }

  void evict_one() {
    Node* n = hand ? hand : tail;
    while (n && n->visited) {
      n->visited = false;
      n = n->newer ? n->newer : tail;  // wrap around to the oldest
    }
    if (!n) return;
    hand = n->newer;
    remove_slot(probe(n->key, n->hash));
    unlink(n);
    delete n;
  }

  void insert(std::string_view key, uint64_t hash, const std::string_view* value, uint64_t seq) {
    erase(key, hash);
    size_t charge = key.size() + (value ? value->size() : 0) + kEntryOverhead;
    if (charge > capacity) return;  // larger than the whole shard: never cached
    while (charged + charge > capacity && tail) evict_one();
    auto* n = new Node;
    n->key.assign(key);
    if (value) n->value.assign(*value);
    n->hash = hash;
    n->present = value != nullptr;
    n->seq = seq;
    n->older = head;
    if (head) head->newer = n;
    head = n;
    if (!tail) tail = n;
    charged += charge;
    index(n);
  }
};

RecordCache::RecordCache(size_t capacity_bytes)
    : capacity_(capacity_bytes), shards_(std::make_unique<Shard[]>(kShards)) {
  for (int i = 0; i < kShards; ++i) shards_[i].capacity = capacity_bytes / kShards;
}

RecordCache::~RecordCache() = default;

uint64_t RecordCache::hash_of(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

// The top bits choose the shard, the low ones the slot inside it.
RecordCache::Shard& RecordCache::shard_for(uint64_t hash) { return shards_[hash >> (64 - kShardBits)]; }

RecordCache::Hit RecordCache::get(std::string_view key, uint64_t seq, std::string* value) {
  uint64_t h = hash_of(key);
  Shard& s = shard_for(h);
  std::lock_guard l(s.mu);
  Node* n = s.find(key, h);
  if (!n || n->seq > seq) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return Hit::kMiss;
  }
  n->visited = true;
  hits_.fetch_add(1, std::memory_order_relaxed);
  if (!n->present) return Hit::kAbsent;
  value->assign(n->value);
  return Hit::kPresent;
}

void RecordCache::fill(std::string_view key, const std::string_view* value, uint64_t seq) {
  uint64_t h = hash_of(key);
  Shard& s = shard_for(h);
  std::lock_guard l(s.mu);
  if (s.writes_in_flight > 0 || seq < s.fence || s.find(key, h)) return;
  s.insert(key, h, value, seq);
}

void RecordCache::begin_write(std::string_view key) {
  uint64_t h = hash_of(key);
  Shard& s = shard_for(h);
  std::lock_guard l(s.mu);
  s.erase(key, h);
  s.writes_in_flight++;
}

void RecordCache::end_write(std::string_view key, const std::string_view* value, uint64_t seq, bool ok) {
  uint64_t h = hash_of(key);
  Shard& s = shard_for(h);
  std::lock_guard l(s.mu);
  s.writes_in_flight--;
  s.fence = std::max(s.fence, seq);
  if (ok) s.insert(key, h, value, seq);
}

void RecordCache::begin_write_all() {
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard l(shards_[i].mu);
    shards_[i].clear();
    shards_[i].writes_in_flight++;
  }
}

void RecordCache::end_write_all(uint64_t seq) {
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard l(shards_[i].mu);
    shards_[i].writes_in_flight--;
    shards_[i].fence = std::max(shards_[i].fence, seq);
    shards_[i].clear();  // fills raced with the range delete are dropped too
  }
}

size_t RecordCache::charged() const {
  size_t total = 0;
  for (int i = 0; i < kShards; ++i) {
    std::lock_guard l(shards_[i].mu);
    total += shards_[i].charged;
  }
  return total;
}

}  // namespace cairn::engine
