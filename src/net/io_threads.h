// A pool of I/O threads, one io_context each; connections are spread over
// them round-robin and stay on their thread for life.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace cairn::net {

class IoThreads {
 public:
  explicit IoThreads(int n);
  ~IoThreads();
  void start();
  void stop();  // stops the loops and joins; contexts stay alive until destruction
  boost::asio::io_context& next();
  boost::asio::io_context& at(size_t i) { return *contexts_[i]; }
  size_t size() const { return contexts_.size(); }

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace cairn::net
