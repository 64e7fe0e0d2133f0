#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <set>
#include <thread>

#include "kyso/api/api_keys.h"
#include "kyso/error.h"
#include "kyso/store/store.h"
#include "test_support.h"

namespace kyso::store {
namespace {

AuditRecord record(int n) {
  return {pki::SystemClock::instance().now(),
          "apikey:abc",
          "sign.pdf",
          "seal",
          std::string(64, static_cast<char>('a' + n % 6)),
          "B-B",
          "{\"n\":" + std::to_string(n) + "}"};
}

void execSql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(handle);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

constexpr int kLatestSchema = 7;

TEST(Store, MigratesOnceAndReopens) {
  test::TempDir dir;
  {
    auto store = openSqliteStore(dir / "kyso.db");
    EXPECT_EQ(store->schemaVersion(), kLatestSchema);
    store->audit().append(record(1));
  }
  auto again = openSqliteStore(dir / "kyso.db");
  EXPECT_EQ(again->schemaVersion(), kLatestSchema);
  EXPECT_EQ(again->audit().list(0, 10).size(), 1u);
  EXPECT_NO_THROW(again->checkHealth());
}

TEST(Store, AVersionOneDatabaseGainsLaterTablesAndKeepsItsData) {
  test::TempDir dir;
  // The schema exactly as version 1 of kyso left it.
  execSql(dir / "kyso.db",
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);"
          "INSERT INTO schema_migrations VALUES (1, '2026-11-01T00:00:00Z');"
          "CREATE TABLE api_keys (id TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin', 'signer', "
          "'backend')), label TEXT NOT NULL, secret_sha256 TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);"
          "CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT "
          "NULL, key_id TEXT NOT NULL, document_sha256 TEXT NOT NULL, level TEXT NOT NULL, details TEXT NOT NULL, "
          "prev_hash TEXT NOT NULL, hash TEXT NOT NULL);");
  {
    auto v1 = openSqliteStore(dir / "kyso.db");
    EXPECT_EQ(v1->schemaVersion(), kLatestSchema);
    v1->audit().append(record(1));
  }
  // Back to version 1 with data in it: every later table dropped.
  execSql(dir / "kyso.db",
          "DELETE FROM schema_migrations WHERE version >= 2; DROP TABLE signing_sessions; DROP TABLE callbacks;"
          "DROP TABLE certificates; DROP TABLE crl_numbers;"
          "DROP TABLE enrollments; DROP TABLE connector_transactions; DROP TABLE remote_signing_sessions;"
          "DROP TABLE outbox;"
          "DROP TABLE receipt_notices; DROP TABLE idempotency_keys; DROP TABLE receipts; DROP TABLE receipt_ranges;"
          "DROP TABLE receipt_series;");
  auto upgraded = openSqliteStore(dir / "kyso.db");
  EXPECT_EQ(upgraded->schemaVersion(), kLatestSchema);
  EXPECT_TRUE(upgraded->audit().verify().intact);
  EXPECT_EQ(upgraded->audit().list(0, 10).size(), 1u);
  EXPECT_FALSE(upgraded->signingSessions().find("none", false).has_value());
  EXPECT_FALSE(upgraded->remoteSigning().find("none", false).has_value());
  EXPECT_TRUE(upgraded->receipts().listSeries().empty());
}

SigningSessionRecord session(const std::string& id, pki::TimePoint created) {
  SigningSessionRecord r;
  r.id = id;
  r.kind = "pdf";
  r.actor = "apikey:abc";
  r.createdAt = created;
  r.expiresAt = created + std::chrono::minutes(15);
  r.level = "B-T";
  r.signerChainPem = "-----BEGIN CERTIFICATE-----\n...\n";
  r.toBeSigned = {0x31, 0x03, 0x02, 0x01, 0x00};
  r.prepared = R"({"field":"Signature1"})";
  r.document.assign(300000, 0x25);  // larger than a SQLite page, with NUL-free filler
  r.document[7] = 0;                // and a NUL inside: BLOBs are bytes, not text
  return r;
}

TEST(SigningSessions, StoreFindCompleteOnce) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  const auto created = pki::parseIso8601("2026-11-27T08:00:00Z");
  auto& sessions = store->signingSessions();
  sessions.insert(session("s1", created));
  EXPECT_THROW(sessions.insert(session("s1", created)), ConflictError);

