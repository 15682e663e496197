// Blocking pops (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX
// BZMPOP): which connections wait on which keys, and serving them.
//
// A blocking command that finds every key empty registers a BlockedWait here
// (on the writer, inside its write op, so no push can come between its look
// and its registration) and answers nothing; its connection then sleeps until
// the wait ends (net/resp_blocking.cc). The engine reports each key a write
// changes (engine::ChangeObserver), from any door; a key someone waits on is
// marked ready. After each command of a write op (an EXEC or a script as a
// whole, as in Redis) serve_ready() runs the waiting commands again, in the
// same group, for each ready key in the order the keys became ready and, per
// key, in the order the clients blocked (FIFO), while the key still holds
// something to pop. A served command that pushes (BLMOVE) can make another
// key ready in turn. The served replies are sent once their group is durable.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "command/context.h"
#include "engine/engine.h"

namespace cairn::command {

class ServerContext;

// The type a blocked command pops from: a key of another type (or none) does
// not serve it.
// A stream wait (XREAD, XREADGROUP) is run again on every change of its key:
// its command decides whether that serves it, errs (the group is gone) or
// keeps it waiting, and the next stream wait on the key gets its turn.
enum class BlockOn : uint8_t { kList, kZset, kStream };

struct BlockedWait {
  enum class State : uint8_t {
    kWaiting,   // in the registry
    kClaimed,   // being served on the writer
    kServed,    // `out` holds the reply; sent once `durable`
    kTimedOut,  // deadline passed or CLIENT UNBLOCK [TIMEOUT]: a nil reply
    kUnblockedError,  // CLIENT UNBLOCK ERROR
  };
  uint64_t client_id = 0;
  uint8_t db = 0;  // the client's database (not its namespace: SWAPDB moves those)
  std::atomic<int> resp{2};
  BlockOn on = BlockOn::kList;
  bool timeout_null_array = true;  // BLPOP's nil is an array, BLMOVE's a bulk
  int64_t deadline_ms = 0;         // unix ms; 0: none
  uint64_t seq = 0;                // the order clients blocked in
  std::vector<std::string> argv;   // the command, run again when served (XREAD's `$` made an ID)
  std::vector<std::string> keys;   // distinct, in the command's order
  // Guarded by BlockedClients' mutex.
  State state = State::kWaiting;
  bool durable = false;  // kServed and its group committed
  std::string out;       // the served reply, in the client's protocol
  std::function<void()> wake;  // posts a wake-up to the connection's thread
};

class BlockedClients final : public engine::ChangeObserver {
 public:
  // Registers w (on the thread running the write op). `wake` may be set later
  // with set_waker.
  void block(std::shared_ptr<BlockedWait> w);
  void set_waker(BlockedWait& w, std::function<void()> wake);
  // The connection's own check: the state, after turning a wait whose
  // deadline passed into kTimedOut. kClaimed and kServed-not-durable read as
  // kWaiting (the answer is still to come).
  BlockedWait::State poll(BlockedWait& w, int64_t now_ms);
  // The connection closed: a wait not yet claimed is dropped.
  void cancel(BlockedWait& w);
  // CLIENT UNBLOCK: true if that client was waiting (it is woken).
  bool unblock(uint64_t client_id, bool error);
  bool is_blocked(uint64_t client_id);
  size_t blocked_clients() const { return waiting_.load(std::memory_order_relaxed); }
  size_t clients_with_deadline();

  // `db`: the database (not the namespace) the changed key is in.
  void changed(uint8_t db, engine::FeedKind kind, std::string_view key) override;
  // SWAPDB swapped databases a and b: every key waited on in either may now
  // hold something, so all of them are ready.
  void swapped(uint8_t a, uint8_t b);
  bool has_ready() const { return ready_count_.load(std::memory_order_relaxed) != 0; }
  // Serves the waits on ready keys inside `txn`; the served ones are added to
  // `served`, for finish() once the group completed. `own_commits`: each
  // served command gets its own commit (revision), as each command of an op.
  void serve_ready(engine::Txn& txn, ServerContext& server, bool own_commits,
                   std::vector<std::shared_ptr<BlockedWait>>* served);
  // The group holding the served reply completed: replaces the reply with
  // `error` if it failed (non-empty), then wakes the client.
  void finish(ServerContext& server, BlockedWait& w, const std::string& error);

 private:
  void remove_locked(BlockedWait& w);
  void wake_locked(BlockedWait& w);
  bool serve_one(engine::Txn& txn, ServerContext& server, const std::shared_ptr<BlockedWait>& w,
                 std::string_view key, bool own_commits);
  // Claims w (false if it is no longer waiting), serves it, and either adds
  // it to `served` or puts it back in line. True if it was answered.
  bool try_serve(engine::Txn& txn, ServerContext& server, const std::shared_ptr<BlockedWait>& w,
                 std::string_view key, bool own_commits, std::vector<std::shared_ptr<BlockedWait>>* served);

  mutable std::mutex mu_;
  uint64_t next_seq_ = 1;
  std::atomic<size_t> waiting_{0};
  std::atomic<size_t> keys_{0};  // keys in by_key_: 0 lets changed() return at once
  std::atomic<size_t> ready_count_{0};
  std::unordered_map<std::string, std::deque<std::shared_ptr<BlockedWait>>> by_key_;
  std::unordered_map<uint64_t, std::shared_ptr<BlockedWait>> by_client_;
  std::vector<std::string> ready_;  // slots, in the order they became ready
};

// For blocking handlers. A timeout argument in seconds (fractions allowed),
// as Redis parses it: the deadline in unix ms (0: wait forever), or the
// error replied and false.
bool arg_block_timeout(CommandCtx& ctx, size_t i, int64_t* deadline_ms);
// Whether the handler considers `key`: every key normally; when serving, only
// the key that became ready.
bool serves_key(const CommandCtx& ctx, std::string_view key);
// Every key was empty: blocks the client (true, nothing replied) unless it
// cannot block (inside MULTI or a script, over HTTP: false, and the handler
// answers its timeout nil). While serving, answers true and does nothing:
// the client stays blocked.
// `argv`: the command to run when served, if not ctx.argv.
bool block_client(CommandCtx& ctx, BlockOn on, std::span<const std::string_view> keys, int64_t deadline_ms,
                  bool null_array, const std::vector<std::string>* argv = nullptr);

}  // namespace cairn::command
