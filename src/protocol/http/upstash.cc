// Upstash REST request parsing and reply formatting; see upstash.h.
#include "protocol/http/upstash.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace cairn::protocol::http {

namespace json = boost::json;

namespace {

// JSON nesting deeper than any command needs is refused before it can cost
// stack or memory.
constexpr unsigned kMaxDepth = 8;

// Builds commands straight from Boost.JSON's SAX events, which carry each
// number's text as written: `1e-7` stays "1e-7", `100000000000000000000`
// is not rounded through a double.
class CommandsHandler {
 public:
  static constexpr std::size_t max_object_size = 0;
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = 0;
  static constexpr std::size_t max_string_size = std::size_t(-1);

  CommandsHandler(bool pipeline, std::vector<Command>* out, std::string* error)
      : pipeline_(pipeline), out_(out), error_(error) {}

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code& ec) {
    if (!pipeline_ && out_->empty()) return fail(ec, "a command must be a non-empty JSON array, like [\"GET\", \"key\"]");
    if (pipeline_ && out_->empty()) return fail(ec, "a pipeline must be a non-empty JSON array of commands");
    return true;
  }
  bool on_array_begin(boost::system::error_code& ec) {
    ++depth_;
    if (depth_ == command_depth()) {
      out_->emplace_back();
      return true;
    }
    if (depth_ < command_depth()) return true;
    return fail(ec, "command arguments must be strings, numbers or booleans");
  }
  bool on_array_end(std::size_t, boost::system::error_code& ec) {
    if (depth_ == command_depth() && out_->back().empty()) {
      return fail(ec, "a command must be a non-empty JSON array, like [\"GET\", \"key\"]");
    }
    --depth_;
    return true;
  }
  bool on_object_begin(boost::system::error_code& ec) {
    return fail(ec, depth_ + 1 > command_depth() ? "command arguments must be strings, numbers or booleans"
                                                 : "expected a JSON array of commands");
  }
  bool on_object_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_key(boost::json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    if (!in_command(ec)) return false;
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code& ec) {
    if (!in_command(ec)) return false;
    part_.append(s.data(), s.size());
    return argument(std::move(part_));
  }
  bool on_number_part(boost::json::string_view s, boost::system::error_code& ec) {
    if (!in_command(ec)) return false;
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t, boost::json::string_view s, boost::system::error_code& ec) { return number(s, ec); }
  bool on_uint64(uint64_t, boost::json::string_view s, boost::system::error_code& ec) { return number(s, ec); }
  bool on_double(double, boost::json::string_view s, boost::system::error_code& ec) { return number(s, ec); }
  bool on_bool(bool b, boost::system::error_code& ec) {
    if (!in_command(ec)) return false;
    return argument(b ? "true" : "false");
  }
  bool on_null(boost::system::error_code& ec) {
    return fail(ec, "command arguments must be strings, numbers or booleans");
  }
  bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

 private:
  int command_depth() const { return pipeline_ ? 2 : 1; }
  bool in_command(boost::system::error_code& ec) {
    if (depth_ == command_depth()) return true;
    return fail(ec, pipeline_ ? "a pipeline must be a JSON array of command arrays"
                              : "a command must be a non-empty JSON array, like [\"GET\", \"key\"]");
  }
  bool number(boost::json::string_view s, boost::system::error_code& ec) {
    if (!in_command(ec)) return false;
    part_.append(s.data(), s.size());
    return argument(std::move(part_));
  }
  bool argument(std::string a) {
    out_->back().push_back(std::move(a));
    part_.clear();
    return true;
  }
  bool fail(boost::system::error_code& ec, const char* msg) {
    *error_ = std::string("ERR ") + msg;
    ec = boost::json::error::syntax;
    return false;
  }

  bool pipeline_;
  std::vector<Command>* out_;
  std::string* error_;
  int depth_ = 0;
  std::string part_;
};

