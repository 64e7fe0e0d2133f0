#include "sqlite_remote_signing.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <set>

#include "kyso/error.h"
#include "sqlite_common.h"

namespace kyso::store::detail {

namespace {

constexpr const char* kColumns =
    "id, actor, partner, user_id, credential_id, kind, status, error_code, error_message, transaction_id,"
    " created_at, updated_at, expires_at, next_poll_at, polls, failures, signer_chain, digest, prepared,"
    " document_sha256, version";

RemoteSigningRecord readRecord(Poco::Data::RecordSet& rs) {
  static const std::set<std::string> statuses = {"waiting", "signed", "rejected", "expired", "failed"};
  RemoteSigningRecord r;
  r.id = text(rs, "id");
  r.actor = text(rs, "actor");
  r.partner = text(rs, "partner");
  r.userId = text(rs, "user_id");
  r.credentialId = text(rs, "credential_id");
  r.kind = text(rs, "kind");
  r.status = text(rs, "status");
  if (!statuses.contains(r.status)) throw InternalError("unknown remote signing status", "database_corrupt");
  r.errorCode = text(rs, "error_code");
  r.errorMessage = text(rs, "error_message");
  r.transactionId = text(rs, "transaction_id");
  r.createdAt = parseTime(text(rs, "created_at"));
  r.updatedAt = parseTime(text(rs, "updated_at"));
  r.expiresAt = parseTime(text(rs, "expires_at"));
  r.nextPollAt = optionalTime(rs, "next_poll_at");
  r.polls = static_cast<int>(boundedInteger(rs, "polls", 0, 1'000'000'000, "remote signing counter"));
  r.failures = static_cast<int>(boundedInteger(rs, "failures", 0, 1'000'000'000, "remote signing counter"));
  r.signerChainPem = text(rs, "signer_chain");
  r.digest = blob(rs, "digest");
  r.prepared = text(rs, "prepared");
  r.documentSha256 = text(rs, "document_sha256");
  r.version = rs["version"].convert<Poco::Int64>();
  return r;
}

std::vector<RemoteSigningRecord> selectRecords(Poco::Data::Session& s, const std::string& where,
                                               const std::vector<std::string>& params) {
  return selectRows(s, std::string("SELECT ") + kColumns + " FROM remote_signing_sessions " + where, readRecord,
                    params);
}

class SqliteRemoteSigning final : public RemoteSigningRepository {
 public:
  explicit SqliteRemoteSigning(ConnectionPool& pool) : pool_(pool) {}

  void insert(const RemoteSigningRecord& r) override {
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = r.id, actor = r.actor, partner = r.partner, user = r.userId, credential = r.credentialId,
                  kind = r.kind, status = r.status, code = r.errorCode, message = r.errorMessage,
                  transaction = r.transactionId, created = timeText(r.createdAt), updated = timeText(r.updatedAt),
                  expires = timeText(r.expiresAt), chain = r.signerChainPem, prepared = r.prepared,
                  sha256 = r.documentSha256;
      Poco::Nullable<std::string> next = nullableTime(r.nextPollAt);
      Poco::Data::BLOB digest(r.digest.data(), r.digest.size());
      Poco::Data::BLOB document(r.document.data(), r.document.size());
      s << "INSERT INTO remote_signing_sessions (id, actor, partner, user_id, credential_id, kind, status,"
           " error_code, error_message, transaction_id, created_at, updated_at, expires_at, next_poll_at,"
           " signer_chain, digest, prepared, document, document_sha256)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(id), use(actor), use(partner), use(user), use(credential), use(kind), use(status), use(code),
          use(message), use(transaction), use(created), use(updated), use(expires), use(next), use(chain), use(digest),
          use(prepared), use(document), use(sha256), now;
    });
  }

  std::optional<RemoteSigningRecord> find(const std::string& id, bool withDocument) override {
    std::optional<RemoteSigningRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      auto rows = selectRecords(s, "WHERE id = ?", {id});
      if (rows.empty()) return;
      out = std::move(rows.front());
      if (withDocument) {
        std::string key = id;
        Poco::Data::BLOB document;
        s << "SELECT document FROM remote_signing_sessions WHERE id = ?", use(key), into(document), now;
        out->document.assign(document.content().begin(), document.content().end());
      }
    });
    return out;
  }

  std::optional<RemoteSigningRecord> findByTransaction(const std::string& partner,
                                                       const std::string& transactionId) override {
    std::optional<RemoteSigningRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      auto rows = selectRecords(s, "WHERE partner = ? AND transaction_id = ? LIMIT 1", {partner, transactionId});
      if (!rows.empty()) out = std::move(rows.front());
    });
    return out;
  }

  std::vector<RemoteSigningRecord> due(pki::TimePoint at, std::size_t limit) override {
    std::vector<RemoteSigningRecord> out;
    pool_.read([&](Poco::Data::Session& s) {
      out = selectRecords(s,
                          "WHERE next_poll_at IS NOT NULL AND next_poll_at <= ? ORDER BY next_poll_at, id LIMIT " +
                              std::to_string(limit),
                          {timeText(at)});
    });
    return out;
  }

  bool update(const RemoteSigningRecord& r, bool withDocument) override {
    bool written = false;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string id = r.id, status = r.status, code = r.errorCode, message = r.errorMessage,
                  transaction = r.transactionId, updated = timeText(r.updatedAt), sha256 = r.documentSha256,
                  prepared = r.prepared;
      Poco::Nullable<std::string> next = nullableTime(r.nextPollAt);
      Poco::Int64 polls = r.polls, failures = r.failures, version = r.version;
      Poco::Data::Statement statement(s);
      statement << "UPDATE remote_signing_sessions SET status = ?, error_code = ?, error_message = ?,"
                   " transaction_id = ?, updated_at = ?, next_poll_at = ?, polls = ?, failures = ?,"
                   " document_sha256 = ?, prepared = ?, version = version + 1 WHERE id = ? AND version = ?",
          use(status), use(code), use(message), use(transaction), use(updated), use(next), use(polls), use(failures),
          use(sha256), use(prepared), use(id), use(version);
      written = statement.execute() > 0;
      if (written && withDocument) {
        Poco::Data::BLOB document(r.document.data(), r.document.size());
        s << "UPDATE remote_signing_sessions SET document = ? WHERE id = ?", use(document), use(id), now;
      }
    });
    return written;
  }

  std::size_t purgeFinishedBefore(pki::TimePoint cutoff) override {
    std::size_t removed = 0;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string before = timeText(cutoff);
      Poco::Data::Statement remove(s);
      remove << "DELETE FROM remote_signing_sessions WHERE status != 'waiting' AND updated_at < ?", use(before);
      removed = remove.execute();
    });
    return removed;
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<RemoteSigningRepository> makeSqliteRemoteSigning(ConnectionPool& pool) {
  return std::make_unique<SqliteRemoteSigning>(pool);
}

}  // namespace kyso::store::detail
