// XREAD and XREADGROUP, with BLOCK. A read that finds nothing new on any of
// its streams blocks (command/blocking.h, BlockOn::kStream) with `$` turned
// into the stream's last ID, so that when a write to one of its keys wakes
// it, running the same command again answers what came after. While being
// served only the key that changed is read, as Redis serves a blocked reader
// with the one stream that got data; a blocked XREADGROUP whose stream or
// group went away gets Redis's -UNBLOCKED / -NOGROUP error.
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/blocking.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/stream_args.h"
#include "command/table.h"
#include "model/numbers.h"
#include "model/stream_groups.h"

namespace cairn::command {

namespace {

using model::Collection;
using model::OpStatus;
using model::StreamEntry;
using model::StreamGroup;
using model::StreamId;

// A blocked XREAD served without COUNT answers at most this many entries.
constexpr size_t kBlockedDefaultCount = 1000;

struct ReadArgs {
  int64_t block_ms = -1;  // -1: no BLOCK
  int64_t count = 0;
  bool noack = false;
  bool has_group = false;
  std::string_view group, consumer;
  size_t streams_at = 0, streams = 0;
};

bool parse_read(CommandCtx& ctx, bool xreadgroup, ReadArgs* a) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const size_t more = ctx.argc() - i - 1;
    std::string_view o = ctx.arg(i);
    if (iequals(o, "block") && more) {
      if (ctx.session.in_script) {
        ctx.reply.error(fmt::format("ERR {} command is not allowed with BLOCK option from scripts", ctx.arg(0)));
        return false;
      }
      ++i;
      if (!model::parse_int64(ctx.arg(i), &a->block_ms)) {
        ctx.reply.error("ERR timeout is not an integer or out of range");
        return false;
      }
      if (a->block_ms < 0) {
        ctx.reply.error("ERR timeout is negative");
        return false;
      }
    } else if (iequals(o, "count") && more) {
      ++i;
      if (!arg_int(ctx, i, &a->count)) return false;
      if (a->count < 0) a->count = 0;
    } else if (iequals(o, "streams") && more) {
      a->streams_at = i + 1;
      size_t n = ctx.argc() - a->streams_at;
      if (n % 2 != 0) {
        ctx.reply.error(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return false;
      }
      a->streams = n / 2;
      break;
    } else if (iequals(o, "group") && more >= 2) {
      if (!xreadgroup) {
        ctx.reply.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->has_group = true;
      a->group = ctx.arg(i + 1);
      a->consumer = ctx.arg(i + 2);
      i += 2;
    } else if (iequals(o, "noack")) {
      if (!xreadgroup) {
        ctx.reply.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->noack = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (a->streams_at == 0) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  if (xreadgroup && !a->has_group) {
    ctx.reply.error("ERR Missing GROUP option for XREADGROUP");
    return false;
  }
  return true;
}

// What one stream contributes to the reply.
struct StreamResult {
  std::string_view key;
  std::vector<StreamEntry> entries;
  // History reads: one per pending entry, nullopt when it was deleted.
  std::vector<std::pair<StreamId, std::optional<StreamEntry>>> history;
  bool is_history = false;
};

void reply_results(CommandCtx& ctx, const std::vector<StreamResult>& results) {
  Reply& r = ctx.reply;
  const bool resp3 = r.protocol() == 3;
  if (resp3) r.map(results.size());
  else r.array(results.size());
  for (const auto& res : results) {
    if (!resp3) r.array(2);
    r.bulk(res.key);
    if (!res.is_history) {
      reply_entries(r, res.entries);
      continue;
    }
    r.array(res.history.size());
    for (const auto& [id, entry] : res.history) {
      if (entry) {
        reply_entry(r, *entry);
      } else {
        r.array(2);
        r.bulk(model::format_stream_id(id));
        r.null_array();
      }
    }
  }
}

// Delivers new entries to the group: its last ID and read counter move,
// and unless NOACK each entry becomes pending for the consumer.
void deliver(CommandCtx& ctx, Collection& c, StreamGroup& g, std::string_view consumer,
             const std::vector<StreamEntry>& entries, bool noack) {
  engine::Txn& t = ctx.txn();
  for (const auto& e : entries) {
    if (e.id > g.last_id) {
      if (g.entries_read != -1 && !model::stream_range_has_tombstones(c, e.id, model::kStreamIdMax)) {
        g.entries_read++;
      } else if (c.meta.stream.entries_added) {
        g.entries_read = model::stream_estimate_entries_read(c, e.id);
      }
      g.last_id = e.id;
    }
    if (!noack) {
      auto old = model::get_pending(t, c, g.name, e.id);
      model::put_pending(t, c, &g, old, {e.id, std::string(consumer), ctx.now_ms, 1});
    }
  }
}

void read_generic(CommandCtx& ctx, bool group_mode) {
  ReadArgs a;
  if (!parse_read(ctx, group_mode, &a)) return;
  const std::string* serving = ctx.session.serving_key;
  const size_t n = a.streams;
  std::vector<Collection> streams(n);
  std::vector<bool> exists(n, false);
  std::vector<StreamGroup> groups(n);
  std::vector<StreamId> ids(n);
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.arg(a.streams_at + i);
    std::string_view id_arg = ctx.arg(a.streams_at + n + i);
    OpStatus s = model::open_stream(ctx.view, ctx.ns(), key, ctx.now_ms, &streams[i]);
    if (s == OpStatus::kWrongType) {
      if (serving && !group_mode) {
        block_client(ctx, BlockOn::kStream, {}, 0, true);  // stays blocked until a stream is there
        return;
      }
      if (serving) {
        ctx.reply.error("UNBLOCKED the stream key no longer exists");
        return;
      }
      ctx.reply.error(err::kWrongType);
      return;
    }
    exists[i] = s == OpStatus::kOk;
    if (group_mode && (!exists[i] || !model::get_group(ctx.view, streams[i], a.group, &groups[i]))) {
      if (serving && !exists[i]) ctx.reply.error("UNBLOCKED the stream key no longer exists");
      else if (serving) ctx.reply.error("NOGROUP the consumer group this client was blocked on no longer exists");
      else {
        ctx.reply.error(fmt::format("NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                                    key, a.group));
      }
      return;
    }
    if (id_arg == "$") {
      if (group_mode) {
        ctx.reply.error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
            "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just "
            "return an empty result set.");
        return;
      }
      ids[i] = exists[i] ? model::stream_last_id(streams[i]) : model::kStreamIdMin;
    } else if (id_arg == ">") {
      if (!group_mode) {
        ctx.reply.error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> "
            "option.");
        return;
      }
      ids[i] = model::kStreamIdMax;
    } else if (!arg_stream_id(ctx, a.streams_at + n + i, &ids[i], 0, true)) {
      return;
    }
  }

  size_t count = static_cast<size_t>(a.count);
  if (serving && count == 0) count = kBlockedDefaultCount;
  std::vector<StreamResult> results;
  bool served_key = false;
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = ctx.arg(a.streams_at + i);
    if (serving && (*serving != key || served_key)) continue;
    if (!exists[i]) continue;
    Collection& c = streams[i];
    StreamResult res;
    res.key = key;
    StreamId start = ids[i];
    const bool history = group_mode && ids[i] != model::kStreamIdMax;
    if (history) {
      if (!model::stream_id_increment(&start)) start = model::kStreamIdMax;
    } else if (group_mode) {
      start = groups[i].last_id;
      if (!model::stream_id_increment(&start)) continue;
    } else if (!model::stream_id_increment(&start)) {
      continue;
    }
    if (!history) {
      res.entries = model::stream_range(ctx.view, c, start, model::kStreamIdMax, count, false);
      if (res.entries.empty()) continue;
    }
    if (group_mode) {
      engine::Txn& t = ctx.txn();
      StreamGroup& g = groups[i];
      bool created = false;
      model::StreamConsumer consumer = model::lookup_or_create_consumer(t, c, &g, a.consumer, ctx.now_ms, &created);
      model::touch_consumer(t, c, g.name, &consumer, ctx.now_ms);
      if (created) notify(ctx, engine::kEventStream, "xgroup-createconsumer", key);
      if (history) {
        res.is_history = true;
        for (auto& p : model::pending_range(t, c, g.name, start, model::kStreamIdMax, count, a.consumer)) {
          auto entry = model::stream_entry(t, c, p.id);
          if (entry) {
            auto old = p;
            p.delivery_ms = ctx.now_ms;
            p.delivery_count++;
            model::put_pending(t, c, &g, old, p);
          }
          res.history.emplace_back(p.id, std::move(entry));
        }
      } else {
        deliver(ctx, c, g, a.consumer, res.entries, a.noack);
      }
      model::put_group(t, c, g);
    }
    results.push_back(std::move(res));
    served_key = true;
  }
  if (!results.empty()) {
    reply_results(ctx, results);
    return;
  }
  if (a.block_ms < 0) {
    ctx.reply.null_array();
    return;
  }
  if (serving) {
    block_client(ctx, BlockOn::kStream, {}, 0, true);
    return;
  }
  // Waits with `$` made the ID it stood for, so a wake-up reads what came after.
  std::vector<std::string> argv(ctx.argv.begin(), ctx.argv.end());
  for (size_t i = 0; i < n; ++i) {
    if (argv[a.streams_at + n + i] == "$") argv[a.streams_at + n + i] = model::format_stream_id(ids[i]);
  }
  const int64_t deadline = a.block_ms == 0 ? 0 : ctx.now_ms + a.block_ms;
  if (!block_client(ctx, BlockOn::kStream, ctx.argv.subspan(a.streams_at, n), deadline, true, &argv)) {
    ctx.reply.null_array();
  }
}

void cmd_xread(CommandCtx& ctx) { read_generic(ctx, false); }
void cmd_xreadgroup(CommandCtx& ctx) { read_generic(ctx, true); }

// XREAD without BLOCK reads where reads run; with it, it runs on the writer,
// where a wait can be registered with no write slipping in between.
bool xread_runs_inline(std::span<const std::string_view> argv) {
  for (size_t i = 1; i < argv.size(); ++i) {
    if (iequals(argv[i], "streams")) break;
    if (iequals(argv[i], "block")) return false;
  }
  return true;
}

// Keys are after STREAMS: first_key/last_key cannot say where, so the
// table's key positions are the first one only (COMMAND GETKEYS aside).
CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since) {
  return make_spec("stream", "@stream", name, arity, flags, 0, 0, 0, h, summary, since);
}

}  // namespace

void register_stream_read_commands(CommandTable& t) {
  CommandSpec xread = spec("xread", -4, kReadOnly | kBlocking | kOnWriter, cmd_xread,
                           "Returns messages from multiple streams with IDs greater than the ones requested. "
                           "Blocks until a message is available otherwise.",
                           "5.0.0");
  xread.runs_inline = xread_runs_inline;
  t.add(std::move(xread));
  t.add(spec("xreadgroup", -7, kWrite | kBlocking, cmd_xreadgroup,
             "Returns new or historical messages from a stream for a consumer in a group. Blocks until a message "
             "is available otherwise.",
             "5.0.0"));
}

}  // namespace cairn::command
