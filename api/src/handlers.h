#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

// Every endpoint of the service. docs/openapi.json describes the same set (a test checks).
void registerRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
