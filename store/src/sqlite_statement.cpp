#include "sqlite_statement.h"

#include <sqlite3.h>

#include "kyso/error.h"

namespace kyso::store::detail {

void StatementFinalizer::operator()(sqlite3_stmt* statement) const {
  sqlite3_finalize(statement);
}

BoundStatement::BoundStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}

BoundStatement::~BoundStatement() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

void BoundStatement::fail(int rc) const {
  throw UnavailableError("database_unavailable", "the database is unavailable",
                         std::string(sqlite3_errstr(rc)) + ": " + sqlite3_errmsg(db_));
}

BoundStatement& BoundStatement::bind(std::string_view text) {
  const int rc = sqlite3_bind_text64(statement_, next_++, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc);
  return *this;
}

BoundStatement& BoundStatement::bind(std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, next_++, value);
  if (rc != SQLITE_OK) fail(rc);
  return *this;
}

bool BoundStatement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc);
}

std::int64_t BoundStatement::changes() const {
  return sqlite3_changes64(db_);
}

std::string BoundStatement::text(int column) const {
  const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (value == nullptr) return {};
  return std::string(value, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::int64_t BoundStatement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

ByteView BoundStatement::blob(int column) const {
  // sqlite3_column_blob before sqlite3_column_bytes (SQLite's documented order for conversions).
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
  if (data == nullptr) return {};
  return {data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
}

bool BoundStatement::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

BoundStatement PreparedStatements::operator()(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* compiled = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &compiled, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(compiled);
      throw UnavailableError("database_unavailable", "the database is unavailable",
                             std::string(sqlite3_errstr(rc)) + ": " + sqlite3_errmsg(db_));
    }
    found = statements_.emplace(std::string(sql), StatementHandle(compiled)).first;
  }
  return BoundStatement(db_, found->second.get());
}

}  // namespace kyso::store::detail
