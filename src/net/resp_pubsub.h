// Pub/sub on a RESP connection: the mailbox that PUBLISH (any thread) drops
// messages into, and that wakes the connection's subscribed loop
// (RespConnection::run_subscribed in resp_pubsub.cc) to write them.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "command/channels.h"

namespace cairn::net {

class PubSubMailbox final : public command::Subscriber {
 public:
  // Redis's default client-output-buffer-limit for pubsub clients (hard limit):
  // a subscriber this far behind is disconnected.
  static constexpr size_t kLimitBytes = 32u << 20;

  explicit PubSubMailbox(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}
  void deliver(const command::PubSubMessage& m) override;

  // The connection's own thread: what arrived so far (false: the limit was
  // passed and the connection must close), and the timer its loop sleeps on.
  bool take(std::deque<command::PubSubMessage>* out);
  void set_waker(std::weak_ptr<boost::asio::steady_timer> timer);

 private:
  boost::asio::any_io_executor ex_;
  std::mutex mu_;
  std::deque<command::PubSubMessage> queue_;
  size_t bytes_ = 0;
  bool overflow_ = false;
  std::weak_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace cairn::net
