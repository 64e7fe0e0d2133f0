#include "kyso/pki/trust_store.h"

namespace kyso::pki {

ossl::Ptr<X509_STORE> newX509Store(const std::vector<Certificate>& anchors) {
  auto store = ossl::own(X509_STORE_new(), "X509_STORE_new");
  for (const auto& anchor : anchors) {
    ossl::check(X509_STORE_add_cert(store.get(), anchor.get()), "X509_STORE_add_cert");  // takes its own ref
  }
  return store;
}

ossl::Ptr<STACK_OF(X509)> newX509Stack(const std::vector<Certificate>& certs) {
  auto stack = ossl::own(sk_X509_new_null(), "sk_X509_new_null");
  for (const auto& cert : certs) {
    ossl::check(X509_up_ref(cert.get()), "X509_up_ref");
    ossl::Ptr<X509> reference(cert.get());  // the reference just taken
    if (sk_X509_push(stack.get(), reference.get()) <= 0) ossl::fail("sk_X509_push");
    reference.release();  // the stack holds it now
  }
  return stack;
}

}  // namespace kyso::pki
