// The sorted-set type. One record per key holds the collection meta
// (collection.h); every member has two records in the members column family:
//
//   member index  [prefix]['m'][hash:4 BE][member]      -> [score:8 LE]
//   score index   [prefix]['s'][score:8 sortable][member] -> ""
//
// The member index answers ZSCORE and membership in one point read and
// orders ZSCAN by hash (like HSCAN/SSCAN: scan_members in collection.h). The score index keeps members in
// Redis's order — by score, then by member bytes — so ZRANGE, ZRANGEBYSCORE,
// ZRANGEBYLEX, ZCOUNT and ZPOPMIN are range scans (score.h has the encoding).
//
// Costs, with n members and k returned: point operations (ZADD, ZREM, ZSCORE)
// touch O(1) records per member; score and lex ranges read O(k) records plus
// one seek; rank ranges and ZRANK read O(min(r, n - r)) records, walking from
// whichever end of the score index is nearer (r is the rank); ZRANDMEMBER
// with a count reads up to n records once. ZUNION/ZINTER/ZDIFF build their
// result in memory, as Redis does.
//
// Operations return an OpStatus (kWrongType when the key holds another type)
// and never write replies; command/zsets.cc does that.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "model/strings.h"

namespace cairn::model {

struct ScoredMember {
  std::string member;
  double score = 0;
};

// A score interval as ZRANGEBYSCORE takes it: "1.5", "(1.5" (exclusive),
// "-inf", "+inf".
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
};
// False if either bound is not a float (or is NaN).
bool parse_score_range(std::string_view min, std::string_view max, ScoreRange* out);

// A lex interval as ZRANGEBYLEX takes it: "[a" inclusive, "(a" exclusive,
// "-" below every string, "+" above every string.
struct LexBound {
  enum class Kind : uint8_t { kMinusInf, kPlusInf, kValue };
  Kind kind = Kind::kMinusInf;
  std::string value;
  bool exclusive = true;
};
struct LexRange {
  LexBound min, max;
};
bool parse_lex_range(std::string_view min, std::string_view max, LexRange* out);

// What a ZRANGE-family command selects.
struct RangeSpec {
  enum class By : uint8_t { kRank, kScore, kLex };
  By by = By::kRank;
  bool reverse = false;          // REV: descending order
  int64_t start = 0, stop = -1;  // kRank, Redis's index rules (negative from the end)
  ScoreRange score;              // kScore
  LexRange lex;                  // kLex
  int64_t offset = 0;            // kScore/kLex LIMIT; a negative offset selects nothing
  int64_t limit = -1;            // negative: no limit
};

struct ZAddFlags {
  bool nx = false, xx = false, gt = false, lt = false, incr = false, ch = false;
};
struct ZAddResult {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;  // members that were not skipped by NX/XX/GT/LT
  double score = 0;       // INCR: the member's new score
};
struct ScoreArg {
  double score;
  std::string_view member;
};

// ZADD/ZINCRBY. Scores must not be NaN. kNanOrInf when an increment makes
// NaN (+inf plus -inf); nothing is written then.
OpStatus zadd(Txn& t, uint8_t ns, std::string_view key, std::span<const ScoreArg> items, const ZAddFlags& flags,
              ZAddResult* result);
OpStatus zrem(Txn& t, uint8_t ns, std::string_view key, std::span<const std::string_view> members,
              int64_t* removed);

OpStatus zcard(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t* count);
// One entry per member (nullopt: not a member). A missing key reads as empty.
OpStatus zscores(View& v, uint8_t ns, std::string_view key, int64_t now_ms,
                 std::span<const std::string_view> members, std::vector<std::optional<double>>* scores);
// nullopt if the member (or key) is missing. O(min(rank, n - rank)).
OpStatus zrank(View& v, uint8_t ns, std::string_view key, int64_t now_ms, std::string_view member, bool reverse,
               std::optional<int64_t>* rank);
OpStatus zcount(View& v, uint8_t ns, std::string_view key, int64_t now_ms, const ScoreRange& range,
                int64_t* count);
OpStatus zlexcount(View& v, uint8_t ns, std::string_view key, int64_t now_ms, const LexRange& range,
                   int64_t* count);

OpStatus zrange(View& v, uint8_t ns, std::string_view key, int64_t now_ms, const RangeSpec& spec,
                std::vector<ScoredMember>* out);
// ZRANGESTORE: dst becomes the selected range (or is deleted when it is empty).
OpStatus zrangestore(Txn& t, uint8_t ns, std::string_view dst, std::string_view src, const RangeSpec& spec,
                     int64_t* stored);
// ZREMRANGEBYRANK/SCORE/LEX (offset and limit are ignored).
OpStatus zremrange(Txn& t, uint8_t ns, std::string_view key, const RangeSpec& spec, int64_t* removed);

// ZPOPMIN/ZPOPMAX: up to `count` members from the low (or high) end.
// kNotFound if the key is missing.
OpStatus zpop(Txn& t, uint8_t ns, std::string_view key, bool max, int64_t count, std::vector<ScoredMember>* out);
// ZMPOP: pops from the first of `keys` that exists; kWrongType if a key
// before it holds another type; kNotFound if none exists.
OpStatus zmpop(Txn& t, uint8_t ns, std::span<const std::string_view> keys, bool max, int64_t count,
               size_t* popped_key, std::vector<ScoredMember>* out);

// ZRANDMEMBER key count: count > 0 returns distinct members (all of them,
// highest score first as Redis sends them, when count >= size); count < 0 returns -count members that
// may repeat. Uniform; reads the member index once (up to the highest rank
// drawn). kNotFound if the key is missing.
OpStatus zrandmember(View& v, uint8_t ns, std::string_view key, int64_t now_ms, int64_t count,
                     std::vector<ScoredMember>* out);

// ZUNION/ZINTER/ZDIFF and their STORE forms. Sources may be sorted sets or
// sets (whose members score 1); a missing key is an empty source.
enum class SetOp : uint8_t { kUnion, kInter, kDiff };
enum class Aggregate : uint8_t { kSum, kMin, kMax };
struct SetOpSource {
  std::string prefix;  // member prefix (empty when the key is missing)
  int64_t count = 0;
  bool is_set = false;  // a plain set: every member scores 1
  double weight = 1;
};
// Opens every key as a source; kWrongType if one is neither zset nor set.
OpStatus open_sources(View& v, uint8_t ns, int64_t now_ms, std::span<const std::string_view> keys,
                      std::vector<SetOpSource>* sources);
// The result in Redis's order (score, then member).
std::vector<ScoredMember> combine(View& v, SetOp op, std::vector<SetOpSource> sources, Aggregate aggregate);
// ZINTERCARD: stops counting at `limit` (0: no limit).
int64_t intersection_size(View& v, std::vector<SetOpSource> sources, int64_t limit);
// Makes dst a sorted set holding exactly `members` (distinct), without a TTL,
// whatever dst held before; deletes dst when `members` is empty.
void store_zset(Txn& t, uint8_t ns, std::string_view dst, const std::vector<ScoredMember>& members);

}  // namespace cairn::model
