// The verification policy of the PDF verifier tests that need no network: one trust anchor, a
// fixed validation clock, revocation not checked.
#pragma once

#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/signer/pdf_verifier.h"

namespace kyso::test {

inline signer::VerificationPolicy offlinePolicy(const pki::Certificate& anchor, const pki::Clock& clock) {
  signer::VerificationPolicy p;
  p.trustAnchors = {anchor};
  p.clock = &clock;
  p.revocation = signer::RevocationCheck::Skip;
  return p;
}

}  // namespace kyso::test
