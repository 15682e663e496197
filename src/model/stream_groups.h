// Consumer groups of a stream (model/stream.h), each part its own member
// record under the stream's version ([group] is [len:4 BE][name] except as
// the whole sub key of 'g'):
//
//   'g' [group]                  -> last delivered ID, entries read, pending and consumer counts
//   'p' [group][id]              -> the pending entry: delivery time, delivery count, consumer
//   'k' [group][consumer]        -> the consumer: seen time, pending count
//   'q' [group][consumer][id]    -> "" (the consumer's own pending list)
//
// so a group's pending list (PEL) is a range in ID order, a consumer's too,
// and none of XREADGROUP, XACK, XCLAIM or XPENDING reads more than it
// answers. The counts in the group and consumer records are kept in step by
// the functions here; callers save a changed StreamGroup with put_group.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/stream.h"

namespace cairn::model {

struct StreamGroup {
  std::string name;
  StreamId last_id;
  int64_t entries_read = -1;  // -1: unknown (Redis's SCG_INVALID_ENTRIES_READ)
  int64_t pending = 0;
  int64_t consumers = 0;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_ms = 0;
  int64_t pending = 0;
};

struct PendingEntry {
  StreamId id;
  std::string consumer;
  int64_t delivery_ms = 0;
  int64_t delivery_count = 0;
};

bool get_group(View& v, const Collection& c, std::string_view name, StreamGroup* g);
std::vector<StreamGroup> list_groups(View& v, const Collection& c);
void put_group(Txn& t, const Collection& c, const StreamGroup& g);
// XGROUP CREATE: false if the group exists. Counts it in the stream's meta
// (the caller saves the stream).
bool create_group(Txn& t, Collection* c, const StreamGroup& g);
// XGROUP DESTROY: false if there is no such group.
bool destroy_group(Txn& t, Collection* c, std::string_view name);

bool get_consumer(View& v, const Collection& c, std::string_view group, std::string_view name, StreamConsumer* out);
std::vector<StreamConsumer> list_consumers(View& v, const Collection& c, std::string_view group);
// The consumer, created (seen now) if missing; *created says which.
StreamConsumer lookup_or_create_consumer(Txn& t, const Collection& c, StreamGroup* g, std::string_view name,
                                         int64_t now_ms, bool* created);
void touch_consumer(Txn& t, const Collection& c, std::string_view group, StreamConsumer* consumer, int64_t now_ms);
// XGROUP DELCONSUMER: its pending entries go too. The number of them, or -1
// if there was no such consumer.
int64_t delete_consumer(Txn& t, const Collection& c, StreamGroup* g, std::string_view name);

std::optional<PendingEntry> get_pending(View& v, const Collection& c, std::string_view group, StreamId id);
// The group's pending entries with start <= id <= end, in ID order, at most
// `count` (0: all); only those of `consumer` when given; only those idle at
// least `min_idle_ms` (at now_ms) when > 0.
std::vector<PendingEntry> pending_range(View& v, const Collection& c, std::string_view group, StreamId start,
                                        StreamId end, size_t count, std::optional<std::string_view> consumer,
                                        int64_t min_idle_ms = 0, int64_t now_ms = 0);
struct PendingSummary {
  int64_t count = 0;
  StreamId min, max;
  std::vector<std::pair<std::string, int64_t>> consumers;  // with pending entries, by name
};
PendingSummary pending_summary(View& v, const Collection& c, const StreamGroup& g);
// Records `e` as pending for e.consumer; `old` is what was pending for its ID
// (moved from that consumer). Keeps the group's and consumers' counts.
void put_pending(Txn& t, const Collection& c, StreamGroup* g, const std::optional<PendingEntry>& old,
                 const PendingEntry& e);
void delete_pending(Txn& t, const Collection& c, StreamGroup* g, const PendingEntry& e);

}  // namespace cairn::model
