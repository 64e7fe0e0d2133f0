#include <Poco/Data/LOB.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>

#include <mutex>

#include "kyso/error.h"
#include "kyso/store/store.h"
#include "sqlite_certificates.h"
#include "sqlite_common.h"
#include "sqlite_connection.h"
#include "sqlite_enrollments.h"
#include "sqlite_receipts.h"
#include "sqlite_remote_signing.h"

namespace kyso::store {

using detail::appendAuditEntry;
using detail::parseHex;
using detail::parseTime;
using detail::timeText;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

// Ordered schema migrations; a database records the highest version applied. Never edit a
// released entry: add a new one.
struct Migration {
  int version;
  std::vector<const char*> statements;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       {"CREATE TABLE api_keys ("
        "  id TEXT PRIMARY KEY,"
        "  role TEXT NOT NULL CHECK (role IN ('admin', 'signer', 'backend')),"
        "  label TEXT NOT NULL,"
        "  secret_sha256 TEXT NOT NULL,"
        "  created_at TEXT NOT NULL,"
        "  revoked_at TEXT)",
        "CREATE TABLE audit_log ("
        "  seq INTEGER PRIMARY KEY,"
        "  at TEXT NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  key_id TEXT NOT NULL,"
        "  document_sha256 TEXT NOT NULL,"
        "  level TEXT NOT NULL,"
        "  details TEXT NOT NULL,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL)"}},
      {2,
       {"CREATE TABLE signing_sessions ("
        "  id TEXT PRIMARY KEY,"
        "  kind TEXT NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('open', 'completed')),"
        "  created_at TEXT NOT NULL,"
        "  expires_at TEXT NOT NULL,"
        "  completed_at TEXT,"
        "  level TEXT NOT NULL,"
        "  signer_chain TEXT NOT NULL,"
        "  to_be_signed BLOB NOT NULL,"
        "  prepared TEXT NOT NULL,"
        "  document BLOB NOT NULL,"
        "  signature BLOB,"
        "  document_sha256 TEXT,"
        "  audit_seq INTEGER)",
        "CREATE INDEX signing_sessions_expiry ON signing_sessions (expires_at)"}},
      {3,
       {"CREATE TABLE receipt_series ("
        "  id TEXT PRIMARY KEY,"
        "  template TEXT NOT NULL,"
        "  symbol TEXT NOT NULL,"
        "  year INTEGER NOT NULL,"
        "  org_name TEXT NOT NULL,"
        "  org_tax_code TEXT NOT NULL,"
        "  org_address TEXT NOT NULL,"
        "  key_id TEXT NOT NULL,"
        "  created_at TEXT NOT NULL,"
        "  next_number INTEGER NOT NULL,"
        "  UNIQUE (template, symbol))",
        "CREATE TABLE receipt_ranges ("
        "  series_id TEXT NOT NULL REFERENCES receipt_series (id),"
        "  unit TEXT NOT NULL,"
        "  first_number INTEGER NOT NULL,"
        "  last_number INTEGER NOT NULL,"
        "  next_number INTEGER NOT NULL,"
        "  PRIMARY KEY (series_id, unit))",
        "CREATE TABLE receipts ("
        "  id TEXT PRIMARY KEY,"
        "  series_id TEXT NOT NULL REFERENCES receipt_series (id),"
        "  template TEXT NOT NULL,"
        "  symbol TEXT NOT NULL,"
        "  number INTEGER NOT NULL,"
        "  unit TEXT NOT NULL,"
        "  issued_at TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('issued', 'replaced')),"
        "  replaces TEXT NOT NULL,"
        "  replaced_by TEXT NOT NULL,"
        "  lookup_code TEXT NOT NULL UNIQUE,"
        "  payment_provider TEXT NOT NULL,"
        "  payment_transaction_id TEXT NOT NULL,"
        "  dossier_code TEXT NOT NULL,"
        "  total INTEGER NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  request_sha256 TEXT NOT NULL,"
        "  content TEXT NOT NULL,"
        "  xml TEXT NOT NULL,"
        "  xml_sha256 TEXT NOT NULL,"
        "  pdf BLOB,"
        "  UNIQUE (series_id, number))",
        // One receipt per payment; a replacement refers to the same payment.
        "CREATE UNIQUE INDEX receipts_payment ON receipts (payment_provider, payment_transaction_id)"
        "  WHERE replaces = ''",
        "CREATE INDEX receipts_issued ON receipts (issued_at, id)",
        "CREATE TABLE idempotency_keys ("
        "  actor TEXT NOT NULL,"
        "  key TEXT NOT NULL,"
        "  receipt_id TEXT NOT NULL REFERENCES receipts (id),"
        "  created_at TEXT NOT NULL,"
        "  PRIMARY KEY (actor, key))",
        "CREATE TABLE receipt_notices ("
        "  id TEXT PRIMARY KEY,"
        "  receipt_id TEXT NOT NULL REFERENCES receipts (id),"
        "  issued_at TEXT NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  idempotency_key TEXT NOT NULL,"
        "  request_sha256 TEXT NOT NULL,"
        "  content TEXT NOT NULL,"
        "  xml TEXT NOT NULL)",
        "CREATE UNIQUE INDEX receipt_notices_idempotency ON receipt_notices (actor, idempotency_key)"
        "  WHERE idempotency_key != ''",
        "CREATE INDEX receipt_notices_receipt ON receipt_notices (receipt_id)",
        "CREATE TABLE outbox ("
        "  id INTEGER PRIMARY KEY,"
        "  subscriber TEXT NOT NULL,"
        "  type TEXT NOT NULL,"
        "  body TEXT NOT NULL,"
        "  created_at TEXT NOT NULL,"
        "  next_attempt_at TEXT NOT NULL,"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  delivered_at TEXT,"
        "  last_error TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at)",
        "CREATE TABLE callbacks ("
        "  api_key_id TEXT PRIMARY KEY REFERENCES api_keys (id),"
        "  url TEXT NOT NULL,"
        "  secret TEXT NOT NULL,"
        "  created_at TEXT NOT NULL)"}},
      // The certificates kyso's own CAs issued, and each CA's CRL number (RFC 5280 §5.2.3).
      {4,
       {"CREATE TABLE certificates ("
        "  issuer_key_id TEXT NOT NULL,"
        "  serial TEXT NOT NULL,"
        "  issuer TEXT NOT NULL,"
        "  subject TEXT NOT NULL,"
        "  not_before TEXT NOT NULL,"
        "  not_after TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('good', 'revoked')),"
        "  revoked_at TEXT,"
        "  reason INTEGER NOT NULL DEFAULT 0 CHECK (reason BETWEEN 0 AND 10 AND reason != 7),"
        "  der BLOB NOT NULL,"
        "  PRIMARY KEY (issuer_key_id, serial),"
        "  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)))",
        "CREATE INDEX certificates_serial ON certificates (serial)",
        "CREATE INDEX certificates_revoked ON certificates (issuer_key_id, serial) WHERE status = 'revoked'",
        "CREATE TABLE crl_numbers ("
        "  issuer_key_id TEXT PRIMARY KEY,"
        "  last_number INTEGER NOT NULL)"}},
      // Certificate enrolments through partner CAs (durable state machine), and the certificate
      // the local CA connector issued per transaction (its idempotency).
      {5,
       {"CREATE TABLE enrollments ("
        "  id TEXT PRIMARY KEY,"
        "  transaction_id TEXT NOT NULL UNIQUE,"
        "  actor TEXT NOT NULL,"
        "  idempotency_key TEXT NOT NULL,"
        "  request_sha256 TEXT NOT NULL,"
        "  partner TEXT NOT NULL,"
        "  key_mode TEXT NOT NULL CHECK (key_mode IN ('csr', 'hsm')),"
        "  applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('person', 'organization')),"
        "  full_name TEXT NOT NULL,"
        "  cccd TEXT NOT NULL,"
        "  mst TEXT NOT NULL,"
        "  representative TEXT NOT NULL,"
        "  email TEXT NOT NULL,"
        "  phone TEXT NOT NULL,"
        "  province TEXT NOT NULL,"
        "  csr BLOB NOT NULL,"
        "  consented_at TEXT NOT NULL,"
        "  created_at TEXT NOT NULL,"
        "  updated_at TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('received', 'submitted', 'awaiting_applicant', 'issued',"
        "    'rejected', 'failed')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  failures INTEGER NOT NULL DEFAULT 0,"
        "  next_attempt_at TEXT,"
        "  last_error TEXT NOT NULL DEFAULT '',"
        "  partner_reference TEXT NOT NULL DEFAULT '',"
        "  certificate_serial TEXT NOT NULL DEFAULT '',"
        "  chain_pem TEXT NOT NULL DEFAULT '',"
        "  revoked_at TEXT,"
        "  revocation_reason INTEGER NOT NULL DEFAULT 0 CHECK (revocation_reason BETWEEN 0 AND 10"
        "    AND revocation_reason != 7),"
        "  version INTEGER NOT NULL DEFAULT 0,"
        "  CHECK ((status IN ('issued', 'rejected', 'failed')) = (next_attempt_at IS NULL)),"
        "  CHECK (revoked_at IS NULL OR status = 'issued'))",
        "CREATE UNIQUE INDEX enrollments_idempotency ON enrollments (actor, idempotency_key)"
        "  WHERE idempotency_key != ''",
        "CREATE INDEX enrollments_due ON enrollments (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL",
        "CREATE INDEX enrollments_certificate ON enrollments (certificate_serial) WHERE certificate_serial != ''",
        "CREATE TABLE connector_transactions ("
        "  connector TEXT NOT NULL,"
        "  transaction_id TEXT NOT NULL,"
        "  certificate BLOB NOT NULL,"
        "  created_at TEXT NOT NULL,"
        "  PRIMARY KEY (connector, transaction_id))"}},
      {6,
       {"CREATE TABLE remote_signing_sessions ("
        "  id TEXT PRIMARY KEY,"
        "  actor TEXT NOT NULL,"
        "  partner TEXT NOT NULL,"
        "  user_id TEXT NOT NULL,"
        "  credential_id TEXT NOT NULL,"
        "  kind TEXT NOT NULL CHECK (kind IN ('pdf', 'xml')),"
        "  status TEXT NOT NULL CHECK (status IN ('waiting', 'signed', 'rejected', 'expired', 'failed')),"
        "  error_code TEXT NOT NULL DEFAULT '',"
        "  error_message TEXT NOT NULL DEFAULT '',"
        "  transaction_id TEXT NOT NULL DEFAULT '',"
        "  created_at TEXT NOT NULL,"
        "  updated_at TEXT NOT NULL,"
        "  expires_at TEXT NOT NULL,"
        "  next_poll_at TEXT,"
        "  polls INTEGER NOT NULL DEFAULT 0,"
        "  failures INTEGER NOT NULL DEFAULT 0,"
        "  signer_chain TEXT NOT NULL,"
        "  digest BLOB NOT NULL,"
        "  prepared TEXT NOT NULL,"
        "  document BLOB NOT NULL,"
        "  document_sha256 TEXT NOT NULL DEFAULT '',"
        "  version INTEGER NOT NULL DEFAULT 0,"
        "  CHECK ((status = 'waiting') = (next_poll_at IS NOT NULL)))",
        "CREATE INDEX remote_signing_due ON remote_signing_sessions (next_poll_at, id) WHERE next_poll_at IS NOT NULL",
        "CREATE INDEX remote_signing_transaction ON remote_signing_sessions (partner, transaction_id)"}},
      // Key mode "partner" (the partner CA makes and keeps the applicant's key: no CSR). SQLite
      // cannot change a CHECK, so the table is rebuilt (https://sqlite.org/lang_altertable.html §7).
      {7,
       {
           "CREATE TABLE enrollments_v7 ("
           "  id TEXT PRIMARY KEY,"
           "  transaction_id TEXT NOT NULL UNIQUE,"
           "  actor TEXT NOT NULL,"
           "  idempotency_key TEXT NOT NULL,"
           "  request_sha256 TEXT NOT NULL,"
           "  partner TEXT NOT NULL,"
           "  key_mode TEXT NOT NULL CHECK (key_mode IN ('csr', 'hsm', 'partner')),"
           "  applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('person', 'organization')),"
           "  full_name TEXT NOT NULL,"
           "  cccd TEXT NOT NULL,"
           "  mst TEXT NOT NULL,"
           "  representative TEXT NOT NULL,"
           "  email TEXT NOT NULL,"
           "  phone TEXT NOT NULL,"
           "  province TEXT NOT NULL,"
           "  csr BLOB NOT NULL,"
           "  consented_at TEXT NOT NULL,"
           "  created_at TEXT NOT NULL,"
           "  updated_at TEXT NOT NULL,"
           "  status TEXT NOT NULL CHECK (status IN ('received', 'submitted', 'awaiting_applicant', 'issued',"
           "    'rejected', 'failed')),"
           "  attempts INTEGER NOT NULL DEFAULT 0,"
           "  failures INTEGER NOT NULL DEFAULT 0,"
           "  next_attempt_at TEXT,"
           "  last_error TEXT NOT NULL DEFAULT '',"
           "  partner_reference TEXT NOT NULL DEFAULT '',"
           "  certificate_serial TEXT NOT NULL DEFAULT '',"
           "  chain_pem TEXT NOT NULL DEFAULT '',"
           "  revoked_at TEXT,"
           "  revocation_reason INTEGER NOT NULL DEFAULT 0 CHECK (revocation_reason BETWEEN 0 AND 10"
           "    AND revocation_reason != 7),"
           "  version INTEGER NOT NULL DEFAULT 0,"
           "  CHECK ((status IN ('issued', 'rejected', 'failed')) = (next_attempt_at IS NULL)),"
           "  CHECK (revoked_at IS NULL OR status = 'issued'),"
           "  CHECK (key_mode != 'partner' OR length(csr) = 0))",
           "INSERT INTO enrollments_v7 SELECT * FROM enrollments",
           "DROP TABLE enrollments",
           "ALTER TABLE enrollments_v7 RENAME TO enrollments",
           "CREATE UNIQUE INDEX enrollments_idempotency ON enrollments (actor, idempotency_key)"
           "  WHERE idempotency_key != ''",
           "CREATE INDEX enrollments_due ON enrollments (next_attempt_at, id) WHERE next_attempt_at IS NOT NULL",
           "CREATE INDEX enrollments_certificate ON enrollments (certificate_serial) WHERE certificate_serial != ''",
       }},
  };
  return all;
}

