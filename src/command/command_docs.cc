// COMMAND, COMMAND INFO / DOCS / COUNT / LIST / GETKEYS: the command table
// described the way Redis 7.0 does (10-element entries, flags, ACL
// categories, key specs), since client libraries read it to route keys.
// Part of the introspection family (introspection.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "command/args.h"
#include "command/dispatch.h"
#include "command/errors.h"
#include "command/introspection.h"
#include "command/table.h"
#include "model/glob.h"
#include "model/numbers.h"

namespace cairn::command::introspection {

// ACL categories in Redis's order (COMMAND INFO lists them in this order).
constexpr std::array<std::string_view, 21> kAclCategories = {
    "keyspace", "read", "write",     "set",      "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo", "stream",     "pubsub",      "admin",
    "fast",     "slow", "blocking",  "dangerous", "connection", "transaction", "scripting"};

uint32_t acl_bit(std::string_view category) {
  if (!category.empty() && category[0] == '@') category.remove_prefix(1);
  for (size_t i = 0; i < kAclCategories.size(); ++i) {
    if (iequals(kAclCategories[i], category)) return 1u << i;
  }
  return 0;
}

// What COMMAND INFO/DOCS show about a command or a subcommand.
struct CommandMeta {
  std::string_view name;
  int arity = 0;
  uint32_t flags = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  std::string_view group, summary, since, acl;
  const CommandSpec* spec = nullptr;  // top-level commands only
};

// Explicit categories plus those Redis derives from the flags.
uint32_t acl_categories(const CommandMeta& m) {
  uint32_t bits = 0;
  for (std::string_view c : split_words(m.acl)) bits |= acl_bit(c);
  if (m.flags & kWrite) bits |= acl_bit("write");
  if ((m.flags & kReadOnly) && !(bits & acl_bit("scripting"))) bits |= acl_bit("read");
  if (m.flags & kAdmin) bits |= acl_bit("admin") | acl_bit("dangerous");
  if (m.flags & kPubSub) bits |= acl_bit("pubsub");
  if (m.flags & kFast) bits |= acl_bit("fast");
  if (m.flags & kBlocking) bits |= acl_bit("blocking");
  if (m.flags & kConnection) bits |= acl_bit("connection");
  if (!(bits & acl_bit("fast"))) bits |= acl_bit("slow");
  return bits;
}

CommandMeta meta_of(const CommandSpec& s) {
  return {s.name, s.arity, s.flags, s.first_key, s.last_key, s.key_step, s.group, s.summary, s.since, s.acl, &s};
}

// A subcommand the table does not describe gets its container's traits.
CommandMeta meta_of_sub(const CommandSpec& parent, std::string_view full_name) {
  if (const Subcommand* sub = find_subcommand(full_name)) {
    return {sub->name,     sub->arity, sub->flags,  sub->first_key, sub->last_key, sub->key_step,
            parent.group, sub->summary, sub->since, sub->acl,       nullptr};
  }
  return {full_name, -2, parent.flags, 0, 0, 0, parent.group, "", parent.since, parent.acl, nullptr};
}

// "get", "GET", "config|get": the command or subcommand, if any.
std::optional<CommandMeta> lookup_meta(std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* spec = command_table().find(name.substr(0, bar));
  if (!spec) return std::nullopt;
  if (bar == std::string_view::npos) return meta_of(*spec);
  std::string full = lower(name);
  for (const std::string& sub : spec->subcommands) {
    if (sub == full) return meta_of_sub(*spec, sub);
  }
  return std::nullopt;
}

struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {{kWrite, "write"},   {kReadOnly, "readonly"}, {kDenyOom, "denyoom"},
                                   {kAdmin, "admin"},   {kPubSub, "pubsub"},     {kNoScript, "noscript"},
                                   {kBlocking, "blocking"}, {kLoading, "loading"}, {kStale, "stale"},
                                   {kFast, "fast"},     {kNoAuth, "no_auth"},    {kNoMulti, "no_multi"}};

// Commands whose keys Redis finds through a key count or a keyword
// ("movablekeys"): a (first, last, step) range cannot say where they are.
// numkeys_at: argument holding the key count (the keys follow it), 0 if the
// keys are found otherwise; store_at: a destination key before the count.
struct MovableKeys {
  std::string_view name;
  int numkeys_at;
  int store_at;
};
constexpr MovableKeys kMovableKeys[] = {
    {"zunionstore", 2, 1}, {"zinterstore", 2, 1}, {"zdiffstore", 2, 1}, {"zunion", 1, 0},
    {"zinter", 1, 0},      {"zdiff", 1, 0},       {"zintercard", 1, 0}, {"sintercard", 1, 0},
    {"lmpop", 1, 0},       {"zmpop", 1, 0},       {"blmpop", 2, 0},     {"bzmpop", 2, 0},
    {"eval", 2, 0},        {"evalsha", 2, 0},     {"eval_ro", 2, 0},    {"evalsha_ro", 2, 0},
    {"fcall", 2, 0},       {"fcall_ro", 2, 0},    {"sort", 0, 0},       {"sort_ro", 0, 0},
    {"xread", 0, 0},       {"xreadgroup", 0, 0},  {"migrate", 0, 0},    {"georadius", 0, 0},
    {"georadiusbymember", 0, 0}};

const MovableKeys* movable_keys(std::string_view name) {
  for (const MovableKeys& m : kMovableKeys) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

void reply_flags(Reply& r, uint32_t flags, bool movable) {
  size_t n = std::count_if(std::begin(kFlagNames), std::end(kFlagNames), [&](auto& f) { return flags & f.flag; });
  r.set(n + (movable ? 1 : 0));
  for (const FlagName& f : kFlagNames) {
    if (flags & f.flag) r.simple(f.name);
  }
  if (movable) r.simple("movablekeys");
}

void reply_acl_categories(Reply& r, uint32_t bits) {
  r.set(static_cast<size_t>(__builtin_popcount(bits)));
  for (size_t i = 0; i < kAclCategories.size(); ++i) {
    if (bits & (1u << i)) r.simple(fmt::format("@{}", kAclCategories[i]));
  }
}

// One key specification derived from the legacy (first, last, step) range.
void reply_key_specs(Reply& r, const CommandMeta& m) {
  if (m.first_key <= 0) {
    r.set(0);
    return;
  }
  r.set(1);
  r.map(3);
  r.bulk("flags");
  if (m.flags & kWrite) {
    r.set(2);
    r.simple("RW");
    r.simple("update");
  } else {
    r.set(2);
    r.simple("RO");
    r.simple("access");
  }
  r.bulk("begin_search");
  r.map(2);
  r.bulk("type");
  r.bulk("index");
  r.bulk("spec");
  r.map(1);
  r.bulk("index");
  r.integer(m.first_key);
  r.bulk("find_keys");
  r.map(2);
  r.bulk("type");
  r.bulk("range");
  r.bulk("spec");
  r.map(3);
  r.bulk("lastkey");
  r.integer(m.last_key < 0 ? m.last_key : m.last_key - m.first_key);
  r.bulk("keystep");
  r.integer(m.key_step);
  r.bulk("limit");
  r.integer(0);
}

// COMMAND INFO's entry: name, arity, flags, first key, last key, step, ACL
// categories, tips, key specs, subcommands.
void reply_command_info(Reply& r, const CommandMeta& m) {
  r.array(10);
  r.bulk(m.name);
  r.integer(m.arity);
  reply_flags(r, m.flags, movable_keys(m.name) != nullptr);
  r.integer(m.first_key);
  r.integer(m.last_key);
  r.integer(m.key_step);
  reply_acl_categories(r, acl_categories(m));
  r.set(0);
  reply_key_specs(r, m);
  if (!m.spec || m.spec->subcommands.empty()) {
    r.set(0);
    return;
  }
  r.array(m.spec->subcommands.size());
  for (const std::string& sub : m.spec->subcommands) reply_command_info(r, meta_of_sub(*m.spec, sub));
}

// COMMAND DOCS's entry: summary, since, group, and subcommands if any.
void reply_command_docs(Reply& r, const CommandMeta& m) {
  bool subs = m.spec && !m.spec->subcommands.empty();
  std::string_view summary = m.summary.empty() ? std::string_view("A subcommand.") : m.summary;
  r.map(3 + (subs ? 1 : 0));
  r.bulk("summary");
  r.bulk(summary);
  r.bulk("since");
  r.bulk(m.since.empty() ? std::string_view("1.0.0") : m.since);
  r.bulk("group");
  r.bulk(m.group.empty() ? std::string_view("server") : m.group);
  if (!subs) return;
  r.bulk("subcommands");
  r.map(m.spec->subcommands.size());
  for (const std::string& sub : m.spec->subcommands) {
    r.bulk(sub);
    reply_command_docs(r, meta_of_sub(*m.spec, sub));
  }
}

std::vector<const CommandSpec*> all_commands() {
  std::vector<const CommandSpec*> specs;
  command_table().for_each([&](const CommandSpec& s) { specs.push_back(&s); });
  return specs;
}

void reply_all_command_info(Reply& r) {
  auto specs = all_commands();
  r.array(specs.size());
  for (const CommandSpec* s : specs) reply_command_info(r, meta_of(*s));
}

// COMMAND alone describes every command; COMMAND <sub> runs the subcommand.
void cmd_command(CommandCtx& ctx) {
  if (ctx.argc() > 1) cmd_container(ctx);
  else reply_all_command_info(ctx.reply);
}

void cmd_command_count(CommandCtx& ctx) { ctx.reply.integer(static_cast<int64_t>(command_table().size())); }

void cmd_command_info(CommandCtx& ctx) {
  if (ctx.argc() == 2) {
    reply_all_command_info(ctx.reply);
    return;
  }
  ctx.reply.array(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto m = lookup_meta(ctx.arg(i));
    if (m) reply_command_info(ctx.reply, *m);
    else ctx.reply.null();
  }
}

void cmd_command_docs(CommandCtx& ctx) {
  std::vector<CommandMeta> found;
  if (ctx.argc() == 2) {
    for (const CommandSpec* s : all_commands()) found.push_back(meta_of(*s));
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      if (auto m = lookup_meta(ctx.arg(i))) found.push_back(*m);
    }
  }
  ctx.reply.map(found.size());
  for (const CommandMeta& m : found) {
    ctx.reply.bulk(m.name);
    reply_command_docs(ctx.reply, m);
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
void cmd_command_list(CommandCtx& ctx) {
  std::string_view type, arg;
  if (ctx.argc() == 5 && iequals(ctx.arg(2), "filterby")) {
    type = ctx.arg(3);
    arg = ctx.arg(4);
    if (!iequals(type, "module") && !iequals(type, "aclcat") && !iequals(type, "pattern")) {
      ctx.reply.error(err::kSyntax);
      return;
    }
  } else if (ctx.argc() != 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  uint32_t category = iequals(type, "aclcat") ? acl_bit(arg) : 0;
  auto keep = [&](const CommandMeta& m) {
    if (type.empty()) return true;
    if (iequals(type, "module")) return false;  // Cairn has no modules
    if (category) return (acl_categories(m) & category) != 0;
    if (iequals(type, "aclcat")) return false;
    return model::glob_match(arg, m.name, true);
  };
  std::vector<std::string_view> names;
  for (const CommandSpec* s : all_commands()) {
    if (keep(meta_of(*s))) names.push_back(s->name);
    for (const std::string& sub : s->subcommands) {
      if (keep(meta_of_sub(*s, sub))) names.push_back(sub);
    }
  }
  ctx.reply.array(names.size());
  for (std::string_view n : names) ctx.reply.bulk(n);
}

// The command COMMAND GETKEYS asks about: argv[2], or its subcommand argv[3].
std::optional<CommandMeta> getkeys_target(CommandCtx& ctx) {
  const CommandSpec* spec = command_table().find(ctx.arg(2));
  if (!spec) return std::nullopt;
  if (spec->subcommands.empty() || ctx.argc() < 4) return meta_of(*spec);
  std::string full = lower(ctx.arg(2)) + "|" + lower(ctx.arg(3));
  for (const std::string& sub : spec->subcommands) {
    if (sub == full) return meta_of_sub(*spec, sub);
  }
  return std::nullopt;
}

// Keys of a command that counts them (ZUNIONSTORE dest 2 a b, EVAL s 1 k):
// false if the count is not a number or runs past the arguments.
bool counted_keys(Argv cmd, const MovableKeys& mk, std::vector<std::string_view>* keys) {
  int64_t n;
  int at = mk.numkeys_at;
  if (static_cast<int>(cmd.size()) <= at || !model::parse_int64(cmd[at], &n) || n < 0 ||
      n > static_cast<int64_t>(cmd.size()) - at - 1) {
    return false;
  }
  if (mk.store_at) keys->push_back(cmd[mk.store_at]);
  for (int64_t i = 0; i < n; ++i) keys->push_back(cmd[at + 1 + i]);
  return true;
}

void getkeys(CommandCtx& ctx, bool with_flags) {
  auto m = getkeys_target(ctx);
  int argc = static_cast<int>(ctx.argc()) - 2;
  if (!m) {
    ctx.reply.error("ERR Invalid command specified");
    return;
  }
  const MovableKeys* mk = movable_keys(m->name);
  bool counted = mk && mk->numkeys_at > 0;
  if (m->first_key <= 0 && !counted) {
    ctx.reply.error("ERR The command has no key arguments");
    return;
  }
  if (!arity_ok(m->arity, static_cast<size_t>(argc))) {
    ctx.reply.error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<std::string_view> keys;
  if (counted) {
    if (!counted_keys(ctx.argv.subspan(2), *mk, &keys)) {
      ctx.reply.error("ERR Invalid arguments specified for command");
      return;
    }
  } else {
    int last = m->last_key < 0 ? argc + m->last_key : m->last_key;
    for (int i = m->first_key; i <= last && i < argc; i += std::max(m->key_step, 1)) keys.push_back(ctx.arg(2 + i));
    if (keys.empty()) {
      ctx.reply.error("ERR Invalid arguments specified for command");
      return;
    }
  }
  ctx.reply.array(keys.size());
  for (std::string_view k : keys) {
    if (!with_flags) {
      ctx.reply.bulk(k);
      continue;
    }
    ctx.reply.array(2);
    ctx.reply.bulk(k);
    ctx.reply.set(2);
    ctx.reply.simple((m->flags & kWrite) ? "RW" : "RO");
    ctx.reply.simple((m->flags & kWrite) ? "update" : "access");
  }
}

void cmd_command_getkeys(CommandCtx& ctx) { getkeys(ctx, false); }
void cmd_command_getkeysandflags(CommandCtx& ctx) { getkeys(ctx, true); }

void cmd_command_help(CommandCtx& ctx) {
  reply_help(ctx, {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
                   "    Return the total number of commands in this Redis server.", "LIST",
                   "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
                   "    Return details about multiple Redis commands.",
                   "    If no command names are given, documentation details for all",
                   "    commands are returned.", "DOCS [<command-name> ...]",
                   "    Return documentation details about multiple Redis commands.",
                   "    If no command names are given, documentation details for all",
                   "    commands are returned.", "GETKEYS <full-command>",
                   "    Return the keys from a full Redis command.", "GETKEYSANDFLAGS <full-command>",
                   "    Return the keys and the access flags from a full Redis command."});
}

void add_command_subs() {
  constexpr std::string_view c = "@connection";
  add_sub("command|count", 2, kLS, cmd_command_count, "Get total number of Redis commands", "2.8.13", c);
  add_sub("command|docs", -2, kLS, cmd_command_docs, "Get array of specific Redis command documentation", "7.0.0",
          c);
  add_sub("command|getkeys", -4, kLS, cmd_command_getkeys, "Extract keys given a full Redis command", "2.8.13", c);
  add_sub("command|getkeysandflags", -4, kLS, cmd_command_getkeysandflags,
          "Extract keys and access flags given a full Redis command", "7.0.0", c);
  add_sub("command|info", -2, kLS, cmd_command_info,
          "Get array of specific Redis command details, or all when no argument is given.", "2.8.13", c);
  add_sub("command|list", -2, kLS, cmd_command_list, "Get an array of Redis command names", "7.0.0", c);
  add_sub("command|help", 2, kLS, cmd_command_help, "Show helpful text about the different subcommands", "5.0.0", c);
}

}  // namespace cairn::command::introspection
