// The state a prepared PDF signature keeps between its two steps (two-step signing sessions and
// remote signing with a partner's key): the placeholder's layout and the inputs of the CMS, as
// written at preparation, stored as JSON next to the prepared document.
#pragma once

#include <string>

#include "kyso/pki/clock.h"
#include "kyso/signer/pades_signer.h"

namespace kyso::api::detail {

struct PdfSessionState {
  signer::PreparedPdfSignature prepared;
  pki::TimePoint signingTime;
  std::string reason, location, contactInfo;
};

std::string encodeState(const PdfSessionState& state);
// Throws InternalError("database_corrupt") for anything encodeState did not write.
PdfSessionState decodeState(const std::string& json);

}  // namespace kyso::api::detail
