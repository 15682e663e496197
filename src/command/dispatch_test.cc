// Tests for command dispatch (dispatch.h) through the real command table:
// the checks every command gets (unknown, arity, auth, key size) answer with
// Redis's exact error texts, in Redis's order, and CommandOp carries commands
// to the writer with one reply each.
#include "command/dispatch.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "command/clients.h"
#include "command/server_context.h"
#include "command/session.h"
#include "command/settings.h"
#include "engine/clock.h"
#include "engine/engine.h"
#include "engine/test_engine.h"

namespace cairn::command {
namespace {

// Records each reply call as one string, e.g. "error:ERR syntax error".
class FakeReply final : public Reply {
 public:
  void simple(std::string_view s) override { add("simple", s); }
  void write_error(std::string_view msg) override { add("error", msg); }
  void integer(int64_t v) override { add("integer", std::to_string(v)); }
  void bulk(std::string_view s) override { add("bulk", s); }
  void null() override { add("null", ""); }
  void null_array() override { add("null_array", ""); }
  void array(size_t n) override { add("array", std::to_string(n)); }
  void map(size_t pairs) override { add("map", std::to_string(pairs)); }
  void set(size_t n) override { add("set", std::to_string(n)); }
  void push(size_t n) override { add("push", std::to_string(n)); }
  void dbl(double d) override { add("double", std::to_string(d)); }
  void boolean(bool b) override { add("bool", b ? "1" : "0"); }
  void verbatim(std::string_view s) override { add("verbatim", s); }
  int protocol() const override { return 2; }
  size_t mark() const override { return calls.size(); }
  void rewind(size_t mark) override { calls.resize(mark); }

  std::vector<std::string> calls;

 private:
  void add(std::string_view kind, std::string_view v) { calls.push_back(std::string(kind) + ":" + std::string(v)); }
};

class DispatchTest : public test::EngineFixture {
 protected:
  void SetUp() override {
    register_all_commands();
    EngineFixture::SetUp();
    if (HasFatalFailure()) return;
    server_ = std::make_unique<ServerContext>(*engine_, settings_, clients_);
  }
  void TearDown() override {
    server_.reset();
    EngineFixture::TearDown();
  }

  // Runs one command the way a read runs on an I/O thread; returns its replies.
  std::vector<std::string> call(std::vector<std::string> args) {
    std::vector<std::string_view> argv(args.begin(), args.end());
    FakeReply reply;
    CommandCtx ctx{argv, session_, reply, engine_->committed(), *server_, engine::unix_ms()};
    execute_command(ctx);
    return reply.calls;
  }
  std::string one(std::vector<std::string> args) {
    std::vector<std::string> calls = call(std::move(args));
    EXPECT_EQ(calls.size(), 1u);
    return calls.empty() ? "" : calls[0];
  }

  // Runs commands on the writer in one CommandOp; returns every reply.
  std::vector<std::string> write(std::vector<std::vector<std::string>> cmds) {
    std::vector<std::vector<std::string_view>> views;
    for (auto& c : cmds) views.emplace_back(c.begin(), c.end());
    FakeReply reply;
    CommandOp op(*server_, session_, reply);
    for (auto& v : views) op.commands.emplace_back(v);
    std::promise<void> done;
    op.on_done = [&] { done.set_value(); };
    engine_->submit(&op);
    done.get_future().wait();
    return reply.calls;
  }

