// The citizens' verification page (web/): GET /verify, its content-hashed files under
// /verify/assets/, and GET /v/{code}, the receipts' QR link, which lands on the page.
#pragma once

#include "router.h"

namespace kyso::api::detail {

void registerWebRoutes(Router& router);

}  // namespace kyso::api::detail
