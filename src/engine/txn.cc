// Write group: see txn.h.
#include "engine/txn.h"

#include <memory>
#include <string>
#include <utility>

#include "engine/coding.h"
#include "engine/status.h"

namespace cairn::engine {

namespace {

// Keeps an iterator over a batch and the store inside [lower, upper).
// RocksDB 7.8's NewIteratorWithBase applies the read options' bounds to the
// store but not to the batch: once the batch has an entry inside the range,
// iteration runs on into the batch's entries past the upper bound (a
// collection dropped in a group then took the members another command of
// the group had just written for a later key).
class InBounds final : public rocksdb::Iterator {
 public:
  InBounds(rocksdb::Iterator* it, std::string lower, std::string upper)
      : it_(it), lower_(std::move(lower)), upper_(std::move(upper)) {}
  bool Valid() const override {
    if (!it_->Valid()) return false;
    rocksdb::Slice k = it_->key();
    return (lower_.empty() || k.compare(lower_) >= 0) && (upper_.empty() || k.compare(upper_) < 0);
  }
  void SeekToFirst() override {
    if (lower_.empty()) it_->SeekToFirst();
    else it_->Seek(lower_);
  }
  void SeekToLast() override {
    if (upper_.empty()) {
      it_->SeekToLast();
      return;
    }
    it_->SeekForPrev(upper_);
    if (it_->Valid() && it_->key() == rocksdb::Slice(upper_)) it_->Prev();
  }
  void Seek(const rocksdb::Slice& target) override {
    if (!lower_.empty() && target.compare(lower_) < 0) it_->Seek(lower_);
    else it_->Seek(target);
  }
  void SeekForPrev(const rocksdb::Slice& target) override {
    if (!upper_.empty() && target.compare(upper_) >= 0) SeekToLast();
    else it_->SeekForPrev(target);
  }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  rocksdb::Slice key() const override { return it_->key(); }
  rocksdb::Slice value() const override { return it_->value(); }
  rocksdb::Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string lower_, upper_;
};

}  // namespace

Txn::Txn(Engine& engine, int64_t now_ms)
    : engine_(engine),
      now_ms_(now_ms),
      batch_(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true),
      first_revision_(engine.next_revision_),
      key_event_mask_(engine.key_event_mask()) {
  count_reset_.fill(-1);
}

rocksdb::Status Txn::get(Cf cf, std::string_view key, rocksdb::PinnableSlice* value) {
  rocksdb::ReadOptions ro;
  rocksdb::Slice k(key.data(), key.size());
  if (Overlay* o = overlay(cf)) {
    if (const Overlay::Pending* p = o->find(key)) {
      if (p->deleted) return rocksdb::Status::NotFound();
      value->PinSelf(p->value);
      return rocksdb::Status::OK();
    }
    if (cf == Cf::kData) return engine_.cached_get(key, ro, value);
    return engine_.db()->Get(ro, engine_.cf(cf), k, value);
  }
  return batch_.GetFromBatchAndDB(engine_.db(), ro, engine_.cf(cf), k, value);
}

std::unique_ptr<BoundedIterator> Txn::iterate(Cf cf, std::string lower, std::string upper) {
  auto it = std::make_unique<BoundedIterator>(std::move(lower), std::move(upper));
  auto& ro = it->read_options();
  rocksdb::Iterator* base = engine_.db()->NewIterator(ro, engine_.cf(cf));
  Overlay* o = overlay(cf);
  if (!o) {
    it->reset(new InBounds(batch_.NewIteratorWithBase(engine_.cf(cf), base, &ro), it->lower(), it->upper()));
  } else if (o->empty()) {
    it->reset(base);
  } else {
    // Rare (KEYS, RANDOMKEY or FLUSHDB inside a group): index the overlay's
    // writes for this one iterator.
    auto index = std::make_shared<rocksdb::WriteBatchWithIndex>(rocksdb::BytewiseComparator(), 0, true);
    for (const auto& [key, p] : o->sorted()) {
      if (p->deleted) index->Delete(engine_.cf(cf), *key);
      else index->Put(engine_.cf(cf), *key, p->value);
    }
    it->reset(new InBounds(index->NewIteratorWithBase(engine_.cf(cf), base, &ro), it->lower(), it->upper()));
    it->hold(std::move(index));
  }
  return it;
}

std::vector<std::pair<const std::string*, const Overlay::Pending*>> Txn::write_overlays(rocksdb::WriteBatch* wb) {
  std::vector<std::pair<const std::string*, const Overlay::Pending*>> data;
  for (Cf cf : {Cf::kData, Cf::kScan}) {
    auto sorted = overlay(cf)->sorted();
    for (const auto& [key, p] : sorted) {
      if (p->deleted) wb->Delete(engine_.cf(cf), *key);
      else wb->Put(engine_.cf(cf), *key, p->value);
    }
    if (cf == Cf::kData) data = std::move(sorted);
  }
  return data;
}

int64_t Txn::key_count(uint8_t ns) const {
  int64_t base = count_reset_[ns] >= 0 ? count_reset_[ns] : engine_.key_count(ns);
  return base + count_delta_[ns];
}

void Txn::put(Cf cf, std::string_view key, std::string_view value) {
  if (Overlay* o = overlay(cf)) return o->put(key, value);
  batch_.Put(engine_.cf(cf), rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
}

void Txn::del(Cf cf, std::string_view key) {
  if (Overlay* o = overlay(cf)) return o->del(key);
  batch_.Delete(engine_.cf(cf), rocksdb::Slice(key.data(), key.size()));
}

void Txn::delete_range(Cf cf, std::string begin, std::string end) {
  range_deletes_.emplace_back(cf, std::move(begin), std::move(end));
}

void Txn::set_count(uint8_t ns, int64_t value) {
  count_reset_[ns] = value;
  count_delta_[ns] = 0;
}

void Txn::begin_commit() {
  commit_revision_ = 0;
  feed_index_ = 0;
  version_seq_ = 0;
}

uint64_t Txn::new_collection_version() {
  constexpr uint32_t kMaxPerCommit = 1u << 20;
  if (version_seq_ >= kMaxPerCommit) {
    throw StoreError(rocksdb::Status::InvalidArgument("too many collections created in one commit"));
  }
  // The revision this commit gets if it writes, without taking it yet: a
  // command that opens a collection and then writes nothing (ZADD XX on a
  // missing key) must not leave a gap in the revision sequence.
  uint64_t rev = commit_revision_ ? commit_revision_ : engine_.next_revision_;
  return (rev << 20) | version_seq_++;
}

uint64_t Txn::revision() {
  if (commit_revision_ == 0) commit_revision_ = engine_.next_revision_++;
  return commit_revision_;
}

void Txn::feed(uint8_t ns, FeedKind kind, std::string_view user_key) {
  std::string v;
  v.reserve(2 + user_key.size());
  v.push_back(static_cast<char>(ns));
  v.push_back(static_cast<char>(kind));
  v.append(user_key);
  uint64_t rev = revision();
  if (ChangeObserver* o = engine_.change_observer_.load(std::memory_order_acquire)) o->changed(ns, kind, user_key);
  if (kind == FeedKind::kExpired) key_event(ns, kEventExpired, "expired", user_key);
  // Nothing in a group reads the feed back: skip the batch's index.
  batch_.GetWriteBatch()->Put(engine_.cf(Cf::kFeed), feed_key(rev, feed_index_++), v);
}

void Txn::set_savepoint() {
  batch_.SetSavePoint();
  data_overlay_.save();
  scan_overlay_.save();
  savepoints_.push_back(
      {count_delta_, count_reset_, range_deletes_.size(), commit_revision_, feed_index_, engine_.next_revision_,
       key_events_.size()});
}

void Txn::rollback_to_savepoint() {
  batch_.RollbackToSavePoint();
  data_overlay_.rollback();
  scan_overlay_.rollback();
  const SavePoint& sp = savepoints_.back();
  count_delta_ = sp.count_delta;
  count_reset_ = sp.count_reset;
  range_deletes_.resize(sp.range_deletes);
  commit_revision_ = sp.commit_revision;
  feed_index_ = sp.feed_index;
  engine_.next_revision_ = sp.next_revision;
  key_events_.resize(sp.key_events);
  savepoints_.pop_back();
}

void Txn::pop_savepoint() {
  batch_.PopSavePoint();
  data_overlay_.pop();
  scan_overlay_.pop();
  savepoints_.pop_back();
}

bool Txn::empty() const {
  return const_cast<rocksdb::WriteBatchWithIndex&>(batch_).GetWriteBatch()->Count() == 0 &&
         range_deletes_.empty() && data_overlay_.empty() && scan_overlay_.empty();
}

}  // namespace cairn::engine
