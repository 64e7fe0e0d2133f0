// Certificate revocation lists (RFC 5280 §5) for the CAs kyso operates itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kyso/pki/bytes.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/software_key.h"

namespace kyso::pki {

struct RevokedCertificate {
  std::string serialHex;
  TimePoint revokedAt;
  int reason = 0;  // CRLReason (RFC 5280 §5.3.1); 0 unspecified
};

// A DER CRL v2 signed by `issuer`, with authority key identifier and CRL number extensions.
Bytes buildCrl(const Certificate& issuer, const SoftwareKey& issuerKey, const std::vector<RevokedCertificate>& revoked,
               TimePoint thisUpdate, TimePoint nextUpdate, std::uint64_t crlNumber);

}  // namespace kyso::pki
