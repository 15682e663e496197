// Tests for chunked strings (string_chunks.h): random whole writes, range
// writes and appends across the inline/chunked boundary agree with a plain
// std::string, inside one group and after commit and reopen; sparse writes
// far past the end store one chunk; overwrite, delete and expiry leave no
// chunk behind; TTL changes keep the chunks.
#include "engine/string_chunks.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "engine/clock.h"
#include "engine/keys.h"
#include "engine/keyspace.h"
#include "engine/test_engine.h"

namespace cairn::engine {
namespace {

class StringChunksTest : public test::EngineFixture {
 protected:
  static Found lookup_in(View& v, std::string_view key) {
    Found f;
    EXPECT_TRUE(lookup(v, 0, key, unix_ms(), &f).ok());
    return f;
  }
  std::string read_all(View& v, std::string_view key) {
    Found f = lookup_in(v, key);
    if (!f.live) return "<missing>";
    std::string out;
    read_string(v, 0, key, f, 0, string_length(f), &out);
    return out;
  }
  // Member records stored for namespace 0 (chunks and collection members).
  size_t member_records() {
    auto it = committed().iterate(Cf::kMembers, std::string(1, '\0'), std::string(1, '\1'));
    size_t n = 0;
    for ((*it)->Seek(std::string(1, '\0')); (*it)->Valid(); (*it)->Next()) ++n;
    return n;
  }
};

TEST_F(StringChunksTest, AgreesWithAPlainStringThroughRandomWrites) {
  std::mt19937_64 rng(7);
  std::string model;
  bool exists = false;
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    // Some runs of zeros, so that all-zero chunks occur.
    bool zeros = rng() % 4 == 0;
    for (auto& c : s) c = zeros ? '\0' : static_cast<char>('a' + rng() % 26);
    return s;
  };
  for (int step = 0; step < 300; ++step) {
    int ops = 1 + static_cast<int>(rng() % 3);  // several in one group: reads see the group's own writes
    run([&](Txn& t) {
      for (int i = 0; i < ops; ++i) {
        Found old = lookup_in(t, "k");
        switch (rng() % 5) {
          case 0: {  // whole value, short or long
            std::string v = random_bytes(rng() % 2 ? rng() % 100 : rng() % (3 * kInlineStringBytes));
            write_string(t, 0, "k", old, v, 0);
            model = v;
            exists = true;
            break;
          }
          case 1:
          case 2: {  // range write near or far past the end
            uint64_t len = exists ? model.size() : 0;
            uint64_t off = rng() % 3 == 0 ? rng() % (len + 4 * kStringChunkBytes) : (len ? rng() % len : 0);
            std::string d = random_bytes(1 + rng() % (2 * kStringChunkBytes));
            uint64_t n = write_string_range(t, 0, "k", old, off, d, 0);
            if (!exists) model.clear();
            if (model.size() < off + d.size()) model.resize(off + d.size(), '\0');
            model.replace(off, d.size(), d);
            exists = true;
            ASSERT_EQ(n, model.size());
            break;
          }
          case 3: {  // append
            std::string d = random_bytes(rng() % 5000);
            uint64_t len = exists ? model.size() : 0;
            write_string_range(t, 0, "k", old, len, d, 0);
            if (!exists) model.clear();
            model += d;
            exists = true;
            break;
          }
          case 4:
            if (rng() % 4 == 0 && old.present) {
              delete_record(t, 0, "k", old);
              exists = false;
            }
            break;
        }
        ASSERT_EQ(read_all(t, "k"), exists ? model : "<missing>") << "step " << step;
      }
    });
    ASSERT_EQ(read_all(committed(), "k"), exists ? model : "<missing>") << "step " << step;
    if (exists && !model.empty()) {  // a random part
      Found f = lookup_in(committed(), "k");
      uint64_t off = rng() % model.size(), len = rng() % (3 * kStringChunkBytes);
      std::string part;
      read_string(committed(), 0, "k", f, off, len, &part);
      ASSERT_EQ(part, model.substr(off, len));
    }
  }
  reopen();
  EXPECT_EQ(read_all(committed(), "k"), exists ? model : "<missing>");
}

TEST_F(StringChunksTest, AWriteFarPastTheEndStoresOneChunk) {
  run([&](Txn& t) {
    Found old = lookup_in(t, "big");
    write_string_range(t, 0, "big", old, (512u << 20) - 1, "x", 0);
  });
  Found f = lookup_in(committed(), "big");
  EXPECT_TRUE(f.header.chunked);
  EXPECT_EQ(string_length(f), 512u << 20);
  EXPECT_EQ(member_records(), 1u);
  std::string tail;
  read_string(committed(), 0, "big", f, (512u << 20) - 3, 10, &tail);
  EXPECT_EQ(tail, std::string("\0\0x", 3));
}

TEST_F(StringChunksTest, OverwriteDeleteAndExpiryLeaveNoChunks) {
  std::string big(10 * kStringChunkBytes + 5, 'b');
  auto put_big = [&](std::string_view key, int64_t at) {
    run([&](Txn& t) {
      Found old = lookup_in(t, key);
      write_string(t, 0, key, old, big, at);
    });
  };
  put_big("a", 0);
  EXPECT_EQ(member_records(), 11u);
  run([&](Txn& t) {
    Found old = lookup_in(t, "a");
    write_string(t, 0, "a", old, "small", 0);
  });
  EXPECT_EQ(member_records(), 0u);
  EXPECT_EQ(read_all(committed(), "a"), "small");

  put_big("a", 0);
  run([&](Txn& t) {
    Found old = lookup_in(t, "a");
    delete_record(t, 0, "a", old);
  });
  EXPECT_EQ(member_records(), 0u);

  // A TTL change keeps the chunks; the expiry sweep then drops them.
  put_big("a", 0);
  run([&](Txn& t) {
    Found old = lookup_in(t, "a");
    rewrite_expiry(t, 0, "a", old, unix_ms() + 50);
  });
  EXPECT_EQ(read_all(committed(), "a"), big);
  EXPECT_EQ(member_records(), 11u);
  std::string entry = expiry_key(lookup_in(committed(), "a").header.expire_at_ms, 0, "a");
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  run([&](Txn& t) { EXPECT_TRUE(expire_entry(t, entry)); });
  EXPECT_EQ(member_records(), 0u);
  EXPECT_EQ(read_all(committed(), "a"), "<missing>");
}

TEST_F(StringChunksTest, LoadStringKeepsWhatAWriteNeedsToDropTheOldChunks) {
  std::string big(3 * kStringChunkBytes + kInlineStringBytes, 'q');
  run([&](Txn& t) {
    Found old = lookup_in(t, "k");
    write_string(t, 0, "k", old, big, 0);
  });
  run([&](Txn& t) {
    Found old = lookup_in(t, "k");
    load_string(t, 0, "k", &old);
    EXPECT_EQ(old.payload, big);
    write_string(t, 0, "k", old, "v", 0);  // as GETSET does
  });
  EXPECT_EQ(member_records(), 0u);
}

}  // namespace
}  // namespace cairn::engine
