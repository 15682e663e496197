// The pub/sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB. The registry is
// channels.h; delivery and the subscribed connection's loop are in
// net/resp_pubsub.cc. Replies to (un)subscribing are pushes (arrays in RESP2),
// one per channel, with the session's subscription count, as Redis sends them.
#include <fmt/format.h>

#include "command/args.h"
#include "command/errors.h"
#include "command/introspection.h"
#include "command/server_context.h"
#include "command/table.h"

namespace cairn::command {

namespace {

using Space = Channels::Space;

// Channels and patterns count together in Redis's replies; shard channels alone.
int64_t subscription_count(CommandCtx& ctx, Space space) {
  Channels& ch = ctx.server.channels();
  Subscriber* s = ctx.session.subscriber;
  if (space == Space::kShard) return static_cast<int64_t>(ch.count(s, Space::kShard));
  return static_cast<int64_t>(ch.count(s, Space::kChannel) + ch.count(s, Space::kPattern));
}

void update_total(CommandCtx& ctx) {
  Channels& ch = ctx.server.channels();
  Subscriber* s = ctx.session.subscriber;
  ctx.session.subscriptions =
      static_cast<int>(ch.count(s, Space::kChannel) + ch.count(s, Space::kPattern) + ch.count(s, Space::kShard));
}

void push_reply(CommandCtx& ctx, std::string_view what, const std::string_view* name, int64_t count) {
  ctx.session.reply_pushed = true;  // sent even under CLIENT REPLY OFF
  ctx.reply.push(3);
  ctx.reply.bulk(what);
  ctx.reply.bulk_or_null(name);
  ctx.reply.integer(count);
}

bool has_subscriber(CommandCtx& ctx) {
  if (ctx.session.subscriber) return true;
  ctx.reply.error(fmt::format("ERR '{}' needs a connection that can receive messages (RESP)", ctx.arg(0)));
  return false;
}

void subscribe_generic(CommandCtx& ctx, Space space, std::string_view what) {
  if (!has_subscriber(ctx)) return;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    ctx.server.channels().subscribe(ctx.session.subscriber, space, ctx.arg(i));
    update_total(ctx);
    std::string_view name = ctx.arg(i);
    push_reply(ctx, what, &name, subscription_count(ctx, space));
  }
}

void unsubscribe_generic(CommandCtx& ctx, Space space, std::string_view what) {
  if (!ctx.session.subscriber) {  // nothing can be subscribed here
    push_reply(ctx, what, nullptr, 0);
    return;
  }
  std::vector<std::string> names;
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); ++i) names.emplace_back(ctx.arg(i));
  } else {
    names = ctx.server.channels().names(ctx.session.subscriber, space);
  }
  if (names.empty()) {
    push_reply(ctx, what, nullptr, subscription_count(ctx, space));
    return;
  }
  for (const auto& n : names) {
    ctx.server.channels().unsubscribe(ctx.session.subscriber, space, n);
    update_total(ctx);
    std::string_view name = n;
    push_reply(ctx, what, &name, subscription_count(ctx, space));
  }
}

void cmd_subscribe(CommandCtx& ctx) { subscribe_generic(ctx, Space::kChannel, "subscribe"); }
void cmd_psubscribe(CommandCtx& ctx) { subscribe_generic(ctx, Space::kPattern, "psubscribe"); }
void cmd_ssubscribe(CommandCtx& ctx) { subscribe_generic(ctx, Space::kShard, "ssubscribe"); }
void cmd_unsubscribe(CommandCtx& ctx) { unsubscribe_generic(ctx, Space::kChannel, "unsubscribe"); }
void cmd_punsubscribe(CommandCtx& ctx) { unsubscribe_generic(ctx, Space::kPattern, "punsubscribe"); }
void cmd_sunsubscribe(CommandCtx& ctx) { unsubscribe_generic(ctx, Space::kShard, "sunsubscribe"); }

