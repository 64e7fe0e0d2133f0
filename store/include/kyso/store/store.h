// Durable state behind small interfaces, so the embedded SQLite database can give way to
// PostgreSQL for several nodes without touching the services above.
#pragma once

#include <filesystem>
#include <memory>

#include "kyso/pki/enrollment_register.h"
#include "kyso/store/api_key_repository.h"
#include "kyso/store/audit_log.h"
#include "kyso/store/certificates.h"
#include "kyso/store/receipts.h"
#include "kyso/store/remote_signing.h"
#include "kyso/store/signing_sessions.h"

namespace kyso::store {

class Store {
 public:
  virtual ~Store() = default;
  virtual ApiKeyRepository& apiKeys() = 0;
  virtual AuditLog& audit() = 0;
  virtual SigningSessionRepository& signingSessions() = 0;
  virtual ReceiptRepository& receipts() = 0;
  virtual CertificateIndex& certificates() = 0;
  // Certificate enrolments (their events go to the receipts' outbox), and what the local CA
  // connector remembers per transaction.
  virtual pki::EnrollmentRegister& enrollments() = 0;
  virtual pki::TransactionRegister& connectorTransactions() = 0;
  // Signatures with a citizen's key at a partner, waiting for or holding the partner's answer.
  virtual RemoteSigningRepository& remoteSigning() = 0;
  // Throws UnavailableError("database_unavailable") when the database does not answer.
  virtual void checkHealth() = 0;
  // Schema version after migrations.
  virtual int schemaVersion() = 0;
};

// Opens (creating if needed) the SQLite database at `file` and applies pending migrations.
// WAL journal, synchronous=FULL: a committed write survives a crash or power loss.
std::unique_ptr<Store> openSqliteStore(const std::filesystem::path& file);

}  // namespace kyso::store
