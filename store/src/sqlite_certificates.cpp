#include "sqlite_certificates.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <algorithm>

#include "kyso/error.h"
#include "sqlite_common.h"
#include "sqlite_statement.h"

namespace kyso::store::detail {

namespace {

int reasonCode(const Poco::Int64 value) {
  if (value < 0 || value > 10 || value == 7) {
    throw InternalError("unknown revocation reason in the database: " + std::to_string(value), "database_corrupt");
  }
  return static_cast<int>(value);
}

std::vector<CertificateRecord> selectCertificates(Poco::Data::Session& s, const std::string& where,
                                                  const std::vector<std::string>& params) {
  return selectRows(
      s,
      "SELECT serial, issuer_key_id, issuer, subject, not_before, not_after, status, revoked_at, reason, der"
      " FROM certificates " +
          where + " ORDER BY issuer_key_id, serial",
      [](Poco::Data::RecordSet& rs) {
        CertificateRecord r;
        r.serial = rs["serial"].convert<std::string>();
        r.issuerKeyId = rs["issuer_key_id"].convert<std::string>();
        r.issuer = rs["issuer"].convert<std::string>();
        r.subject = rs["subject"].convert<std::string>();
        r.notBefore = parseTime(rs["not_before"].convert<std::string>());
        r.notAfter = parseTime(rs["not_after"].convert<std::string>());
        r.status = rs["status"].convert<std::string>();
        if (!rs["revoked_at"].isEmpty()) r.revokedAt = parseTime(rs["revoked_at"].convert<std::string>());
        r.reason = reasonCode(rs["reason"].convert<Poco::Int64>());
        const auto der = rs["der"].extract<Poco::Data::BLOB>();  // a copy: rs[...] is a temporary
        r.der.assign(der.content().begin(), der.content().end());
        return r;
      },
      params);
}

class SqliteCertificates final : public CertificateIndex {
 public:
  explicit SqliteCertificates(ConnectionPool& pool) : pool_(pool) {}

  bool insert(const CertificateRecord& r) override {
    if (r.status != "good" && r.status != "revoked") throw InternalError("unknown certificate status: " + r.status);
    if ((r.status == "revoked") != r.revokedAt.has_value()) {
      throw InternalError("a revoked certificate has a revocation time, a good one none");
    }
    bool inserted = false;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string issuer = r.issuerKeyId, serial = r.serial;
      std::vector<Poco::Data::BLOB> existing;
      s << "SELECT der FROM certificates WHERE issuer_key_id = ? AND serial = ?", use(issuer), use(serial),
          into(existing), now;
      if (!existing.empty()) {
        const auto& der = existing[0].content();
        if (!std::equal(der.begin(), der.end(), r.der.begin(), r.der.end())) {
          throw ConflictError("certificate_exists", "another certificate of this issuer has serial number " + r.serial);
        }
        return;
      }
      std::string issuerName = r.issuer, subject = r.subject, notBefore = timeText(r.notBefore),
                  notAfter = timeText(r.notAfter), status = r.status;
      Poco::Nullable<std::string> revokedAt;
      if (r.revokedAt) revokedAt = timeText(*r.revokedAt);
      Poco::Int64 reason = r.reason;
      Poco::Data::BLOB der(r.der.data(), r.der.size());
      s << "INSERT INTO certificates (issuer_key_id, serial, issuer, subject, not_before, not_after, status,"
           " revoked_at, reason, der) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(issuer), use(serial), use(issuerName), use(subject), use(notBefore), use(notAfter), use(status),
          use(revokedAt), use(reason), use(der), now;
      inserted = true;
    });
    return inserted;
  }

  std::optional<CertificateRecord> find(const std::string& issuerKeyId, const std::string& serial) override {
    std::vector<CertificateRecord> rows;
    pool_.read([&](Poco::Data::Session& s) {
      rows = selectCertificates(s, "WHERE issuer_key_id = ? AND serial = ?", {issuerKeyId, serial});
    });
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  // Read for every OCSP answer and every verification: prepared once per connection.
  std::optional<CertificateState> state(const std::string& issuerKeyId, const std::string& serial) override {
    std::optional<CertificateState> out;
    pool_.read([&](Poco::Data::Session&, PreparedStatements& prepared) {
      auto select = prepared(
          "SELECT serial, status, COALESCE(revoked_at, ''), reason FROM certificates"
          " WHERE issuer_key_id = ? AND serial = ?");
      select.bind(issuerKeyId).bind(serial);
      if (!select.step()) return;
      CertificateState found;
      found.serial = select.text(0);
      found.revoked = select.text(1) == "revoked";
      if (const std::string time = select.text(2); !time.empty()) found.revokedAt = parseTime(time);
      found.reason = reasonCode(select.integer(3));
      out = std::move(found);
    });
    return out;
  }

  std::vector<CertificateRecord> findBySerial(const std::string& serial) override {
    std::vector<CertificateRecord> rows;
    pool_.read([&](Poco::Data::Session& s) { rows = selectCertificates(s, "WHERE serial = ?", {serial}); });
    return rows;
  }

  bool revoke(const std::string& issuerKeyId, const std::string& serial, pki::TimePoint at, int reason) override {
    reasonCode(reason);
    bool changed = false;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string issuer = issuerKeyId, number = serial, when = timeText(at);
      Poco::Int64 code = reason;
      Poco::Data::Statement update(s);
      update << "UPDATE certificates SET status = 'revoked', revoked_at = ?, reason = ?"
                " WHERE issuer_key_id = ? AND serial = ? AND status = 'good'",
          use(when), use(code), use(issuer), use(number);
      changed = update.execute() > 0;
      if (changed) return;
      int known = 0;
      s << "SELECT COUNT(*) FROM certificates WHERE issuer_key_id = ? AND serial = ?", use(issuer), use(number),
          into(known), now;
      if (known == 0) throw NotFoundError("certificate_not_found", "no certificate with serial number " + serial);
    });
    return changed;
  }

  std::vector<RevocationRecord> revoked(const std::string& issuerKeyId) override {
    std::vector<RevocationRecord> out;
    pool_.read([&](Poco::Data::Session&, PreparedStatements& prepared) {
      auto select = prepared(
          "SELECT serial, revoked_at, reason FROM certificates WHERE issuer_key_id = ? AND status = 'revoked'"
          " ORDER BY serial");
      select.bind(issuerKeyId);
      while (select.step()) out.push_back({select.text(0), parseTime(select.text(1)), reasonCode(select.integer(2))});
    });
    return out;
  }

  std::uint64_t nextCrlNumber(const std::string& issuerKeyId) override {
    Poco::Int64 number = 0;
    pool_.writeTransaction([&](Poco::Data::Session& s) {
      std::string issuer = issuerKeyId;
      s << "INSERT INTO crl_numbers (issuer_key_id, last_number) VALUES (?, 1)"
           " ON CONFLICT (issuer_key_id) DO UPDATE SET last_number = last_number + 1",
          use(issuer), now;
      s << "SELECT last_number FROM crl_numbers WHERE issuer_key_id = ?", use(issuer), into(number), now;
    });
    if (number <= 0) throw InternalError("CRL number out of range in the database", "database_corrupt");
    return static_cast<std::uint64_t>(number);
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<CertificateIndex> makeSqliteCertificates(ConnectionPool& pool) {
  return std::make_unique<SqliteCertificates>(pool);
}

}  // namespace kyso::store::detail