void cmd_publish(CommandCtx& ctx) { ctx.reply.integer(ctx.server.channels().publish(ctx.arg(1), ctx.arg(2), false)); }
void cmd_spublish(CommandCtx& ctx) { ctx.reply.integer(ctx.server.channels().publish(ctx.arg(1), ctx.arg(2), true)); }

void cmd_pubsub(CommandCtx& ctx) {
  std::string_view sub = ctx.arg(1);
  Channels& ch = ctx.server.channels();
  if (iequals(sub, "help") && ctx.argc() == 2) {
    introspection::reply_help(ctx, {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
    });
    return;
  }
  bool channels = iequals(sub, "channels"), shard_channels = iequals(sub, "shardchannels");
  if ((channels || shard_channels) && ctx.argc() <= 3) {
    auto names = ch.active(channels ? Space::kChannel : Space::kShard, ctx.argc() == 3 ? ctx.arg(2) : "");
    ctx.reply.array(names.size());
    for (const auto& n : names) ctx.reply.bulk(n);
    return;
  }
  bool numsub = iequals(sub, "numsub"), shard_numsub = iequals(sub, "shardnumsub");
  if (numsub || shard_numsub) {
    ctx.reply.array((ctx.argc() - 2) * 2);
    for (size_t i = 2; i < ctx.argc(); ++i) {
      ctx.reply.bulk(ctx.arg(i));
      ctx.reply.integer(ch.subscribers(numsub ? Space::kChannel : Space::kShard, ctx.arg(i)));
    }
    return;
  }
  if (iequals(sub, "numpat") && ctx.argc() == 2) {
    ctx.reply.integer(ch.patterns());
    return;
  }
  ctx.reply.error(fmt::format("ERR unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.", sub));
}

CommandSpec spec(const char* name, int arity, uint32_t flags, int first, int last, Handler h,
                 std::string_view summary, std::string_view since) {
  return make_spec("pubsub", "@pubsub", name, arity, flags | kPubSub, first, last, first ? 1 : 0, h, summary, since);
}

}  // namespace

void register_pubsub_commands(CommandTable& t) {
  constexpr uint32_t kSub = kNoScript | kLoading | kStale | kWhileSubscribed;
  t.add(spec("subscribe", -2, kSub, 0, 0, cmd_subscribe, "Listens for messages published to channels.", "2.0.0"));
  t.add(spec("unsubscribe", -1, kSub, 0, 0, cmd_unsubscribe, "Stops listening to messages posted to channels.",
             "2.0.0"));
  t.add(spec("psubscribe", -2, kSub, 0, 0, cmd_psubscribe, "Listens for messages published to channels that match "
             "one or more patterns.", "2.0.0"));
  t.add(spec("punsubscribe", -1, kSub, 0, 0, cmd_punsubscribe,
             "Stops listening to messages published to channels that match one or more patterns.", "2.0.0"));
  t.add(spec("ssubscribe", -2, kSub, 1, -1, cmd_ssubscribe, "Listens for messages published to shard channels.",
             "7.0.0"));
  t.add(spec("sunsubscribe", -1, kSub, 1, -1, cmd_sunsubscribe,
             "Stops listening to messages posted to shard channels.", "7.0.0"));
  t.add(spec("publish", 3, kLoading | kStale | kFast, 0, 0, cmd_publish, "Posts a message to a channel.", "2.0.0"));
  t.add(spec("spublish", 3, kLoading | kStale | kFast, 1, 1, cmd_spublish, "Post a message to a shard channel",
             "7.0.0"));
  CommandSpec p = spec("pubsub", -2, kLoading | kStale, 0, 0, cmd_pubsub, "A container for Pub/Sub commands.",
                       "2.8.0");
  p.subcommands = {"pubsub|channels", "pubsub|numpat", "pubsub|numsub", "pubsub|shardchannels",
                   "pubsub|shardnumsub", "pubsub|help"};
  t.add(std::move(p));
}

}  // namespace cairn::command
