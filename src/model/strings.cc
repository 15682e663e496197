// String operations; see strings.h.
#include "model/strings.h"

#include <cmath>
#include <limits>

#include "model/numbers.h"

namespace cairn::model {

OpStatus get_string(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Found* f) {
  find(v, ns, key, now_ms, f);
  if (!f->live) return OpStatus::kNotFound;
  if (f->header.type != ValueType::kString) return OpStatus::kWrongType;
  return OpStatus::kOk;
}

void put_string(Txn& t, uint8_t ns, std::string_view key, const Found& old, std::string_view value,
                int64_t expire_at_ms, std::string_view metadata) {
  engine::write_record(t, ns, key, old, ValueType::kString, expire_at_ms, value, engine::FeedKind::kSet, metadata);
}

namespace {
// A write that keeps the key's TTL (INCR, APPEND, SETRANGE).
int64_t kept_ttl(const Found& f) { return f.live ? f.header.expire_at_ms : 0; }
}  // namespace

OpStatus incr_by(Txn& t, uint8_t ns, std::string_view key, int64_t delta, int64_t* result) {
  Found f;
  OpStatus s = get_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  int64_t cur = 0;
  if (s == OpStatus::kOk && !parse_int64(f.payload, &cur)) return OpStatus::kNotInteger;
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
  OpStatus s = get_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  long double cur = 0;
  if (s == OpStatus::kOk && !parse_long_double(f.payload, &cur)) return OpStatus::kNotFloat;
  long double v = cur + delta;
  if (std::isnan(v) || std::isinf(v)) return OpStatus::kNanOrInf;
  *result = format_long_double(v);
  put_string(t, ns, key, f, *result, kept_ttl(f));
  return OpStatus::kOk;
}

OpStatus append(Txn& t, uint8_t ns, std::string_view key, std::string_view suffix, uint64_t max_len,
                size_t* new_len) {
  Found f;
  OpStatus s = get_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  std::string value = s == OpStatus::kOk ? std::string(f.payload) : std::string();
  if (value.size() + suffix.size() > max_len) return OpStatus::kTooLarge;
  value.append(suffix);
  *new_len = value.size();
  put_string(t, ns, key, f, value, kept_ttl(f));
  return OpStatus::kOk;
}

OpStatus set_range(Txn& t, uint8_t ns, std::string_view key, uint64_t offset, std::string_view data,
                   uint64_t max_len, size_t* new_len) {
  Found f;
  OpStatus s = get_string(t, ns, key, t.now_ms(), &f);
  if (s == OpStatus::kWrongType) return s;
  std::string value = s == OpStatus::kOk ? std::string(f.payload) : std::string();
  if (data.empty()) {  // no change, no key creation
    *new_len = value.size();
    return OpStatus::kOk;
  }
  if (offset + data.size() > max_len) return OpStatus::kTooLarge;
  if (value.size() < offset + data.size()) value.resize(offset + data.size(), '\0');
  value.replace(offset, data.size(), data);
  *new_len = value.size();
  put_string(t, ns, key, f, value, kept_ttl(f));
  return OpStatus::kOk;
}

std::string_view substring(std::string_view s, int64_t start, int64_t end) {
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) return {};
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return {};
  return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1));
}

}  // namespace cairn::model
