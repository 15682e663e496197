// The store and its writer thread; see engine.h.
#include "engine/engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <filesystem>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "engine/clock.h"
#include "engine/coding.h"
#include "engine/keys.h"
#include "engine/keyspace.h"
#include "engine/txn.h"

namespace cairn::engine {

namespace {

const char* const kCfNames[] = {"default", "scan", "expiry", "feed", "meta", "members"};
static_assert(sizeof(kCfNames) / sizeof(kCfNames[0]) == static_cast<int>(Cf::kCount));

// Reads against the committed store, from any thread.
class CommittedView final : public View {
 public:
  explicit CommittedView(Engine& e) : engine_(e) {}
  rocksdb::Status get(Cf cf, std::string_view key, rocksdb::PinnableSlice* value) override {
    return engine_.db()->Get(rocksdb::ReadOptions(), engine_.cf(cf), rocksdb::Slice(key.data(), key.size()),
                             value);
  }
  std::unique_ptr<BoundedIterator> iterate(Cf cf, std::string lower, std::string upper) override {
    auto it = std::make_unique<BoundedIterator>(std::move(lower), std::move(upper));
    it->reset(engine_.db()->NewIterator(it->read_options(), engine_.cf(cf)));
    return it;
  }
  int64_t key_count(uint8_t ns) const override { return engine_.key_count(ns); }

 private:
  Engine& engine_;
};

rocksdb::CompressionType pick_compression() {
  auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) {
    return std::find(supported.begin(), supported.end(), t) != supported.end();
  };
  if (has(rocksdb::kLZ4Compression)) return rocksdb::kLZ4Compression;
  if (has(rocksdb::kSnappyCompression)) return rocksdb::kSnappyCompression;
  return rocksdb::kNoCompression;
}

// Creates `dir` and any missing parents, and makes their names durable
// (each one's entry in its parent):
// RocksDB fsyncs the data directory's own entries but not the directory's
// name in its parent, so a power cut soon after the first start could take
// the whole store (acknowledged writes included) with the new directory.
rocksdb::Status make_durable_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec);
  if (ec) return rocksdb::Status::IOError("data directory " + dir, ec.message());
  // The directory itself is synced even when it exists: whoever made it
  // (an installer, a test, an earlier start that crashed) may not have.
  // The directories whose entry in their parent must be synced: this one
  // and each missing parent create_directories is about to make.
  std::vector<fs::path> to_name{path};
  for (fs::path p = path.parent_path(); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    to_name.push_back(p);
    if (p == p.parent_path()) break;
  }
  fs::create_directories(path, ec);
  if (ec) return rocksdb::Status::IOError("cannot create data directory " + dir, ec.message());
  // Sync each one's parent, from the deepest up (RocksDB syncs the data
  // directory's own entries).
  for (const fs::path& p : to_name) {
    int fd = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return rocksdb::Status::IOError("cannot open " + p.parent_path().string(), std::strerror(errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL) return rocksdb::Status::IOError("cannot fsync " + p.parent_path().string(), std::strerror(err));
  }
  return rocksdb::Status::OK();
}

}  // namespace

Engine::Engine(const EngineOptions& options) : options_(options), fsync_(options.fsync) {}

