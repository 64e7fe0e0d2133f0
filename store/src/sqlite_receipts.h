// The SQLite implementation of ReceiptRepository (store/include/kyso/store/receipts.h).
#pragma once

#include <memory>

#include "kyso/store/receipts.h"
#include "sqlite_connection.h"

namespace kyso::store::detail {

std::unique_ptr<ReceiptRepository> makeSqliteReceipts(ConnectionPool& pool);

}  // namespace kyso::store::detail
