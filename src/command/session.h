// Per-connection state that commands read and change: selected database,
// protocol version, authentication, client name. Owned by the connection;
// only the thread currently executing that connection's commands touches it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cairn::command {

// The front door a session came through (metrics count commands per door).
enum class Door : uint8_t { kResp = 0, kHttp = 1 };
inline constexpr int kDoorCount = 2;
inline const char* door_name(Door d) { return d == Door::kResp ? "resp" : "http"; }

// CAIRN.WATCH on a RESP connection: the command sets it, the connection
// streams the changes (net/resp_watch.h) until CAIRN.UNWATCH or RESET.
struct WatchState {
  bool active = false;
  bool exact = false;  // one key, or every key starting with `key`
  uint8_t ns = 0;
  std::string key;
  uint64_t position = 0;  // the last revision delivered (or skipped)
};

// MULTI … EXEC: the commands queued so far (copies: the input buffer moves
// on), whether queuing one failed (EXEC then answers EXECABORT), and the keys
// WATCHed (watched_keys.h). `dirty` is set by whichever thread runs the write
// that touches a watched key.
struct MultiState {
  bool active = false;
  bool queue_error = false;
  bool executing = false;  // EXEC is running the queue
  bool queued_script = false;  // a queued command runs Lua: EXEC may run long
  std::vector<std::vector<std::string>> queued;
  size_t queued_bytes = 0;
  struct Watched {
    uint8_t db;
    std::string key;
    bool expired_at_watch;  // present but already expired when WATCHed
  };
  std::vector<Watched> watched;
  std::atomic<bool> dirty{false};
};

class Subscriber;  // channels.h
struct BlockedWait;  // blocking.h

struct Session {
  uint64_t id = 0;
  // Atomic: CLIENT LIST reads these from other threads.
  std::atomic<uint8_t> db{0};
  std::atomic<int> resp{2};
  bool authenticated = false;
  bool closing = false;  // QUIT: close after the replies are written
  std::atomic<bool> no_evict{false};
  std::atomic<bool> no_touch{false};
  std::string name;
  std::string addr;   // peer ip:port
  std::string laddr;  // local ip:port
  Door door = Door::kResp;
  int64_t created_ms = 0;
  std::atomic<int64_t> last_active_ms{0};
  std::string last_command;
  // Full name of the last command looked up ("get", "client|list") for
  // CLIENT LIST; points into the command table, so any thread may read it.
  std::atomic<const char*> last_command_name{nullptr};
  int fd = -1;  // socket descriptor, for CLIENT LIST (set by the network layer)
  // CLIENT LIST reads name, lib_name and lib_ver from other threads: write
  // them under info_mu.
  mutable std::mutex info_mu;
  std::string lib_name, lib_ver;  // CLIENT SETINFO
  WatchState watch;
  MultiState multi;
  // Pub/sub: where this connection receives messages (null on a door that
  // cannot, such as HTTP requests) and how many channels, patterns and shard
  // channels it listens on (RESP2 then allows only the pub/sub commands).
  Subscriber* subscriber = nullptr;
  int subscriptions = 0;
  // CLIENT REPLY OFF / SKIP (RESP only): the connection drops the replies of
  // the commands it runs while these are set, except pushes
  // (`reply_pushed`: (un)subscribe notices, which Redis always sends).
  bool replies_off = false;
  bool skip_next_reply = false;
  bool reply_mode_set = false;  // the command just run was CLIENT REPLY
  bool reply_pushed = false;
  bool in_script = false;  // the session a Lua script's redis.call()s run in
  // Blocking pops (blocking.h): whether this door can wait for a key (RESP);
  // the wait a blocking command just registered, for the connection to
  // sleep on; and, while a blocked command is served, the key that is ready.
  bool can_block = false;
  std::shared_ptr<BlockedWait> blocked;
  const std::string* serving_key = nullptr;
  // Set by the network layer; closes the connection from any thread.
  std::function<void()> kill;
};

}  // namespace cairn::command