rocksdb::Status Engine::open(const EngineOptions& options, std::unique_ptr<Engine>* out) {
  std::unique_ptr<Engine> e(new Engine(options));
  rocksdb::Status ds = make_durable_dir(options.dir);
  if (!ds.ok()) return ds;

  // One budget for memory: a quarter for the record cache, the rest for the
  // block cache, with memtables charged to it.
  size_t total = std::max<size_t>(options.cache_bytes, 16u << 20);
  e->record_cache_ = std::make_unique<RecordCache>(total / 4);
  size_t budget = total - total / 4;
  // 16 shards, not the default's one per 512 KiB: a block larger than its
  // shard (a big table's filter) is not kept. Three threads use the cache.
  auto cache = rocksdb::NewLRUCache(budget, /*num_shard_bits=*/4);
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.max_background_jobs = 2;
  dbo.bytes_per_sync = 1 << 20;
  dbo.wal_bytes_per_sync = 0;
  dbo.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(budget / 4, cache);
  dbo.max_total_wal_size = budget / 2;  // bounds WAL replay at start-up
  dbo.skip_stats_update_on_db_open = true;
  dbo.avoid_unnecessary_blocking_io = true;
  dbo.allow_concurrent_memtable_write = false;  // one writer thread; and the feed's vector memtable needs it
  dbo.keep_log_file_num = 5;
  dbo.max_open_files = options.max_open_files;
  dbo.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Indexes in 4 KiB partitions behind a small top level that stays pinned:
  // a large table's whole index is bigger than a block-cache shard, so it
  // could not stay cached, and every Seek in a store larger than the cache
  // read and decompressed it again (range reads 6-12x slower at 3-5M stream
  // entries with --cache-bytes 32-64mb; bench/stream_million.py). Filters stay
  // whole: partitioned ones cost point reads about 15% (GET -P 16), and 16
  // shards (below) leave room for a large table's filter.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  table.format_version = 5;

  rocksdb::ColumnFamilyOptions cfo;
  cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cfo.write_buffer_size = std::clamp<size_t>(budget / 8, 4u << 20, 64u << 20);
  cfo.compression = pick_compression();
  cfo.level_compaction_dynamic_level_bytes = true;
  // A whole-key bloom filter per memtable: most point reads (GET of a missing
  // key, the read before every SET) would otherwise walk a skiplist of cache
  // misses in each memtable.
  cfo.memtable_prefix_bloom_size_ratio = 0.05;
  cfo.memtable_whole_key_filtering = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const char* name : kCfNames) descs.emplace_back(name, cfo);
  // The feed is append-only in revision order and read only by range scans
  // (watch replay): a vector memtable appends in O(1) and sorts at flush,
  // where a skiplist would pay a search per record.
  auto& feed_cfo = descs[static_cast<int>(Cf::kFeed)].options;
  feed_cfo.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  feed_cfo.memtable_prefix_bloom_size_ratio = 0;
  feed_cfo.memtable_whole_key_filtering = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(dbo, options.dir, descs, &e->cfs_, &raw);
  if (!s.ok()) return s;
  e->db_.reset(raw);
  e->committed_ = std::make_unique<CommittedView>(*e);
  s = e->load_meta();
  if (!s.ok()) return s;
  e->last_save_unix_ = unix_ms() / 1000;
  e->writer_ = std::thread([p = e.get()] { p->writer_loop(); });
  e->syncer_ = std::thread([p = e.get()] { p->syncer_loop(); });
  *out = std::move(e);
  return rocksdb::Status::OK();
}

rocksdb::Status Engine::load_meta() {
  std::string v;
  rocksdb::Slice format_key(kFormatMetaKey.data(), kFormatMetaKey.size());
  rocksdb::Status fs = db_->Get(rocksdb::ReadOptions(), cf(Cf::kMeta), format_key, &v);
  uint64_t found_version = fs.ok() && v.size() == 8 ? get_le64(v.data()) : 0;
  if (fs.IsNotFound() || (fs.ok() && found_version >= kOldestUpgradableFormat && found_version < kFormatVersion)) {
    v.clear();
    put_le64(&v, kFormatVersion);
    rocksdb::WriteOptions durable;
    durable.sync = true;
    fs = db_->Put(durable, cf(Cf::kMeta), format_key, v);
    if (!fs.ok()) return fs;
  } else if (!fs.ok()) {
    return fs;
  } else if (found_version != kFormatVersion) {
    return rocksdb::Status::NotSupported("store format version " +
                                         std::to_string(v.size() == 8 ? get_le64(v.data()) : 0) +
                                         " is not the one this binary reads (" + std::to_string(kFormatVersion) + ")");
  }
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(Cf::kMeta), rocksdb::Slice(kRevisionMetaKey.data(), kRevisionMetaKey.size()), &v);
  if (s.ok() && v.size() == 8) {
    last_revision_ = get_le64(v.data());
  } else if (!s.ok() && !s.IsNotFound()) {
    return s;
  }
  next_revision_ = last_revision_ + 1;
  for (int ns = 0; ns < kMaxNamespaces; ++ns) {
    s = db_->Get(rocksdb::ReadOptions(), cf(Cf::kMeta), count_meta_key(static_cast<uint8_t>(ns)), &v);
    if (s.ok() && v.size() == 8) counts_[ns] = static_cast<int64_t>(get_le64(v.data()));
    else if (!s.ok() && !s.IsNotFound()) return s;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kFeed)));
  it->SeekToFirst();
  feed_first_ = it->Valid() && it->key().size() >= 8 ? get_be64(it->key().data()) : next_revision_;
  return rocksdb::Status::OK();
}

