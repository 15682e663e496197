// Hash operations; see hash.h.
#include "model/hash.h"

#include <cmath>
#include <limits>

#include "model/numbers.h"

namespace cairn::model {

namespace {
constexpr ValueType kHash = ValueType::kHash;
}  // namespace

OpStatus open_hash(View& v, uint8_t ns, std::string_view key, int64_t now_ms, Collection* h) {
  return open_collection(v, ns, key, kHash, now_ms, h);
}

bool hash_get(View& v, const Collection& h, std::string_view field, std::string* value) {
  return get_member(v, h, field, value);
}

OpStatus hash_set(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> pairs,
                  int64_t* added) {
  Collection h;
  OpStatus s = open_collection_for_write(t, ns, key, kHash, &h);
  if (s != OpStatus::kOk) return s;
  *added = 0;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    if (put_member(t, &h, pairs[i], pairs[i + 1])) ++*added;
  }
  save_collection(t, ns, key, kHash, h);
  return OpStatus::kOk;
}

OpStatus hash_set_if_absent(Txn& t, uint8_t ns, std::string_view key, std::string_view field,
                            std::string_view value, bool* set) {
  Collection h;
  OpStatus s = open_collection_for_write(t, ns, key, kHash, &h);
  if (s != OpStatus::kOk) return s;
  *set = insert_member(t, &h, field, value);
  if (*set) save_collection(t, ns, key, kHash, h);
  return OpStatus::kOk;
}

OpStatus hash_delete(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> fields,
                     int64_t* removed) {
  *removed = 0;
  Collection h;
  OpStatus s = open_collection(t, ns, key, kHash, t.now_ms(), &h);
  if (s != OpStatus::kOk) return s;
  for (std::string_view f : fields) {
    if (delete_member(t, &h, f)) ++*removed;
    if (h.meta.count == 0) break;
  }
  if (*removed) save_collection(t, ns, key, kHash, h);
  return OpStatus::kOk;
}

OpStatus hash_incr_by(Txn& t, uint8_t ns, std::string_view key, std::string_view field, int64_t delta,
                      int64_t* result) {
  Collection h;
  OpStatus s = open_collection_for_write(t, ns, key, kHash, &h);
  if (s != OpStatus::kOk) return s;
  std::string cur_text;
  int64_t cur = 0;
  if (get_member(t, h, field, &cur_text) && !parse_int64(cur_text, &cur)) return OpStatus::kNotInteger;
  if ((delta > 0 && cur > std::numeric_limits<int64_t>::max() - delta) ||
      (delta < 0 && cur < std::numeric_limits<int64_t>::min() - delta)) {
    return OpStatus::kOverflow;
  }
  *result = cur + delta;
  put_member(t, &h, field, format_int64(*result));
  save_collection(t, ns, key, kHash, h);
  return OpStatus::kOk;
}

OpStatus hash_incr_by_float(Txn& t, uint8_t ns, std::string_view key, std::string_view field,
                            long double delta, std::string* result) {
  Collection h;
  OpStatus s = open_collection_for_write(t, ns, key, kHash, &h);
  if (s != OpStatus::kOk) return s;
  std::string cur_text;
  long double cur = 0;
  if (get_member(t, h, field, &cur_text) && !parse_long_double(cur_text, &cur)) return OpStatus::kNotFloat;
  long double v = cur + delta;
  if (std::isnan(v) || std::isinf(v)) return OpStatus::kNanOrInf;
  *result = format_long_double(v);
  put_member(t, &h, field, *result);
  save_collection(t, ns, key, kHash, h);
  return OpStatus::kOk;
}

}  // namespace cairn::model