class SqliteApiKeys final : public ApiKeyRepository {
 public:
  explicit SqliteApiKeys(detail::ConnectionPool& pool) : pool_(pool) {}

  void insert(const ApiKeyRecord& record) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      int existing = 0;
      std::string id = record.id;
      s << "SELECT COUNT(*) FROM api_keys WHERE id = ?", use(id), into(existing), now;
      if (existing != 0) throw ConflictError("api_key_exists", "an API key with this id exists");
      std::string role = record.role, label = record.label, hash = toHex(record.secretHash),
                  created = timeText(record.createdAt);
      s << "INSERT INTO api_keys (id, role, label, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?)", use(id),
          use(role), use(label), use(hash), use(created), now;
    });
  }

  std::optional<ApiKeyRecord> find(const std::string& id) override {
    std::optional<ApiKeyRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::string key = id;
      std::vector<std::string> roles, labels, hashes, created;
      std::vector<Poco::Nullable<std::string>> revoked;
      s << "SELECT role, label, secret_sha256, created_at, revoked_at FROM api_keys WHERE id = ?", use(key),
          into(roles), into(labels), into(hashes), into(created), into(revoked), now;
      if (roles.empty()) return;
      out = row(id, roles[0], labels[0], hashes[0], created[0], revoked[0]);
    });
    return out;
  }

  std::vector<ApiKeyRecord> list() override {
    std::vector<ApiKeyRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::vector<std::string> ids, roles, labels, hashes, created;
      std::vector<Poco::Nullable<std::string>> revoked;
      s << "SELECT id, role, label, secret_sha256, created_at, revoked_at FROM api_keys ORDER BY created_at, id",
          into(ids), into(roles), into(labels), into(hashes), into(created), into(revoked), now;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        out.push_back(row(ids[i], roles[i], labels[i], hashes[i], created[i], revoked[i]));
      }
    });
    return out;
  }

  bool revoke(const std::string& id, pki::TimePoint at) override {
    bool done = false;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string key = id, when = timeText(at);
      Poco::Data::Statement update(s);
      update << "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", use(when), use(key);
      done = update.execute() > 0;
    });
    return done;
  }

 private:
  static ApiKeyRecord row(const std::string& id, const std::string& role, const std::string& label,
                          const std::string& hash, const std::string& created,
                          const Poco::Nullable<std::string>& revoked) {
    ApiKeyRecord r;
    r.id = id;
    r.role = role;
    r.label = label;
    r.secretHash = parseHex(hash);
    r.createdAt = parseTime(created);
    if (!revoked.isNull()) r.revokedAt = parseTime(revoked.value());
    return r;
  }

  detail::ConnectionPool& pool_;
};

