// Prepared SQLite statements kept per connection, for the hot paths (issuing receipts): Poco::Data
// compiles the SQL text again at every `session << "…", now`, which cost more CPU per receipt than
// the RSA signature. A statement is compiled once per connection, then reset, rebound and stepped.
//
// Uses SQLite's own C API on the handle Poco's session owns; the statements are finalised before
// the connection is closed (PreparedStatements lives inside the pooled connection, after its
// session, see sqlite_connection.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kyso/pki/bytes.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kyso::store::detail {

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const;
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// One execution of a prepared statement: binds from 1 up in order, steps, reads columns from 0.
// Resets the statement (and clears its bindings) when it goes out of scope, so that a kept
// statement never holds a read transaction open. SQLite errors become
// UnavailableError("database_unavailable") with SQLite's message as the (logged) detail.
class BoundStatement {
 public:
  BoundStatement(sqlite3* db, sqlite3_stmt* statement);
  ~BoundStatement();
  BoundStatement(const BoundStatement&) = delete;
  BoundStatement& operator=(const BoundStatement&) = delete;

  BoundStatement& bind(std::string_view text);  // copied by SQLite (SQLITE_TRANSIENT)
  BoundStatement& bind(std::int64_t value);
  // The next row: true while there is one. For statements without rows, run() is step() once.
  bool step();
  void run() { step(); }
  // Rows changed by the last INSERT/UPDATE/DELETE of this connection.
  std::int64_t changes() const;

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool isNull(int column) const;
  // A BLOB column (empty for NULL or an empty blob): SQLite's own buffer, valid until the next
  // step or the end of this execution.
  ByteView blob(int column) const;

 private:
  [[noreturn]] void fail(int rc) const;
  sqlite3* db_;
  sqlite3_stmt* statement_;
  int next_ = 1;
};

class PreparedStatements {
 public:
  explicit PreparedStatements(sqlite3* db) : db_(db) {}
  // `sql` is compiled on first use; the text is the key, so pass the same literal each time.
  BoundStatement operator()(std::string_view sql);

 private:
  sqlite3* db_;
  std::map<std::string, StatementHandle, std::less<>> statements_;
};

}  // namespace kyso::store::detail
