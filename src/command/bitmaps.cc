// The bitmap family on string values: SETBIT, GETBIT, BITCOUNT, BITPOS.
// Bits are numbered from the most significant bit of the first byte, as in
// Redis.
#include <bit>

#include "command/args.h"
#include "command/errors.h"
#include "command/notify.h"
#include "command/server_context.h"
#include "command/table.h"
#include "model/numbers.h"
#include "model/strings.h"

namespace cairn::command {

namespace {

using model::Found;
using model::OpStatus;

constexpr int64_t kMaxBitOffset = (int64_t{512} << 20) * 8 - 1;  // proto-max-bulk-len in bits

bool arg_bit_offset(CommandCtx& ctx, size_t i, uint64_t* out) {
  int64_t v;
  uint64_t max_bits = ctx.server.settings().max_value_bytes.load() * 8;
  if (!model::parse_int64(ctx.arg(i), &v) || v < 0 || static_cast<uint64_t>(v) >= max_bits || v > kMaxBitOffset) {
    ctx.reply.error("ERR bit offset is not an integer or out of range");
    return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

void cmd_setbit(CommandCtx& ctx) {
  uint64_t offset;
  if (!arg_bit_offset(ctx, 2, &offset)) return;
  std::string_view b = ctx.arg(3);
  if (b != "0" && b != "1") {
    ctx.reply.error("ERR bit is not an integer or out of range");
    return;
  }
  auto& t = ctx.txn();
  Found f;
  OpStatus s = model::find_string(t, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (s == OpStatus::kWrongType) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  // Reads and rewrites one byte: a chunked value writes only its chunk.
  uint64_t byte = offset >> 3;
  std::string cur_byte = s == OpStatus::kOk ? model::read_range(t, ctx.ns(), ctx.arg(1), f, byte, 1) : std::string();
  auto cur = static_cast<uint8_t>(cur_byte.empty() ? 0 : cur_byte[0]);
  uint8_t mask = static_cast<uint8_t>(1u << (7 - (offset & 7)));
  int old = (cur & mask) ? 1 : 0;
  cur = b == "1" ? (cur | mask) : (cur & static_cast<uint8_t>(~mask));
  char next = static_cast<char>(cur);
  model::write_range(t, ctx.ns(), ctx.arg(1), f, byte, std::string_view(&next, 1));
  notify(ctx, engine::kEventString, "setbit", ctx.arg(1));
  ctx.reply.integer(old);
}

void cmd_getbit(CommandCtx& ctx) {
  uint64_t offset;
  if (!arg_bit_offset(ctx, 2, &offset)) return;
  Found f;
  OpStatus s = model::find_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (s == OpStatus::kWrongType) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  uint64_t byte = offset >> 3;
  std::string at = s == OpStatus::kOk ? model::read_range(ctx.view, ctx.ns(), ctx.arg(1), f, byte, 1) : std::string();
  if (at.empty()) {
    ctx.reply.integer(0);
    return;
  }
  ctx.reply.integer((static_cast<uint8_t>(at[0]) >> (7 - (offset & 7))) & 1);
}

// Resolves [start, end] (byte or bit units, negative from the end) against a
// string of `len` bytes into a bit range [first, last]; false if empty.
bool resolve_range(int64_t start, int64_t end, bool bits, size_t len, uint64_t* first, uint64_t* last) {
  int64_t total = static_cast<int64_t>(bits ? len * 8 : len);
  if (start < 0) start = std::max<int64_t>(total + start, 0);
  if (end < 0) end = std::max<int64_t>(total + end, -1);
  if (end >= total) end = total - 1;
  if (start > end || total == 0) return false;
  *first = static_cast<uint64_t>(bits ? start : start * 8);
  *last = static_cast<uint64_t>(bits ? end : end * 8 + 7);
  return true;
}

bool bit_at(std::string_view s, uint64_t i) { return (static_cast<uint8_t>(s[i >> 3]) >> (7 - (i & 7))) & 1; }

// Parses the optional "start end [BYTE|BIT]" tail starting at argv[i].
bool parse_range_args(CommandCtx& ctx, size_t i, int64_t* start, int64_t* end, bool* bits, bool* has_end) {
  *bits = false;
  *has_end = false;
  if (i >= ctx.argc()) return true;
  if (!arg_int(ctx, i, start)) return false;
  if (i + 1 < ctx.argc()) {
    if (!arg_int(ctx, i + 1, end)) return false;
    *has_end = true;
  }
  if (i + 2 < ctx.argc()) {
    if (iequals(ctx.arg(i + 2), "bit")) *bits = true;
    else if (!iequals(ctx.arg(i + 2), "byte")) {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  if (i + 3 < ctx.argc()) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

void cmd_bitcount(CommandCtx& ctx) {
  int64_t start = 0, end = -1;
  bool bits, has_end;
  if (ctx.argc() == 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (!parse_range_args(ctx, 2, &start, &end, &bits, &has_end)) return;
  Found f;
  OpStatus s = model::get_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (s == OpStatus::kWrongType) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  uint64_t first, last;
  if (s != OpStatus::kOk || !resolve_range(start, end, bits, f.payload.size(), &first, &last)) {
    ctx.reply.integer(0);
    return;
  }
  int64_t n = 0;
  uint64_t i = first;
  for (; i <= last && (i & 7); ++i) n += bit_at(f.payload, i);
  for (; i + 7 <= last; i += 8) n += std::popcount(static_cast<uint8_t>(f.payload[i >> 3]));
  for (; i <= last; ++i) n += bit_at(f.payload, i);
  ctx.reply.integer(n);
}

void cmd_bitpos(CommandCtx& ctx) {
  std::string_view b = ctx.arg(2);
  if (b != "0" && b != "1") {
    ctx.reply.error("ERR The bit argument must be 1 or 0.");
    return;
  }
  bool want = b == "1";
  int64_t start = 0, end = -1;
  bool bits, has_end;
  if (!parse_range_args(ctx, 3, &start, &end, &bits, &has_end)) return;
  Found f;
  OpStatus s = model::get_string(ctx.view, ctx.ns(), ctx.arg(1), ctx.now_ms, &f);
  if (s == OpStatus::kWrongType) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  if (s != OpStatus::kOk) {
    ctx.reply.integer(want ? -1 : 0);
    return;
  }
  uint64_t first, last;
  if (!resolve_range(start, end, bits, f.payload.size(), &first, &last)) {
    ctx.reply.integer(-1);
    return;
  }
  for (uint64_t i = first; i <= last; ++i) {
    if (bit_at(f.payload, i) == want) {
      ctx.reply.integer(static_cast<int64_t>(i));
      return;
    }
  }
  // Looking for a clear bit with no explicit end: the string is padded with zeros.
  ctx.reply.integer(!want && !has_end ? static_cast<int64_t>(last + 1) : -1);
}

CommandSpec spec(const char* name, int arity, uint32_t flags, Handler h, std::string_view summary,
                 std::string_view since) {
  return make_spec("bitmap", "@bitmap", name, arity, flags, 1, 1, 1, h, summary, since);
}

}  // namespace

void register_bitmap_commands(CommandTable& t) {
  t.add(spec("setbit", 4, kWrite | kDenyOom, cmd_setbit, "Sets or clears the bit at offset of the string value.", "2.2.0"));
  t.add(spec("getbit", 3, kReadOnly | kFast, cmd_getbit, "Returns a bit value by offset.", "2.2.0"));
  t.add(spec("bitcount", -2, kReadOnly, cmd_bitcount, "Counts the number of set bits (population counting) in a string.", "2.6.0"));
  t.add(spec("bitpos", -3, kReadOnly, cmd_bitpos, "Finds the first set (1) or clear (0) bit in a string.", "2.8.7"));
}

}  // namespace cairn::command
