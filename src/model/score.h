// Sorted-set scores on disk. Two encodings of an IEEE-754 double:
//
//   member index value   [score:8 LE]   the double's bits, little-endian
//   score index key part [score:8 BE]   order-preserving: bytewise order of the
//                                        encodings equals numeric order
//
// The order-preserving form flips every bit of a negative double and sets the
// sign bit of a positive one, so -inf < -1 < 0 < 1e-300 < 1 < +inf compare as
// unsigned big-endian integers. -0 is stored as +0 (Redis compares them as
// equal, so they must sort as one score). NaN never reaches storage: the
// commands reject it first.
#pragma once

#include <string>
#include <string_view>

namespace cairn::model {

inline constexpr size_t kScoreBytes = 8;

// -0 becomes +0; every other value is returned unchanged.
double normalize_score(double d);

// Appends the 8-byte order-preserving encoding of `d` (after normalize_score).
void append_sortable_score(std::string* out, double d);
std::string sortable_score(double d);
// Decodes the first 8 bytes of `s` (which must hold at least 8).
double decode_sortable_score(std::string_view s);

// The member index's value: the double's bits, little-endian.
std::string score_value(double d);
// False if `s` is not 8 bytes.
bool decode_score_value(std::string_view s, double* out);

// Redis's reply text for a score ("%.17g", "inf", "-inf"), as ZSCAN sends it.
std::string format_score(double d);

}  // namespace cairn::model