Engine::~Engine() { close(); }

void Engine::close() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  sync_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (syncer_.joinable()) syncer_.join();
  if (persister_.joinable()) persister_.join();
  if (db_) {
    if (!writes_failed_) db_->SyncWAL();
    // Every family, not just the default one: what stays in a memtable is
    // replayed from the WAL at the next start (seconds for a big scan index).
    db_->Flush(rocksdb::FlushOptions(), cfs_);
    for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h);
    cfs_.clear();
    db_->Close();
    db_.reset();
  }
}

void Engine::submit(WriteOp* op) {
  bool wake;
  {
    std::lock_guard l(mu_);
    wake = queue_.empty();
    queue_.push_back(op);
  }
  if (wake) cv_.notify_one();
}

void Engine::writer_loop() {
  std::vector<WriteOp*> ops;
  auto interval = std::chrono::milliseconds(options_.sweep_interval_ms);
  auto next_sweep = std::chrono::steady_clock::now() + interval;
  for (;;) {
    {
      std::unique_lock l(mu_);
      cv_.wait_until(l, next_sweep, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) break;
      ops.swap(queue_);
    }
    std::lock_guard w(write_mu_);
    if (!ops.empty()) {
      bool long_op = std::any_of(ops.begin(), ops.end(), [](WriteOp* op) { return op->may_run_long(); });
      if (long_op) long_op_running_.store(true);
      run_group(ops);
      if (long_op) long_op_running_.store(false);
      ops.clear();
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_sweep) {
      bool more = sweep_expired(unix_ms(), 1000);
      next_sweep = more ? now : now + interval;
    }
  }
}

