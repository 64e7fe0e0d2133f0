// The e-receipt endpoints: series, issue, replace, read (JSON, XML, PDF), list, and the public
// lookup by code (its page, and the QR link /v/{code}, are in web_handlers.h).
#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerReceiptRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
