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

ConnectionPool::ConnectionPool(std::filesystem::path file, std::size_t maxConnections)
    : file_(std::move(file)), maxConnections_(maxConnections) {
  registerConnector();
}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<Poco::Data::Session> ConnectionPool::open() {
  std::unique_ptr<Poco::Data::Session> session;
  translateErrors([&] {
    session = std::make_unique<Poco::Data::Session>("SQLite", file_.string());
    // Wait up to 15 s for another writer (the CLI and the server share the file).
    sqlite3_busy_timeout(Poco::Data::SQLite::Utility::dbHandle(*session), 15000);
    *session << "PRAGMA journal_mode=WAL", now;
    // FULL: every commit is on disk before we acknowledge it.
    *session << "PRAGMA synchronous=FULL", now;
    *session << "PRAGMA foreign_keys=ON", now;
  });
  return session;
}

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<Poco::Data::Session> session)
    : pool_(pool), session_(std::move(session)) {}

ConnectionPool::Lease::~Lease() {
  if (session_) pool_.release(std::move(session_));
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < maxConnections_; });
  if (!idle_.empty()) {
    auto session = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(session));
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

void ConnectionPool::release(std::unique_ptr<Poco::Data::Session> session) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(session));
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

void ConnectionPool::read(const std::function<void(Poco::Data::Session&)>& work) {
  Lease session = acquire();
  translateErrors([&] { work(*session); });
}

}  // namespace kyso::store::detail
