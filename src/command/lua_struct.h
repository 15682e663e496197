// The `struct` module Redis gives scripts (struct.pack, struct.unpack,
// struct.size over format strings such as ">I2 c0 s"), written for Cairn
// because Debian packages no Lua 5.1 module with that API. It follows the
// struct library Redis bundles (Roberto Ierusalimschy's, 0.2): the same
// format options, endianness and alignment rules, and error texts.
#pragma once

struct lua_State;

namespace cairn::command {

// Sets the global `struct` table.
void open_struct(lua_State* l);

}  // namespace cairn::command
