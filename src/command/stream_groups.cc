// Consumer group commands: XGROUP (CREATE SETID DESTROY CREATECONSUMER
// DELCONSUMER HELP), XACK, XPENDING, XCLAIM and XAUTOCLAIM, on the records of
// model/stream_groups. Reading as a group member (XREADGROUP) is in
// stream_read.cc. Arguments, errors and replies follow Redis 7.0.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/introspection.h"
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
using model::PendingEntry;
using model::StreamGroup;
using model::StreamId;

bool wrong_type(CommandCtx& ctx, OpStatus s) {
  if (s != OpStatus::kWrongType) return false;
  ctx.reply.error(err::kWrongType);
  return true;
}

// Redis's getLongLongFromObjectOrReply with a message of the command's own.
bool arg_int_or(CommandCtx& ctx, size_t i, int64_t* out, std::string_view msg) {
  if (model::parse_int64(ctx.arg(i), out)) return true;
  ctx.reply.error(msg);
  return false;
}


// Opens the stream and its group for XACK/XPENDING/XCLAIM/XAUTOCLAIM;
// replies NOGROUP (or WRONGTYPE) and returns false when either is missing.
bool open_group(CommandCtx& ctx, Collection* c, StreamGroup* g) {
  OpStatus s = model::open_stream(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, c);
  if (wrong_type(ctx, s)) return false;
  if (s != OpStatus::kOk || !model::get_group(ctx.view, *c, ctx.arg(2), g)) {
    ctx.reply.error(fmt::format("NOGROUP No such key '{}' or consumer group '{}'", ctx.arg(1), ctx.arg(2)));
    return false;
  }
  return true;
}

void cmd_xgroup(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  const size_t argc = ctx.argc();
  if (!introspection::subcommand_ok(ctx)) return;
  if (iequals(sub, "help")) {
    introspection::reply_help(ctx, {
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
    });
    return;
  }
  // subcommand_ok checked the arity of each subcommand.
  const bool create = iequals(sub, "create"), setid = iequals(sub, "setid");
  bool mkstream = false;
  int64_t entries_read = -1;
  for (size_t i = 5; i < argc;) {
    if (create && iequals(ctx.arg(i), "mkstream")) {
      mkstream = true;
      ++i;
    } else if ((create || setid) && iequals(ctx.arg(i), "entriesread") && i + 1 < argc) {
      if (!arg_int(ctx, i + 1, &entries_read)) return;
      if (entries_read < 0 && entries_read != -1) {
        ctx.reply.error("ERR value for ENTRIESREAD must be positive or -1");
        return;
      }
      i += 2;
    } else {
      subcommand_syntax_error(ctx);
      return;
    }
  }
  engine::Txn& t = ctx.txn();
  std::string_view key = ctx.arg(2), name = ctx.arg(3);
  Collection c;
  OpStatus s = model::open_stream_for_write(t, ctx.ns(), key, false, &c);
  if (wrong_type(ctx, s)) return;
  const bool exists = s == OpStatus::kOk;
  StreamGroup g;
  bool have_group = false;
  if (!mkstream) {
    if (!exists) {
      ctx.reply.error(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
          "MKSTREAM option to create an empty stream automatically.");
      return;
    }
    have_group = model::get_group(t, c, name, &g);
    if (!have_group && (setid || iequals(sub, "createconsumer") || iequals(sub, "delconsumer"))) {
      ctx.reply.error(fmt::format("NOGROUP No such consumer group '{}' for key name '{}'", name, key));
      return;
    }
  }
  if (create && argc >= 5 && argc <= 8) {
    StreamId id;
    if (ctx.arg(4) == "$") id = exists ? model::stream_last_id(c) : model::kStreamIdMin;
    else if (!arg_stream_id(ctx, 4, &id, 0, true)) return;
    if (!exists) model::open_stream_for_write(t, ctx.ns(), key, true, &c);
    if (!model::create_group(t, &c, StreamGroup{std::string(name), id, entries_read, 0, 0})) {
      ctx.reply.error("BUSYGROUP Consumer Group name already exists");
      return;
    }
    model::save_stream(t, ctx.ns(), key, &c);
    notify(ctx, engine::kEventStream, "xgroup-create", key);
    ctx.reply.ok();
  } else if (setid && (argc == 5 || argc == 7)) {
    StreamId id;
    if (ctx.arg(4) == "$") id = model::stream_last_id(c);
    else if (!arg_stream_id(ctx, 4, &id, 0, false)) return;
    g.last_id = id;
    g.entries_read = entries_read;
    model::put_group(t, c, g);
    notify(ctx, engine::kEventStream, "xgroup-setid", key);
    ctx.reply.ok();
  } else if (iequals(sub, "destroy")) {
    if (!have_group) {
      ctx.reply.integer(0);
      return;
    }
    model::destroy_group(t, &c, name);
    // The stream's record changes (its group count): a reader blocked on
    // this group wakes and learns it is gone.
    model::save_stream(t, ctx.ns(), key, &c);
    notify(ctx, engine::kEventStream, "xgroup-destroy", key);
    ctx.reply.integer(1);
  } else if (iequals(sub, "createconsumer")) {
    bool created = false;
    model::lookup_or_create_consumer(t, c, &g, ctx.arg(4), ctx.now_ms, &created);
    if (created) {
      model::put_group(t, c, g);
      notify(ctx, engine::kEventStream, "xgroup-createconsumer", key);
    }
    ctx.reply.integer(created ? 1 : 0);
  } else if (iequals(sub, "delconsumer")) {
    int64_t pending = model::delete_consumer(t, c, &g, ctx.arg(4));
    if (pending >= 0) {
      model::put_group(t, c, g);
      notify(ctx, engine::kEventStream, "xgroup-delconsumer", key);
    }
    ctx.reply.integer(pending < 0 ? 0 : pending);
  } else {
    subcommand_syntax_error(ctx);
  }
}

