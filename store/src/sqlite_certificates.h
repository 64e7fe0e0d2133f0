// The SQLite implementation of CertificateIndex (store/include/kyso/store/certificates.h).
#pragma once

#include <memory>

#include "kyso/store/certificates.h"
#include "sqlite_connection.h"

namespace kyso::store::detail {

std::unique_ptr<CertificateIndex> makeSqliteCertificates(ConnectionPool& pool);

}  // namespace kyso::store::detail
