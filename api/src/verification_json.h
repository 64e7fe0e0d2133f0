// The verification report as JSON, the same for POST /v1/verify and `kyso verify --json`: snake_case
// names mirroring signer::VerificationReport, times in ISO 8601 with Vietnam's offset, null for
// what is absent.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <string>

#include "kyso/signer/verification.h"

namespace kyso::api::detail {

std::string verificationReportJson(const signer::VerificationReport& report);
// The same as an object, for callers that add to it (document_verification.h).
Poco::JSON::Object::Ptr verificationReportObject(const signer::VerificationReport& report);

// JSON null for an empty text, else the text: how these reports write what is absent.
Poco::Dynamic::Var nullable(const std::string& text);

}  // namespace kyso::api::detail
