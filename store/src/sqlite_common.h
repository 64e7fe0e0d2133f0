// What the SQLite repositories share: how times are stored, reading a result row's columns, and
// appending to the audit chain inside a caller's write transaction.
#pragma once

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/store/audit_log.h"

namespace kyso::store::detail {

// Poco::Data's statement keywords, as every SQLite repository writes them.
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

// Binds a statement's parameters in order: a value, or each element of a vector of texts.
inline void bindInOrder(Poco::Data::Statement& select, const std::vector<std::string>& values) {
  for (const auto& value : values) select.addBind(Poco::Data::Keywords::bind(value));
}
template <typename T>
void bindInOrder(Poco::Data::Statement& select, const T& value) {
  select.addBind(Poco::Data::Keywords::bind(value));
}

// Runs the SELECT `sql` with `params` bound in order and reads every row with `read`.
template <typename Read, typename... Params>
auto selectRows(Poco::Data::Session& s, const std::string& sql, Read read, const Params&... params) {
  Poco::Data::Statement select(s);
  select << sql;
  (bindInOrder(select, params), ...);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<decltype(read(rs))> out;
  for (bool more = rs.moveFirst(); more; more = rs.moveNext()) out.push_back(read(rs));
  return out;
}

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
