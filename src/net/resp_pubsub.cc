// Pub/sub on a RESP connection; see resp_pubsub.h. The subscribed loop reads
// and answers commands like the normal one (RESP2 allows only the pub/sub
// ones, command/dispatch.cc) and, between them, writes the messages in the
// client's protocol: ["message", channel, payload], ["pmessage", pattern,
// channel, payload], ["smessage", channel, payload] (RESP3 pushes).
#include "net/resp_pubsub.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

#include "common/log.h"
#include "net/resp_connection.h"

namespace cairn::net {

namespace asio = boost::asio;

void PubSubMailbox::deliver(const command::PubSubMessage& m) {
  std::weak_ptr<asio::steady_timer> timer;
  {
    std::lock_guard lock(mu_);
    if (overflow_) return;
    bytes_ += m.pattern.size() + m.channel.size() + m.payload.size() + 64;
    if (bytes_ > kLimitBytes) {
      overflow_ = true;
      queue_.clear();
    } else {
      queue_.push_back(m);
    }
    timer = timer_;
  }
  // Expiring the timer (rather than cancelling a wait) also wakes a wait
  // that starts later: the connection may be between taking its messages and
  // waiting again, suspended in the flush of the previous ones.
  asio::post(ex_, [timer] {
    if (auto t = timer.lock()) t->expires_at(asio::steady_timer::time_point::min());
  });
}

bool PubSubMailbox::take(std::deque<command::PubSubMessage>* out) {
  std::lock_guard lock(mu_);
  if (overflow_) return false;
  out->swap(queue_);
  queue_.clear();
  bytes_ = 0;
  return true;
}

void PubSubMailbox::set_waker(std::weak_ptr<asio::steady_timer> timer) {
  std::lock_guard lock(mu_);
  timer_ = std::move(timer);
}

namespace {

constexpr auto kIdleWait = std::chrono::hours(1);  // woken by messages and by input

void write_message(command::Reply& reply, const command::PubSubMessage& m) {
  using Kind = command::PubSubMessage::Kind;
  if (m.kind == Kind::kPMessage) {
    reply.push(4);
    reply.bulk("pmessage");
    reply.bulk(m.pattern);
  } else {
    reply.push(3);
    reply.bulk(m.kind == Kind::kSMessage ? "smessage" : "message");
  }
  reply.bulk(m.channel);
  reply.bulk(m.payload);
}

}  // namespace

asio::awaitable<bool> RespConnection::write_messages() {
  std::deque<command::PubSubMessage> messages;
  if (!mailbox_->take(&messages)) {
    log::warn("closing client {}: its pub/sub messages passed the output limit ({} bytes unread)", session_.addr,
              PubSubMailbox::kLimitBytes);
    co_return false;
  }
  if (messages.empty()) co_return true;
  for (const auto& m : messages) write_message(reply_, m);
  co_await flush();
  co_return true;
}

asio::awaitable<void> RespConnection::run_subscribed() {
  using namespace asio::experimental::awaitable_operators;
  auto timer = std::make_shared<asio::steady_timer>(socket_.get_executor());
  mailbox_->set_waker(timer);
  struct StopWaking {
    PubSubMailbox& mailbox;
    ~StopWaking() { mailbox.set_waker({}); }
  } stop_waking{*mailbox_};

  while (session_.subscriptions > 0 && !closed_ && !session_.closing) {
    // Armed before the messages are taken: a message delivered from here on
    // expires the timer (its wake-up is posted to this thread), so the wait
    // below returns at once even if the message came during the flush.
    timer->expires_after(kIdleWait);
    // Messages that arrived before the client's next command go out first.
    if (!co_await write_messages() || !make_room_to_read()) {
      close();
      co_return;
    }
    // Input or a message, whichever comes first; a message ends the read,
    // which loses nothing (it completes with bytes or not at all).
    auto woke = co_await (
        socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                                asio::as_tuple(asio::use_awaitable)) ||
        timer->async_wait(asio::as_tuple(asio::use_awaitable)));
    if (woke.index() == 0) {
      auto [ec, n] = std::get<0>(woke);
      if (ec) {
        close();
        co_return;
      }
      co_await execute_received(n);
    }
  }
  // Unsubscribed from everything: what was published before that still goes.
  if (!closed_ && !co_await write_messages()) close();
}

}  // namespace cairn::net
