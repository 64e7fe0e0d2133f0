// POST /v1/extend/pdf: extends the signatures of a signed PDF to PAdES B-LT or B-LTA
// (kyso/signer/pdf_ltv.h).
#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerLtvRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
