#include "sqlite_common.h"

#include <Poco/Data/LOB.h>

#include "kyso/error.h"

namespace kyso::store::detail {

std::string timeText(pki::TimePoint t) {
  return pki::formatIso8601Utc(t);
}
pki::TimePoint parseTime(const std::string& text) {
  try {
    return pki::parseIso8601(text);
  } catch (const InputError&) {
    throw InternalError("unreadable time in the database: " + text, "database_corrupt");
  }
}

Bytes parseHex(const std::string& text) {
  try {
    return fromHex(text);
  } catch (const InputError&) {
    throw InternalError("unreadable hash in the database", "database_corrupt");
  }
}

Poco::Nullable<std::string> nullableTime(const std::optional<pki::TimePoint>& t) {
  Poco::Nullable<std::string> out;
  if (t) out = timeText(*t);
  return out;
}

std::string text(Poco::Data::RecordSet& rs, const char* column) {
  return rs[column].convert<std::string>();
}

std::int64_t boundedInteger(Poco::Data::RecordSet& rs, const char* column, std::int64_t min, std::int64_t max,
                            const char* what) {
  const auto value = rs[column].convert<Poco::Int64>();
  if (value < min || value > max)
    throw InternalError(std::string(what) + " out of range in the database", "database_corrupt");
  return value;
}

std::optional<pki::TimePoint> optionalTime(Poco::Data::RecordSet& rs, const char* column) {
  if (rs[column].isEmpty()) return std::nullopt;
  return parseTime(text(rs, column));
}

Bytes blob(Poco::Data::RecordSet& rs, const char* column) {
  const auto value = rs[column].extract<Poco::Data::BLOB>();  // a copy: rs[...] is a temporary
  return Bytes(value.content().begin(), value.content().end());
}

AuditEntry appendAuditEntry(Poco::Data::Session& s, const AuditRecord& record) {
  AuditEntry entry;
  entry.record = record;
  std::vector<Poco::Int64> seqs;
  std::vector<std::string> hashes;
  s << "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", into(seqs), into(hashes), now;
  entry.sequence = seqs.empty() ? 1 : seqs[0] + 1;
  entry.previousHash = hashes.empty() ? initialAuditHash() : hashes[0];
  entry.hash = auditEntryHash(entry.previousHash, entry.sequence, record);
  Poco::Int64 seq = entry.sequence;
  std::string at = timeText(record.time), actor = record.actor, action = record.action, key = record.keyId,
              doc = record.documentSha256, level = record.level, details = record.details, prev = entry.previousHash,
              hash = entry.hash;
  s << "INSERT INTO audit_log (seq, at, actor, action, key_id, document_sha256, level, details, prev_hash, hash)"
       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      use(seq), use(at), use(actor), use(action), use(key), use(doc), use(level), use(details), use(prev), use(hash),
      now;
  entry.record.time = parseTime(timeText(record.time));  // as stored: whole seconds
  return entry;
}

}  // namespace kyso::store::detail