class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(detail::ConnectionPool& pool) : pool_(pool) {}

  AuditEntry append(const AuditRecord& record) override {
    AuditEntry entry;
    pool_.writeTransaction([&](Poco::Data::Session& s) { entry = appendAuditEntry(s, record); });
    return entry;
  }

  std::vector<AuditEntry> list(std::int64_t after, std::size_t limit) override {
    std::vector<AuditEntry> out;
    pool_.read([&](Poco::Data::Session& s) {
      Poco::Int64 from = after;
      Poco::Int64 max = static_cast<Poco::Int64>(limit);
      std::vector<Poco::Int64> seqs;
      std::vector<std::string> at, actor, action, key, doc, level, details, prev, hash;
      s << "SELECT seq, at, actor, action, key_id, document_sha256, level, details, prev_hash, hash"
           " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
          use(from), use(max), into(seqs), into(at), into(actor), into(action), into(key), into(doc), into(level),
          into(details), into(prev), into(hash), now;
      for (std::size_t i = 0; i < seqs.size(); ++i) {
        AuditEntry e;
        e.sequence = seqs[i];
        e.record = {parseTime(at[i]), actor[i], action[i], key[i], doc[i], level[i], details[i]};
        e.previousHash = prev[i];
        e.hash = hash[i];
        out.push_back(std::move(e));
      }
    });
    return out;
  }

  AuditCheck verify() override {
    AuditCheck check;
    std::string previous = initialAuditHash();
    std::int64_t expected = 1;
    for (;;) {
      const auto batch = list(expected - 1, 1000);
      if (batch.empty()) break;
      for (const auto& e : batch) {
        auto fail = [&](const std::string& problem) {
          check.intact = false;
          check.firstBadSequence = e.sequence;
          check.problem = problem;
        };
        if (e.sequence != expected) {
          fail("entry " + std::to_string(expected) + " is missing");
        } else if (e.previousHash != previous) {
          fail("entry " + std::to_string(e.sequence) + " does not link to its predecessor");
        } else if (auditEntryHash(e.previousHash, e.sequence, e.record) != e.hash) {
          fail("entry " + std::to_string(e.sequence) + " was altered");
        }
        if (!check.intact) return check;
        previous = e.hash;
        ++expected;
        ++check.entries;
      }
    }
    return check;
  }

 private:
  detail::ConnectionPool& pool_;
};

