// The e-receipt endpoints: series, issue, replace, read (JSON, XML, PDF), list, and the public
// lookup by code with its minimal page.
#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerReceiptRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
