// The e-receipt endpoints: series, issue, replace, read (JSON, XML, PDF), list, and the public
// lookup by code (its page, and the QR link /v/{code}, are in web_handlers.h).
#pragma once

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerReceiptRoutes(Router& router, ServiceCore& core);

// What anyone holding the lookup code may see (GET /v1/public/receipts/{code}, and a verified
// receipt file): the printed fields, the payer's identifier masked, "replaced by" when it applies.
Poco::JSON::Object::Ptr publicReceiptJson(const receipts::Receipt& r,
                                          const std::optional<receipts::Receipt>& replacement);

}  // namespace kyso::api::detail
