// The SQLite implementation of RemoteSigningRepository: table `remote_signing_sessions` (migration 6).
#pragma once

#include <memory>

#include "kyso/store/remote_signing.h"
#include "sqlite_connection.h"

namespace kyso::store::detail {

std::unique_ptr<RemoteSigningRepository> makeSqliteRemoteSigning(ConnectionPool& pool);

}  // namespace kyso::store::detail
