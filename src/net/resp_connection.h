// One RESP client connection: reads requests, runs every complete command in
// a read (reads inline on this I/O thread, writes through the engine's
// writer), and sends all their replies in one write. After CAIRN.WATCH it
// also streams the change feed to the client (resp_watch.cc); after SUBSCRIBE
// it writes pub/sub messages between replies (resp_pubsub.cc); a blocking
// command makes it wait (resp_blocking.cc).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <vector>

#include "command/blocking.h"
#include "command/server_context.h"
#include "command/session.h"
#include "net/resp_pubsub.h"
#include "protocol/resp/resp_parser.h"
#include "protocol/resp/resp_reply.h"

namespace cairn::net {

class RespConnection : public std::enable_shared_from_this<RespConnection> {
 public:
  RespConnection(boost::asio::ip::tcp::socket socket, command::ServerContext& server);
  ~RespConnection();
  // Runs until the peer leaves, QUIT, a protocol error, or a kill.
  boost::asio::awaitable<void> run();
  void close();

 private:
  // Reads what the client sent and runs it; false when the client must be
  // dropped (query buffer over its limit).
  boost::asio::awaitable<bool> read_and_execute();
  boost::asio::awaitable<void> execute_batch();
  // Watch mode: pushes changes while still reading commands; returns after
  // CAIRN.UNWATCH / RESET, or when the connection ends.
  boost::asio::awaitable<void> run_watch();
  // read_and_execute in two halves, for loops that wait on more than input.
  bool make_room_to_read();
  boost::asio::awaitable<void> execute_received(size_t n);
  // Subscribed (pub/sub): writes messages while still reading commands;
  // returns once no subscription is left, or when the connection ends.
  boost::asio::awaitable<void> run_subscribed();
  // Writes the mailbox's messages; false when it overflowed (close).
  boost::asio::awaitable<bool> write_messages();
  boost::asio::awaitable<void> flush();
  boost::asio::awaitable<void> watchdog();
  // A blocking command registered a wait (session_.blocked): sleeps until it
  // ends and writes its answer (resp_blocking.cc).
  boost::asio::awaitable<void> run_blocked();

  boost::asio::ip::tcp::socket socket_;
  command::ServerContext& server_;
  command::Session session_;
  std::shared_ptr<PubSubMailbox> mailbox_;
  std::string out_;
  protocol::resp::RespReply reply_;
  protocol::resp::RespParser parser_;
  std::vector<char> in_;
  size_t in_begin_ = 0, in_end_ = 0;
  // Parsed commands of the current read: argv views, and [offset, count) per command.
  std::vector<std::string_view> args_;
  std::vector<std::pair<size_t, size_t>> cmds_;
  // The clock for inline commands of the current read (one clock read per
  // read, not per command), refreshed after every suspension.
  int64_t batch_now_ms_ = 0;
  // When the pending write last made progress (0: none pending), for the
  // watchdog's --drain-timeout: a client that stops reading is closed.
  std::atomic<int64_t> flush_started_ms_{0};
  bool registered_ = false;
  bool closed_ = false;
  std::shared_ptr<command::BlockedWait> blocked_wait_;  // while in run_blocked
};

}  // namespace cairn::net
