// Remote signing sessions: a document prepared for a citizen's key at a partner (VNPT SmartCA,
// Viettel MySign), waiting for the partner's signature. The record keeps the prepared document
// and what completing it needs (`prepared`, kind-specific JSON only the service reads); once the
// partner signed, `document` is the signed file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"

namespace kyso::store {

struct RemoteSigningRecord {
  std::string id;             // "rs_" + 32 hex digits
  std::string actor;          // who asked ("apikey:<id>"); only they may see it
  std::string partner;        // "vnpt-smartca", "viettel-mysign"
  std::string userId;         // the citizen at the partner
  std::string credentialId;   // their credential there
  std::string kind;           // "pdf", "xml"
  std::string status;         // "waiting", "signed", "rejected", "expired", "failed"
  std::string errorCode;      // final failures: a stable code
  std::string errorMessage;   // and the words for the caller
  std::string transactionId;  // the partner's
  pki::TimePoint createdAt{};
  pki::TimePoint updatedAt{};
  pki::TimePoint expiresAt{};                // the citizen must have confirmed by then
  std::optional<pki::TimePoint> nextPollAt;  // waiting only
  int polls = 0;                             // status requests made
  int failures = 0;                          // unanswered ones in a row
  std::string signerChainPem;                // the credential's chain, leaf first
  Bytes digest;                              // what the partner was asked to sign (SHA-256)
  std::string prepared;                      // kind-specific JSON (its warnings once signed)
  Bytes document;                            // prepared, then signed (loaded only when asked for)
  std::string documentSha256;                // hex, of the signed document
  std::int64_t version = 0;                  // bumped by every update; an update names the version it read
};

class RemoteSigningRepository {
 public:
  virtual ~RemoteSigningRepository() = default;
  virtual void insert(const RemoteSigningRecord& record) = 0;
  virtual std::optional<RemoteSigningRecord> find(const std::string& id, bool withDocument) = 0;
  // The session a partner's transaction belongs to (for its webhook).
  virtual std::optional<RemoteSigningRecord> findByTransaction(const std::string& partner,
                                                               const std::string& transactionId) = 0;
  // Waiting sessions whose next poll is due at `at`, oldest first (without documents).
  virtual std::vector<RemoteSigningRecord> due(pki::TimePoint at, std::size_t limit) = 0;
  // Writes every field (the document when `withDocument`) if the stored version is still
  // record.version; false when another writer changed it meanwhile.
  virtual bool update(const RemoteSigningRecord& record, bool withDocument) = 0;
  // Deletes final sessions last changed before `cutoff`. Returns how many.
  virtual std::size_t purgeFinishedBefore(pki::TimePoint cutoff) = 0;
};

}  // namespace kyso::store
