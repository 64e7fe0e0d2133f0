// POST /v1/verify: the public verification of a signed document (no API key), size-capped and
// rate-limited per client address.
#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerVerifyRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
