// Wakes a watcher's coroutine when the store commits: the watcher sleeps on a
// timer, and the writer's commit listener cancels that timer (at most one
// wake-up queued per burst of commits, posted to the watcher's own executor).
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>

#include "engine/engine.h"

namespace cairn::net {

class CommitWaker {
 public:
  CommitWaker(engine::Engine& engine, const std::shared_ptr<boost::asio::steady_timer>& timer) : engine_(engine) {
    auto pending = std::make_shared<std::atomic<bool>>(false);
    std::weak_ptr<boost::asio::steady_timer> weak = timer;
    auto ex = timer->get_executor();
    id_ = engine_.add_commit_listener([weak, pending, ex] {
      if (pending->exchange(true)) return;
      boost::asio::post(ex, [weak, pending] {
        pending->store(false);
        if (auto t = weak.lock()) t->cancel();
      });
    });
  }
  ~CommitWaker() { engine_.remove_commit_listener(id_); }
  CommitWaker(const CommitWaker&) = delete;
  CommitWaker& operator=(const CommitWaker&) = delete;

 private:
  engine::Engine& engine_;
  uint64_t id_;
};

}  // namespace cairn::net
