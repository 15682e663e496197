// The stream family's entry commands: XADD XTRIM XLEN XRANGE XREVRANGE XDEL
// XSETID. Reading with XREAD/XREADGROUP is in stream_read.cc, consumer groups
// in stream_groups.cc, XINFO in stream_info.cc; the storage is model/stream.
// Arguments, errors and replies follow Redis 7.0's t_stream.c.
#include <string>
#include <vector>

#include "command/args.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/stream_args.h"
#include "command/table.h"
#include "model/stream.h"

namespace cairn::command {

namespace {

using model::Collection;
using model::OpStatus;
using model::StreamId;
using model::StreamTrim;
using model::TrimStrategy;

// XADD's and XTRIM's options (streamParseAddOrTrimArgsOrReply). For XADD,
// *id_at is where the ID argument is.
struct AddArgs {
  StreamTrim trim;
  size_t trim_arg = 0;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
};

bool parse_add_or_trim(CommandCtx& ctx, bool xadd, AddArgs* a, size_t* id_at) {
  size_t i = 2;
  bool limit_given = false;
  const size_t argc = ctx.argc();
  for (; i < argc; ++i) {
    const size_t more = argc - 1 - i;
    std::string_view opt = ctx.arg(i);
    if (xadd && opt == "*") break;
    if ((iequals(opt, "maxlen") || iequals(opt, "minid")) && more) {
      if (a->trim.strategy != TrimStrategy::kNone) {
        ctx.reply.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return false;
      }
      const bool maxlen = iequals(opt, "maxlen");
      a->trim.approx = false;
      std::string_view next = ctx.arg(i + 1);
      if (more >= 2 && next == "~") {
        a->trim.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (maxlen) {
        if (!arg_int(ctx, i + 1, &a->trim.maxlen)) return false;
        if (a->trim.maxlen < 0) {
          ctx.reply.error("ERR The MAXLEN argument must be >= 0.");
          return false;
        }
      } else if (!arg_stream_id(ctx, i + 1, &a->trim.minid, 0, true)) {
        return false;
      }
      ++i;
      a->trim.strategy = maxlen ? TrimStrategy::kMaxLen : TrimStrategy::kMinId;
      a->trim_arg = i;
    } else if (iequals(opt, "limit") && more) {
      if (!arg_int(ctx, i + 1, &a->trim.limit)) return false;
      if (a->trim.limit < 0) {
        ctx.reply.error("ERR The LIMIT argument must be >= 0.");
        return false;
      }
      limit_given = true;
      ++i;
    } else if (xadd && iequals(opt, "nomkstream")) {
      a->nomkstream = true;
    } else if (xadd) {
      if (!arg_stream_id(ctx, i, &a->id, 0, true, &a->seq_given)) return false;
      a->id_given = true;
      break;
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (a->trim.limit && a->trim.strategy == TrimStrategy::kNone) {
    ctx.reply.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return false;
  }
  if (!xadd && a->trim.strategy == TrimStrategy::kNone) {
    ctx.reply.error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return false;
  }
  if (limit_given) {
    if (!a->trim.approx) {
      ctx.reply.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return false;
    }
  } else if (a->trim.approx) {
    // As Redis: an approximate trim does at most 100 nodes' work.
    int64_t per_node = ctx.server.settings().stream_node_max_entries.load(std::memory_order_relaxed);
    a->trim.limit = per_node > 0 && per_node <= 10000 ? 100 * per_node : (per_node <= 0 ? 10000 : 1000000);
  } else {
    a->trim.limit = 0;
  }
  *id_at = i;
  return true;
}

bool wrong_type(CommandCtx& ctx, OpStatus s) {
  if (s != OpStatus::kWrongType) return false;
  ctx.reply.error(err::kWrongType);
  return true;
}

void cmd_xadd(CommandCtx& ctx) {
  AddArgs a;
  size_t id_at = 0;
  if (!parse_add_or_trim(ctx, true, &a, &id_at)) return;
  const size_t fields_at = id_at + 1;
  if (ctx.argc() < fields_at + 2 || (ctx.argc() - fields_at) % 2 == 1) {
    ctx.reply.error(err::wrong_arity("xadd"));
    return;
  }
  if (a.id_given && a.seq_given && a.id == model::kStreamIdMin) {
    ctx.reply.error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  if (!args_fit(ctx, fields_at)) return;
  Collection c;
  OpStatus s = model::open_stream_for_write(ctx.txn(), ctx.ns(), ctx.arg(1), !a.nomkstream, &c);
  if (wrong_type(ctx, s)) return;
  if (s == OpStatus::kNotFound) {
    ctx.reply.null();
    return;
  }
  if (model::stream_last_id(c) == model::kStreamIdMax) {
    ctx.reply.error("ERR The stream has exhausted the last possible ID, unable to add more items");
    return;
  }
  StreamId added;
  auto r = model::stream_append(ctx.txn(), &c, a.id_given ? std::optional<StreamId>(a.id) : std::nullopt,
                                a.seq_given, ctx.argv.subspan(fields_at), node_limits(ctx), &added);
  if (r == model::StreamAddResult::kIdNotGreater) {
    ctx.reply.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    return;
  }
  if (r == model::StreamAddResult::kTooLarge) {
    ctx.reply.error("ERR Elements are too large to be stored");
    return;
  }
  notify(ctx, engine::kEventStream, "xadd", ctx.arg(1));
  if (model::stream_trim(ctx.txn(), &c, a.trim) > 0) notify(ctx, engine::kEventStream, "xtrim", ctx.arg(1));
  model::save_stream(ctx.txn(), ctx.ns(), ctx.arg(1), &c);
  ctx.reply.bulk(model::format_stream_id(added));
}

// XTRIM and XDEL: the stream at argv[1] for a write; a missing key answers
// 0 (and WRONGTYPE another type), and false.
bool open_existing_or_zero(CommandCtx& ctx, Collection* c) {
  OpStatus s = model::open_stream_for_write(ctx.txn(), ctx.ns(), ctx.arg(1), false, c);
  if (wrong_type(ctx, s)) return false;
  if (s == OpStatus::kNotFound) {
    ctx.reply.integer(0);
    return false;
  }
  return true;
}

void cmd_xtrim(CommandCtx& ctx) {
  AddArgs a;
  size_t id_at = 0;
  if (!parse_add_or_trim(ctx, false, &a, &id_at)) return;
  Collection c;
  if (!open_existing_or_zero(ctx, &c)) return;
  int64_t deleted = model::stream_trim(ctx.txn(), &c, a.trim);
  if (deleted > 0) {
    model::save_stream(ctx.txn(), ctx.ns(), ctx.arg(1), &c);
    notify(ctx, engine::kEventStream, "xtrim", ctx.arg(1));
  }
  ctx.reply.integer(deleted);
}

void cmd_xlen(CommandCtx& ctx) {
  Collection c;
  OpStatus s = model::open_stream(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (wrong_type(ctx, s)) return;
  ctx.reply.integer(s == OpStatus::kOk ? c.meta.count : 0);
}

void range_generic(CommandCtx& ctx, bool reverse) {
  StreamId start, end;
  if (!arg_range_start(ctx, reverse ? 3 : 2, &start)) return;
  if (!arg_range_end(ctx, reverse ? 2 : 3, &end)) return;
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!arg_int(ctx, j + 1, &count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  Collection c;
  OpStatus s = model::open_stream(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &c);
  if (wrong_type(ctx, s)) return;
  if (s == OpStatus::kNotFound) {
    ctx.reply.array(0);
    return;
  }
  if (count == 0) {
    ctx.reply.null_array();
    return;
  }
  reply_entries(ctx.reply, model::stream_range(ctx.view, c, start, end, count < 0 ? 0 : static_cast<size_t>(count),
                                               reverse));
}
void cmd_xrange(CommandCtx& ctx) { range_generic(ctx, false); }
void cmd_xrevrange(CommandCtx& ctx) { range_generic(ctx, true); }

void cmd_xdel(CommandCtx& ctx) {
  Collection c;
  if (!open_existing_or_zero(ctx, &c)) return;
  std::vector<StreamId> ids(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    if (!arg_stream_id(ctx, j, &ids[j - 2], 0, true)) return;
  }
  int64_t deleted = model::stream_delete(ctx.txn(), &c, ids);
  if (deleted > 0) {
    model::save_stream(ctx.txn(), ctx.ns(), ctx.arg(1), &c);
    notify(ctx, engine::kEventStream, "xdel", ctx.arg(1));
  }
  ctx.reply.integer(deleted);
}

void cmd_xsetid(CommandCtx& ctx) {
  StreamId id, max_deleted;
  int64_t entries_added = -1;
  if (!arg_stream_id(ctx, 2, &id, 0, true)) return;
  for (size_t i = 3; i < ctx.argc();) {
    const bool more = i + 1 < ctx.argc();
    if (iequals(ctx.arg(i), "entriesadded") && more) {
      if (!arg_int(ctx, i + 1, &entries_added)) return;
      if (entries_added < 0) {
        ctx.reply.error("ERR entries_added must be positive");
        return;
      }
      i += 2;
    } else if (iequals(ctx.arg(i), "maxdeletedid") && more) {
      if (!arg_stream_id(ctx, i + 1, &max_deleted, 0, true)) return;
      if (id < max_deleted) {
        ctx.reply.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        return;
      }
      i += 2;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  Collection c;
  OpStatus s = model::open_stream_for_write(ctx.txn(), ctx.ns(), ctx.arg(1), false, &c);
  if (wrong_type(ctx, s)) return;
  if (s == OpStatus::kNotFound) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  if (c.meta.count > 0) {
    auto last = model::stream_range(ctx.txn(), c, model::kStreamIdMin, model::kStreamIdMax, 1, true);
    if (!last.empty() && id < last.front().id) {
      ctx.reply.error("ERR The ID specified in XSETID is smaller than the target stream top item");
      return;
    }
    if (entries_added != -1 && c.meta.count > entries_added) {
      ctx.reply.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
      return;
    }
  }
  model::set_stream_last_id(&c, id);
  if (entries_added != -1) c.meta.stream.entries_added = static_cast<uint64_t>(entries_added);
  if (max_deleted != model::kStreamIdMin) model::set_stream_max_deleted_id(&c, max_deleted);
  model::save_stream(ctx.txn(), ctx.ns(), ctx.arg(1), &c);
  notify(ctx, engine::kEventStream, "xsetid", ctx.arg(1));
  ctx.reply.ok();
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since = "5.0.0") {
  return make_spec("stream", "@stream", name, arity, flags, 1, 1, 1, h, summary, since);
}

}  // namespace

void register_stream_commands(CommandTable& t) {
  constexpr uint32_t W = kWrite, R = kReadOnly, F = kFast, M = kDenyOom;
  t.add(spec("xadd", -5, W | M | F, cmd_xadd, "Appends a new message to a stream. Creates the key if it doesn't exist."));
  t.add(spec("xtrim", -4, W, cmd_xtrim, "Deletes messages from the beginning of a stream."));
  t.add(spec("xlen", 2, R | F, cmd_xlen, "Return the number of messages in a stream."));
  t.add(spec("xrange", -4, R, cmd_xrange, "Returns the messages from a stream within a range of IDs."));
  t.add(spec("xrevrange", -4, R, cmd_xrevrange,
             "Returns the messages from a stream within a range of IDs in reverse order."));
  t.add(spec("xdel", -3, W | F, cmd_xdel, "Returns the number of messages after removing them from a stream."));
  t.add(spec("xsetid", -3, W | M | F, cmd_xsetid, "An internal command for replicating stream values."));
}

}  // namespace cairn::command
