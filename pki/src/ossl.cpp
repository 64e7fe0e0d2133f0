#include "kyso/pki/ossl.h"

#include <openssl/err.h>

namespace kyso::ossl {

void Deleter<EVP_PKEY>::operator()(EVP_PKEY* p) const noexcept {
  EVP_PKEY_free(p);
}
void Deleter<EVP_MD_CTX>::operator()(EVP_MD_CTX* p) const noexcept {
  EVP_MD_CTX_free(p);
}
void Deleter<X509>::operator()(X509* p) const noexcept {
  X509_free(p);
}
void Deleter<CMS_ContentInfo>::operator()(CMS_ContentInfo* p) const noexcept {
  CMS_ContentInfo_free(p);
}

std::string drainErrors(std::string_view what) {
  std::string message(what);
  bool first = true;
  unsigned long code = 0;
  const char* file = nullptr;
  int line = 0;
  const char* data = nullptr;
  int flags = 0;
  while ((code = ERR_get_error_all(&file, &line, nullptr, &data, &flags)) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += first ? ": " : "; ";
    message += buffer;
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && data[0] != '\0') {
      message += " (";
      message += data;
      message += ")";
    }
    first = false;
  }
  return message;
}

void fail(std::string_view what) {
  throw CryptoError(drainErrors(what));
}

}  // namespace kyso::ossl
