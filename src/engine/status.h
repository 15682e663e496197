// Storage errors on the data path surface as StoreError; the dispatcher turns
// them into an error reply and rolls the command back.
#pragma once

#include <rocksdb/status.h>

#include <stdexcept>
#include <string>

namespace cairn::engine {

struct StoreError : std::runtime_error {
  explicit StoreError(const rocksdb::Status& s) : std::runtime_error(s.ToString()) {}
  // Not from RocksDB: a command that must be rolled back (a script stopped by SHUTDOWN).
  explicit StoreError(const std::string& what) : std::runtime_error(what) {}
};

inline void check(const rocksdb::Status& s) {
  if (!s.ok() && !s.IsNotFound()) throw StoreError(s);
}

// A record that does not decode: the command fails with a corruption error.
[[noreturn]] inline void corrupt(const char* what) { throw StoreError(rocksdb::Status::Corruption(what)); }

}  // namespace cairn::engine