class SqliteSigningSessions final : public SigningSessionRepository {
 public:
  explicit SqliteSigningSessions(detail::ConnectionPool& pool) : pool_(pool) {}

  void insert(const SigningSessionRecord& r) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = r.id;
      int existing = 0;
      s << "SELECT COUNT(*) FROM signing_sessions WHERE id = ?", use(id), into(existing), now;
      if (existing != 0) throw ConflictError("session_exists", "a signing session with this id exists");
      std::string kind = r.kind, actor = r.actor, created = timeText(r.createdAt), expires = timeText(r.expiresAt),
                  level = r.level, chain = r.signerChainPem, prepared = r.prepared;
      Poco::Data::BLOB toBeSigned(r.toBeSigned.data(), r.toBeSigned.size());
      Poco::Data::BLOB document(r.document.data(), r.document.size());
      s << "INSERT INTO signing_sessions (id, kind, actor, status, created_at, expires_at, level, signer_chain,"
           " to_be_signed, prepared, document) VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
          use(id), use(kind), use(actor), use(created), use(expires), use(level), use(chain), use(toBeSigned),
          use(prepared), use(document), now;
    });
  }

  std::optional<SigningSessionRecord> find(const std::string& id, bool withDocument) override {
    std::optional<SigningSessionRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      std::string key = id;
      std::vector<std::string> kind, actor, status, created, expires, level, chain, prepared;
      std::vector<Poco::Nullable<std::string>> completed, sha256;
      std::vector<Poco::Data::BLOB> toBeSigned;
      std::vector<Poco::Nullable<Poco::Data::BLOB>> signature;
      std::vector<Poco::Nullable<Poco::Int64>> auditSeq;
      s << "SELECT kind, actor, status, created_at, expires_at, completed_at, level, signer_chain, to_be_signed,"
           " prepared, signature, document_sha256, audit_seq FROM signing_sessions WHERE id = ?",
          use(key), into(kind), into(actor), into(status), into(created), into(expires), into(completed), into(level),
          into(chain), into(toBeSigned), into(prepared), into(signature), into(sha256), into(auditSeq), now;
      if (kind.empty()) return;
      SigningSessionRecord r;
      r.id = id;
      r.kind = kind[0];
      r.actor = actor[0];
      if (status[0] != "open" && status[0] != "completed") {
        throw InternalError("unknown signing session status in the database: " + status[0], "database_corrupt");
      }
      r.status = status[0] == "open" ? SessionStatus::Open : SessionStatus::Completed;
      r.createdAt = parseTime(created[0]);
      r.expiresAt = parseTime(expires[0]);
      if (!completed[0].isNull()) r.completedAt = parseTime(completed[0].value());
      r.level = level[0];
      r.signerChainPem = chain[0];
      r.toBeSigned.assign(toBeSigned[0].content().begin(), toBeSigned[0].content().end());
      r.prepared = prepared[0];
      if (!signature[0].isNull()) {
        r.signature.assign(signature[0].value().content().begin(), signature[0].value().content().end());
      }
      if (!sha256[0].isNull()) r.documentSha256 = sha256[0].value();
      if (!auditSeq[0].isNull()) r.auditSequence = auditSeq[0].value();
      if (withDocument) {
        Poco::Data::BLOB document;
        s << "SELECT document FROM signing_sessions WHERE id = ?", use(key), into(document), now;
        r.document.assign(document.content().begin(), document.content().end());
      }
      out = std::move(r);
    });
    return out;
  }

  std::optional<AuditEntry> complete(const std::string& id, ByteView signature, const std::string& documentSha256,
                                     pki::TimePoint at, const AuditRecord& audit) override {
    std::optional<AuditEntry> entry;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string key = id, status;
      s << "SELECT status FROM signing_sessions WHERE id = ?", use(key), into(status), now;
      if (status != "open") return;
      entry = appendAuditEntry(s, audit);
      Poco::Data::BLOB value(signature.data(), signature.size());
      std::string when = timeText(at), sha256 = documentSha256;
      Poco::Int64 seq = entry->sequence;
      s << "UPDATE signing_sessions SET status = 'completed', completed_at = ?, signature = ?, document_sha256 = ?,"
           " audit_seq = ? WHERE id = ? AND status = 'open'",
          use(when), use(value), use(sha256), use(seq), use(key), now;
    });
    return entry;
  }

  std::size_t purgeExpiredBefore(pki::TimePoint cutoff) override {
    std::size_t removed = 0;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string before = timeText(cutoff);
      Poco::Data::Statement remove(s);
      remove << "DELETE FROM signing_sessions WHERE expires_at < ?", use(before);
      removed = remove.execute();
    });
    return removed;
  }

 private:
  detail::ConnectionPool& pool_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::filesystem::path& file)
      : pool_(file), apiKeys_(pool_), audit_(pool_), sessions_(pool_), receipts_(detail::makeSqliteReceipts(pool_)) {
    migrate();
  }

  ApiKeyRepository& apiKeys() override { return apiKeys_; }
  AuditLog& audit() override { return audit_; }
  SigningSessionRepository& signingSessions() override { return sessions_; }
  ReceiptRepository& receipts() override { return *receipts_; }
  CertificateIndex& certificates() override { return *certificates_; }
  pki::EnrollmentRegister& enrollments() override { return *enrollments_; }
  pki::TransactionRegister& connectorTransactions() override { return *connectorTransactions_; }
  RemoteSigningRepository& remoteSigning() override { return *remoteSigning_; }

  void checkHealth() override {
    pool_.read([](Poco::Data::Session& s) {
      int one = 0;
      s << "SELECT 1", into(one), now;
    });
  }

  int schemaVersion() override {
    int version = 0;
    pool_.read([&](Poco::Data::Session& s) {
      s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
    });
    return version;
  }

 private:
  void migrate() {
    pool_.writeTransaction([](Poco::Data::Session& s) {
      s << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", now;
      int current = 0;
      s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(current), now;
      for (const Migration& m : migrations()) {
        if (m.version <= current) continue;
        for (const char* sql : m.statements) s << sql, now;
        int version = m.version;
        std::string at = pki::formatIso8601Utc(pki::SystemClock::instance().now());
        s << "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", use(version), use(at), now;
      }
      if (current > migrations().back().version) {
        throw InternalError(
            "the database schema (version " + std::to_string(current) + ") is newer than this kyso; upgrade kyso",
            "database_too_new");
      }
    });
  }

  detail::ConnectionPool pool_;
  SqliteApiKeys apiKeys_;
  SqliteAuditLog audit_;
  SqliteSigningSessions sessions_;
  std::unique_ptr<ReceiptRepository> receipts_;
  std::unique_ptr<CertificateIndex> certificates_ = detail::makeSqliteCertificates(pool_);
  std::unique_ptr<pki::EnrollmentRegister> enrollments_ = detail::makeSqliteEnrollments(pool_);
  std::unique_ptr<pki::TransactionRegister> connectorTransactions_ = detail::makeSqliteConnectorTransactions(pool_);
  std::unique_ptr<RemoteSigningRepository> remoteSigning_ = detail::makeSqliteRemoteSigning(pool_);
};

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::filesystem::path& file) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  return std::make_unique<SqliteStore>(file);
}

}  // namespace kyso::store
