// SQLite connections for several threads (and processes): a small pool of sessions, each set up
// with the same pragmas, and write transactions that take the database lock up front.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sqlite_statement.h"

namespace kyso::store::detail {

// A pooled connection: Poco's session and the statements prepared on its handle (declared after
// the session, so finalised before it closes).
struct Connection {
  std::unique_ptr<Poco::Data::Session> session;
  std::unique_ptr<PreparedStatements> prepared;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(std::filesystem::path file, std::size_t maxConnections = 8);
  ~ConnectionPool();

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Poco::Data::Session& operator*() { return *connection_->session; }
    Poco::Data::Session* operator->() { return connection_->session.get(); }
    PreparedStatements& prepared() { return *connection_->prepared; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> connection_;
  };

  Lease acquire();

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT (rolled back if it throws). SQLite errors become
  // UnavailableError("database_unavailable") after the busy timeout.
  void writeTransaction(const std::function<void(Poco::Data::Session&)>& work);
  void read(const std::function<void(Poco::Data::Session&)>& work);
  // The same, with the connection's prepared statements (the receipts' hot path). readSnapshot
  // runs `work` in one read transaction: every statement sees the same committed state.
  void writeTransaction(const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work);
  void readSnapshot(const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work);
  // One or more reads with the connection's prepared statements, each its own (autocommit)
  // transaction, as read() (the verification path's register reads).
  void read(const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work);

 private:
  std::unique_ptr<Connection> open();
  void release(std::unique_ptr<Connection> connection);
  void checkpoints();
  static int walCommitted(void* pool, sqlite3* db, const char* name, int pages);

  std::filesystem::path file_;
  std::size_t maxConnections_;
  std::size_t open_ = 0;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::mutex mutex_;
  std::condition_variable available_;
  // Writers of this process queue here; SQLite's busy handler (which sleeps in growing steps)
  // then only arbitrates between processes.
  std::mutex writeMutex_;

  // WAL checkpoints on a thread of their own: SQLite's automatic checkpoint runs inside the commit
  // that crosses 1000 WAL pages, and copying the pages to the database file and fsyncing it there
  // stalls that commit's writer (and every request waiting on it) for tens to hundreds of
  // milliseconds. Commits stay durable as before: they are fsynced in the WAL.
  std::mutex checkpointMutex_;
  std::condition_variable checkpointDue_;
  bool checkpointWanted_ = false, stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace kyso::store::detail
