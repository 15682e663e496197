// MessagePack for scripts; see lua_cmsgpack.h.
#include "command/lua_cmsgpack.h"

#include "command/lua_buffer.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace cairn::command {

namespace {

constexpr int kMaxPackNesting = 16;     // deeper tables are packed as nil (Redis's LUACMSGPACK_MAX_NESTING)
constexpr int kMaxUnpackNesting = 1000;  // deeper input is refused: the decoder recurses

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void pack_integer(std::string& out, int64_t n) {
  if (n >= 0) {
    if (n <= 127) out.push_back(static_cast<char>(n));
    else if (n <= 0xff) out.push_back('\xcc'), put_be(out, static_cast<uint64_t>(n), 1);
    else if (n <= 0xffff) out.push_back('\xcd'), put_be(out, static_cast<uint64_t>(n), 2);
    else if (n <= 0xffffffffLL) out.push_back('\xce'), put_be(out, static_cast<uint64_t>(n), 4);
    else out.push_back('\xcf'), put_be(out, static_cast<uint64_t>(n), 8);
  } else {
    uint64_t u = static_cast<uint64_t>(n);
    if (n >= -32) out.push_back(static_cast<char>(u & 0xff));
    else if (n >= -128) out.push_back('\xd0'), put_be(out, u, 1);
    else if (n >= -32768) out.push_back('\xd1'), put_be(out, u, 2);
    else if (n >= -2147483648LL) out.push_back('\xd2'), put_be(out, u, 4);
    else out.push_back('\xd3'), put_be(out, u, 8);
  }
}

void pack_number(std::string& out, lua_Number n) {
  if (!std::isinf(n) && n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
      static_cast<lua_Number>(static_cast<int64_t>(n)) == n) {
    pack_integer(out, static_cast<int64_t>(n));
    return;
  }
  float f = static_cast<float>(n);
  if (static_cast<lua_Number>(f) == n) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    out.push_back('\xca');
    put_be(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &n, 8);
    out.push_back('\xcb');
    put_be(out, bits, 8);
  }
}

void pack_string(std::string& out, const char* s, size_t len) {
  if (len < 32) out.push_back(static_cast<char>(0xa0 | len));
  else if (len <= 0xff) out.push_back('\xd9'), put_be(out, len, 1);
  else if (len <= 0xffff) out.push_back('\xda'), put_be(out, len, 2);
  else out.push_back('\xdb'), put_be(out, len, 4);
  out.append(s, len);
}

// An array when every key is a positive integer and they are exactly 1..n.
bool table_is_array(lua_State* l, size_t* n) {
  size_t count = 0;
  lua_Number max = 0;
  lua_pushnil(l);
  while (lua_next(l, -2)) {
    lua_pop(l, 1);
    if (lua_type(l, -1) != LUA_TNUMBER) {
      lua_pop(l, 1);
      return false;
    }
    lua_Number k = lua_tonumber(l, -1);
    if (k <= 0 || std::floor(k) != k) {
      lua_pop(l, 1);
      return false;
    }
    if (k > max) max = k;
    ++count;
  }
  *n = count;
  return max == static_cast<lua_Number>(count);
}

void pack_value(lua_State* l, std::string& out, int level);

void pack_table(lua_State* l, std::string& out, int level) {
  luaL_checkstack(l, 3, "cmsgpack: table too deep");
  size_t n;
  if (table_is_array(l, &n)) {
    if (n <= 15) out.push_back(static_cast<char>(0x90 | n));
    else if (n <= 0xffff) out.push_back('\xdc'), put_be(out, n, 2);
    else out.push_back('\xdd'), put_be(out, n, 4);
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(l, -1, static_cast<int>(i));
      pack_value(l, out, level + 1);
    }
    return;
  }
  size_t pairs = 0;
  lua_pushnil(l);
  while (lua_next(l, -2)) {
    lua_pop(l, 1);
    ++pairs;
  }
  if (pairs <= 15) out.push_back(static_cast<char>(0x80 | pairs));
  else if (pairs <= 0xffff) out.push_back('\xde'), put_be(out, pairs, 2);
  else out.push_back('\xdf'), put_be(out, pairs, 4);
  lua_pushnil(l);
  while (lua_next(l, -2)) {
    lua_pushvalue(l, -2);  // the key, packed first (pack_value pops what it packs)
    pack_value(l, out, level + 1);
    pack_value(l, out, level + 1);
  }
}

