// Score encodings; see score.h.
#include "model/score.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "engine/coding.h"

namespace cairn::model {

namespace {
constexpr uint64_t kSignBit = uint64_t{1} << 63;
}  // namespace

double normalize_score(double d) { return d == 0 ? 0.0 : d; }

void append_sortable_score(std::string* out, double d) {
  uint64_t bits = std::bit_cast<uint64_t>(normalize_score(d));
  bits = (bits & kSignBit) ? ~bits : (bits | kSignBit);
  engine::put_be64(out, bits);
}

std::string sortable_score(double d) {
  std::string s;
  s.reserve(kScoreBytes);
  append_sortable_score(&s, d);
  return s;
}

double decode_sortable_score(std::string_view s) {
  uint64_t bits = engine::get_be64(s.data());
  bits = (bits & kSignBit) ? (bits & ~kSignBit) : ~bits;
  return std::bit_cast<double>(bits);
}

std::string score_value(double d) {
  std::string s;
  s.reserve(kScoreBytes);
  engine::put_le64(&s, std::bit_cast<uint64_t>(normalize_score(d)));
  return s;
}

bool decode_score_value(std::string_view s, double* out) {
  if (s.size() != kScoreBytes) return false;
  *out = std::bit_cast<double>(engine::get_le64(s.data()));
  return true;
}

std::string format_score(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace cairn::model