  const auto light = sessions.find("s1", false);
  ASSERT_TRUE(light.has_value());
  EXPECT_TRUE(light->document.empty());
  EXPECT_EQ(light->status, SessionStatus::Open);
  EXPECT_EQ(light->expiresAt, created + std::chrono::minutes(15));
  EXPECT_EQ(light->toBeSigned, session("s1", created).toBeSigned);
  EXPECT_EQ(light->prepared, R"({"field":"Signature1"})");
  EXPECT_FALSE(light->completedAt.has_value());
  const auto full = sessions.find("s1", true);
  EXPECT_EQ(full->document, session("s1", created).document);

  const Bytes cms = {0x30, 0x00, 0x01};
  const auto entry = sessions.complete("s1", cms, std::string(64, 'e'), created + std::chrono::minutes(1), record(2));
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->sequence, 1);
  const auto done = sessions.find("s1", false);
  EXPECT_EQ(done->status, SessionStatus::Completed);
  EXPECT_EQ(done->signature, cms);
  EXPECT_EQ(done->documentSha256, std::string(64, 'e'));
  EXPECT_EQ(done->auditSequence, 1);
  EXPECT_EQ(*done->completedAt, created + std::chrono::minutes(1));
  // A second completion (a replay, or the loser of a race) changes nothing and writes no audit entry.
  EXPECT_FALSE(sessions.complete("s1", Bytes{0x30}, std::string(64, 'f'), created, record(3)).has_value());
  EXPECT_EQ(sessions.find("s1", false)->signature, cms);
  EXPECT_EQ(store->audit().list(0, 10).size(), 1u);
  EXPECT_FALSE(sessions.complete("unknown", cms, "x", created, record(4)).has_value());
}

TEST(SigningSessions, ConcurrentCompletionsHaveOneWinner) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  const auto created = pki::SystemClock::instance().now();
  store->signingSessions().insert(session("race", created));
  std::atomic<int> winners = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      const Bytes cms = {0x30, static_cast<std::uint8_t>(i)};
      if (store->signingSessions().complete("race", cms, std::string(64, 'a'), created, record(i))) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(store->audit().list(0, 10).size(), 1u);
}

TEST(SigningSessions, PurgeRemovesOnlyWhatExpiredBeforeTheCutoff) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  const auto t0 = pki::parseIso8601("2026-11-27T08:00:00Z");
  auto& sessions = store->signingSessions();
  sessions.insert(session("old", t0));
  sessions.insert(session("new", t0 + std::chrono::hours(2)));
  EXPECT_EQ(sessions.purgeExpiredBefore(t0 + std::chrono::hours(1)), 1u);
  EXPECT_FALSE(sessions.find("old", false).has_value());
  EXPECT_TRUE(sessions.find("new", false).has_value());
}

TEST(AuditLog, EntriesChainAndVerify) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  std::string previous = initialAuditHash();
  for (int i = 1; i <= 3; ++i) {
    const AuditEntry e = store->audit().append(record(i));
    EXPECT_EQ(e.sequence, i);
    EXPECT_EQ(e.previousHash, previous);
    EXPECT_EQ(e.hash, auditEntryHash(e.previousHash, e.sequence, e.record));
    previous = e.hash;
  }
  const AuditCheck check = store->audit().verify();
  EXPECT_TRUE(check.intact);
  EXPECT_EQ(check.entries, 3);
}

TEST(AuditLog, ChangedRowIsFound) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  for (int i = 1; i <= 4; ++i) store->audit().append(record(i));
  execSql(dir / "kyso.db", "UPDATE audit_log SET level = 'B-T' WHERE seq = 2");
  const AuditCheck check = store->audit().verify();
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.firstBadSequence, 2);
  EXPECT_NE(check.problem.find("altered"), std::string::npos);
}

TEST(AuditLog, DeletedOrRechainedRowsAreFound) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  for (int i = 1; i <= 4; ++i) store->audit().append(record(i));
  execSql(dir / "kyso.db", "DELETE FROM audit_log WHERE seq = 3");
  EXPECT_EQ(store->audit().verify().firstBadSequence, 4);

  // Rewriting a row together with its own hash still breaks the link of the next one.
  test::TempDir other;
  auto store2 = openSqliteStore(other / "kyso.db");
  for (int i = 1; i <= 3; ++i) store2->audit().append(record(i));
  auto forged = store2->audit().list(1, 1).front();
  forged.record.keyId = "other";
  const std::string hash = auditEntryHash(forged.previousHash, forged.sequence, forged.record);
  execSql(other / "kyso.db", "UPDATE audit_log SET key_id = 'other', hash = '" + hash + "' WHERE seq = 2");
  const AuditCheck check = store2->audit().verify();
  EXPECT_FALSE(check.intact);
  EXPECT_EQ(check.firstBadSequence, 3);
}

