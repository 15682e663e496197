// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO
// HELP: what a stream, its groups and consumers hold, with Redis 7.0's
// fields (entries-added, max-deleted-entry-id, recorded-first-entry-id,
// entries-read and lag). radix-tree-keys is the stream's node count
// (model/stream.h, the same as Redis's for the same commands);
// radix-tree-nodes, which has no counterpart, reports the same number.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/introspection.h"
#include "command/server_context.h"
#include "command/stream_args.h"
#include "command/table.h"
#include "model/stream_groups.h"

namespace cairn::command {

namespace {

using model::Collection;
using model::OpStatus;
using model::StreamGroup;


void reply_id(Reply& r, model::StreamId id) { r.bulk(model::format_stream_id(id)); }

// Redis's streamReplyWithCGLag: the entries not yet delivered to the group,
// or null when XDELs make it unknowable.
void reply_lag(Reply& r, const Collection& c, const StreamGroup& g) {
  const auto added = static_cast<int64_t>(c.meta.stream.entries_added);
  if (added == 0) {
    r.integer(0);
    return;
  }
  if (g.entries_read != -1 && !model::stream_range_has_tombstones(c, g.last_id, model::kStreamIdMax)) {
    r.integer(added - g.entries_read);
    return;
  }
  int64_t read = model::stream_estimate_entries_read(c, g.last_id);
  if (read != -1) r.integer(added - read);
  else r.null();
}

void reply_entries_read(Reply& r, const StreamGroup& g) {
  if (g.entries_read != -1) r.integer(g.entries_read);
  else r.null();
}

void reply_stream(CommandCtx& ctx, const Collection& c) {
  const size_t optc = ctx.argc() - 3;
  bool full = optc > 0;
  int64_t count = 10;
  if (full) {
    if ((optc != 1 && optc != 3) || !iequals(ctx.arg(3), "full") || (optc == 3 && !iequals(ctx.arg(4), "count"))) {
      subcommand_syntax_error(ctx);
      return;
    }
    if (optc == 3) {
      if (!arg_int(ctx, 5, &count)) return;
      if (count < 0) count = 10;
    }
  }
  Reply& r = ctx.reply;
  engine::View& v = ctx.view;
  const int64_t nodes = model::stream_node_count(c);
  r.map(full ? 9 : 10);
  r.bulk("length");
  r.integer(c.meta.count);
  r.bulk("radix-tree-keys");
  r.integer(nodes);
  r.bulk("radix-tree-nodes");
  r.integer(nodes);
  r.bulk("last-generated-id");
  reply_id(r, model::stream_last_id(c));
  r.bulk("max-deleted-entry-id");
  reply_id(r, model::stream_max_deleted_id(c));
  r.bulk("entries-added");
  r.integer(static_cast<int64_t>(c.meta.stream.entries_added));
  r.bulk("recorded-first-entry-id");
  reply_id(r, model::stream_first_id(c));
  if (!full) {
    r.bulk("groups");
    r.integer(static_cast<int64_t>(c.meta.stream.groups));
    for (bool last : {false, true}) {
      r.bulk(last ? "last-entry" : "first-entry");
      auto e = model::stream_range(v, c, model::kStreamIdMin, model::kStreamIdMax, 1, last);
      if (e.empty()) r.null();
      else reply_entry(r, e.front());
    }
    return;
  }
  const size_t limit = static_cast<size_t>(count);  // 0: everything
  r.bulk("entries");
  reply_entries(r, model::stream_range(v, c, model::kStreamIdMin, model::kStreamIdMax, limit, false));
  r.bulk("groups");
  auto groups = model::list_groups(v, c);
  r.array(groups.size());
  for (const auto& g : groups) {
    r.map(7);
    r.bulk("name");
    r.bulk(g.name);
    r.bulk("last-delivered-id");
    reply_id(r, g.last_id);
    r.bulk("entries-read");
    reply_entries_read(r, g);
    r.bulk("lag");
    reply_lag(r, c, g);
    r.bulk("pel-count");
    r.integer(g.pending);
    r.bulk("pending");
    auto pel = model::pending_range(v, c, g.name, model::kStreamIdMin, model::kStreamIdMax, limit, std::nullopt);
    r.array(pel.size());
    for (const auto& p : pel) {
      r.array(4);
      reply_id(r, p.id);
      r.bulk(p.consumer);
      r.integer(p.delivery_ms);
      r.integer(p.delivery_count);
    }
    auto consumers = model::list_consumers(v, c, g.name);
    r.bulk("consumers");
    r.array(consumers.size());
    for (const auto& k : consumers) {
      r.map(4);
      r.bulk("name");
      r.bulk(k.name);
      r.bulk("seen-time");
      r.integer(k.seen_ms);
      r.bulk("pel-count");
      r.integer(k.pending);
      r.bulk("pending");
      auto mine = model::pending_range(v, c, g.name, model::kStreamIdMin, model::kStreamIdMax, limit,
                                       std::string_view(k.name));
      r.array(mine.size());
      for (const auto& p : mine) {
        r.array(3);
        reply_id(r, p.id);
        r.integer(p.delivery_ms);
        r.integer(p.delivery_count);
      }
    }
  }
}

void cmd_xinfo(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  if (!introspection::subcommand_ok(ctx)) return;
  if (iequals(sub, "help")) {
    introspection::reply_help(ctx, {
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
    });
    return;
  }
  // subcommand_ok checked the arity of each subcommand.
  Collection c;
  OpStatus s = model::open_stream(ctx.view, ctx.ns(), ctx.arg(2), ctx.now_ms, &c);
  if (s == OpStatus::kNotFound) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  if (s == OpStatus::kWrongType) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  Reply& r = ctx.reply;
  if (iequals(sub, "consumers")) {
    StreamGroup g;
    if (!model::get_group(ctx.view, c, ctx.arg(3), &g)) {
      ctx.reply.error(fmt::format("NOGROUP No such consumer group '{}' for key name '{}'", ctx.arg(3), ctx.arg(2)));
      return;
    }
    auto consumers = model::list_consumers(ctx.view, c, g.name);
    r.array(consumers.size());
    for (const auto& k : consumers) {
      r.map(3);
      r.bulk("name");
      r.bulk(k.name);
      r.bulk("pending");
      r.integer(k.pending);
      r.bulk("idle");
      r.integer(std::max<int64_t>(ctx.now_ms - k.seen_ms, 0));
    }
  } else if (iequals(sub, "groups")) {
    auto groups = model::list_groups(ctx.view, c);
    r.array(groups.size());
    for (const auto& g : groups) {
      r.map(6);
      r.bulk("name");
      r.bulk(g.name);
      r.bulk("consumers");
      r.integer(g.consumers);
      r.bulk("pending");
      r.integer(g.pending);
      r.bulk("last-delivered-id");
      reply_id(r, g.last_id);
      r.bulk("entries-read");
      reply_entries_read(r, g);
      r.bulk("lag");
      reply_lag(r, c, g);
    }
  } else {
    reply_stream(ctx, c);
  }
}

}  // namespace

void register_stream_info_commands(CommandTable& t) {
  CommandSpec xinfo = make_spec("stream", "@stream", "xinfo", -2, kReadOnly, 2, 2, 1, cmd_xinfo,
                                "A container for stream introspection commands.", "5.0.0");
  xinfo.subcommands = {"xinfo|consumers", "xinfo|groups", "xinfo|stream", "xinfo|help"};
  t.add(std::move(xinfo));
}

}  // namespace cairn::command