  Settings settings_;
  ClientRegistry clients_;
  std::unique_ptr<ServerContext> server_;
  Session session_;
};

TEST_F(DispatchTest, UnknownCommand) {
  EXPECT_EQ(one({"foo", "a", "b"}), "error:ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(one({"foo"}), "error:ERR unknown command 'foo', with args beginning with: ");
  // The user's bytes never break the reply onto a second line.
  EXPECT_EQ(one({"fo\r\no", "a\nb"}), "error:ERR unknown command 'fo  o', with args beginning with: 'a b' ");
}

TEST_F(DispatchTest, UnknownCommandTruncatesLikeRedis) {
  // Redis: the name is cut to 128 bytes, the args stop once 128 bytes are
  // listed and each is cut to what is left of those 128.
  std::string name(200, 'n');
  std::string arg(200, 'a');
  EXPECT_EQ(one({name, arg, "more"}), "error:ERR unknown command '" + std::string(128, 'n') +
                                         "', with args beginning with: '" + std::string(128, 'a') + "' ");
  EXPECT_EQ(one({"foo", std::string(100, 'x'), std::string(100, 'y'), "z"}),
            "error:ERR unknown command 'foo', with args beginning with: '" + std::string(100, 'x') + "' '" +
                std::string(25, 'y') + "' ");
}

TEST_F(DispatchTest, WrongArity) {
  EXPECT_EQ(one({"get"}), "error:ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(one({"get", "a", "b"}), "error:ERR wrong number of arguments for 'get' command");
  // The canonical lower-case name, whatever case the client used.
  EXPECT_EQ(one({"GET"}), "error:ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(one({"set", "k"}), "error:ERR wrong number of arguments for 'set' command");
}

TEST_F(DispatchTest, CommandNamesAreCaseInsensitive) {
  EXPECT_EQ(one({"PiNg"}), "simple:PONG");
  EXPECT_EQ(one({"GET", "missing"}), "null:");
  EXPECT_EQ(one({"echo", "hi"}), "bulk:hi");
}

TEST_F(DispatchTest, NoAuthWhenAPasswordIsSet) {
  settings_.set_requirepass("secret");
  session_.authenticated = false;
  EXPECT_EQ(one({"get", "k"}), "error:NOAUTH Authentication required.");
  EXPECT_EQ(one({"ping"}), "error:NOAUTH Authentication required.");
  // Unknown commands are reported as unknown, as Redis does before auth.
  EXPECT_EQ(one({"foo", "a"}), "error:ERR unknown command 'foo', with args beginning with: 'a' ");
  // AUTH itself is allowed; a wrong password is not NOAUTH.
  EXPECT_EQ(one({"auth", "wrong"}), "error:WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_FALSE(session_.authenticated);
  EXPECT_EQ(one({"auth", "secret"}), "simple:OK");
  EXPECT_TRUE(session_.authenticated);
  EXPECT_EQ(one({"get", "k"}), "null:");
}

TEST_F(DispatchTest, ArityIsCheckedBeforeAuth) {
  // Redis's processCommand checks existence, then arity, then auth.
  settings_.set_requirepass("secret");
  session_.authenticated = false;
  EXPECT_EQ(one({"get"}), "error:ERR wrong number of arguments for 'get' command");
}

TEST_F(DispatchTest, NoPasswordNoAuthNeeded) {
  session_.authenticated = false;
  EXPECT_EQ(one({"ping"}), "simple:PONG");
}

TEST_F(DispatchTest, KeyTooLarge) {
  settings_.max_key_bytes = 8;
  EXPECT_EQ(one({"get", std::string(9, 'k')}), "error:ERR key is too large (max-key-bytes is 8)");
  EXPECT_EQ(one({"get", std::string(8, 'k')}), "null:");
}

TEST_F(DispatchTest, CommandOpRunsEachCommandWithItsOwnReply) {
  std::vector<std::string> replies = write({
      {"set", "k", "v"},
      {"set", "n", "abc"},
      {"incr", "n"},  // fails, the others are unaffected
      {"nosuch"},
      {"set", "m", "1"},
  });
  EXPECT_EQ(replies, (std::vector<std::string>{
                         "simple:OK",
                         "simple:OK",
                         "error:ERR value is not an integer or out of range",
                         "error:ERR unknown command 'nosuch', with args beginning with: ",
                         "simple:OK",
                     }));
  EXPECT_EQ(one({"get", "k"}), "bulk:v");
  EXPECT_EQ(one({"get", "m"}), "bulk:1");
  EXPECT_EQ(engine_->key_count(0), 3);
  EXPECT_EQ(engine_->last_revision(), 3u);  // one revision per successful write
}

TEST_F(DispatchTest, CommandOpUsesTheSessionDatabase) {
  session_.db = 5;
  EXPECT_EQ(write({{"set", "k", "five"}}), (std::vector<std::string>{"simple:OK"}));
  EXPECT_EQ(engine_->key_count(5), 1);
  EXPECT_EQ(engine_->key_count(0), 0);
  EXPECT_EQ(one({"get", "k"}), "bulk:five");
  session_.db = 0;
  EXPECT_EQ(one({"get", "k"}), "null:");
}

}  // namespace
}  // namespace cairn::command
