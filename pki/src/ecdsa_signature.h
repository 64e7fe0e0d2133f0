// Private to pki: ECDSA signature values as tokens and partners give them (r||s) and as CMS and
// XAdES verifiers want them (DER).
#pragma once

#include "kyso/pki/bytes.h"

namespace kyso::pki {

// r||s, each half as long as the group order, to the DER Ecdsa-Sig-Value (RFC 3279 §2.2.3, used by
// CMS through RFC 5753 §7.2). The caller has checked that `raw` is not empty and of even length.
Bytes ecdsaSignatureToDer(ByteView raw);

}  // namespace kyso::pki
