// The store checkpoints its WAL on a thread of its own (store/src/sqlite_connection.cpp), not in the
// commit that crosses 1000 pages: the WAL's pages must still reach the database file while the
// store stays open, and everything committed must read back.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "kyso/store/store.h"
#include "test_support.h"

namespace kyso::store {
namespace {

TEST(StoreCheckpoint, WalPastTheThreshold_CopiedToTheDatabaseFile_WhileOpen) {
  test::TempDir dir;
  const auto file = dir / "kyso.db";
  auto store = openSqliteStore(file);
  const auto before = std::filesystem::file_size(file);
  // ~1 300 WAL pages of 4 KiB in 80 commits: past the checkpoint threshold of 1 000.
  constexpr int kEntries = 80;
  for (int i = 0; i < kEntries; ++i) {
    AuditRecord record{pki::SystemClock::instance().now(),
                       "cli:test",
                       "sign.pdf",
                       "seal",
                       std::string(64, 'a'),
                       "B-B",
                       "{\"padding\":\"" + std::string(64 * 1024, static_cast<char>('a' + i % 26)) + "\"}"};
    store->audit().append(record);
  }
  // The checkpoint runs in the background: wait for its result (the database file holding the
  // pages), with a generous deadline that only a checkpoint never run would reach.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::filesystem::file_size(file) < before + 4 * 1024 * 1024 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(std::filesystem::file_size(file), before + 4 * 1024 * 1024);
  const AuditCheck chain = store->audit().verify();
  EXPECT_TRUE(chain.intact) << chain.problem;
  EXPECT_EQ(chain.entries, kEntries);
}

}  // namespace
}  // namespace kyso::store
