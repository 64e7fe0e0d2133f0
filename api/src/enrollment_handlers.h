// Certificate enrolment and the certificates it produced: POST /v1/enrollments, GET
// /v1/enrollments/{id}, GET /v1/certificates/{serial} (JSON or PEM), POST
// /v1/certificates/{serial}/revocation.
#pragma once

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerEnrollmentRoutes(Router& router, ServiceCore& core);

}  // namespace kyso::api::detail
