// The store: RocksDB with our column families, one writer at a time (an I/O
// thread running the writes it gathered, or the writer thread) that applies
// every write in order and commits them in groups (one RocksDB write and at
// most one fsync per group), revisions, key counts and the change feed.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/latency_histogram.h"
#include "engine/key_events.h"
#include "engine/keys.h"
#include "engine/record_cache.h"
#include "engine/view.h"

namespace cairn::engine {

enum class FsyncPolicy { kAlways, kEverySec, kNo };

struct EngineOptions {
  std::string dir = "./data";
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  size_t cache_bytes = 256u << 20;   // record cache + block cache + memtables
  uint64_t feed_retention = 1000000;  // change-feed records kept on disk
  int sweep_interval_ms = 100;        // background TTL sweep period
  // Writes are refused while the data directory's filesystem has less free
  // space than this (0: never): RocksDB must never meet a full disk itself,
  // and flushes and compactions need room to finish.
  uint64_t disk_reserve_bytes = 64u << 20;
  // Table files RocksDB keeps open at once (-1: all). The server sets it
  // from the open-files limit so that clients cannot starve the store.
  int max_open_files = -1;
};

class Txn;

// A unit of work for the writer thread. execute() runs on the writer inside a
// group; complete() runs once the group is durable under the fsync policy, or
// has failed (then nothing of the group was applied).
class WriteOp {
 public:
  virtual ~WriteOp() = default;
  // Exclusive ops (range deletes such as FLUSHDB) run alone in their own group.
  virtual bool exclusive() const { return false; }
  // How many client writes this op carries (a pipelined run is several).
  virtual size_t writes() const { return 1; }
  // An op that may run for long (a Lua script) runs on the writer thread
  // only, never on an I/O thread in run_here, so the I/O threads keep
  // serving (-BUSY, SCRIPT KILL) while it runs.
  virtual bool may_run_long() const { return false; }
  virtual void execute(Txn& txn) = 0;
  virtual void complete(const rocksdb::Status& status) = 0;
};

enum class FeedKind : uint8_t;  // txn.h

// Told of each key a write changes, when the write is made in its group
// (before the group commits; a group that then fails to commit was still
// reported). WATCH uses it. Runs on whichever thread runs the group, with
// groups serialized, so it must be cheap and must not block.
class ChangeObserver {
 public:
  virtual ~ChangeObserver() = default;
  virtual void changed(uint8_t ns, FeedKind kind, std::string_view key) = 0;
};

struct EngineStats {
  std::atomic<uint64_t> groups{0};
  std::atomic<uint64_t> ops{0};
  std::atomic<uint64_t> fsyncs{0};
  std::atomic<uint64_t> fsync_micros{0};
  LatencyHistogram fsync_latency;
  std::atomic<uint64_t> expired_keys{0};
  std::atomic<uint64_t> write_errors{0};
  // --fsync everysec: how long acknowledged writes sat in the WAL unsynced.
  // A window runs from the first commit after a WAL sync started to the end
  // of the next sync that covers it; an OS crash can lose at most one window.
  std::atomic<uint64_t> unsynced_windows{0};
  std::atomic<uint64_t> unsynced_window_max_micros{0};
  std::atomic<uint64_t> unsynced_window_last_micros{0};
  std::atomic<uint64_t> unsynced_writes_max{0};
};

class Engine {
 public:
  static rocksdb::Status open(const EngineOptions& options, std::unique_ptr<Engine>* out);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The committed store; safe from any thread.
  View& committed() { return *committed_; }
  // Hands `op` to the writer thread. Thread-safe; `op` must outlive complete().
  void submit(WriteOp* op);
  // Runs `ops` in write groups on the calling thread (an I/O thread that
  // gathered them in one pass of its event loop), after anything queued for
  // the writer thread: whichever thread holds the write lock is the writer.
  void run_here(std::vector<WriteOp*>& ops);
  // Stops the writer after the queued work, syncs the WAL and closes.
  void close();

