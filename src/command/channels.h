// Pub/sub's registry: which subscribers listen on which channels, patterns
// and shard channels. PUBLISH (from any thread, any door) hands each
// matching subscriber its message through Subscriber::deliver; the network
// layer's subscriber queues it and wakes its connection, which writes it in
// the client's protocol (RESP2 array, RESP3 push). Nothing here is durable:
// as in Redis, a message reaches the subscribers connected at that moment.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::command {

struct PubSubMessage {
  enum class Kind : uint8_t { kMessage, kPMessage, kSMessage };
  Kind kind = Kind::kMessage;
  std::string pattern;  // kPMessage only
  std::string channel;
  std::string payload;
};

// Implemented by a connection that can receive messages.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Any thread, with the registry's lock held: queue and wake, never block.
  virtual void deliver(const PubSubMessage& m) = 0;
};

class Channels {
 public:
  enum class Space : uint8_t { kChannel, kPattern, kShard };

  // True if `s` was not subscribed to `name` in `space` before.
  bool subscribe(Subscriber* s, Space space, std::string_view name);
  bool unsubscribe(Subscriber* s, Space space, std::string_view name);
  // The names `s` listens on in `space`, in order.
  std::vector<std::string> names(Subscriber* s, Space space);
  size_t count(Subscriber* s, Space space);
  void unsubscribe_all(Subscriber* s);

  // Delivers to the channel's subscribers and the matching patterns'
  // (or the shard channel's); returns how many deliveries were made.
  int64_t publish(std::string_view channel, std::string_view payload, bool shard);

  // PUBSUB: active channels (optionally matching a glob), subscriber counts,
  // the number of patterns.
  std::vector<std::string> active(Space space, std::string_view pattern);
  int64_t subscribers(Space space, std::string_view channel);
  int64_t patterns();
  size_t active_count(Space space);
  // Channels, patterns and shard channels `s` listens on (CLIENT LIST, any thread).
  struct Counts {
    size_t channels = 0, patterns = 0, shards = 0;
    size_t total() const { return channels + patterns + shards; }
  };
  Counts counts(Subscriber* s);

 private:
  std::map<std::string, std::set<Subscriber*>, std::less<>>& table(Space space);
  std::mutex mu_;
  std::map<std::string, std::set<Subscriber*>, std::less<>> channels_, patterns_, shards_;
  // Each subscriber's own names, in subscription order per space.
  std::map<Subscriber*, std::vector<std::string>> by_subscriber_[3];
};

}  // namespace cairn::command
