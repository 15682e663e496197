// Glob matching; see glob.h. Iterative with one backtrack point for '*',
// so hostile patterns cannot blow up the stack or run exponentially.
#include "model/glob.h"

#include <cctype>

namespace cairn::model {

namespace {

char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches the class starting at p[i] == '['; sets *next to the index after ']'.
bool match_class(std::string_view p, size_t i, char c, bool nocase, size_t* next) {
  ++i;
  bool negate = false;
  if (i < p.size() && p[i] == '^') {
    negate = true;
    ++i;
  }
  bool matched = false;
  while (i < p.size() && p[i] != ']') {
    if (p[i] == '\\' && i + 1 < p.size()) {
      ++i;
      if (fold(p[i], nocase) == fold(c, nocase)) matched = true;
      ++i;
    } else if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      char lo = fold(p[i], nocase), hi = fold(p[i + 2], nocase), x = fold(c, nocase);
      if (lo > hi) std::swap(lo, hi);
      if (x >= lo && x <= hi) matched = true;
      i += 3;
    } else {
      if (fold(p[i], nocase) == fold(c, nocase)) matched = true;
      ++i;
    }
  }
  *next = i < p.size() ? i + 1 : i;  // an unterminated class ends the pattern
  return negate ? !matched : matched;
}

}  // namespace

bool glob_match(std::string_view p, std::string_view s, bool nocase) {
  // Redis gives up (no match) on patterns nesting more than 1000 stars;
  // answer the same so KEYS/SCAN results agree with Redis.
  int stars = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '*' && (i == 0 || p[i - 1] != '*') && ++stars > 1000) return false;
  }
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      char pc = p[pi];
      if (pc == '*') {
        while (pi < p.size() && p[pi] == '*') ++pi;
        if (pi == p.size()) return true;
        star_p = pi;
        star_s = si;
        continue;
      }
      if (pc == '?') {
        ++pi;
        ++si;
        continue;
      }
      if (pc == '[') {
        size_t next;
        if (match_class(p, pi, s[si], nocase, &next)) {
          pi = next;
          ++si;
          continue;
        }
      } else {
        if (pc == '\\' && pi + 1 < p.size()) {
          if (fold(p[pi + 1], nocase) == fold(s[si], nocase)) {
            pi += 2;
            ++si;
            continue;
          }
        } else if (fold(pc, nocase) == fold(s[si], nocase)) {
          ++pi;
          ++si;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::string glob_literal_prefix(std::string_view p) {
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*' || c == '?' || c == '[') break;
    if (c == '\\') {
      if (i + 1 >= p.size()) break;
      c = p[++i];
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace cairn::model
