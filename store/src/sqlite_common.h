// What the SQLite repositories share: how times are stored, reading a result row's columns, and
// appending to the audit chain inside a caller's write transaction.
#pragma once

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>

#include <cstdint>
#include <optional>
#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/store/audit_log.h"

namespace kyso::store::detail {

// Times are stored as ISO 8601 UTC text, whole seconds ("2026-11-27T02:15:00Z"), which sorts.
std::string timeText(pki::TimePoint t);
// Throws InternalError("database_corrupt") for a value that does not read back.
pki::TimePoint parseTime(const std::string& text);
Bytes parseHex(const std::string& text);
// A time that may be absent, as a column value: NULL when it is.
Poco::Nullable<std::string> nullableTime(const std::optional<pki::TimePoint>& t);

// Reading a column of a result row: as text, or as a whole number that must lie in [min, max]
// (anything else is a damaged database: InternalError("database_corrupt") naming `what`).
std::string text(Poco::Data::RecordSet& rs, const char* column);
std::int64_t boundedInteger(Poco::Data::RecordSet& rs, const char* column, std::int64_t min, std::int64_t max,
                            const char* what);
// A time column that may be NULL; a BLOB column's bytes.
std::optional<pki::TimePoint> optionalTime(Poco::Data::RecordSet& rs, const char* column);
Bytes blob(Poco::Data::RecordSet& rs, const char* column);

// Appends within the caller's write transaction. BEGIN IMMEDIATE holds the write lock from the read
// of the last hash to the insert, so two writers (threads or processes) can never chain to the
// same predecessor.
AuditEntry appendAuditEntry(Poco::Data::Session& s, const AuditRecord& record);

}  // namespace kyso::store::detail
