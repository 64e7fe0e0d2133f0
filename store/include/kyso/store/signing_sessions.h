// Two-step signing sessions: a document prepared for a key kyso does not hold (an officer's USB
// token, a citizen's key at a partner CA) waits here for its signature value. The repository keeps
// the prepared document and what completing it needs; what that is depends on the document kind,
// so it is an opaque JSON text (`prepared`) that only the signing service reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/store/audit_log.h"

namespace kyso::store {

enum class SessionStatus { Open, Completed };

struct SigningSessionRecord {
  std::string id;
  std::string kind;   // "pdf"
  std::string actor;  // who created it ("apikey:<id>"); only they may see and complete it
  SessionStatus status = SessionStatus::Open;
  pki::TimePoint createdAt;
  pki::TimePoint expiresAt;
  std::optional<pki::TimePoint> completedAt;
  std::string level;           // "B-B", "B-T"
  std::string signerChainPem;  // leaf first
  Bytes toBeSigned;            // what the key signs (DER signed attributes)
  std::string prepared;        // kind-specific JSON: byte range, digests, texts ...
  Bytes document;              // the prepared document (loaded only when asked for)
  Bytes signature;             // after completion: the finished CMS
  std::string documentSha256;  // after completion: hex, of the signed document
  std::int64_t auditSequence = 0;
};

class SigningSessionRepository {
 public:
  virtual ~SigningSessionRepository() = default;
  // Throws ConflictError("session_exists") if the id is taken.
  virtual void insert(const SigningSessionRecord& record) = 0;
  // `withDocument`: also load the (possibly large) prepared document.
  virtual std::optional<SigningSessionRecord> find(const std::string& id, bool withDocument) = 0;
  // Marks an open session completed and appends `audit` in the same transaction, so that a
  // completed session always has its audit entry. Returns nothing when the session was not open
  // any more (completed by a concurrent call): the caller lost the race and must not hand out
  // its result.
  virtual std::optional<AuditEntry> complete(const std::string& id, ByteView signature,
                                             const std::string& documentSha256, pki::TimePoint at,
                                             const AuditRecord& audit) = 0;
  // Deletes sessions whose expiry lies before `cutoff`, open or completed. Returns how many.
  virtual std::size_t purgeExpiredBefore(pki::TimePoint cutoff) = 0;
};

}  // namespace kyso::store
