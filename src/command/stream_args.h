// What the stream commands share: parsing stream IDs the way Redis does
// (t_stream.c streamGenericParseIDOrReply), and writing entries.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "command/context.h"
#include "command/server_context.h"
#include "model/stream.h"

namespace cairn::command {

inline constexpr std::string_view kInvalidStreamId = "ERR Invalid stream ID specified as stream command argument";

// "ms-seq", "ms" (seq = missing_seq), and unless `strict` "-" and "+".
// With seq_given non-null, "ms-*" is accepted and *seq_given says whether
// the sequence was given.
bool parse_stream_id(std::string_view s, model::StreamId* id, uint64_t missing_seq, bool strict, bool* seq_given);
// The same for argument i; replies Redis's error on failure.
bool arg_stream_id(CommandCtx& ctx, size_t i, model::StreamId* id, uint64_t missing_seq, bool strict,
                   bool* seq_given = nullptr);
// A range bound: "(" before an ID makes it exclusive, and the bound is moved
// past it; replies "invalid start/end ID for the interval" when it cannot be.
bool arg_range_start(CommandCtx& ctx, size_t i, model::StreamId* id);
bool arg_range_end(CommandCtx& ctx, size_t i, model::StreamId* id);

// [id, [field, value, ...]]
void reply_entry(Reply& r, const model::StreamEntry& e);
void reply_entries(Reply& r, const std::vector<model::StreamEntry>& entries);

model::StreamNodeLimits node_limits(const CommandCtx& ctx);

// XGROUP and XINFO: an option their subcommand does not take (Redis's
// addReplySubcommandSyntaxError).
void subcommand_syntax_error(CommandCtx& ctx);

}  // namespace cairn::command