void cmd_xack(CommandCtx& ctx) {
  engine::Txn& t = ctx.txn();
  Collection c;
  OpStatus s = model::open_stream(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (wrong_type(ctx, s)) return;
  StreamGroup g;
  if (s != OpStatus::kOk || !model::get_group(t, c, ctx.arg(2), &g)) {
    ctx.reply.integer(0);
    return;
  }
  std::vector<StreamId> ids(ctx.argc() - 3);
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (!arg_stream_id(ctx, j, &ids[j - 3], 0, true)) return;
  }
  int64_t acked = 0;
  for (StreamId id : ids) {
    auto p = model::get_pending(t, c, g.name, id);
    if (!p) continue;
    model::delete_pending(t, c, &g, *p);
    ++acked;
  }
  if (acked) model::put_group(t, c, g);
  ctx.reply.integer(acked);
}

void cmd_xpending(CommandCtx& ctx) {
  const size_t argc = ctx.argc();
  const bool summary = argc == 3;
  if (argc != 3 && (argc < 6 || argc > 9)) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  StreamId start, end;
  int64_t count = 0, min_idle = 0;
  std::optional<std::string_view> consumer;
  if (!summary) {
    size_t at = 3;
    if (iequals(ctx.arg(3), "idle")) {
      if (!arg_int(ctx, 4, &min_idle)) return;
      if (argc < 8) {
        ctx.reply.error(err::kSyntax);
        return;
      }
      at += 2;
    }
    if (!arg_int(ctx, at + 2, &count)) return;
    if (count < 0) count = 0;
    if (!arg_range_start(ctx, at, &start) || !arg_range_end(ctx, at + 1, &end)) return;
    if (at + 3 < argc) consumer = ctx.arg(at + 3);
  }
  Collection c;
  StreamGroup g;
  if (!open_group(ctx, &c, &g)) return;
  Reply& r = ctx.reply;
  if (summary) {
    auto sum = model::pending_summary(ctx.view, c, g);
    r.array(4);
    r.integer(sum.count);
    if (sum.count == 0) {
      r.null();
      r.null();
      r.null_array();
      return;
    }
    r.bulk(model::format_stream_id(sum.min));
    r.bulk(model::format_stream_id(sum.max));
    r.array(sum.consumers.size());
    for (const auto& [name, n] : sum.consumers) {
      r.array(2);
      r.bulk(name);
      r.bulk(std::to_string(n));
    }
    return;
  }
  if (consumer) {
    model::StreamConsumer k;
    if (!model::get_consumer(ctx.view, c, g.name, *consumer, &k)) count = 0;
  }
  std::vector<PendingEntry> entries;
  if (count > 0) {
    entries = model::pending_range(ctx.view, c, g.name, start, end, static_cast<size_t>(count), consumer, min_idle,
                                   ctx.now_ms);
  }
  r.array(entries.size());
  for (const auto& e : entries) {
    r.array(4);
    r.bulk(model::format_stream_id(e.id));
    r.bulk(e.consumer);
    r.integer(std::max<int64_t>(ctx.now_ms - e.delivery_ms, 0));
    r.integer(e.delivery_count);
  }
}

