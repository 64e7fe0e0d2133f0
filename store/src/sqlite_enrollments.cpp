#include "sqlite_enrollments.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include "kyso/error.h"
#include "sqlite_common.h"

namespace kyso::store::detail {

namespace {

constexpr const char* kColumns =
    "id, transaction_id, actor, idempotency_key, request_sha256, partner, key_mode, applicant_kind, full_name, cccd,"
    " mst, representative, email, phone, province, csr, consented_at, created_at, updated_at, status, attempts,"
    " failures, next_attempt_at, last_error, partner_reference, certificate_serial, chain_pem, revoked_at,"
    " revocation_reason, version";

int count(Poco::Data::RecordSet& rs, const char* column) {
  return static_cast<int>(boundedInteger(rs, column, 0, 1'000'000'000, "enrolment counter"));
}

pki::EnrollmentRecord readRecord(Poco::Data::RecordSet& rs) {
  pki::EnrollmentRecord r;
  r.id = text(rs, "id");
  r.transactionId = text(rs, "transaction_id");
  r.actor = text(rs, "actor");
  r.idempotencyKey = text(rs, "idempotency_key");
  r.requestSha256 = text(rs, "request_sha256");
  r.partner = text(rs, "partner");
  const std::string mode = text(rs, "key_mode");
  if (mode == "csr") {
    r.keyMode = pki::KeyMode::Csr;
  } else if (mode == "hsm") {
    r.keyMode = pki::KeyMode::Hsm;
  } else if (mode == "partner") {
    r.keyMode = pki::KeyMode::Partner;
  } else {
    throw InternalError("unknown key mode in the database", "database_corrupt");
  }
  const std::string kind = text(rs, "applicant_kind");
  if (kind != "person" && kind != "organization") {
    throw InternalError("unknown applicant kind in the database", "database_corrupt");
  }
  r.applicant.kind = kind == "person" ? pki::Applicant::Kind::Person : pki::Applicant::Kind::Organization;
  r.applicant.fullName = text(rs, "full_name");
  r.applicant.cccd = text(rs, "cccd");
  r.applicant.mst = text(rs, "mst");
  r.applicant.representative = text(rs, "representative");
  r.applicant.email = text(rs, "email");
  r.applicant.phone = text(rs, "phone");
  r.applicant.province = text(rs, "province");
  r.csrDer = blob(rs, "csr");
  r.consentedAt = parseTime(text(rs, "consented_at"));
  r.createdAt = parseTime(text(rs, "created_at"));
  r.updatedAt = parseTime(text(rs, "updated_at"));
  r.phase = pki::parseEnrollmentPhase(text(rs, "status"));
  r.attempts = count(rs, "attempts");
  r.failures = count(rs, "failures");
  r.nextAttemptAt = optionalTime(rs, "next_attempt_at");
  r.lastError = text(rs, "last_error");
  r.partnerReference = text(rs, "partner_reference");
  r.certificateSerial = text(rs, "certificate_serial");
  r.chainPem = text(rs, "chain_pem");
  r.revokedAt = optionalTime(rs, "revoked_at");
  const auto reason = rs["revocation_reason"].convert<Poco::Int64>();
  if (reason < 0 || reason > 10 || reason == 7) {
    throw InternalError("unknown revocation reason in the database", "database_corrupt");
  }
  r.revocationReason = static_cast<pki::RevocationReason>(reason);
  r.version = rs["version"].convert<Poco::Int64>();
  return r;
}

std::vector<pki::EnrollmentRecord> selectRecords(Poco::Data::Session& s, const std::string& where,
                                                 const std::vector<std::string>& params) {
  return selectRows(s, std::string("SELECT ") + kColumns + " FROM enrollments " + where, readRecord, params);
}

std::optional<pki::EnrollmentRecord> first(std::vector<pki::EnrollmentRecord> rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

class SqliteEnrollments final : public pki::EnrollmentRegister {
 public:
  explicit SqliteEnrollments(ConnectionPool& pool) : pool_(pool) {}

  std::optional<pki::EnrollmentRecord> insert(const pki::EnrollmentRecord& r) override {
    std::optional<pki::EnrollmentRecord> earlier;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      if (!r.idempotencyKey.empty()) {
        earlier = first(selectRecords(s, "WHERE actor = ? AND idempotency_key = ?", {r.actor, r.idempotencyKey}));
        if (earlier) return;
      }
      std::string id = r.id, transaction = r.transactionId, actor = r.actor, key = r.idempotencyKey,
                  sha256 = r.requestSha256, partner = r.partner, mode = std::string(pki::keyModeName(r.keyMode)),
                  kind = r.applicant.kind == pki::Applicant::Kind::Person ? "person" : "organization",
                  name = r.applicant.fullName, cccd = r.applicant.cccd, mst = r.applicant.mst,
                  representative = r.applicant.representative, email = r.applicant.email, phone = r.applicant.phone,
                  province = r.applicant.province, consented = timeText(r.consentedAt), created = timeText(r.createdAt),
                  updated = timeText(r.updatedAt), status = std::string(pki::enrollmentPhaseName(r.phase));
      Poco::Data::BLOB csr(r.csrDer.data(), r.csrDer.size());
      Poco::Nullable<std::string> next = nullableTime(r.nextAttemptAt);
      s << "INSERT INTO enrollments (id, transaction_id, actor, idempotency_key, request_sha256, partner, key_mode,"
           " applicant_kind, full_name, cccd, mst, representative, email, phone, province, csr, consented_at,"
           " created_at, updated_at, status, next_attempt_at)"
           // Key mode hsm has no CSR when received; SQLite would take the empty BLOB for NULL.
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, X''), ?, ?, ?, ?, ?)",
          use(id), use(transaction), use(actor), use(key), use(sha256), use(partner), use(mode), use(kind), use(name),
          use(cccd), use(mst), use(representative), use(email), use(phone), use(province), use(csr), use(consented),
          use(created), use(updated), use(status), use(next), now;
    });
    return earlier;
  }

