// struct.pack / unpack / size for scripts; see lua_struct.h.
#include "command/lua_struct.h"

#include "command/lua_buffer.h"

#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace cairn::command {

namespace {

constexpr int kMaxIntSize = 32;  // widest i/I option
constexpr int kMaxAlign = 8;     // '!' without a number: the platform's widest alignment

struct Header {
  bool big_endian = false;  // native order on the machines Debian builds Cairn for
  int align = 1;
};

int read_number(lua_State* l, const char** fmt, int fallback) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return fallback;
  int a = 0;
  do {
    int digit = **fmt - '0';
    if (a > (INT_MAX / 10) || a * 10 > (INT_MAX - digit)) luaL_error(l, "integral size overflow");
    a = a * 10 + digit;
    ++*fmt;
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

size_t option_size(lua_State* l, int opt, const char** fmt) {
  switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': return 8;
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return static_cast<size_t>(read_number(l, fmt, 1));
    case 'i': case 'I': {
      int size = read_number(l, fmt, 4);
      if (size > kMaxIntSize) luaL_error(l, "integral size %d is larger than limit of %d", size, kMaxIntSize);
      return static_cast<size_t>(size);
    }
    default: return 0;
  }
}

size_t padding(size_t len, const Header& h, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h.align)) size = static_cast<size_t>(h.align);
  return (size - (len & (size - 1))) & (size - 1);
}

void control_option(lua_State* l, int opt, const char** fmt, Header& h) {
  switch (opt) {
    case ' ': return;
    case '>': h.big_endian = true; return;
    case '<': h.big_endian = false; return;
    case '!': {
      int a = read_number(l, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(l, "alignment %d is not a power of 2", a);
      h.align = a;
      return;
    }
    default: {
      const char* msg = lua_pushfstring(l, "invalid format option '%c'", opt);
      luaL_argerror(l, 1, msg);
    }
  }
}

void put_integer(std::string& out, lua_Number n, bool big_endian, size_t size) {
  uint64_t value = n < 0 ? static_cast<uint64_t>(static_cast<int64_t>(n)) : static_cast<uint64_t>(n);
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    bytes[big_endian ? size - 1 - i : i] = static_cast<char>(value & 0xff);
    value = i < 7 ? value >> 8 : 0;
  }
  out += bytes;
}

lua_Number get_integer(const char* buf, bool big_endian, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) {
    unsigned char byte = static_cast<unsigned char>(buf[big_endian ? i : size - 1 - i]);
    v = (v << 8) | byte;
  }
  if (!is_signed) return static_cast<lua_Number>(v);
  if (size < 8) {
    uint64_t mask = ~uint64_t{0} << (size * 8 - 1);
    if (v & mask) v |= mask;  // negative: extend the sign
  }
  return static_cast<lua_Number>(static_cast<int64_t>(v));
}

// Floats are written in the chosen byte order.
template <typename T>
void put_float(std::string& out, T value, bool big_endian) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  if (big_endian) {
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
  }
  out.append(bytes, sizeof(T));
}

template <typename T>
T get_float(const char* buf, bool big_endian) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, buf, sizeof(T));
  if (big_endian) {
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(bytes[i], bytes[sizeof(T) - 1 - i]);
  }
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

int struct_pack(lua_State* l) {
  const char* fmt = luaL_checkstring(l, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  std::string& out = new_lua_buffer(l);
  while (*fmt) {
    int opt = *fmt++;
    size_t size = option_size(l, opt, &fmt);
    size_t pad = padding(total, h, opt, size);
    total += pad;
    out.append(pad, '\0');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        put_integer(out, luaL_checknumber(l, arg++), h.big_endian, size);
        break;
      case 'x': out.push_back('\0'); break;  // its one byte is counted below
      case 'f': put_float(out, static_cast<float>(luaL_checknumber(l, arg++)), h.big_endian); break;
      case 'd': put_float(out, static_cast<double>(luaL_checknumber(l, arg++)), h.big_endian); break;
      case 'c': case 's': {
        size_t len;
        const char* s = luaL_checklstring(l, arg++, &len);
        if (size == 0) size = len;
        luaL_argcheck(l, len >= size, arg, "string too short");  // Redis's numbering: the argument after
        out.append(s, size);
        if (opt == 's') {
          out.push_back('\0');
          ++size;
        }
        break;
      }
      default: control_option(l, opt, &fmt, h); break;
    }
    total += size;
  }
  lua_pushlstring(l, out.data(), out.size());
  return 1;
}

int struct_unpack(lua_State* l) {
  const char* fmt = luaL_checkstring(l, 1);
  size_t len;
  const char* data = luaL_checklstring(l, 2, &len);
  lua_Integer start = luaL_optinteger(l, 3, 1);
  luaL_argcheck(l, start > 0, 3, "offset must be 1 or greater");
  size_t pos = static_cast<size_t>(start) - 1;
  Header h;
  int n = 0;
  while (*fmt) {
    int opt = *fmt++;
    size_t size = option_size(l, opt, &fmt);
    pos += padding(pos, h, opt, size);
    luaL_argcheck(l, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(l, 2, "too many results");
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua_pushnumber(l, get_integer(data + pos, h.big_endian, std::islower(opt), size));
        ++n;
        break;
      case 'x': break;
      case 'f': lua_pushnumber(l, get_float<float>(data + pos, h.big_endian)); ++n; break;
      case 'd': lua_pushnumber(l, get_float<double>(data + pos, h.big_endian)); ++n; break;
      case 'c': {
        if (size == 0) {
          if (n == 0 || !lua_isnumber(l, -1)) luaL_error(l, "format 'c0' needs a previous size");
          lua_Number want = lua_tonumber(l, -1);
          lua_pop(l, 1);
          --n;
          luaL_argcheck(l, want >= 0 && want <= static_cast<lua_Number>(len - pos), 2, "data string too short");
          size = static_cast<size_t>(want);
        }
        lua_pushlstring(l, data + pos, size);
        ++n;
        break;
      }
      case 's': {
        const void* end = std::memchr(data + pos, '\0', len - pos);
        if (!end) luaL_error(l, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(l, data + pos, size - 1);
        ++n;
        break;
      }
      default: control_option(l, opt, &fmt, h); break;
    }
    pos += size;
  }
  lua_pushinteger(l, static_cast<lua_Integer>(pos) + 1);  // where the next value starts
  return n + 1;
}

int struct_size(lua_State* l) {
  const char* fmt = luaL_checkstring(l, 1);
  Header h;
  size_t pos = 0;
  while (*fmt) {
    int opt = *fmt++;
    size_t size = option_size(l, opt, &fmt);
    pos += padding(pos, h, opt, size);
    if (opt == 's') luaL_argerror(l, 1, "option 's' has no fixed size");
    if (opt == 'c' && size == 0) luaL_argerror(l, 1, "option 'c0' has no fixed size");
    if (!std::isalnum(opt)) control_option(l, opt, &fmt, h);
    pos += size;
  }
  lua_pushinteger(l, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

void open_struct(lua_State* l) {
  lua_newtable(l);
  lua_pushcfunction(l, struct_pack);
  lua_setfield(l, -2, "pack");
  lua_pushcfunction(l, struct_unpack);
  lua_setfield(l, -2, "unpack");
  lua_pushcfunction(l, struct_size);
  lua_setfield(l, -2, "size");
  lua_setglobal(l, "struct");
}

}  // namespace cairn::command