// JavaScript's JSON.stringify writes a lone UTF-16 surrogate as a
// backslash-u escape in D800..DFFF, which Boost.JSON refuses; clients can
// send one, so before parsing it becomes the escape of U+FFFD, as Upstash
// stores it.
std::string replace_lone_surrogates(std::string_view body) {
  auto hex4 = [&](size_t at, unsigned* v) {
    if (at + 4 > body.size()) return false;
    *v = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = body[at + k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<unsigned>(d);
    }
    return true;
  };
  std::string out;
  out.reserve(body.size());
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out.push_back(c);
      continue;
    }
    if (c == '"') {
      in_string = false;
      out.push_back(c);
      continue;
    }
    if (c != '\\' || i + 1 >= body.size()) {
      out.push_back(c);
      continue;
    }
    unsigned u = 0, low = 0;
    if (body[i + 1] == 'u' && hex4(i + 2, &u) && u >= 0xD800 && u <= 0xDFFF) {
      bool paired = u <= 0xDBFF && i + 12 <= body.size() && body.compare(i + 6, 2, "\\u") == 0 &&
                    hex4(i + 8, &low) && low >= 0xDC00 && low <= 0xDFFF;
      if (paired) {
        out.append(body.substr(i, 12));
        i += 11;
      } else {
        out.append("\\ufffd");
        i += 5;
      }
      continue;
    }
    out.append(body.substr(i, 2));  // any other escape, copied whole
    ++i;
  }
  return out;
}

bool parse_commands(std::string_view body, bool pipeline, std::vector<Command>* out, std::string* error) {
  out->clear();
  error->clear();
  std::string text = replace_lone_surrogates(body);
  boost::json::parse_options opt;
  opt.max_depth = kMaxDepth;
  boost::json::basic_parser<CommandsHandler> parser(opt, pipeline, out, error);
  boost::system::error_code ec;
  parser.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (error->empty()) *error = "ERR failed to parse command: " + ec.message();
    out->clear();
    return false;
  }
  return true;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode(std::string_view in, std::string* out, bool plus_is_space) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int h = hex(in[i + 1]), l = hex(in[i + 2]);
      if (h < 0 || l < 0) return false;
      out->push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool parse_json_command(std::string_view body, Command* out, std::string* error) {
  std::vector<Command> one;
  if (!parse_commands(body, false, &one, error)) return false;
  if (one.size() != 1) {
    *error = "ERR a command must be one JSON array, like [\"GET\", \"key\"]";
    return false;
  }
  *out = std::move(one[0]);
  return true;
}

bool parse_json_commands(std::string_view body, std::vector<Command>* out, std::string* error) {
  return parse_commands(body, true, out, error);
}

bool parse_path_command(std::string_view path, std::string_view query, const std::string* body, Command* out,
                        std::string* error) {
  out->clear();
  if (path.empty() || path[0] != '/' || path.size() == 1) {
    *error = "ERR no command in the path";
    return false;
  }
  path.remove_prefix(1);
  for (;;) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    out->emplace_back();
    if (!percent_decode(seg, &out->back(), false)) {
      *error = "ERR malformed percent-encoding in the path";
      return false;
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (body) out->push_back(*body);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name, value;
    if (!percent_decode(pair.substr(0, eq), &name, true) ||
        (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), &value, true))) {
      *error = "ERR malformed percent-encoding in the query";
      return false;
    }
    if (name == "_token") continue;
    out->push_back(std::move(name));
    if (eq != std::string_view::npos) out->push_back(std::move(value));
  }
  return true;
}

std::string format_error(std::string_view msg) {
  json::object o;
  o["error"] = valid_utf8(msg);
  return json::serialize(o);
}

std::string format_result(const JsonReply::Result& r) {
  if (r.is_error) return format_error(r.error);
  json::object o;
  o["result"] = r.value;
  return json::serialize(o);
}

std::string format_results(const std::vector<JsonReply::Result>& rs) {
  json::array a;
  a.reserve(rs.size());
  for (const auto& r : rs) {
    json::object o;
    if (r.is_error) o["error"] = valid_utf8(r.error);
    else o["result"] = r.value;
    a.push_back(std::move(o));
  }
  return json::serialize(a);
}

}  // namespace cairn::protocol::http
