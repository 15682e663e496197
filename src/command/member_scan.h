// HSCAN / SSCAN (and any other *SCAN over a collection's hashed members):
// `<cmd> key cursor [MATCH pattern] [COUNT count]`. The cursor is
// model::scan_members' hash position, in decimal: stateless on the server, so
// a client can resume it after a restart, and every member present for the
// whole walk is returned at least once.
#pragma once

#include <string>
#include <string_view>

#include "command/context.h"
#include "engine/record.h"

namespace cairn::command {

// Turns a member record's stored value into the value the reply carries.
using ScanValueFormat = std::string (*)(std::string_view stored);

// Replies one page of the collection at argv[1] of `type`. With
// format_value null, only member names are returned (SSCAN); otherwise
// name, value pairs (HSCAN).
void reply_member_scan(CommandCtx& ctx, engine::ValueType type, ScanValueFormat format_value);

}  // namespace cairn::command
