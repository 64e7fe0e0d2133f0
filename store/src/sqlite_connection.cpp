#include "sqlite_connection.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include "kyso/error.h"

namespace kyso::store::detail {

using Poco::Data::Keywords::now;

namespace {

void registerConnector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

template <typename F>
void translateErrors(F&& f) {
  try {
    f();
  } catch (const Poco::Exception& e) {
    throw UnavailableError("database_unavailable", "the database is unavailable", e.displayText());
  }
}

}  // namespace

// A WAL of this many pages or more is checkpointed (SQLite's default for its automatic checkpoint).
constexpr int kCheckpointPages = 1000;

ConnectionPool::ConnectionPool(std::filesystem::path file, std::size_t maxConnections)
    : file_(std::move(file)), maxConnections_(maxConnections) {
  registerConnector();
  checkpointer_ = std::thread([this] { checkpoints(); });
}

ConnectionPool::~ConnectionPool() {
  {
    std::lock_guard lock(checkpointMutex_);
    stopping_ = true;
  }
  checkpointDue_.notify_all();
  checkpointer_.join();
}

// Called by SQLite after each commit on a pool connection, with the pages now in the WAL.
int ConnectionPool::walCommitted(void* pool, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) {
    auto* self = static_cast<ConnectionPool*>(pool);
    {
      std::lock_guard lock(self->checkpointMutex_);
      self->checkpointWanted_ = true;
    }
    self->checkpointDue_.notify_one();
  }
  return SQLITE_OK;
}

void ConnectionPool::checkpoints() {
  std::unique_ptr<Connection> own;
  std::unique_lock lock(checkpointMutex_);
  for (;;) {
    checkpointDue_.wait(lock, [&] { return stopping_ || checkpointWanted_; });
    if (stopping_) return;
    checkpointWanted_ = false;
    lock.unlock();
    try {
      if (!own) own = open();
      // PASSIVE: copies what no reader still needs, without waiting for or blocking writers. A
      // failure leaves the WAL longer; the next commit past the threshold asks again.
      sqlite3_wal_checkpoint_v2(Poco::Data::SQLite::Utility::dbHandle(*own->session), nullptr,
                                SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } catch (const Error&) {
      // The database could not be opened: as above.
    }
    lock.lock();
  }
}

std::unique_ptr<Connection> ConnectionPool::open() {
  auto connection = std::make_unique<Connection>();
  translateErrors([&] {
    connection->session = std::make_unique<Poco::Data::Session>("SQLite", file_.string());
    Poco::Data::Session* session = connection->session.get();
    // Wait up to 15 s for another writer (the CLI and the server share the file).
    sqlite3_busy_timeout(Poco::Data::SQLite::Utility::dbHandle(*session), 15000);
    *session << "PRAGMA journal_mode=WAL", now;
    // FULL: every commit is on disk before we acknowledge it.
    *session << "PRAGMA synchronous=FULL", now;
    *session << "PRAGMA foreign_keys=ON", now;
    // Replaces SQLite's automatic checkpoint in the committing connection (see checkpoints()).
    sqlite3_wal_hook(Poco::Data::SQLite::Utility::dbHandle(*session), &ConnectionPool::walCommitted, this);
    connection->prepared = std::make_unique<PreparedStatements>(Poco::Data::SQLite::Utility::dbHandle(*session));
  });
  return connection;
}

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::~Lease() {
  if (connection_) pool_.release(std::move(connection_));
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < maxConnections_; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, open());
  } catch (...) {
    std::lock_guard relock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
  available_.notify_one();
}

void ConnectionPool::writeTransaction(const std::function<void(Poco::Data::Session&)>& work) {
  std::lock_guard writer(writeMutex_);
  Lease session = acquire();
  translateErrors([&] { *session << "BEGIN IMMEDIATE", now; });
  try {
    translateErrors([&] { work(*session); });
    translateErrors([&] { *session << "COMMIT", now; });
  } catch (...) {
    try {
      *session << "ROLLBACK", now;
    } catch (const Poco::Exception&) {
      // The connection is unusable if even ROLLBACK fails; SQLite rolls back on close.
    }
    throw;
  }
}

void ConnectionPool::read(const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work) {
  Lease session = acquire();
  translateErrors([&] { work(*session, session.prepared()); });
}

void ConnectionPool::read(const std::function<void(Poco::Data::Session&)>& work) {
  Lease session = acquire();
  translateErrors([&] { work(*session); });
}

namespace {

// Runs `work` between `begin` and COMMIT on the leased connection, with its prepared statements;
// rolled back if anything throws.
void inTransaction(ConnectionPool::Lease& session, std::string_view begin,
                   const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work) {
  PreparedStatements& prepared = session.prepared();
  prepared(begin).run();
  try {
    translateErrors([&] { work(*session, prepared); });
    prepared("COMMIT").run();
  } catch (...) {
    try {
      prepared("ROLLBACK").run();
    } catch (const Error&) {
      // The connection is unusable if even ROLLBACK fails; SQLite rolls back on close.
    }
    throw;
  }
}

}  // namespace

void ConnectionPool::writeTransaction(const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work) {
  std::lock_guard writer(writeMutex_);
  Lease session = acquire();
  inTransaction(session, "BEGIN IMMEDIATE", work);
}

void ConnectionPool::readSnapshot(const std::function<void(Poco::Data::Session&, PreparedStatements&)>& work) {
  Lease session = acquire();
  inTransaction(session, "BEGIN", work);
}

}  // namespace kyso::store::detail
