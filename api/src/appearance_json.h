// The "appearance" object of a JSON request body (POST /v1/signing-sessions,
// POST /v1/remote-signing): the visible signature's layout, page, rectangle, texts and image.
#pragma once

#include <optional>

#include "json_request.h"
#include "kyso/signer/visible_signature.h"

namespace kyso::api::detail {

// nullopt when the body has no "appearance"; InputError naming the field otherwise.
std::optional<signer::VisibleSignature> visibleSignatureFromJson(const JsonRequest& json);

}  // namespace kyso::api::detail
