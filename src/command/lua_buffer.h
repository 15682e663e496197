// A std::string owned by a Lua userdata, for C functions that build a
// result and may raise a Lua error meanwhile: the error is a longjmp that
// runs no destructors, so a plain local string would leak; this one is freed
// by the garbage collector either way.
#pragma once

#include <new>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace cairn::command {

inline int lua_buffer_gc(lua_State* l) {
  static_cast<std::string*>(lua_touserdata(l, 1))->~basic_string();
  return 0;
}

// Pushes the userdata (keep it on the stack while the string is in use).
inline std::string& new_lua_buffer(lua_State* l) {
  auto* s = new (lua_newuserdata(l, sizeof(std::string))) std::string();
  if (luaL_newmetatable(l, "cairn.buffer")) {
    lua_pushcfunction(l, lua_buffer_gc);
    lua_setfield(l, -2, "__gc");
  }
  lua_setmetatable(l, -2);
  return *s;
}

}  // namespace cairn::command