// Packs the value on top of the stack and pops it.
void pack_value(lua_State* l, std::string& out, int level) {
  int type = lua_type(l, -1);
  if (type == LUA_TTABLE && level == kMaxPackNesting) type = LUA_TNIL;
  switch (type) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(l, -1, &len);
      pack_string(out, s, len);
      break;
    }
    case LUA_TBOOLEAN: out.push_back(lua_toboolean(l, -1) ? '\xc3' : '\xc2'); break;
    case LUA_TNUMBER: pack_number(out, lua_tonumber(l, -1)); break;
    case LUA_TTABLE: pack_table(l, out, level); break;
    default: out.push_back('\xc0'); break;  // nil, and what MessagePack cannot hold
  }
  lua_pop(l, 1);
}

int cmsgpack_pack(lua_State* l) {
  int n = lua_gettop(l);
  if (n == 0) return luaL_argerror(l, 0, "MessagePack pack needs input.");
  std::string& out = new_lua_buffer(l);  // at n + 1, below what packing pushes
  for (int i = 1; i <= n; ++i) {
    lua_pushvalue(l, i);
    pack_value(l, out, 0);
  }
  lua_pushlstring(l, out.data(), out.size());
  return 1;
}

struct Cursor {
  const unsigned char* p;
  size_t left;
  enum { kOk, kEof, kBadFormat } err = kOk;
  bool need(size_t n) {
    if (left < n) err = kEof;
    return err == kOk;
  }
  uint64_t be(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    p += n;
    left -= n;
    return v;
  }
};

void unpack_value(lua_State* l, Cursor& c, int depth);

void unpack_string(lua_State* l, Cursor& c, size_t len) {
  if (!c.need(len)) return;
  lua_pushlstring(l, reinterpret_cast<const char*>(c.p), len);
  c.p += len;
  c.left -= len;
}

void unpack_array(lua_State* l, Cursor& c, uint64_t n, int depth) {
  // Preallocation bounded by the input: each element takes at least a byte.
  lua_createtable(l, static_cast<int>(std::min<uint64_t>(n, std::min<size_t>(c.left, INT_MAX))), 0);
  for (uint64_t i = 1; i <= n && c.err == Cursor::kOk; ++i) {
    unpack_value(l, c, depth + 1);
    if (c.err != Cursor::kOk) return;
    lua_rawseti(l, -2, static_cast<int>(i));
  }
}

void unpack_map(lua_State* l, Cursor& c, uint64_t n, int depth) {
  lua_createtable(l, 0, static_cast<int>(std::min<uint64_t>(n, std::min<size_t>(c.left / 2, INT_MAX))));
  for (uint64_t i = 0; i < n && c.err == Cursor::kOk; ++i) {
    unpack_value(l, c, depth + 1);
    if (c.err != Cursor::kOk) return;
    unpack_value(l, c, depth + 1);
    if (c.err != Cursor::kOk) return;
    if (lua_isnil(l, -2)) lua_pop(l, 2);  // a nil key cannot be stored
    else lua_rawset(l, -3);
  }
}

