// The callback registration endpoints: each API client (backend key) sets, reads and removes the
// URL its receipt events go to. The secret that signs the events is shown once, when it is set.
#pragma once

#include <string>

#include "kyso/api/service_core.h"
#include "router.h"

namespace kyso::api::detail {

void registerCallbackRoutes(Router& router, ServiceCore& core);

// `url` if it may receive events: http(s) with a host, printable ASCII, at most 2048 characters, no
// credentials and no fragment. Throws InputError("invalid_callback_url") saying what is wrong.
std::string validCallbackUrl(const std::string& url);

}  // namespace kyso::api::detail
