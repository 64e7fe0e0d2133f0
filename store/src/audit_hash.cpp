#include "kyso/pki/digest.h"
#include "kyso/store/audit_log.h"

namespace kyso::store {

namespace {
void field(pki::DigestCalculator& d, std::string_view value) {
  // Length-prefixed, so that no two different records serialise to the same bytes.
  d.update(std::to_string(value.size()));
  d.update(":");
  d.update(value);
}
}  // namespace

std::string initialAuditHash() {
  return std::string(64, '0');
}

std::string auditEntryHash(const std::string& previousHash, std::int64_t sequence, const AuditRecord& record) {
  pki::DigestCalculator d(pki::DigestAlgorithm::Sha256);
  field(d, previousHash);
  field(d, std::to_string(sequence));
  field(d, pki::formatIso8601Utc(record.time));
  field(d, record.actor);
  field(d, record.action);
  field(d, record.keyId);
  field(d, record.documentSha256);
  field(d, record.level);
  field(d, record.details);
  return toHex(d.finish());
}

}  // namespace kyso::store
