// The `cmsgpack` module Redis gives scripts (MessagePack: pack, unpack,
// unpack_one, unpack_limit), written for Cairn because Debian packages no
// Lua 5.1 msgpack module with Redis's API. It follows Redis's lua_cmsgpack:
// the same encodings byte for byte (smallest integer form, float32 when
// exact, str8/16/32, tables as arrays when their keys are 1..n), tables
// nested deeper than 16 packed as nil (so circular references end).
#pragma once

struct lua_State;

namespace cairn::command {

// Sets the global `cmsgpack` table.
void open_cmsgpack(lua_State* l);

}  // namespace cairn::command
