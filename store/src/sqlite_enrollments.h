// The SQLite implementation of pki::EnrollmentRegister and pki::TransactionRegister
// (pki/include/kyso/pki/enrollment_register.h): tables `enrollments` and `connector_transactions`
// (migration 5); events go to the receipts' `outbox`.
#pragma once

#include <memory>

#include "kyso/pki/enrollment_register.h"
#include "sqlite_connection.h"

namespace kyso::store::detail {

std::unique_ptr<pki::EnrollmentRegister> makeSqliteEnrollments(ConnectionPool& pool);
std::unique_ptr<pki::TransactionRegister> makeSqliteConnectorTransactions(ConnectionPool& pool);

}  // namespace kyso::store::detail
