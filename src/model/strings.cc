// String operations; see strings.h.
#include "model/strings.h"

#include <cmath>
#include <limits>

#include "engine/string_chunks.h"
#include "model/numbers.h"

namespace cairn::model {

OpStatus find_string(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f) {
  find(v, ns, key, now_ms, f);
  if (!f->live) return OpStatus::kNotFound;
  if (f->header.type != ValueType::kString) return OpStatus::kWrongType;
  return OpStatus::kOk;
}

OpStatus get_string(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f) {
  OpStatus s = find_string(v, ns, key, now_ms, f);
  if (s == OpStatus::kOk) engine::load_string(v, ns, key, f);
  return s;
}

uint64_t string_length(const Found& f) { return engine::string_length(f); }

std::string read_range(View& v, uint8_t ns, std::string_view key, const Found& f, uint64_t offset, uint64_t len) {
  std::string out;
  engine::read_string(v, ns, key, f, offset, len, &out);
  return out;
}

void load_string(View& v, uint8_t ns, std::string_view key, Found* f) {
  if (f->live && f->header.type == ValueType::kString) engine::load_string(v, ns, key, f);
}

void put_string(Txn& t, uint8_t ns, std::string_view key, const Found& old, std::string_view value,
                int64_t expire_at_ms, std::string_view metadata) {
  engine::write_string(t, ns, key, old, value, expire_at_ms, metadata);
}

namespace {
// A write that keeps the key's TTL (INCR, APPEND, SETRANGE).
int64_t kept_ttl(const Found& f) { return f.live ? f.header.expire_at_ms : 0; }
}  // namespace

uint64_t write_range(Txn& t, uint8_t ns, std::string_view key, const Found& old, uint64_t offset,
                     std::string_view data) {
  return engine::write_string_range(t, ns, key, old, offset, data, kept_ttl(old));
}

OpStatus incr_by(Txn& t, uint8_t ns, std::string_view key, int64_t delta, int64_t* result) {
  Found f;
  // A chunked value is far too long for a number: not read.
  OpStatus s = find_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  int64_t cur = 0;
  if (s == OpStatus::kOk && (f.header.chunked || !parse_int64(f.payload, &cur))) return OpStatus::kNotInteger;
  if ((delta > 0 && cur > std::numeric_limits<int64_t>::max() - delta) ||
      (delta < 0 && cur < std::numeric_limits<int64_t>::min() - delta)) {
    return OpStatus::kOverflow;
  }
  *result = cur + delta;
  put_string(t, ns, key, f, format_int64(*result), kept_ttl(f));
  return OpStatus::kOk;
}

OpStatus incr_by_float(Txn& t, uint8_t ns, std::string_view key, long double delta, std::string* result) {
  Found f;
  OpStatus s = find_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  long double cur = 0;
  if (s == OpStatus::kOk && (f.header.chunked || !parse_long_double(f.payload, &cur))) return OpStatus::kNotFloat;
  long double v = cur + delta;
  if (std::isnan(v) || std::isinf(v)) return OpStatus::kNanOrInf;
  *result = format_long_double(v);
  put_string(t, ns, key, f, *result, kept_ttl(f));
  return OpStatus::kOk;
}

OpStatus append(Txn& t, uint8_t ns, std::string_view key, std::string_view suffix, uint64_t max_len,
                size_t* new_len) {
  Found f;
  OpStatus s = find_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  uint64_t len = s == OpStatus::kOk ? model::string_length(f) : 0;
  if (len + suffix.size() > max_len) return OpStatus::kTooLarge;
  *new_len = write_range(t, ns, key, f, len, suffix);
  return OpStatus::kOk;
}

OpStatus set_range(Txn& t, uint8_t ns, std::string_view key, uint64_t offset, std::string_view data,
                   uint64_t max_len, size_t* new_len) {
  Found f;
  OpStatus s = find_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  if (data.empty()) {  // no change, no key creation
    *new_len = s == OpStatus::kOk ? model::string_length(f) : 0;
    return OpStatus::kOk;
  }
  if (offset + data.size() > max_len) return OpStatus::kTooLarge;
  *new_len = write_range(t, ns, key, f, offset, data);
  return OpStatus::kOk;
}

bool resolve_substring(uint64_t size, int64_t start, int64_t end, uint64_t* first, uint64_t* last) {
  auto len = static_cast<int64_t>(size);
  if (start < 0 && end < 0 && start > end) return false;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return false;
  *first = static_cast<uint64_t>(start);
  *last = static_cast<uint64_t>(end);
  return true;
}

std::string_view substring(std::string_view s, int64_t start, int64_t end) {
  uint64_t first, last;
  if (!resolve_substring(s.size(), start, end, &first, &last)) return {};
  return s.substr(first, last - first + 1);
}

}  // namespace cairn::model
