// Tests for glob matching (glob.h) against Redis's stringmatchlen rules, as
// used by KEYS and SCAN MATCH, and for the literal prefix used to narrow scans.
#include "model/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::model {
namespace {

TEST(GlobTest, Star) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything at all"));
  EXPECT_TRUE(glob_match("**", "x"));
  EXPECT_TRUE(glob_match("h*llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_FALSE(glob_match("h*llo", "hellox"));
  EXPECT_TRUE(glob_match("user:*", "user:42"));
  EXPECT_FALSE(glob_match("user:*", "users:42"));
  EXPECT_TRUE(glob_match("*:*:*", "a:b:c"));
  EXPECT_FALSE(glob_match("*:*:*", "a:b"));
  EXPECT_TRUE(glob_match("*abc", "ababc"));  // needs backtracking
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
}

TEST(GlobTest, Literal) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_FALSE(glob_match("a", ""));
  EXPECT_TRUE(glob_match("hello", "hello"));
  EXPECT_FALSE(glob_match("hello", "hell"));
  EXPECT_FALSE(glob_match("hell", "hello"));
  EXPECT_FALSE(glob_match("hello", "Hello"));
  EXPECT_TRUE(glob_match(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(glob_match(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(GlobTest, QuestionMark) {
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_TRUE(glob_match("h?llo", "hallo"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_FALSE(glob_match("h?llo", "heello"));
  EXPECT_TRUE(glob_match("???", "abc"));
  EXPECT_FALSE(glob_match("?", ""));
}

TEST(GlobTest, Classes) {
  EXPECT_TRUE(glob_match("h[ae]llo", "hello"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hllo"));

  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hbllo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hllo"));

  EXPECT_TRUE(glob_match("h[a-b]llo", "hallo"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_FALSE(glob_match("h[a-b]llo", "hcllo"));
  EXPECT_TRUE(glob_match("[a-z][0-9]", "q7"));
  EXPECT_FALSE(glob_match("[a-z][0-9]", "Q7"));
  EXPECT_TRUE(glob_match("[b-a]", "a"));  // Redis swaps a reversed range
  EXPECT_TRUE(glob_match("[^a-c]", "d"));
  EXPECT_FALSE(glob_match("[^a-c]", "b"));
  EXPECT_FALSE(glob_match("[]", "a"));  // empty class matches nothing
  // Classes are characters: '*' and '?' inside are literal.
  EXPECT_TRUE(glob_match("[*?]", "*"));
  EXPECT_TRUE(glob_match("[*?]", "?"));
  EXPECT_FALSE(glob_match("[*?]", "a"));
  // An unterminated class runs to the end of the pattern, as in Redis.
  EXPECT_TRUE(glob_match("[abc", "b"));
  EXPECT_FALSE(glob_match("[abc", "d"));
  EXPECT_FALSE(glob_match("[abc", "ab"));
}

TEST(GlobTest, Escapes) {
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
  EXPECT_TRUE(glob_match("\\?", "?"));
  EXPECT_FALSE(glob_match("\\?", "a"));
  EXPECT_TRUE(glob_match("\\[a]", "[a]"));
  EXPECT_FALSE(glob_match("\\[a]", "a"));
  EXPECT_TRUE(glob_match("a\\\\b", "a\\b"));
  EXPECT_TRUE(glob_match("\\a", "a"));  // escaping an ordinary char is harmless
  EXPECT_TRUE(glob_match("[\\]]", "]"));
  EXPECT_TRUE(glob_match("[\\-]", "-"));
  EXPECT_FALSE(glob_match("[\\-]", "\\"));
  // A trailing backslash is a literal backslash.
  EXPECT_TRUE(glob_match("a\\", "a\\"));
  EXPECT_FALSE(glob_match("a\\", "a"));
  EXPECT_TRUE(glob_match("*\\*", "abc*"));
  EXPECT_FALSE(glob_match("*\\*", "abc"));
}

TEST(GlobTest, NoCase) {
  EXPECT_FALSE(glob_match("HELLO", "hello"));
  EXPECT_TRUE(glob_match("HELLO", "hello", true));
  EXPECT_TRUE(glob_match("h?LLo", "HeLlO", true));
  EXPECT_TRUE(glob_match("[A-Z]x", "qX", true));
  EXPECT_TRUE(glob_match("[a-z]", "Q", true));
  EXPECT_TRUE(glob_match("[^A]", "b", true));
  EXPECT_FALSE(glob_match("[^A]", "a", true));
  EXPECT_TRUE(glob_match("\\A*", "abc", true));
  EXPECT_TRUE(glob_match("U*R", "user", true));
}

TEST(GlobTest, PathologicalPatternsFinish) {
  // A naive recursive matcher is exponential here; this must just complete.
  const std::string as(20000, 'a');
  EXPECT_FALSE(glob_match("a*a*a*a*a*a*a*b", as));
  EXPECT_TRUE(glob_match("a*a*a*a*a*a*a*a", as));
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", as));
  EXPECT_FALSE(glob_match("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b", as));
  EXPECT_TRUE(glob_match(std::string(100, '*') + "a", as));
}

TEST(GlobTest, LiteralPrefix) {
  EXPECT_EQ(glob_literal_prefix("user:*"), "user:");
  EXPECT_EQ(glob_literal_prefix("user:1"), "user:1");
  EXPECT_EQ(glob_literal_prefix("*"), "");
  EXPECT_EQ(glob_literal_prefix(""), "");
  EXPECT_EQ(glob_literal_prefix("a?c"), "a");
  EXPECT_EQ(glob_literal_prefix("ab[cd]"), "ab");
  EXPECT_EQ(glob_literal_prefix("a\\*b*"), "a*b");
  EXPECT_EQ(glob_literal_prefix("a\\[b"), "a[b");
  // Every subject the pattern matches starts with its literal prefix.
  for (const char* pat : {"user:*", "a\\*b*", "ab[cd]x", "a?c"}) {
    std::string prefix = glob_literal_prefix(pat);
    for (const char* s : {"user:1", "a*bz", "abcx", "abc", "axc", "user:"}) {
      if (glob_match(pat, s)) {
        EXPECT_EQ(std::string(s).rfind(prefix, 0), 0u) << pat << " " << s;
      }
    }
  }
}

}  // namespace
}  // namespace cairn::model
