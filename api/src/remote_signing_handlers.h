// Remote signing with a citizen's key at a partner: POST /v1/remote-signing, GET
// /v1/remote-signing/{id}, GET /v1/remote-signing/{id}/document, and the partners' webhooks
// POST /v1/partners/vnpt-smartca/notifications and POST /v1/partners/viettel-mysign/notifications
// (public routes: the partner authenticates each notification with the shared webhook secret).
#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerRemoteSigningRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
