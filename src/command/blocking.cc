// Blocking pops: the registry of waiting clients and serving them; see
// blocking.h.
#include "command/blocking.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "command/dispatch.h"
#include "command/errors.h"
#include "command/key_slot.h"
#include "command/server_context.h"
#include "engine/keyspace.h"
#include "engine/status.h"
#include "engine/txn.h"
#include "model/numbers.h"

namespace cairn::command {

void BlockedClients::block(std::shared_ptr<BlockedWait> w) {
  std::lock_guard lock(mu_);
  w->seq = next_seq_++;
  w->state = BlockedWait::State::kWaiting;
  for (const auto& key : w->keys) by_key_[key_slot(w->db, key)].push_back(w);
  by_client_[w->client_id] = w;
  keys_.store(by_key_.size(), std::memory_order_relaxed);
  waiting_.store(by_client_.size(), std::memory_order_relaxed);
}

void BlockedClients::set_waker(BlockedWait& w, std::function<void()> wake) {
  std::lock_guard lock(mu_);
  w.wake = std::move(wake);
}

void BlockedClients::remove_locked(BlockedWait& w) {
  for (const auto& key : w.keys) {
    auto it = by_key_.find(key_slot(w.db, key));
    if (it == by_key_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove_if(q.begin(), q.end(), [&w](const auto& p) { return p.get() == &w; }), q.end());
    if (q.empty()) by_key_.erase(it);
  }
  auto c = by_client_.find(w.client_id);
  if (c != by_client_.end() && c->second.get() == &w) by_client_.erase(c);
  keys_.store(by_key_.size(), std::memory_order_relaxed);
  waiting_.store(by_client_.size(), std::memory_order_relaxed);
}

void BlockedClients::wake_locked(BlockedWait& w) {
  if (w.wake) w.wake();
}

BlockedWait::State BlockedClients::poll(BlockedWait& w, int64_t now_ms) {
  std::lock_guard lock(mu_);
  using S = BlockedWait::State;
  if (w.state == S::kWaiting && w.deadline_ms != 0 && now_ms >= w.deadline_ms) {
    remove_locked(w);
    w.state = S::kTimedOut;
  }
  if (w.state == S::kClaimed || (w.state == S::kServed && !w.durable)) return S::kWaiting;
  return w.state;
}

void BlockedClients::cancel(BlockedWait& w) {
  std::lock_guard lock(mu_);
  if (w.state == BlockedWait::State::kWaiting) {
    remove_locked(w);
    w.state = BlockedWait::State::kTimedOut;
  }
  w.wake = nullptr;
}

bool BlockedClients::unblock(uint64_t client_id, bool error) {
  std::lock_guard lock(mu_);
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return false;
  std::shared_ptr<BlockedWait> w = it->second;
  if (w->state != BlockedWait::State::kWaiting) return false;
  remove_locked(*w);
  w->state = error ? BlockedWait::State::kUnblockedError : BlockedWait::State::kTimedOut;
  wake_locked(*w);
  return true;
}

bool BlockedClients::is_blocked(uint64_t client_id) {
  if (waiting_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(mu_);
  return by_client_.contains(client_id);
}

size_t BlockedClients::clients_with_deadline() {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(by_client_.begin(), by_client_.end(), [](const auto& kv) { return kv.second->deadline_ms != 0; }));
}

void BlockedClients::changed(uint8_t db, engine::FeedKind kind, std::string_view key) {
  if (keys_.load(std::memory_order_relaxed) == 0) return;
  if (kind == engine::FeedKind::kFlush) {
    // Every key of the database is gone: a stream wait on any of them learns so.
    std::lock_guard lock(mu_);
    for (const auto& [slot, q] : by_key_) {
      if (static_cast<uint8_t>(slot[0]) == db && std::find(ready_.begin(), ready_.end(), slot) == ready_.end()) {
        ready_.push_back(slot);
      }
    }
    ready_count_.store(ready_.size(), std::memory_order_relaxed);
    return;
  }
  std::string s = key_slot(db, key);
  std::lock_guard lock(mu_);
  if (!by_key_.contains(s)) return;
  if (std::find(ready_.begin(), ready_.end(), s) != ready_.end()) return;
  ready_.push_back(std::move(s));
  ready_count_.store(ready_.size(), std::memory_order_relaxed);
}

void BlockedClients::swapped(uint8_t a, uint8_t b) {
  std::lock_guard lock(mu_);
  for (const auto& [s, q] : by_key_) {
    auto db = static_cast<uint8_t>(s[0]);
    if ((db == a || db == b) && std::find(ready_.begin(), ready_.end(), s) == ready_.end()) ready_.push_back(s);
  }
  ready_count_.store(ready_.size(), std::memory_order_relaxed);
}

namespace {

// Whether `key` now holds something of the type the wait pops.
bool key_serves(engine::Txn& txn, uint8_t ns, std::string_view key, BlockOn on) {
  engine::Found f;
  engine::check(engine::lookup(txn, ns, key, txn.now_ms(), &f));
  if (!f.live) return false;
  return f.header.type == (on == BlockOn::kList ? engine::ValueType::kList : engine::ValueType::kZSet);
}

bool is_stream_wait(const std::shared_ptr<BlockedWait>& w) { return w->on == BlockOn::kStream;
}

}  // namespace

bool BlockedClients::serve_one(engine::Txn& txn, ServerContext& server, const std::shared_ptr<BlockedWait>& w,
                               std::string_view key, bool own_commits) {
  // The blocked client's command runs as that client: its database and
  // protocol. A session of its own, so the connection's may go meanwhile.
  Session as_client;
  as_client.id = w->client_id;
  as_client.db.store(w->db, std::memory_order_relaxed);
  as_client.resp.store(w->resp.load(std::memory_order_relaxed), std::memory_order_relaxed);
  as_client.authenticated = true;
  const std::string serving(key);
  as_client.serving_key = &serving;
  std::vector<std::string_view> argv(w->argv.begin(), w->argv.end());
  std::unique_ptr<Reply> reply = server.make_resp_reply(w->out, as_client.resp);
  const CommandSpec* spec = lookup_command(argv[0]);
  if (own_commits) txn.begin_commit();
  txn.set_savepoint();
  CommandCtx ctx{argv, as_client, *reply, txn, server, txn.now_ms()};
  try {
    spec->handler(ctx);
    txn.pop_savepoint();
  } catch (const engine::StoreError& e) {
    txn.rollback_to_savepoint();
    reply->rewind(0);
    reply->error(err::storage(e.what()));
  }
  // An error the served command answers (a stream or group deleted while
  // waiting) counts in INFO errorstats, as in Redis.
  if (reply->errors() != 0) {
    server.stats().error_replies.fetch_add(1, std::memory_order_relaxed);
    server.stats().count_error(reply->last_error_code());
    spec->stats->failed.fetch_add(1, std::memory_order_relaxed);  // calls were counted when it blocked
  }
  return !w->out.empty();
}

void BlockedClients::serve_ready(engine::Txn& txn, ServerContext& server, bool own_commits,
                                 std::vector<std::shared_ptr<BlockedWait>>* served) {
  using S = BlockedWait::State;
  for (;;) {
    std::string s;
    {
      std::lock_guard lock(mu_);
      if (ready_.empty()) break;
      s = std::move(ready_.front());
      ready_.erase(ready_.begin());
      ready_count_.store(ready_.size(), std::memory_order_relaxed);
    }
    const uint8_t ns = server.db_ns(static_cast<uint8_t>(s[0]));
    const std::string_view key = std::string_view(s).substr(1);
    // Stream waits: each one in line decides for itself.
    std::vector<std::shared_ptr<BlockedWait>> streams;
    {
      std::lock_guard lock(mu_);
      auto it = by_key_.find(s);
      if (it != by_key_.end()) std::copy_if(it->second.begin(), it->second.end(), std::back_inserter(streams), is_stream_wait);
    }
    for (const auto& w : streams) try_serve(txn, server, w, key, own_commits, served);
    // Pops: first come, first served, while the key holds something.
    for (;;) {
      std::shared_ptr<BlockedWait> w;
      {
        std::lock_guard lock(mu_);
        auto it = by_key_.find(s);
        if (it == by_key_.end()) break;
        auto pop = std::find_if_not(it->second.begin(), it->second.end(), is_stream_wait);
        if (pop == it->second.end()) break;
        w = *pop;
      }
      if (!key_serves(txn, ns, key, w->on)) break;
      bool claimed = false;
      {
        std::lock_guard lock(mu_);
        claimed = w->state == S::kWaiting;  // else timed out or unblocked meanwhile
      }
      if (!claimed) break;  // it leaves the line on its own (timeout, CLIENT UNBLOCK)
      if (!try_serve(txn, server, w, key, own_commits, served)) break;
    }
  }
}

bool BlockedClients::try_serve(engine::Txn& txn, ServerContext& server, const std::shared_ptr<BlockedWait>& w,
                               std::string_view key, bool own_commits,
                               std::vector<std::shared_ptr<BlockedWait>>* served) {
  using S = BlockedWait::State;
  {
    std::lock_guard lock(mu_);
    if (w->state != S::kWaiting) return false;
    remove_locked(*w);
    w->state = S::kClaimed;
  }
  bool answered = serve_one(txn, server, w, key, own_commits);
  std::lock_guard lock(mu_);
  if (answered) {
    w->state = S::kServed;
    served->push_back(w);
    return true;
  }
  // Nothing for it after all: it waits again, where it was in line.
  w->state = S::kWaiting;
  for (const auto& k : w->keys) {
    auto& q = by_key_[key_slot(w->db, k)];
    auto pos = std::find_if(q.begin(), q.end(), [&w](const auto& p) { return p->seq > w->seq; });
    q.insert(pos, w);
  }
  by_client_[w->client_id] = w;
  keys_.store(by_key_.size(), std::memory_order_relaxed);
  waiting_.store(by_client_.size(), std::memory_order_relaxed);
  return false;
}

void BlockedClients::finish(ServerContext& server, BlockedWait& w, const std::string& error) {
  std::lock_guard lock(mu_);
  if (!error.empty()) {
    w.out.clear();
    std::unique_ptr<Reply> reply = server.make_resp_reply(w.out, w.resp);
    reply->error(error);
    server.stats().error_replies.fetch_add(1, std::memory_order_relaxed);
    server.stats().count_error(reply->last_error_code());
    if (!w.argv.empty()) {
      const CommandSpec* spec = lookup_command(w.argv[0]);
      if (spec) spec->stats->failed.fetch_add(1, std::memory_order_relaxed);
    }
  }
  w.durable = true;
  wake_locked(w);
}

bool arg_block_timeout(CommandCtx& ctx, size_t i, int64_t* deadline_ms) {
  long double seconds;
  if (!model::parse_long_double(ctx.arg(i), &seconds) || std::isinf(seconds)) {
    ctx.reply.error("ERR timeout is not a float or out of range");
    return false;
  }
  long double ms = std::ceil(seconds * 1000.0L);
  if (ms < 0) {
    ctx.reply.error("ERR timeout is negative");
    return false;
  }
  if (ms >= static_cast<long double>(std::numeric_limits<int64_t>::max() - ctx.now_ms)) {
    ctx.reply.error("ERR timeout is out of range");
    return false;
  }
  auto t = static_cast<int64_t>(ms);
  *deadline_ms = t == 0 ? 0 : ctx.now_ms + t;
  return true;
}

bool serves_key(const CommandCtx& ctx, std::string_view key) {
  return !ctx.session.serving_key || *ctx.session.serving_key == key;
}

bool block_client(CommandCtx& ctx, BlockOn on, std::span<const std::string_view> keys, int64_t deadline_ms,
                  bool null_array, const std::vector<std::string>* argv) {
  Session& s = ctx.session;
  if (s.serving_key) return true;
  if (!s.can_block || s.multi.executing || s.in_script) return false;
  auto w = std::make_shared<BlockedWait>();
  w->client_id = s.id;
  w->db = s.db.load(std::memory_order_relaxed);
  w->resp.store(s.resp.load(std::memory_order_relaxed), std::memory_order_relaxed);
  w->on = on;
  w->timeout_null_array = null_array;
  w->deadline_ms = deadline_ms;
  if (argv) w->argv = *argv;
  else w->argv.assign(ctx.argv.begin(), ctx.argv.end());
  for (std::string_view k : keys) {
    if (std::find(w->keys.begin(), w->keys.end(), k) == w->keys.end()) w->keys.emplace_back(k);
  }
  ctx.server.blocked().block(w);
  s.blocked = std::move(w);
  return true;
}

}  // namespace cairn::command
