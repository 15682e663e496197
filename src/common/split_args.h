// Splits a line into arguments as Redis's sdssplitargs does: spaces
// separate, "double quotes" take \xHH and \n-style escapes, 'single quotes'
// take \'; a closing quote must end the argument. Used for inline RESP
// commands and for the "#!lua name=…" line of function libraries.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

namespace split_args_detail {
inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace split_args_detail

// False on unbalanced quotes.
inline bool split_args(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0, n = line.size();
  for (;;) {
    while (i < n && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= n) return true;
    std::string cur;
    bool inq = false, insq = false;
    for (;;) {
      if (inq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && split_args_detail::hex_digit(line[i + 2]) >= 0 &&
            split_args_detail::hex_digit(line[i + 3]) >= 0) {
          cur.push_back(static_cast<char>(split_args_detail::hex_digit(line[i + 2]) * 16 +
                                          split_args_detail::hex_digit(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          ++i;
          char c = line[i];
          switch (c) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: break;
          }
          cur.push_back(c);
        } else if (line[i] == '"') {
          // A closing quote must be followed by a space or the end.
          if (i + 1 < n && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          inq = false;
          ++i;
          break;
        } else {
          cur.push_back(line[i]);
        }
      } else if (insq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !std::isspace(static_cast<unsigned char>(line[i + 1]))) return false;
          insq = false;
          ++i;
          break;
        } else {
          cur.push_back(line[i]);
        }
      } else {
        if (i >= n || std::isspace(static_cast<unsigned char>(line[i]))) break;
        if (line[i] == '"') inq = true;
        else if (line[i] == '\'') insq = true;
        else cur.push_back(line[i]);
      }
      ++i;
    }
    out->push_back(std::move(cur));
  }
}


}  // namespace cairn
