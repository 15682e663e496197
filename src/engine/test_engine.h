// Test support only: the fixture pieces the unit tests that run against a real
// Engine share (engine, model and command *_test.cc). Header-only; never
// included by production code, and not a test source itself (the unit-test
// glob picks up *_test.cc only).
//
//   TempDir        a fresh directory under the system temp dir, removed afterwards
//   LambdaOp       a WriteOp that runs a lambda on the writer thread as one commit
//   write(e, fn)   submit a LambdaOp and wait until its group has committed
//   EngineFixture  GoogleTest fixture: an Engine on a fresh TempDir, with write(),
//                  run(), read(), open() and reopen()
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/status.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "engine/engine.h"
#include "engine/txn.h"
#include "engine/view.h"

namespace cairn::test {

// A fresh directory under the system temp dir, named after the running test,
// removed (with everything in it) when this goes out of scope. The directory
// itself is not created: Engine::open creates it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("cairn_" + std::string(info ? info->test_suite_name() : "test") + "_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter++) + "_" + (info ? info->name() : "x"));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Runs a lambda on the writer thread as one commit (it may call
// txn.begin_commit() again to make more) and records the status the engine
// completes it with, once its write group has committed.
class LambdaOp final : public engine::WriteOp {
 public:
  explicit LambdaOp(std::function<void(engine::Txn&)> fn, bool exclusive = false)
      : fn_(std::move(fn)), exclusive_(exclusive), done_(promise_.get_future()) {}
  bool exclusive() const override { return exclusive_; }
  void execute(engine::Txn& txn) override {
    txn.begin_commit();
    fn_(txn);
  }
  void complete(const rocksdb::Status& status) override { promise_.set_value(status); }
  // Blocks until complete() ran; call once.
  rocksdb::Status wait() { return done_.get(); }

 private:
  std::function<void(engine::Txn&)> fn_;
  bool exclusive_;
  std::promise<rocksdb::Status> promise_;
  std::future<rocksdb::Status> done_;
};

// Runs `fn` as one commit on `e`'s writer and returns once it has committed.
inline rocksdb::Status write(engine::Engine& e, std::function<void(engine::Txn&)> fn, bool exclusive = false) {
  LambdaOp op(std::move(fn), exclusive);
  e.submit(&op);
  return op.wait();
}

// Base fixture: opens an Engine on a fresh TempDir before each test and closes
// it after. The options are fast ones for tests (no fsync, a small cache); a
// derived fixture may change options_ in its constructor (before SetUp opens
// the engine), or change them and call open() again after engine_.reset().
class EngineFixture : public ::testing::Test {
 protected:
  EngineFixture() {
    options_.dir = dir_.str();
    options_.fsync = engine::FsyncPolicy::kNo;
    options_.cache_bytes = 16u << 20;
  }

  void SetUp() override { open(); }
  void TearDown() override { engine_.reset(); }

  // Opens engine_ with options_ (engine_ must be empty).
  void open() {
    rocksdb::Status s = engine::Engine::open(options_, &engine_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Closes the engine and opens the same directory again: a clean restart.
  void reopen() {
    engine_->close();
    engine_.reset();
    open();
  }

  engine::Engine& engine() { return *engine_; }
  // The committed store, as reads on an I/O thread see it.
  engine::View& committed() { return engine_->committed(); }

  // Runs `fn` as one commit and returns its status once the group committed.
  rocksdb::Status write(std::function<void(engine::Txn&)> fn, bool exclusive = false) {
    return test::write(*engine_, std::move(fn), exclusive);
  }
  // write() that must succeed.
  void run(std::function<void(engine::Txn&)> fn) {
    rocksdb::Status s = write(std::move(fn));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Runs `fn` on the committed view and returns what it returns.
  template <typename Fn>
  decltype(auto) read(Fn&& fn) {
    return std::forward<Fn>(fn)(committed());
  }

  TempDir dir_;
  engine::EngineOptions options_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace cairn::test
