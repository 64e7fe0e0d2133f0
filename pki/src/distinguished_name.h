// Private to pki: a DistinguishedName as an OpenSSL X509_NAME, the same way for certificates and
// certification requests.
#pragma once

#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

// Values are UTF-8 strings, except C, which RFC 5280 (appendix A, X520countryName) makes a
// two-letter PrintableString.
ossl::Ptr<X509_NAME> toX509Name(const DistinguishedName& dn);

}  // namespace kyso::pki
