// The pending point writes of one column family inside a write group: a hash
// map from key to its newest put or delete, with nested savepoints.
//
// Why not RocksDB's WriteBatchWithIndex for these: the data and scan-index
// families see one write per command, and indexing each in a skiplist (then
// inserting it into the memtable in arrival order) was a third of a SET's
// CPU. A hash map answers the group's own reads in O(1), and sorted() hands
// the writes to the memtable in key order, so its skiplist insert resumes
// from the previous key instead of descending from the top.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cairn::engine {

class Overlay {
 public:
  struct Pending {
    bool deleted = false;
    std::string value;
  };

  // nullptr: the group has not written `key`; else its newest write.
  const Pending* find(std::string_view key) const;
  void put(std::string_view key, std::string_view value);
  void del(std::string_view key);

  // Nested savepoints: rollback() restores the state at the matching save().
  void save() { marks_.push_back(undo_.size()); }
  void rollback();
  void pop();

  bool empty() const { return map_.empty(); }
  size_t size() const { return map_.size(); }
  // Every pending write, ordered by key (bytewise, as RocksDB orders them).
  std::vector<std::pair<const std::string*, const Pending*>> sorted() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Undo {
    std::string key;
    std::optional<Pending> before;  // nullopt: the key was not pending
  };
  // The entry for `key`, created if missing, its prior state noted for the
  // open savepoint.
  Pending& slot(std::string_view key);

  std::unordered_map<std::string, Pending, Hash, std::equal_to<>> map_;
  std::vector<Undo> undo_;     // only while a savepoint is open
  std::vector<size_t> marks_;  // undo_ size at each open savepoint
};

}  // namespace cairn::engine