  std::optional<pki::EnrollmentRecord> find(const std::string& id) override {
    std::optional<pki::EnrollmentRecord> out;
    pool_.read([&](Poco::Data::Session& s) { out = first(selectRecords(s, "WHERE id = ?", {id})); });
    return out;
  }

  std::optional<pki::EnrollmentRecord> findByCertificate(const std::string& serialHex) override {
    std::optional<pki::EnrollmentRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      out = first(selectRecords(s, "WHERE certificate_serial = ? ORDER BY updated_at DESC, id LIMIT 1", {serialHex}));
    });
    return out;
  }

  std::vector<pki::EnrollmentRecord> due(pki::TimePoint at, std::size_t limit) override {
    std::vector<pki::EnrollmentRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      out = selectRecords(s,
                          "WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?"
                          " ORDER BY next_attempt_at, id LIMIT " +
                              std::to_string(limit),
                          {timeText(at)});
    });
    return out;
  }

  bool update(const pki::EnrollmentRecord& r, const std::vector<pki::EnrollmentEvent>& events) override {
    bool written = false;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = r.id, status = std::string(pki::enrollmentPhaseName(r.phase)), error = r.lastError,
                  reference = r.partnerReference, serial = r.certificateSerial, chain = r.chainPem,
                  updated = timeText(r.updatedAt);
      Poco::Int64 attempts = r.attempts, failures = r.failures, version = r.version,
                  reason = static_cast<Poco::Int64>(r.revocationReason);
      Poco::Nullable<std::string> next = nullableTime(r.nextAttemptAt), revoked = nullableTime(r.revokedAt);
      Poco::Data::Statement statement(s);
      statement << "UPDATE enrollments SET status = ?, attempts = ?, failures = ?, next_attempt_at = ?,"
                   " last_error = ?, partner_reference = ?, certificate_serial = ?, chain_pem = ?, revoked_at = ?,"
                   " revocation_reason = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
          use(status), use(attempts), use(failures), use(next), use(error), use(reference), use(serial), use(chain),
          use(revoked), use(reason), use(updated), use(id), use(version);
      written = statement.execute() > 0;
      if (!written) return;
      for (const pki::EnrollmentEvent& e : events) {
        std::string type = e.type, body = e.body, created = timeText(e.at);
        // As ReceiptIssuance::enqueueForCallbacks: once for every registered callback.
        s << "INSERT INTO outbox (subscriber, type, body, created_at, next_attempt_at)"
             " SELECT api_key_id, ?, ?, ?, ? FROM callbacks ORDER BY api_key_id",
            use(type), use(body), use(created), use(created), now;
      }
    });
    return written;
  }

 private:
  ConnectionPool& pool_;
};

class SqliteConnectorTransactions final : public pki::TransactionRegister {
 public:
  explicit SqliteConnectorTransactions(ConnectionPool& pool) : pool_(pool) {}

  std::optional<Bytes> issuedFor(const std::string& connector, const std::string& transactionId) override {
    std::optional<Bytes> out;
    pool_.read([&](Poco::Data::Session& s) { out = select(s, connector, transactionId); });
    return out;
  }

  Bytes recordIssued(const std::string& connector, const std::string& transactionId, ByteView der,
                     pki::TimePoint at) override {
    Bytes kept(der.begin(), der.end());
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      if (auto earlier = select(s, connector, transactionId)) {
        kept = std::move(*earlier);
        return;
      }
      std::string name = connector, transaction = transactionId, created = timeText(at);
      Poco::Data::BLOB certificate(der.data(), der.size());
      s << "INSERT INTO connector_transactions (connector, transaction_id, certificate, created_at)"
           " VALUES (?, ?, ?, ?)",
          use(name), use(transaction), use(certificate), use(created), now;
    });
    return kept;
  }

 private:
  static std::optional<Bytes> select(Poco::Data::Session& s, const std::string& connector,
                                     const std::string& transactionId) {
    std::string name = connector, transaction = transactionId;
    std::vector<Poco::Data::BLOB> rows;
    s << "SELECT certificate FROM connector_transactions WHERE connector = ? AND transaction_id = ?", use(name),
        use(transaction), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return Bytes(rows[0].content().begin(), rows[0].content().end());
  }

  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<pki::EnrollmentRegister> makeSqliteEnrollments(ConnectionPool& pool) {
  return std::make_unique<SqliteEnrollments>(pool);
}

std::unique_ptr<pki::TransactionRegister> makeSqliteConnectorTransactions(ConnectionPool& pool) {
  return std::make_unique<SqliteConnectorTransactions>(pool);
}

}  // namespace kyso::store::detail
