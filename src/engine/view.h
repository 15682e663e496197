// Read access to the keyspace. Two implementations: the committed store
// (any thread) and a write group in progress (the writer thread only), so the
// same model code serves reads on I/O threads and read-modify-write commands.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cairn::engine {

enum class Cf : int { kData = 0, kScan, kExpiry, kFeed, kMeta, kMembers, kCount };

class Txn;

// An iterator that owns its bounds (RocksDB keeps only pointers to them).
class BoundedIterator {
 public:
  BoundedIterator(std::string lower, std::string upper)
      : lower_(std::move(lower)), upper_(std::move(upper)) {}
  rocksdb::ReadOptions& read_options() {
    if (!lower_.empty()) {
      lower_slice_ = rocksdb::Slice(lower_);
      opts_.iterate_lower_bound = &lower_slice_;
    }
    if (!upper_.empty()) {
      upper_slice_ = rocksdb::Slice(upper_);
      opts_.iterate_upper_bound = &upper_slice_;
    }
    return opts_;
  }
  void reset(rocksdb::Iterator* it) { it_.reset(it); }
  // Keeps `owner` alive as long as the iterator (what it reads from).
  void hold(std::shared_ptr<void> owner) { owner_ = std::move(owner); }
  rocksdb::Iterator* operator->() { return it_.get(); }
  rocksdb::Iterator& operator*() { return *it_; }
  const std::string& lower() const { return lower_; }
  const std::string& upper() const { return upper_; }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  rocksdb::ReadOptions opts_;
  std::shared_ptr<void> owner_;  // declared before it_: destroyed after it
  std::unique_ptr<rocksdb::Iterator> it_;
};

class View {
 public:
  virtual ~View() = default;
  // NotFound is an ordinary answer; anything else not ok() is an I/O error.
  virtual rocksdb::Status get(Cf cf, std::string_view key, rocksdb::PinnableSlice* value) = 0;
  // Iterates [lower, upper); an empty upper means unbounded.
  virtual std::unique_ptr<BoundedIterator> iterate(Cf cf, std::string lower, std::string upper) = 0;
  // Keys in namespace `ns`, counting this view's own pending changes.
  virtual int64_t key_count(uint8_t ns) const = 0;
  // Non-null when this view may write (commands running on the writer).
  virtual Txn* txn() { return nullptr; }
};

}  // namespace cairn::engine
