// Command table storage and lookup; see table.h.
#include "command/table.h"

#include <cctype>

namespace cairn::command {

void CommandTable::add(CommandSpec spec) {
  std::string name = spec.name;
  commands_[name] = std::make_unique<CommandSpec>(std::move(spec));
}

const CommandSpec* CommandTable::find(std::string_view name) const {
  char buf[64] = {};  // zeroed: GCC 12 at -O3 otherwise warns (maybe-uninitialized) in the hash
  if (name.size() > sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  auto it = commands_.find(std::string_view(buf, name.size()));
  return it == commands_.end() ? nullptr : it->second.get();
}

CommandSpec make_spec(std::string_view group, std::string_view acl, const char* name, int arity, uint32_t flags,
                      int first, int last, int step, Handler handler, std::string_view summary,
                      std::string_view since) {
  CommandSpec s;
  s.name = name;
  s.arity = arity;
  s.flags = flags;
  s.first_key = first;
  s.last_key = last;
  s.key_step = step;
  s.handler = handler;
  s.group = group;
  s.summary = summary;
  s.since = since;
  s.acl = acl;
  return s;
}

CommandTable& command_table() {
  static CommandTable table;
  return table;
}

void register_all_commands() {
  static bool done = false;
  if (done) return;
  done = true;
  CommandTable& t = command_table();
  register_connection_commands(t);
  register_string_commands(t);
  register_bitmap_commands(t);
  register_hash_commands(t);
  register_set_commands(t);
  register_list_commands(t);
  register_zset_commands(t);
  register_watch_commands(t);
  register_transaction_commands(t);
  register_pubsub_commands(t);
  register_scripting_commands(t);
  register_stream_commands(t);
  register_stream_read_commands(t);
  register_stream_group_commands(t);
  register_stream_info_commands(t);
  register_key_commands(t);
  register_server_commands(t);
  register_introspection_commands(t);
}

}  // namespace cairn::command
