// Redis's exact error strings: client libraries match on them.
#pragma once

#include <string>
#include <string_view>

namespace cairn::command::err {

inline constexpr std::string_view kSyntax = "ERR syntax error";
// The start of every reply to a write refused because the disk is full.
inline constexpr std::string_view kDiskFull = "ERR disk full";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '%s' command";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

std::string wrong_arity(std::string_view command);
std::string invalid_expire(std::string_view command);
std::string storage(std::string_view what);

}  // namespace cairn::command::err