TEST(AuditLog, ConcurrentAppendsStayGaplessAndChained) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) store->audit().append(record(t * 100 + i));
    });
  }
  for (auto& t : threads) t.join();
  const auto entries = store->audit().list(0, 1000);
  ASSERT_EQ(entries.size(), 200u);
  for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(entries[i].sequence, static_cast<std::int64_t>(i + 1));
  EXPECT_TRUE(store->audit().verify().intact);
}

TEST(AuditLog, TwoStoresOnOneFileShareTheChain) {
  // The server and the CLI open the same database file.
  test::TempDir dir;
  auto a = openSqliteStore(dir / "kyso.db");
  auto b = openSqliteStore(dir / "kyso.db");
  std::thread ta([&] {
    for (int i = 0; i < 30; ++i) a->audit().append(record(i));
  });
  std::thread tb([&] {
    for (int i = 0; i < 30; ++i) b->audit().append(record(i));
  });
  ta.join();
  tb.join();
  const AuditCheck check = a->audit().verify();
  EXPECT_TRUE(check.intact) << check.problem;
  EXPECT_EQ(check.entries, 60);
}

TEST(ApiKeys, CreateAuthenticateRevoke) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  api::ApiKeyService keys(store->apiKeys(), pki::SystemClock::instance());
  const api::CreatedApiKey created = keys.create(api::Role::Signer, "hệ thống một cửa");
  EXPECT_TRUE(created.key.starts_with("kyso_" + created.id + "_"));
  const api::Principal principal = keys.authenticate(created.key);
  EXPECT_EQ(principal.keyId, created.id);
  EXPECT_EQ(principal.role, api::Role::Signer);
  EXPECT_EQ(principal.actor(), "apikey:" + created.id);

  // Only the hash of the secret is stored.
  const auto stored = store->apiKeys().find(created.id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->label, "hệ thống một cửa");
  const std::string secret = created.key.substr(created.key.rfind('_') + 1);
  EXPECT_EQ(stored->secretHash, pki::sha256(asBytes(secret)));

  std::string wrong = created.key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& bad : {wrong, std::string("kyso_"), std::string("Bearer x"), created.key + "0",
                                 std::string("kyso_0000000000000000_") + std::string(64, '0')}) {
    try {
      keys.authenticate(bad);
      FAIL() << "accepted " << bad;
    } catch (const AccessError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Unauthenticated);
    }
  }
  EXPECT_TRUE(keys.revoke(created.id));
  EXPECT_FALSE(keys.revoke(created.id));
  EXPECT_THROW(keys.authenticate(created.key), AccessError);
  EXPECT_EQ(store->apiKeys().list().size(), 1u);
}

TEST(ApiKeys, RevokedElsewhere_StopsWorkingWhenTheCacheExpires_RevokedHere_AtOnce) {
  test::TempDir dir;
  auto store = openSqliteStore(dir / "kyso.db");
  pki::FixedClock clock(pki::parseIso8601("2026-11-27T02:00:00Z"));
  api::ApiKeyService server(store->apiKeys(), clock);
  api::ApiKeyService cli(store->apiKeys(), clock);  // another process, same database
  const auto a = server.create(api::Role::Backend, "a");
  const auto b = server.create(api::Role::Backend, "b");
  EXPECT_EQ(server.authenticate(a.key).keyId, a.id);
  EXPECT_EQ(server.authenticate(b.key).keyId, b.id);
  // A wrong secret for a remembered id is still refused.
  std::string wrong = a.key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_THROW(server.authenticate(wrong), AccessError);

  ASSERT_TRUE(cli.revoke(a.id));
  EXPECT_EQ(server.authenticate(a.key).keyId, a.id);  // remembered for a few seconds
  ASSERT_TRUE(server.revoke(b.id));
  EXPECT_THROW(server.authenticate(b.key), AccessError);  // at once
  clock.set(clock.now() + api::ApiKeyService::kCacheLifetime);
  EXPECT_THROW(server.authenticate(a.key), AccessError);
}

TEST(ApiKeys, RolesParse) {
  EXPECT_EQ(api::parseRole("backend"), api::Role::Backend);
  EXPECT_THROW(api::parseRole("root"), InputError);
}

}  // namespace
}  // namespace kyso::store