// Gives pending entry `p` (or a new one) to `consumer`, as XCLAIM and
// XAUTOCLAIM do; the consumer is created on first use.
struct Claimer {
  CommandCtx& ctx;
  Collection& c;
  StreamGroup& g;
  std::string_view name;
  bool have_consumer = false;

  void claim(const std::optional<PendingEntry>& old, PendingEntry e) {
    engine::Txn& t = ctx.txn();
    if (!have_consumer) {
      bool created = false;
      model::StreamConsumer k = model::lookup_or_create_consumer(t, c, &g, name, ctx.now_ms, &created);
      model::touch_consumer(t, c, g.name, &k, ctx.now_ms);
      if (created) notify(ctx, engine::kEventStream, "xgroup-createconsumer", ctx.arg(1));
      have_consumer = true;
    }
    e.consumer = name;
    model::put_pending(t, c, &g, old, e);
  }
};

void cmd_xclaim(CommandCtx& ctx) {
  engine::Txn& t = ctx.txn();
  Collection c;
  StreamGroup g;
  if (!open_group(ctx, &c, &g)) return;
  int64_t min_idle = 0;
  if (!arg_int_or(ctx, 4, &min_idle, "ERR Invalid min-idle-time argument for XCLAIM")) return;
  if (min_idle < 0) min_idle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < ctx.argc(); ++j) {
    StreamId id;
    if (!parse_stream_id(ctx.arg(j), &id, 0, true, nullptr)) break;
    ids.push_back(id);
  }
  const int64_t now = ctx.now_ms;
  int64_t retry_count = -1, delivery_ms = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < ctx.argc(); ++j) {
    const bool more = j + 1 < ctx.argc();
    std::string_view opt = ctx.arg(j);
    if (iequals(opt, "force")) {
      force = true;
    } else if (iequals(opt, "justid")) {
      justid = true;
    } else if (iequals(opt, "idle") && more) {
      if (!arg_int_or(ctx, ++j, &delivery_ms, "ERR Invalid IDLE option argument for XCLAIM")) return;
      delivery_ms = now - delivery_ms;
    } else if (iequals(opt, "time") && more) {
      if (!arg_int_or(ctx, ++j, &delivery_ms, "ERR Invalid TIME option argument for XCLAIM")) return;
    } else if (iequals(opt, "retrycount") && more) {
      if (!arg_int_or(ctx, ++j, &retry_count, "ERR Invalid RETRYCOUNT option argument for XCLAIM")) return;
    } else if (iequals(opt, "lastid") && more) {
      if (!arg_stream_id(ctx, ++j, &last_id, 0, true)) return;
    } else {
      ctx.reply.error(introspection::one_line(fmt::format("ERR Unrecognized XCLAIM option '{}'", opt)));
      return;
    }
  }
  bool group_changed = false;
  if (last_id > g.last_id) {
    g.last_id = last_id;
    group_changed = true;
  }
  if (delivery_ms == -1 || delivery_ms < 0 || delivery_ms > now) delivery_ms = now;
  Claimer claimer{ctx, c, g, ctx.arg(3)};
  std::vector<model::StreamEntry> claimed;
  for (StreamId id : ids) {
    auto old = model::get_pending(t, c, g.name, id);
    auto entry = model::stream_entry(t, c, id);
    if (!entry) {
      // Deleted from the stream: it leaves the pending list too.
      if (old) {
        model::delete_pending(t, c, &g, *old);
        group_changed = true;
      }
      continue;
    }
    if (!old && !force) continue;
    if (old && min_idle && now - old->delivery_ms < min_idle) continue;
    // A pending entry FORCE creates starts delivered once, as in Redis.
    PendingEntry e = old ? *old : PendingEntry{id, "", 0, 1};
    e.delivery_ms = delivery_ms;
    if (retry_count >= 0) e.delivery_count = retry_count;
    else if (!justid) e.delivery_count++;
    claimer.claim(old, e);
    group_changed = true;
    claimed.push_back(std::move(*entry));
  }
  if (group_changed) model::put_group(t, c, g);
  Reply& r = ctx.reply;
  r.array(claimed.size());
  for (const auto& e : claimed) {
    if (justid) r.bulk(model::format_stream_id(e.id));
    else reply_entry(r, e);
  }
}

