// Trust anchors and OpenSSL certificate stores built from them.
#pragma once

#include <vector>

#include "kyso/pki/certificate.h"
#include "kyso/pki/ossl.h"

namespace kyso::pki {

// A fresh X509_STORE trusting exactly `anchors` (no system defaults).
ossl::Ptr<X509_STORE> newX509Store(const std::vector<Certificate>& anchors);

// A stack of borrowed-by-refcount copies, for OpenSSL calls that take STACK_OF(X509).
ossl::Ptr<STACK_OF(X509)> newX509Stack(const std::vector<Certificate>& certs);

}  // namespace kyso::pki