void Engine::run_here(std::vector<WriteOp*>& ops) {
  auto to_writer = [&] {
    for (WriteOp* op : ops) submit(op);
  };
  if (std::any_of(ops.begin(), ops.end(), [](WriteOp* op) { return op->may_run_long(); })) return to_writer();
  // Waits for the lock by polling it: behind a script on the writer thread
  // this I/O thread must not wait, it hands its ops over. (Not a timed
  // mutex: ThreadSanitizer does not see pthread_mutex_clocklock.)
  for (int tries = 0; !write_mu_.try_lock(); ++tries) {
    if (long_op_running_.load()) return to_writer();
    if (tries < 64) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  std::lock_guard w(write_mu_, std::adopt_lock);
  {
    std::lock_guard l(mu_);
    if (std::any_of(queue_.begin(), queue_.end(), [](WriteOp* op) { return op->may_run_long(); })) {
      // A script is queued: everything stays in order on the writer thread.
      queue_.insert(queue_.end(), ops.begin(), ops.end());
      cv_.notify_one();
      return;
    }
    if (!queue_.empty()) {
      // Submitted earlier: they go first, so no op waits behind later ones.
      ops.insert(ops.begin(), queue_.begin(), queue_.end());
      queue_.clear();
    }
  }
  run_group(ops);
}

void Engine::syncer_loop() {
  // --fsync everysec: the WAL is written on every commit and synced here.
  std::unique_lock l(sync_mu_);
  while (!stopping_) {
    sync_cv_.wait_for(l, std::chrono::seconds(1));
    if (fsync_.load() == FsyncPolicy::kEverySec && db_ && !writes_failed_.load()) {
      // Taken before the sync: every commit counted here wrote its WAL
      // record before this SyncWAL began, so the sync covers it.
      int64_t since = unsynced_since_micros_.exchange(0);
      uint64_t writes = unsynced_writes_.exchange(0);
      auto t0 = std::chrono::steady_clock::now();
      if (db_->SyncWAL().ok()) {
        auto t1 = std::chrono::steady_clock::now();
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
        stats_.fsyncs++;
        stats_.fsync_micros += static_cast<uint64_t>(us);
        stats_.fsync_latency.record(static_cast<uint64_t>(us));
        if (since != 0) close_unsynced_window(since, steady_micros(t1), writes);
      } else if (since != 0) {
        // Not synced: the window stays open from its first commit.
        int64_t expected = 0;
        unsynced_since_micros_.compare_exchange_strong(expected, since);
        unsynced_writes_ += writes;
      }
    }
  }
}

int64_t Engine::steady_micros(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

void Engine::close_unsynced_window(int64_t since_micros, int64_t synced_micros, uint64_t writes) {
  auto window = static_cast<uint64_t>(std::max<int64_t>(synced_micros - since_micros, 0));
  stats_.unsynced_windows++;
  stats_.unsynced_window_last_micros.store(window);
  if (window > stats_.unsynced_window_max_micros.load()) stats_.unsynced_window_max_micros.store(window);
  if (writes > stats_.unsynced_writes_max.load()) stats_.unsynced_writes_max.store(writes);
}

void Engine::run_group(std::vector<WriteOp*>& ops) {
  size_t i = 0;
  std::vector<WriteOp*> group;
  while (i < ops.size()) {
    Txn txn(*this, unix_ms());
    group.clear();
    if (ops[i]->exclusive()) {
      ops[i]->execute(txn);
      group.push_back(ops[i++]);
    } else {
      while (i < ops.size() && !ops[i]->exclusive()) {
        ops[i]->execute(txn);
        group.push_back(ops[i++]);
      }
    }
    rocksdb::Status s = commit(txn, fsync_.load() == FsyncPolicy::kAlways);
    if (s.ok() && fsync_.load() == FsyncPolicy::kEverySec) {
      size_t writes = 0;
      for (const WriteOp* op : group) writes += op->writes();
      unsynced_writes_ += writes;
    }
    stats_.groups++;
    stats_.ops += group.size();
    for (WriteOp* op : group) op->complete(s);
  }
}

// After a failed write RocksDB's log writer is poisoned (another append
// asserts in Debian's build) and the disk may still be full: commits fail
// fast with the first error, and at most once a second the writer checks
// for free space and asks RocksDB to resume (a new WAL, the background error
// cleared). Nothing acknowledged is at risk: a failed group was never
// answered with success.
void Engine::note_write_failure(const rocksdb::Status& s) {
  stats_.write_errors++;
  if (writes_failed_.exchange(true)) return;
  write_failure_ = s;
  next_resume_attempt_ms_ = unix_ms() + 1000;
  log::error("writes failing, reads continue: {}", s.ToString());
}

bool Engine::try_resume_writes() {
  int64_t now = unix_ms();
  if (now < next_resume_attempt_ms_) return false;
  next_resume_attempt_ms_ = now + 1000;
  struct statvfs fs {};
  constexpr uint64_t kHeadroom = 16u << 20;  // a memtable flush and a new WAL
  if (statvfs(options_.dir.c_str(), &fs) != 0) return false;
  // A filesystem that reports no size (f_blocks 0) has nothing to check.
  if (fs.f_blocks != 0 && uint64_t{fs.f_bavail} * fs.f_frsize < kHeadroom) return false;
  rocksdb::Status s = db_->Resume();
  if (s.ok()) {
    // A flush switches to a new WAL file even when RocksDB recorded no
    // background error (the old log writer has seen the failure).
    rocksdb::FlushOptions fo;
    s = db_->Flush(fo, cfs_);
  }
  if (!s.ok()) {
    // RocksDB resumes after a failed WAL write or a full disk, but treats a
    // failed flush or compaction (EMFILE, EIO) as fatal until the store is
    // reopened. Say so once; attempts continue in case it is transient.
    if (!resume_failure_logged_) {
      log::error("writes cannot resume yet ({}); if this persists, restart the server: reads continue, and "
                 "nothing acknowledged is lost",
                 s.ToString());
      resume_failure_logged_ = true;
    }
    write_failure_ = s;
    return false;
  }
  resume_failure_logged_ = false;
  writes_failed_ = false;
  log::info("writes resumed");
  return true;
}

bool Engine::disk_has_room(size_t batch_bytes) {
  uint64_t reserve = options_.disk_reserve_bytes;
  if (reserve == 0) return true;
  int64_t now = unix_ms();
  if (unchecked_bytes_ + batch_bytes < reserve / 8 && now < next_space_check_ms_) return disk_room_;
  unchecked_bytes_ = 0;
  next_space_check_ms_ = now + 100;
  struct statvfs fs {};
  if (statvfs(options_.dir.c_str(), &fs) != 0) return disk_room_;
  if (fs.f_blocks == 0) {
    // Some filesystems (FUSE layers among them) report no size at all: that
    // is not a full disk, and there is nothing to check against.
    if (!disk_size_unknown_logged_) {
      log::warn("the filesystem of {} reports no size: the --disk-reserve check is off", options_.dir);
      disk_size_unknown_logged_ = true;
    }
    disk_room_ = true;
    return true;
  }
  uint64_t free_bytes = uint64_t{fs.f_bavail} * fs.f_frsize;
  bool room = free_bytes >= reserve + batch_bytes;
  if (room != disk_room_) {
    if (room) log::info("free disk space is above --disk-reserve again: writes accepted");
    else log::error("free disk space ({} MiB) is below --disk-reserve ({} MiB): writes refused, reads continue",
                    free_bytes >> 20, reserve >> 20);
  }
  disk_room_ = room;
  return room;
}

rocksdb::Status Engine::commit(Txn& txn, bool sync) {
  if (txn.empty()) {
    next_revision_ = txn.first_revision_;
    return rocksdb::Status::OK();
  }
  if (writes_failed_.load(std::memory_order_relaxed) && !try_resume_writes()) {
    next_revision_ = txn.first_revision_;
    stats_.write_errors++;
    return write_failure_;
  }
  rocksdb::WriteBatch* wb = txn.batch_.GetWriteBatch();
  auto written = txn.write_overlays(wb);  // data-family writes, for the record cache
  if (!disk_has_room(wb->GetDataSize())) {
    next_revision_ = txn.first_revision_;
    stats_.write_errors++;
    return rocksdb::Status::NoSpace("free disk space is below --disk-reserve");
  }
  unchecked_bytes_ += wb->GetDataSize();
  bool drops_data_range = false;
  for (auto& [c, b, e] : txn.range_deletes_) {
    wb->DeleteRange(cf(c), b, e);
    drops_data_range |= c == Cf::kData;
  }
  std::string v;
  if (next_revision_ != txn.first_revision_) {
    put_le64(&v, next_revision_ - 1);
    wb->Put(cf(Cf::kMeta), rocksdb::Slice(kRevisionMetaKey.data(), kRevisionMetaKey.size()), v);
  }
  std::array<int64_t, kMaxNamespaces> new_counts{};
  std::array<bool, kMaxNamespaces> changed{};
  for (int ns = 0; ns < kMaxNamespaces; ++ns) {
    if (txn.count_delta_[ns] == 0 && txn.count_reset_[ns] < 0) continue;
    changed[ns] = true;
    new_counts[ns] = txn.key_count(static_cast<uint8_t>(ns));
    v.clear();
    put_le64(&v, static_cast<uint64_t>(new_counts[ns]));
    wb->Put(cf(Cf::kMeta), count_meta_key(static_cast<uint8_t>(ns)), v);
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  // The record cache forgets every key this batch writes before the batch
  // becomes visible and learns the new values after (see record_cache.h).
  RecordCache& rc = *record_cache_;
  if (drops_data_range) rc.begin_write_all();
  for (const auto& [key, p] : written) rc.begin_write(*key);
  auto t0 = std::chrono::steady_clock::now();
  rocksdb::Status s = db_->Write(wo, wb);
  uint64_t seq = db_->GetLatestSequenceNumber();
  for (const auto& [key, p] : written) {
    std::string_view value(p->value);
    rc.end_write(*key, p->deleted ? nullptr : &value, seq, s.ok());
  }
  if (drops_data_range) rc.end_write_all(seq);
  if (s.ok() && !sync && fsync_.load() == FsyncPolicy::kEverySec) {
    // The window opens at the write's start, before its acknowledgement: a
    // measured window is never shorter than the real exposure.
    int64_t expected = 0;
    unsynced_since_micros_.compare_exchange_strong(expected, steady_micros(t0));
  }
  if (sync) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    stats_.fsyncs++;
    stats_.fsync_micros += static_cast<uint64_t>(us);
    stats_.fsync_latency.record(static_cast<uint64_t>(us));
  }
  if (!s.ok()) {
    next_revision_ = txn.first_revision_;
    note_write_failure(s);
    return s;
  }
  for (int ns = 0; ns < kMaxNamespaces; ++ns) {
    if (changed[ns]) counts_[ns].store(new_counts[ns], std::memory_order_release);
  }
  last_revision_.store(next_revision_ - 1, std::memory_order_release);
  if (has_listeners_.load(std::memory_order_acquire)) {
    std::lock_guard l(listeners_mu_);
    for (auto& [id, wake] : listeners_) wake();
  }
  if (!txn.key_events_.empty()) {
    if (KeyEventSink* sink = key_event_sink_.load(std::memory_order_acquire)) sink->committed(txn.key_events_);
  }
  trim_feed();
  return s;
}

void Engine::trim_feed() {
  uint64_t last = last_revision_.load();
  uint64_t first = feed_first_.load();
  uint64_t keep = std::max<uint64_t>(options_.feed_retention, 1);
  // Trim in steps of a tenth of the window so range tombstones stay few.
  if (last < first || last - first + 1 <= keep + keep / 10) return;
  uint64_t new_first = last - keep + 1;
  rocksdb::WriteBatch wb;
  wb.DeleteRange(cf(Cf::kFeed), feed_key(0, 0), feed_key(new_first, 0));
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (s.ok()) feed_first_ = new_first;
  else note_write_failure(s);
}

bool Engine::sweep_expired(int64_t now_ms, int limit) {
  Txn txn(*this, now_ms);
  std::string upper;
  put_be64(&upper, static_cast<uint64_t>(now_ms) + 1);
  auto it = txn.iterate(Cf::kExpiry, "", upper);
  std::vector<std::string> due;
  for ((*it)->SeekToFirst(); (*it)->Valid() && static_cast<int>(due.size()) < limit; (*it)->Next()) {
    due.emplace_back((*it)->key().ToString());
  }
  if (due.empty()) return false;
  uint64_t removed = 0;
  for (const std::string& k : due) removed += expire_entry(txn, k) ? 1 : 0;
  if (commit(txn, false).ok()) stats_.expired_keys += removed;
  return static_cast<int>(due.size()) == limit;
}

rocksdb::Status Engine::persist(bool compact) {
  rocksdb::Status s = db_->SyncWAL();
  if (!s.ok()) return s;
  rocksdb::FlushOptions fo;
  s = db_->Flush(fo, cfs_);
  if (!s.ok()) return s;
  if (compact) {
    rocksdb::CompactRangeOptions co;
    for (auto* h : cfs_) {
      s = db_->CompactRange(co, h, nullptr, nullptr);
      if (!s.ok()) return s;
    }
  }
  last_save_unix_ = unix_ms() / 1000;
  return s;
}

bool Engine::persist_in_background(bool compact) {
  bool expected = false;
  if (!persisting_.compare_exchange_strong(expected, true)) return false;
  if (persister_.joinable()) persister_.join();
  persister_ = std::thread([this, compact] {
    persist(compact);
    persisting_ = false;
  });
  return true;
}

rocksdb::Status Engine::cached_get(std::string_view key, const rocksdb::ReadOptions& ro,
                                   rocksdb::PinnableSlice* value) {
  // A read without a snapshot sees the newest state: every cached entry is.
  uint64_t seq = ro.snapshot ? ro.snapshot->GetSequenceNumber() : UINT64_MAX;
  value->Reset();
  std::string* buf = value->GetSelf();
  switch (record_cache_->get(key, seq, buf)) {
    case RecordCache::Hit::kPresent:
      value->PinSelf();
      return rocksdb::Status::OK();
    case RecordCache::Hit::kAbsent:
      return rocksdb::Status::NotFound();
    case RecordCache::Hit::kMiss:
      break;
  }
  // Read before the Get, so the fill never claims a newer state than it read.
  uint64_t fill_seq = ro.snapshot ? seq : db_->GetLatestSequenceNumber();
  rocksdb::Status s = db_->Get(ro, cf(Cf::kData), rocksdb::Slice(key.data(), key.size()), value);
  if (s.ok()) {
    std::string_view v(value->data(), value->size());
    record_cache_->fill(key, &v, fill_seq);
  }
  // Absence is cached only when a write deletes a key: caching every missed
  // read would fill the cache with keys that were never there (a scan of
  // random names) and evict the records that were.
  return s;
}

uint64_t Engine::add_commit_listener(std::function<void()> wake) {
  std::lock_guard l(listeners_mu_);
  uint64_t id = next_listener_id_++;
  listeners_.emplace_back(id, std::move(wake));
  has_listeners_.store(true, std::memory_order_release);
  return id;
}

void Engine::remove_commit_listener(uint64_t id) {
  std::lock_guard l(listeners_mu_);
  std::erase_if(listeners_, [id](const auto& e) { return e.first == id; });
  has_listeners_.store(!listeners_.empty(), std::memory_order_release);
}

SnapshotView::~SnapshotView() {
  if (snapshot_) engine_.db()->ReleaseSnapshot(snapshot_);
}

const rocksdb::Snapshot* SnapshotView::snapshot() {
  if (!snapshot_) snapshot_ = engine_.db()->GetSnapshot();
  return snapshot_;
}

rocksdb::Status SnapshotView::get(Cf cf, std::string_view key, rocksdb::PinnableSlice* value) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot();
  if (cf != Cf::kData) return engine_.db()->Get(ro, engine_.cf(cf), rocksdb::Slice(key.data(), key.size()), value);
  return engine_.cached_get(key, ro, value);
}

std::unique_ptr<BoundedIterator> SnapshotView::iterate(Cf cf, std::string lower, std::string upper) {
  auto it = std::make_unique<BoundedIterator>(std::move(lower), std::move(upper));
  auto& ro = it->read_options();
  ro.snapshot = snapshot();
  it->reset(engine_.db()->NewIterator(ro, engine_.cf(cf)));
  return it;
}

uint64_t Engine::disk_bytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(options_.dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace cairn::engine
