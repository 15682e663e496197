// Awaiting a write op from a coroutine: hands it to the writer thread and
// resumes on the caller's own executor once the op's group is durable.
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

template <typename Op, typename Token>
auto async_run_op(engine::Engine& engine, Op& op, Token&& token) {
  namespace asio = boost::asio;
  return asio::async_initiate<Token, void()>(
      [&engine, &op](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<std::decay_t<decltype(handler)>>(std::move(handler));
        op.on_done = [h, ex]() { asio::post(ex, [h]() mutable { std::move (*h)(); }); };
        engine.submit(&op);
      },
      token);
}

}  // namespace cairn::net