  int64_t key_count(uint8_t ns) const { return counts_[ns].load(std::memory_order_acquire); }
  uint64_t last_revision() const { return last_revision_.load(std::memory_order_acquire); }
  uint64_t feed_first_revision() const { return feed_first_.load(std::memory_order_acquire); }
  const EngineOptions& options() const { return options_; }
  const EngineStats& stats() const { return stats_; }
  RecordCache& record_cache() { return *record_cache_; }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf c) { return cfs_[static_cast<int>(c)]; }
  int64_t last_save_unix() const { return last_save_unix_.load(); }
  // Flushes memtables and syncs (SAVE); compact=true also compacts (BGREWRITEAOF).
  rocksdb::Status persist(bool compact);
  // The same in a background thread (BGSAVE, BGREWRITEAOF); false if one is
  // already running.
  bool persist_in_background(bool compact);
  bool persisting() const { return persisting_.load(); }
  // A write failed (disk full, I/O error): until a recovery succeeds every
  // commit fails fast with that error, reads keep working. See commit().
  bool writes_failed() const { return writes_failed_.load(std::memory_order_acquire); }
  uint64_t disk_bytes() const;
  void set_fsync(FsyncPolicy p) { fsync_.store(p); }
  // Change-feed watchers: `wake` runs on the writer thread after every
  // commit that advanced the revision (after its fsync under --fsync
  // always), so it must only signal, never block. Thread-safe.
  uint64_t add_commit_listener(std::function<void()> wake);
  void remove_commit_listener(uint64_t id);
  // A data-family read through the record cache: at ro.snapshot, or at the
  // newest state when it has none (only the writer thread reads that way).
  rocksdb::Status cached_get(std::string_view key, const rocksdb::ReadOptions& ro, rocksdb::PinnableSlice* value);
  FsyncPolicy fsync() const { return fsync_.load(); }
  // nullptr to stop. Thread-safe; the observer must outlive its registration.
  void set_change_observer(ChangeObserver* o) { change_observer_.store(o, std::memory_order_release); }
  // Keyspace notifications (key_events.h): which classes Txns keep (0, the
  // default, keeps none and costs nothing) and who receives them. The sink
  // must outlive its registration.
  void set_key_events(uint32_t mask, KeyEventSink* sink) {
    key_event_sink_.store(sink, std::memory_order_release);
    key_event_mask_.store(sink ? mask : 0, std::memory_order_release);
  }
  uint32_t key_event_mask() const { return key_event_mask_.load(std::memory_order_acquire); }

 private:
  friend class Txn;
  explicit Engine(const EngineOptions& options);
  rocksdb::Status load_meta();
  void writer_loop();
  void syncer_loop();
  void run_group(std::vector<WriteOp*>& ops);
  rocksdb::Status commit(Txn& txn, bool sync);
  bool sweep_expired(int64_t now_ms, int limit);
  void trim_feed();
  void note_write_failure(const rocksdb::Status& s);
  bool disk_has_room(size_t batch_bytes);
  bool try_resume_writes();
  static int64_t steady_micros(std::chrono::steady_clock::time_point t);
  void close_unsynced_window(int64_t since_micros, int64_t synced_micros, uint64_t writes);

  EngineOptions options_;
  std::atomic<FsyncPolicy> fsync_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  std::unique_ptr<View> committed_;
  std::unique_ptr<RecordCache> record_cache_;
  std::mutex listeners_mu_;
  std::vector<std::pair<uint64_t, std::function<void()>>> listeners_;
  uint64_t next_listener_id_ = 1;
  std::atomic<bool> has_listeners_{false};
  std::atomic<ChangeObserver*> change_observer_{nullptr};
  std::atomic<uint32_t> key_event_mask_{0};
  std::atomic<KeyEventSink*> key_event_sink_{nullptr};

  std::array<std::atomic<int64_t>, kMaxNamespaces> counts_{};
  std::atomic<uint64_t> last_revision_{0};
  std::atomic<uint64_t> feed_first_{1};
  uint64_t next_revision_ = 1;  // writer thread only
  std::atomic<bool> writes_failed_{false};
  rocksdb::Status write_failure_;       // writer thread only
  int64_t next_resume_attempt_ms_ = 0;  // writer thread only
  bool resume_failure_logged_ = false;  // writer thread only
  // disk_has_room(): statvfs at most every 100 ms or reserve/8 bytes written.
  uint64_t unchecked_bytes_ = 0;
  int64_t next_space_check_ms_ = 0;
  bool disk_room_ = true;
  bool disk_size_unknown_logged_ = false;
  std::atomic<int64_t> last_save_unix_{0};
  // The open everysec window: steady-clock micros of its first commit (0 if
  // none) and the client writes committed in it; the syncer closes it.
  std::atomic<int64_t> unsynced_since_micros_{0};
  std::atomic<uint64_t> unsynced_writes_{0};

  // Held by whoever runs write groups and sweeps (the writer thread or an
  // I/O thread in run_here): the "writer thread only" state is its.
  std::mutex write_mu_;
  // The writer thread is running a may_run_long op: run_here hands its ops
  // to the writer instead of waiting for the lock.
  std::atomic<bool> long_op_running_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WriteOp*> queue_;
  std::atomic<bool> stopping_{false};
  std::thread writer_;
  std::thread syncer_;
  std::thread persister_;
  std::atomic<bool> persisting_{false};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool closed_ = false;
  EngineStats stats_;

};

// A consistent read view for one command on an I/O thread: the first read
// pins a RocksDB snapshot, so a command that reads several records (a
// collection's record and its members, MGET) sees a single moment.
class SnapshotView final : public View {
 public:
  explicit SnapshotView(Engine& engine) : engine_(engine) {}
  ~SnapshotView() override;
  SnapshotView(const SnapshotView&) = delete;
  SnapshotView& operator=(const SnapshotView&) = delete;

  rocksdb::Status get(Cf cf, std::string_view key, rocksdb::PinnableSlice* value) override;
  std::unique_ptr<BoundedIterator> iterate(Cf cf, std::string lower, std::string upper) override;
  int64_t key_count(uint8_t ns) const override { return engine_.key_count(ns); }

 private:
  const rocksdb::Snapshot* snapshot();
  Engine& engine_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
};

}  // namespace cairn::engine
