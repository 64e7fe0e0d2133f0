// SQLite connections for several threads (and processes): a small pool of sessions, each set up
// with the same pragmas, and write transactions that take the database lock up front.
#pragma once

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace kyso::store::detail {

class ConnectionPool {
 public:
  explicit ConnectionPool(std::filesystem::path file, std::size_t maxConnections = 8);
  ~ConnectionPool();

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Poco::Data::Session> session);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Poco::Data::Session& operator*() { return *session_; }
    Poco::Data::Session* operator->() { return session_.get(); }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Poco::Data::Session> session_;
  };

  Lease acquire();

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT (rolled back if it throws). SQLite errors become
  // UnavailableError("database_unavailable") after the busy timeout.
  void writeTransaction(const std::function<void(Poco::Data::Session&)>& work);
  void read(const std::function<void(Poco::Data::Session&)>& work);

 private:
  std::unique_ptr<Poco::Data::Session> open();
  void release(std::unique_ptr<Poco::Data::Session> session);

  std::filesystem::path file_;
  std::size_t maxConnections_;
  std::size_t open_ = 0;
  std::vector<std::unique_ptr<Poco::Data::Session>> idle_;
  std::mutex mutex_;
  std::condition_variable available_;
  // Writers of this process queue here; SQLite's busy handler (which sleeps in growing steps)
  // then only arbitrates between processes.
  std::mutex writeMutex_;
};

}  // namespace kyso::store::detail
