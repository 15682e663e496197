// Record cache with SIEVE eviction; see record_cache.h.
#include "engine/record_cache.h"

#include <algorithm>
#include <functional>

namespace cairn::engine {

namespace {
// Bytes charged per entry beyond its key and value: the node, the hash
// table's slot and the allocator's rounding.
constexpr size_t kEntryOverhead = 96;
}  // namespace

struct RecordCache::Node {
  std::string key;
  std::string value;
  uint64_t seq = 0;
  bool present = false;
  bool visited = false;
  Node* newer = nullptr;  // toward the head (most recently inserted)
  Node* older = nullptr;  // toward the tail
  size_t charge() const { return key.size() + value.size() + kEntryOverhead; }
};

struct RecordCache::Shard {
  std::mutex mu;
  std::unordered_map<std::string_view, Node*> map;
  Node* head = nullptr;  // newest
  Node* tail = nullptr;  // oldest
  Node* hand = nullptr;  // SIEVE's hand: next eviction candidate, moving toward the head
  size_t charged = 0;
  size_t capacity = 0;
  int writes_in_flight = 0;
  uint64_t fence = 0;  // sequence of the last write to this shard

  ~Shard() {
    for (Node* n = head; n;) {
      Node* next = n->older;
      delete n;
      n = next;
    }
  }

  void unlink(Node* n) {
    if (hand == n) hand = n->newer;
    (n->newer ? n->newer->older : head) = n->older;
    (n->older ? n->older->newer : tail) = n->newer;
    charged -= n->charge();
  }

  void erase(std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) return;
    Node* n = it->second;
    map.erase(it);
    unlink(n);
    delete n;
  }

  void clear() {
    map.clear();
    for (Node* n = head; n;) {
      Node* next = n->older;
      delete n;
      n = next;
    }
    head = tail = hand = nullptr;
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
    map.erase(std::string_view(n->key));
    unlink(n);
    delete n;
  }

  void insert(std::string_view key, const std::string_view* value, uint64_t seq) {
    erase(key);
    auto* n = new Node;
    n->key.assign(key);
    if (value) n->value.assign(*value);
    n->present = value != nullptr;
    n->seq = seq;
    if (n->charge() > capacity) {  // larger than the whole shard: never cached
      delete n;
      return;
    }
    while (charged + n->charge() > capacity && tail) evict_one();
    n->older = head;
    if (head) head->newer = n;
    head = n;
    if (!tail) tail = n;
    charged += n->charge();
    map.emplace(std::string_view(n->key), n);
  }
};

RecordCache::RecordCache(size_t capacity_bytes)
    : capacity_(capacity_bytes), shards_(std::make_unique<Shard[]>(kShards)) {
  for (int i = 0; i < kShards; ++i) shards_[i].capacity = capacity_bytes / kShards;
}

RecordCache::~RecordCache() = default;

RecordCache::Shard& RecordCache::shard_for(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

RecordCache::Hit RecordCache::get(std::string_view key, uint64_t seq, std::string* value) {
  Shard& s = shard_for(key);
  std::lock_guard l(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end() || it->second->seq > seq) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return Hit::kMiss;
  }
  Node* n = it->second;
  n->visited = true;
  hits_.fetch_add(1, std::memory_order_relaxed);
  if (!n->present) return Hit::kAbsent;
  value->assign(n->value);
  return Hit::kPresent;
}

void RecordCache::fill(std::string_view key, const std::string_view* value, uint64_t seq) {
  Shard& s = shard_for(key);
  std::lock_guard l(s.mu);
  if (s.writes_in_flight > 0 || seq < s.fence || s.map.count(key)) return;
  s.insert(key, value, seq);
}

void RecordCache::begin_write(std::string_view key) {
  Shard& s = shard_for(key);
  std::lock_guard l(s.mu);
  s.erase(key);
  s.writes_in_flight++;
}

void RecordCache::end_write(std::string_view key, const std::string_view* value, uint64_t seq, bool ok) {
  Shard& s = shard_for(key);
  std::lock_guard l(s.mu);
  s.writes_in_flight--;
  s.fence = std::max(s.fence, seq);
  if (ok) s.insert(key, value, seq);
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
