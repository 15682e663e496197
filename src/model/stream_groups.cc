// Consumer groups, consumers and pending entries; see stream_groups.h.
#include "model/stream_groups.h"

#include <algorithm>

#include "engine/coding.h"
#include "engine/status.h"

namespace cairn::model {

namespace {

using engine::Cf;
using engine::get_be32;
using engine::get_le64;
using engine::kTagStreamConsumer;
using engine::kTagStreamConsumerPel;
using engine::kTagStreamGroup;
using engine::kTagStreamPel;
using engine::put_be32;
using engine::put_le64;

using engine::corrupt;


std::string name_part(std::string_view name) {
  std::string out;
  put_be32(&out, static_cast<uint32_t>(name.size()));
  out.append(name);
  return out;
}

// Group records are alone under their tag: the bare name sorts them as
// Redis lists them.
std::string group_key(const Collection& c, std::string_view group) { return c.member_key(kTagStreamGroup, group); }
std::string pel_prefix(const Collection& c, std::string_view group) {
  return c.member_key(kTagStreamPel, name_part(group));
}
std::string pel_key(const Collection& c, std::string_view group, StreamId id) {
  return pel_prefix(c, group) + encode_stream_id(id);
}
std::string consumer_prefix(const Collection& c, std::string_view group) {
  return c.member_key(kTagStreamConsumer, name_part(group));
}
std::string consumer_key(const Collection& c, std::string_view group, std::string_view consumer) {
  return consumer_prefix(c, group) + std::string(consumer);
}
std::string consumer_pel_prefix(const Collection& c, std::string_view group, std::string_view consumer) {
  return c.member_key(kTagStreamConsumerPel, name_part(group) + name_part(consumer));
}

std::string encode_group(const StreamGroup& g) {
  std::string out;
  put_le64(&out, g.last_id.ms);
  put_le64(&out, g.last_id.seq);
  put_le64(&out, static_cast<uint64_t>(g.entries_read));
  put_le64(&out, static_cast<uint64_t>(g.pending));
  put_le64(&out, static_cast<uint64_t>(g.consumers));
  return out;
}

StreamGroup decode_group(std::string_view name, std::string_view in) {
  if (in.size() != 40) corrupt("bad stream group");
  StreamGroup g;
  g.name = name;
  g.last_id = {get_le64(in.data()), get_le64(in.data() + 8)};
  g.entries_read = static_cast<int64_t>(get_le64(in.data() + 16));
  g.pending = static_cast<int64_t>(get_le64(in.data() + 24));
  g.consumers = static_cast<int64_t>(get_le64(in.data() + 32));
  return g;
}

std::string encode_consumer(const StreamConsumer& k) {
  std::string out;
  put_le64(&out, static_cast<uint64_t>(k.seen_ms));
  put_le64(&out, static_cast<uint64_t>(k.pending));
  return out;
}

StreamConsumer decode_consumer(std::string_view name, std::string_view in) {
  if (in.size() != 16) corrupt("bad stream consumer");
  return {std::string(name), static_cast<int64_t>(get_le64(in.data())), static_cast<int64_t>(get_le64(in.data() + 8))};
}

std::string encode_pending(const PendingEntry& e) {
  std::string out;
  put_le64(&out, static_cast<uint64_t>(e.delivery_ms));
  put_le64(&out, static_cast<uint64_t>(e.delivery_count));
  out.append(e.consumer);
  return out;
}

PendingEntry decode_pending(StreamId id, std::string_view in) {
  if (in.size() < 16) corrupt("bad stream pending entry");
  return {id, std::string(in.substr(16)), static_cast<int64_t>(get_le64(in.data())),
          static_cast<int64_t>(get_le64(in.data() + 8))};
}

bool get_raw(View& v, const std::string& key, std::string* out) {
  rocksdb::PinnableSlice slice;
  rocksdb::Status s = v.get(Cf::kMembers, key, &slice);
  engine::check(s);
  if (s.IsNotFound()) return false;
  out->assign(slice.data(), slice.size());
  return true;
}

// Adds `delta` to a consumer's pending count (it exists: entries are only
// pending for consumers of the group).
void add_consumer_pending(Txn& t, const Collection& c, std::string_view group, std::string_view name,
                          int64_t delta) {
  StreamConsumer k;
  if (!get_consumer(t, c, group, name, &k)) return;
  k.pending += delta;
  t.put(Cf::kMembers, consumer_key(c, group, name), encode_consumer(k));
}

// Every key in [prefix, successor) of the members family.
template <typename Fn>
void for_each_under(View& v, const std::string& prefix, Fn&& fn) {
  auto it = v.iterate(Cf::kMembers, prefix, engine::prefix_successor(prefix));
  for ((*it)->Seek(prefix); (*it)->Valid(); (*it)->Next()) {
    if (!fn((*it)->key().ToStringView(), (*it)->value().ToStringView())) break;
  }
  engine::check((*it)->status());
}

}  // namespace

bool get_group(View& v, const Collection& c, std::string_view name, StreamGroup* g) {
  if (!c.exists && c.prefix.empty()) return false;
  std::string raw;
  if (!get_raw(v, group_key(c, name), &raw)) return false;
  *g = decode_group(name, raw);
  return true;
}

std::vector<StreamGroup> list_groups(View& v, const Collection& c) {
  std::vector<StreamGroup> out;
  const std::string prefix = c.tag_begin(kTagStreamGroup);
  for_each_under(v, prefix, [&](std::string_view k, std::string_view value) {
    out.push_back(decode_group(k.substr(prefix.size()), value));
    return true;
  });
  return out;
}

void put_group(Txn& t, const Collection& c, const StreamGroup& g) {
  t.put(Cf::kMembers, group_key(c, g.name), encode_group(g));
}

bool create_group(Txn& t, Collection* c, const StreamGroup& g) {
  StreamGroup existing;
  if (get_group(t, *c, g.name, &existing)) return false;
  put_group(t, *c, g);
  c->meta.stream.groups++;
  return true;
}

bool destroy_group(Txn& t, Collection* c, std::string_view name) {
  StreamGroup g;
  if (!get_group(t, *c, name, &g)) return false;
  std::vector<std::string> doomed;
  for (const std::string& prefix : {pel_prefix(*c, name), consumer_prefix(*c, name),
                                    c->member_key(kTagStreamConsumerPel, name_part(name))}) {
    for_each_under(t, prefix, [&](std::string_view k, std::string_view) {
      doomed.emplace_back(k);
      return true;
    });
  }
  for (const auto& k : doomed) t.del(Cf::kMembers, k);
  t.del(Cf::kMembers, group_key(*c, name));
  c->meta.stream.groups--;
  return true;
}

bool get_consumer(View& v, const Collection& c, std::string_view group, std::string_view name, StreamConsumer* out) {
  std::string raw;
  if (!get_raw(v, consumer_key(c, group, name), &raw)) return false;
  *out = decode_consumer(name, raw);
  return true;
}

std::vector<StreamConsumer> list_consumers(View& v, const Collection& c, std::string_view group) {
  std::vector<StreamConsumer> out;
  const std::string prefix = consumer_prefix(c, group);
  for_each_under(v, prefix, [&](std::string_view k, std::string_view value) {
    out.push_back(decode_consumer(k.substr(prefix.size()), value));
    return true;
  });
  return out;
}

StreamConsumer lookup_or_create_consumer(Txn& t, const Collection& c, StreamGroup* g, std::string_view name,
                                         int64_t now_ms, bool* created) {
  StreamConsumer k;
  *created = !get_consumer(t, c, g->name, name, &k);
  if (*created) {
    k = StreamConsumer{std::string(name), now_ms, 0};
    t.put(Cf::kMembers, consumer_key(c, g->name, name), encode_consumer(k));
    g->consumers++;
  }
  return k;
}

void touch_consumer(Txn& t, const Collection& c, std::string_view group, StreamConsumer* consumer, int64_t now_ms) {
  consumer->seen_ms = now_ms;
  t.put(Cf::kMembers, consumer_key(c, group, consumer->name), encode_consumer(*consumer));
}

int64_t delete_consumer(Txn& t, const Collection& c, StreamGroup* g, std::string_view name) {
  StreamConsumer k;
  if (!get_consumer(t, c, g->name, name, &k)) return -1;
  const std::string prefix = consumer_pel_prefix(c, g->name, name);
  std::vector<std::string> doomed;
  for_each_under(t, prefix, [&](std::string_view key, std::string_view) {
    doomed.emplace_back(key);
    return true;
  });
  for (const auto& key : doomed) {
    t.del(Cf::kMembers, key);
    t.del(Cf::kMembers, pel_key(c, g->name, decode_stream_id(std::string_view(key).substr(prefix.size()))));
  }
  t.del(Cf::kMembers, consumer_key(c, g->name, name));
  g->pending -= static_cast<int64_t>(doomed.size());
  g->consumers--;
  return k.pending;
}

std::optional<PendingEntry> get_pending(View& v, const Collection& c, std::string_view group, StreamId id) {
  std::string raw;
  if (!get_raw(v, pel_key(c, group, id), &raw)) return std::nullopt;
  return decode_pending(id, raw);
}

std::vector<PendingEntry> pending_range(View& v, const Collection& c, std::string_view group, StreamId start,
                                        StreamId end, size_t count, std::optional<std::string_view> consumer,
                                        int64_t min_idle_ms, int64_t now_ms) {
  std::vector<PendingEntry> out;
  if (start > end) return out;
  const std::string prefix = consumer ? consumer_pel_prefix(c, group, *consumer) : pel_prefix(c, group);
  const std::string lower = prefix + encode_stream_id(start);
  auto it = v.iterate(Cf::kMembers, lower, engine::prefix_successor(prefix));
  for ((*it)->Seek(lower); (*it)->Valid(); (*it)->Next()) {
    std::string_view k = (*it)->key().ToStringView();
    if (k.size() != prefix.size() + 16) corrupt("bad stream pending key");
    StreamId id = decode_stream_id(k.substr(prefix.size()));
    if (id > end) break;
    PendingEntry e;
    if (consumer) {
      auto found = get_pending(v, c, group, id);
      if (!found) corrupt("stream pending entry missing");
      e = std::move(*found);
    } else {
      e = decode_pending(id, (*it)->value().ToStringView());
    }
    if (min_idle_ms > 0 && now_ms - e.delivery_ms < min_idle_ms) continue;
    out.push_back(std::move(e));
    if (count && out.size() == count) break;
  }
  engine::check((*it)->status());
  return out;
}

PendingSummary pending_summary(View& v, const Collection& c, const StreamGroup& g) {
  PendingSummary s;
  s.count = g.pending;
  if (g.pending == 0) return s;
  const std::string prefix = pel_prefix(c, g.name);
  auto it = v.iterate(Cf::kMembers, prefix, engine::prefix_successor(prefix));
  (*it)->Seek(prefix);
  if ((*it)->Valid()) s.min = decode_stream_id((*it)->key().ToStringView().substr(prefix.size()));
  (*it)->SeekToLast();
  if ((*it)->Valid()) s.max = decode_stream_id((*it)->key().ToStringView().substr(prefix.size()));
  engine::check((*it)->status());
  for (const auto& k : list_consumers(v, c, g.name)) {
    if (k.pending > 0) s.consumers.emplace_back(k.name, k.pending);
  }
  return s;
}

void put_pending(Txn& t, const Collection& c, StreamGroup* g, const std::optional<PendingEntry>& old,
                 const PendingEntry& e) {
  if (old && old->consumer != e.consumer) {
    t.del(Cf::kMembers, consumer_pel_prefix(c, g->name, old->consumer) + encode_stream_id(e.id));
    add_consumer_pending(t, c, g->name, old->consumer, -1);
  }
  if (!old || old->consumer != e.consumer) {
    t.put(Cf::kMembers, consumer_pel_prefix(c, g->name, e.consumer) + encode_stream_id(e.id), "");
    add_consumer_pending(t, c, g->name, e.consumer, 1);
  }
  if (!old) g->pending++;
  t.put(Cf::kMembers, pel_key(c, g->name, e.id), encode_pending(e));
}

void delete_pending(Txn& t, const Collection& c, StreamGroup* g, const PendingEntry& e) {
  t.del(Cf::kMembers, pel_key(c, g->name, e.id));
  t.del(Cf::kMembers, consumer_pel_prefix(c, g->name, e.consumer) + encode_stream_id(e.id));
  add_consumer_pending(t, c, g->name, e.consumer, -1);
  g->pending--;
}

}  // namespace cairn::model
