// Awaiting a write op from a coroutine: runs it in a write group (see
// run_write) and resumes on the caller's own executor once the group is
// durable.
// Works for any op with an `on_done` callback (CommandOp, FnOp).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "command/dispatch.h"
#include "engine/engine.h"
#include "engine/status.h"
#include "engine/txn.h"

namespace cairn::net {

// One commit on the writer that runs a function: the front doors that do not
// speak Redis commands (the native HTTP API) write through it. A StoreError
// rolls the commit back; `status` is the group's once it completed.
class FnOp final : public engine::WriteOp {
 public:
  explicit FnOp(std::function<void(engine::Txn&)> fn) : fn_(std::move(fn)) {}
  bool exclusive() const override { return is_exclusive; }
  void execute(engine::Txn& txn) override {
    txn.begin_commit();
    txn.set_savepoint();
    try {
      fn_(txn);
      txn.pop_savepoint();
    } catch (const engine::StoreError& e) {
      txn.rollback_to_savepoint();
      failure = e.what();
    }
  }
  void complete(const rocksdb::Status& s) override {
    status = s;
    if (on_done) on_done();
  }
  bool is_exclusive = false;  // alone in its group (range deletes: a flush)
  rocksdb::Status status;
  std::string failure;  // set when the function threw (nothing was written)
  std::function<void()> on_done;

 private:
  std::function<void(engine::Txn&)> fn_;
};

// The writes one I/O thread gathered in the current pass of its event loop.
struct PassWrites {
  engine::Engine* engine = nullptr;
  std::vector<engine::WriteOp*> ops;
  bool flush_posted = false;
};
inline PassWrites& this_thread_pass_writes() {
  thread_local PassWrites writes;
  return writes;
}

// Where a front door's write runs. Under --fsync no and everysec on the I/O
// thread itself: the first op of a pass posts a flush behind the handlers
// already queued, so every connection that became readable in the same pass
// joins one group, with no hand-off to the writer thread and back (two
// context switches per group on one CPU). Under --fsync always on the writer
// thread: its fsync must not stop this thread from reading the next requests
// (and serving reads) while the disk works.
template <typename Executor>
void run_write(engine::Engine& engine, engine::WriteOp* op, const Executor& ex) {
  namespace asio = boost::asio;
  if (engine.fsync() == engine::FsyncPolicy::kAlways) {
    engine.submit(op);
    return;
  }
  // Posted first, so the batch is this I/O thread's even if the caller is not on it.
  asio::post(ex, [&engine, op, ex] {
    PassWrites& w = this_thread_pass_writes();
    if (w.engine && w.engine != &engine) {  // a second store in this process
      engine.submit(op);
      return;
    }
    w.engine = &engine;
    w.ops.push_back(op);
    if (w.flush_posted) return;
    w.flush_posted = true;
    asio::post(ex, [] {
      PassWrites& pw = this_thread_pass_writes();
      std::vector<engine::WriteOp*> ops;
      ops.swap(pw.ops);
      pw.flush_posted = false;
      engine::Engine* e = pw.engine;
      pw.engine = nullptr;
      if (e && !ops.empty()) e->run_here(ops);
    });
  });
}

template <typename Op, typename Token>
auto async_run_op(engine::Engine& engine, Op& op, Token&& token) {
  namespace asio = boost::asio;
  return asio::async_initiate<Token, void()>(
      [&engine, &op](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<std::decay_t<decltype(handler)>>(std::move(handler));
        op.on_done = [h, ex]() { asio::post(ex, [h]() mutable { std::move (*h)(); }); };
        run_write(engine, &op, ex);
      },
      token);
}

}  // namespace cairn::net
