// The audit log: one entry per signature (and, later, per receipt and enrolment event). Each entry
// carries the SHA-256 of its predecessor's hash and its own fields, so that changing, inserting or
// deleting a row anywhere breaks the chain from there on (verify() says where).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"

namespace kyso::store {

struct AuditRecord {
  pki::TimePoint time;
  std::string actor;           // "apikey:<id>", "cli:<user>"
  std::string action;          // "sign.pdf"
  std::string keyId;           // signing key used
  std::string documentSha256;  // hex, of the signed output
  std::string level;           // "B-B", "B-T"
  std::string details;         // compact JSON with anything else worth keeping
};

struct AuditEntry {
  std::int64_t sequence = 0;  // 1, 2, 3 ... without gaps
  AuditRecord record;
  std::string previousHash;  // hex; 64 zeros for the first entry
  std::string hash;          // hex
};

struct AuditCheck {
  bool intact = true;
  std::int64_t entries = 0;
  std::optional<std::int64_t> firstBadSequence;
  std::string problem;
};

// hash = SHA-256(previousHash || each field length-prefixed), fields in a fixed order.
std::string auditEntryHash(const std::string& previousHash, std::int64_t sequence, const AuditRecord& record);
std::string initialAuditHash();

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Appends atomically (also across processes sharing the database) and returns the entry.
  virtual AuditEntry append(const AuditRecord& record) = 0;
  // Entries with sequence > `after`, oldest first, at most `limit`.
  virtual std::vector<AuditEntry> list(std::int64_t after, std::size_t limit) = 0;
  // Recomputes the whole chain.
  virtual AuditCheck verify() = 0;
};

}  // namespace kyso::store