void cmd_xautoclaim(CommandCtx& ctx) {
  engine::Txn& t = ctx.txn();
  int64_t min_idle = 0;
  if (!arg_int_or(ctx, 4, &min_idle, "ERR Invalid min-idle-time argument for XAUTOCLAIM")) return;
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  if (!arg_range_start(ctx, 5, &start)) return;
  int64_t count = 100;
  bool justid = false;
  constexpr int64_t kAttemptsFactor = 10;
  for (size_t j = 6; j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!model::parse_int64(ctx.arg(j + 1), &count) || count < 1 ||
          count > std::numeric_limits<int64_t>::max() / 16) {
        ctx.reply.error("ERR COUNT must be > 0");
        return;
      }
      ++j;
    } else if (iequals(ctx.arg(j), "justid")) {
      justid = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  Collection c;
  StreamGroup g;
  if (!open_group(ctx, &c, &g)) return;
  Claimer claimer{ctx, c, g, ctx.arg(3)};
  int64_t attempts = count * kAttemptsFactor;
  std::vector<model::StreamEntry> claimed;
  std::vector<StreamId> deleted;
  StreamId next = model::kStreamIdMin;
  bool changed = false;
  // Reads the PEL a page at a time: at most `attempts` entries are looked at.
  StreamId from = start;
  bool done = false;
  while (!done) {
    auto page = model::pending_range(t, c, g.name, from, model::kStreamIdMax,
                                     static_cast<size_t>(std::min<int64_t>(attempts + 1, 1024)), std::nullopt);
    if (page.empty()) break;
    for (size_t i = 0; i < page.size(); ++i) {
      if (attempts == 0 || count == 0) {
        next = page[i].id;
        done = true;
        break;
      }
      --attempts;
      PendingEntry& p = page[i];
      auto entry = model::stream_entry(t, c, p.id);
      if (!entry) {
        model::delete_pending(t, c, &g, p);
        deleted.push_back(p.id);
        changed = true;
        --count;
        continue;
      }
      if (min_idle && ctx.now_ms - p.delivery_ms < min_idle) continue;
      PendingEntry e = p;
      e.delivery_ms = ctx.now_ms;
      if (!justid) e.delivery_count++;
      claimer.claim(p, e);
      changed = true;
      claimed.push_back(std::move(*entry));
      --count;
    }
    if (done) break;
    from = page.back().id;
    if (!model::stream_id_increment(&from)) break;
  }
  if (changed) model::put_group(t, c, g);
  Reply& r = ctx.reply;
  r.array(3);
  r.bulk(model::format_stream_id(next));
  r.array(claimed.size());
  for (const auto& e : claimed) {
    if (justid) r.bulk(model::format_stream_id(e.id));
    else reply_entry(r, e);
  }
  r.array(deleted.size());
  for (StreamId id : deleted) r.bulk(model::format_stream_id(id));
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since, int first = 1) {
  return make_spec("stream", "@stream", name, arity, flags, first, first, 1, h, summary, since);
}

}  // namespace

void register_stream_group_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadOnly, F = kFast, M = kDenyOom;
  CommandSpec xgroup = spec("xgroup", -2, W | M, cmd_xgroup, "A container for consumer groups commands.", "5.0.0", 2);
  xgroup.subcommands = {"xgroup|create", "xgroup|setid", "xgroup|destroy", "xgroup|createconsumer",
                        "xgroup|delconsumer", "xgroup|help"};
  t.add(std::move(xgroup));
  t.add(spec("xack", -4, W | F, cmd_xack,
             "Returns the number of messages that were successfully acknowledged by the consumer group member of a "
             "stream.",
             "5.0.0"));
  t.add(spec("xpending", -3, R, cmd_xpending,
             "Returns the information and entries from a stream consumer group's pending entries list.", "5.0.0"));
  t.add(spec("xclaim", -6, W | F, cmd_xclaim,
             "Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a "
             "consumer group member.",
             "5.0.0"));
  t.add(spec("xautoclaim", -6, W | F, cmd_xautoclaim,
             "Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to "
             "as consumer group member.",
             "6.2.0"));
}

}  // namespace cairn::command
