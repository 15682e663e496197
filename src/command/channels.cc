// Pub/sub's registry; see channels.h.
#include "command/channels.h"

#include <algorithm>

#include "model/glob.h"

namespace cairn::command {

std::map<std::string, std::set<Subscriber*>, std::less<>>& Channels::table(Space space) {
  switch (space) {
    case Space::kChannel: return channels_;
    case Space::kPattern: return patterns_;
    case Space::kShard: return shards_;
  }
  return channels_;
}

bool Channels::subscribe(Subscriber* s, Space space, std::string_view name) {
  std::lock_guard lock(mu_);
  auto& subs = table(space)[std::string(name)];
  if (!subs.insert(s).second) return false;
  by_subscriber_[static_cast<int>(space)][s].emplace_back(name);
  return true;
}

bool Channels::unsubscribe(Subscriber* s, Space space, std::string_view name) {
  std::lock_guard lock(mu_);
  auto& t = table(space);
  auto it = t.find(name);
  if (it == t.end() || it->second.erase(s) == 0) return false;
  if (it->second.empty()) t.erase(it);
  auto& mine = by_subscriber_[static_cast<int>(space)];
  auto m = mine.find(s);
  if (m != mine.end()) {
    auto& v = m->second;
    v.erase(std::find(v.begin(), v.end(), name));
    if (v.empty()) mine.erase(m);
  }
  return true;
}

std::vector<std::string> Channels::names(Subscriber* s, Space space) {
  std::lock_guard lock(mu_);
  auto& mine = by_subscriber_[static_cast<int>(space)];
  auto m = mine.find(s);
  return m == mine.end() ? std::vector<std::string>() : m->second;
}

size_t Channels::count(Subscriber* s, Space space) {
  std::lock_guard lock(mu_);
  auto& mine = by_subscriber_[static_cast<int>(space)];
  auto m = mine.find(s);
  return m == mine.end() ? 0 : m->second.size();
}

void Channels::unsubscribe_all(Subscriber* s) {
  for (Space space : {Space::kChannel, Space::kPattern, Space::kShard}) {
    for (const auto& name : names(s, space)) unsubscribe(s, space, name);
  }
}

int64_t Channels::publish(std::string_view channel, std::string_view payload, bool shard) {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  PubSubMessage m;
  m.channel = channel;
  m.payload = payload;
  if (shard) {
    m.kind = PubSubMessage::Kind::kSMessage;
    if (auto it = shards_.find(channel); it != shards_.end()) {
      for (Subscriber* s : it->second) s->deliver(m), ++n;
    }
    return n;
  }
  if (auto it = channels_.find(channel); it != channels_.end()) {
    for (Subscriber* s : it->second) s->deliver(m), ++n;
  }
  m.kind = PubSubMessage::Kind::kPMessage;
  for (const auto& [pattern, subs] : patterns_) {
    if (!model::glob_match(pattern, channel)) continue;
    m.pattern = pattern;
    for (Subscriber* s : subs) s->deliver(m), ++n;
  }
  return n;
}

std::vector<std::string> Channels::active(Space space, std::string_view pattern) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : table(space)) {
    if (pattern.empty() || model::glob_match(pattern, name)) out.push_back(name);
  }
  return out;
}

int64_t Channels::subscribers(Space space, std::string_view channel) {
  std::lock_guard lock(mu_);
  auto& t = table(space);
  auto it = t.find(channel);
  return it == t.end() ? 0 : static_cast<int64_t>(it->second.size());
}

size_t Channels::active_count(Space space) {
  std::lock_guard lock(mu_);
  return table(space).size();
}

Channels::Counts Channels::counts(Subscriber* s) {
  std::lock_guard lock(mu_);
  Counts c;
  if (!s) return c;
  size_t* out[3] = {&c.channels, &c.patterns, &c.shards};
  for (int i = 0; i < 3; ++i) {
    auto m = by_subscriber_[i].find(s);
    if (m != by_subscriber_[i].end()) *out[i] = m->second.size();
  }
  return c;
}

int64_t Channels::patterns() {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(patterns_.size());
}

}  // namespace cairn::command