// Pushes the next value, or sets c.err (then pushes nothing it must keep).
void unpack_value(lua_State* l, Cursor& c, int depth) {
  if (depth > kMaxUnpackNesting || !lua_checkstack(l, 3)) {
    c.err = Cursor::kBadFormat;
    return;
  }
  if (!c.need(1)) return;
  unsigned char t = *c.p++;
  --c.left;
  auto sized = [&](size_t n) -> uint64_t { return c.need(n) ? c.be(n) : 0; };
  if (t <= 0x7f) lua_pushnumber(l, t);
  else if (t >= 0xe0) lua_pushnumber(l, static_cast<int8_t>(t));
  else if ((t & 0xe0) == 0xa0) unpack_string(l, c, t & 0x1f);
  else if ((t & 0xf0) == 0x90) unpack_array(l, c, t & 0x0f, depth);
  else if ((t & 0xf0) == 0x80) unpack_map(l, c, t & 0x0f, depth);
  else {
    uint64_t v;
    switch (t) {
      case 0xc0: lua_pushnil(l); break;
      case 0xc2: lua_pushboolean(l, 0); break;
      case 0xc3: lua_pushboolean(l, 1); break;
      case 0xcc: v = sized(1); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<lua_Number>(v)); break;
      case 0xcd: v = sized(2); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<lua_Number>(v)); break;
      case 0xce: v = sized(4); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<lua_Number>(v)); break;
      case 0xcf: v = sized(8); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<lua_Number>(v)); break;
      case 0xd0: v = sized(1); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<int8_t>(v)); break;
      case 0xd1: v = sized(2); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<int16_t>(v)); break;
      case 0xd2: v = sized(4); if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<int32_t>(v)); break;
      case 0xd3:
        v = sized(8);
        if (c.err == Cursor::kOk) lua_pushnumber(l, static_cast<lua_Number>(static_cast<int64_t>(v)));
        break;
      case 0xca: {
        v = sized(4);
        if (c.err != Cursor::kOk) break;
        uint32_t bits = static_cast<uint32_t>(v);
        float f;
        std::memcpy(&f, &bits, 4);
        lua_pushnumber(l, f);
        break;
      }
      case 0xcb: {
        v = sized(8);
        if (c.err != Cursor::kOk) break;
        double d;
        std::memcpy(&d, &v, 8);
        lua_pushnumber(l, d);
        break;
      }
      // The bin types (0xc4-0xc6) are refused, as Redis's decoder does.
      case 0xd9: v = sized(1); if (c.err == Cursor::kOk) unpack_string(l, c, v); break;
      case 0xda: v = sized(2); if (c.err == Cursor::kOk) unpack_string(l, c, v); break;
      case 0xdb: v = sized(4); if (c.err == Cursor::kOk) unpack_string(l, c, v); break;
      case 0xdc: v = sized(2); if (c.err == Cursor::kOk) unpack_array(l, c, v, depth); break;
      case 0xdd: v = sized(4); if (c.err == Cursor::kOk) unpack_array(l, c, v, depth); break;
      case 0xde: v = sized(2); if (c.err == Cursor::kOk) unpack_map(l, c, v, depth); break;
      case 0xdf: v = sized(4); if (c.err == Cursor::kOk) unpack_map(l, c, v, depth); break;
      default: c.err = Cursor::kBadFormat; break;
    }
  }
}

// Redis's mp_unpack_full: up to `limit` values (0: all) from `offset`; unless
// decoding everything, the next offset (-1 at the end) comes first.
int unpack_full(lua_State* l, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(l, 1, &len);
  bool all = limit == 0;
  if (offset < 0 || limit < 0) {  // Redis's text names the input's length as the limit
    return luaL_error(l, "Invalid request to unpack with offset of %d and limit of %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(l, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int base = lua_gettop(l);
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    unpack_value(l, c, 0);
    if (c.err == Cursor::kEof) return luaL_error(l, "Missing bytes in input.");
    if (c.err == Cursor::kBadFormat) return luaL_error(l, "Bad data format in input.");
  }
  if (!all) {
    lua_pushinteger(l, c.left > 0 ? static_cast<lua_Integer>(len - c.left) : -1);
    lua_insert(l, base + 1);
    ++count;
  }
  return count;
}

int cmsgpack_unpack(lua_State* l) { return unpack_full(l, 0, 0); }
int cmsgpack_unpack_one(lua_State* l) { return unpack_full(l, 1, luaL_optinteger(l, 2, 0)); }
int cmsgpack_unpack_limit(lua_State* l) {
  return unpack_full(l, luaL_checkinteger(l, 2), luaL_optinteger(l, 3, 0));
}

}  // namespace

void open_cmsgpack(lua_State* l) {
  lua_newtable(l);
  lua_pushcfunction(l, cmsgpack_pack);
  lua_setfield(l, -2, "pack");
  lua_pushcfunction(l, cmsgpack_unpack);
  lua_setfield(l, -2, "unpack");
  lua_pushcfunction(l, cmsgpack_unpack_one);
  lua_setfield(l, -2, "unpack_one");
  lua_pushcfunction(l, cmsgpack_unpack_limit);
  lua_setfield(l, -2, "unpack_limit");
  lua_pushstring(l, "lua-cmsgpack");
  lua_setfield(l, -2, "_NAME");
  lua_pushstring(l, "0.4.0");
  lua_setfield(l, -2, "_VERSION");
  lua_setglobal(l, "cmsgpack");
}

}  // namespace cairn::command
