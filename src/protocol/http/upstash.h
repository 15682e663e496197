// The Upstash REST dialect (what @upstash/redis and @vercel/kv speak):
// commands as JSON arrays (`POST /`, `/pipeline`, `/multi-exec`) or as path
// segments (`GET /set/k/v`), answers as `{"result": …}` / `{"error": …}`.
// Parsing and formatting only; running the commands is the network layer's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/http/json_reply.h"

namespace cairn::protocol::http {

using Command = std::vector<std::string>;

// `["SET", "k", "v", "EX", 100]`: strings as their UTF-8 bytes, numbers as
// their shortest decimal text, booleans as "true"/"false". Empty on error,
// with `error` set to the reply text ("ERR …").
bool parse_json_command(std::string_view body, Command* out, std::string* error);
// `[["SET","k","v"], ["GET","k"]]` for /pipeline and /multi-exec.
bool parse_json_commands(std::string_view body, std::vector<Command>* out, std::string* error);
// Path style: `/set/k/v` → SET k v, each segment percent-decoded; a POST
// body is one more argument, then every query parameter (name, then value
// when it has one) except `_token`.
bool parse_path_command(std::string_view path, std::string_view query, const std::string* body, Command* out,
                        std::string* error);

// Percent-decoding; false on a malformed escape.
bool percent_decode(std::string_view in, std::string* out, bool plus_is_space);

// `{"result": …}` or `{"error": …}` for one command.
std::string format_result(const JsonReply::Result& r);
// `[{"result": …}, {"error": …}, …]` for a pipeline.
std::string format_results(const std::vector<JsonReply::Result>& rs);
// `{"error": msg}`.
std::string format_error(std::string_view msg);

}  // namespace cairn::protocol::http
