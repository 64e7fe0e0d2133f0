// The PAdES options of a signing request that carries a level, the signature dictionary's texts
// and an optional visible signature (two-step signing sessions, remote signing): one mapping for
// both, so that they cannot drift apart.
#pragma once

#include "kyso/pki/clock.h"
#include "kyso/signer/pades_signer.h"

namespace kyso::api::detail {

template <typename Request>
signer::PadesOptions padesOptionsFor(const Request& request, pki::TimePoint signingTime) {
  signer::PadesOptions options;
  options.level = request.level;
  options.fields.signingTime = signingTime;
  options.fields.reason = request.reason;
  options.fields.location = request.location;
  options.fields.contactInfo = request.contactInfo;
  options.fields.visible = request.visible;
  return options;
}

}  // namespace kyso::api::detail
