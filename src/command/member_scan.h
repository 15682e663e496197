// HSCAN / SSCAN (and any other *SCAN over a collection's hashed members):
// `<cmd> key cursor [MATCH pattern] [COUNT count]`. The cursor is
// model::scan_members' hash position, in decimal: stateless on the server, so
// a client can resume it after a restart, and every member present for the
// whole walk is returned at least once.
//
// Also the random picks HRANDFIELD and SRANDMEMBER share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "command/context.h"
#include "engine/record.h"
#include "model/hashed_members.h"

namespace cairn::command {

// Turns a member record's stored value into the value the reply carries.
using ScanValueFormat = std::string (*)(std::string_view stored);

// Replies one page of the collection at argv[1] of `type`. With
// format_value null, only member names are returned (SSCAN); otherwise
// name, value pairs (HSCAN).
void reply_member_scan(CommandCtx& ctx, engine::ValueType type, ScanValueFormat format_value);

// `<cmd> key count [<with_word>]` (HRANDFIELD … WITHVALUES, ZRANDMEMBER …
// WITHSCORES): the count and whether the word was given, with Redis's range
// and syntax errors. False after replying one.
bool parse_random_count(CommandCtx& ctx, std::string_view with_word, int64_t* n, bool* with);
// HRANDFIELD / SRANDMEMBER without a count: one random member's name, or
// nil when the collection does not exist (exists false).
void reply_random_member(CommandCtx& ctx, const model::Collection& c, bool exists);

// HRANDFIELD / SRANDMEMBER with a count `n` (not 0): n > 0 picks distinct
// members (at most all of them), n < 0 exactly -n with repeats. A repeat
// count whose reply could not fit the output buffer is refused: false after
// replying the error. `with_values` doubles each entry of the reply.
bool pick_random_members(CommandCtx& ctx, const model::Collection& c, int64_t n, bool with_values,
                         std::vector<model::MemberEntry>* out);

}  // namespace cairn::command
