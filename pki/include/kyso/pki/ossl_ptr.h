// ossl::Ptr for public headers, which keep OpenSSL's headers out (STYLE.md, practice 9): the
// handle types they hold are forward-declared here with their deleters, defined once in
// pki/src/ossl.cpp. ossl.h includes this and declares the deleters of every other type.
#pragma once

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct x509_st X509;
typedef struct CMS_ContentInfo_st CMS_ContentInfo;

namespace kyso::ossl {

template <typename T>
struct Deleter;

template <typename T>
using Ptr = std::unique_ptr<T, Deleter<T>>;

// clang-format off
template <> struct Deleter<EVP_PKEY> { void operator()(EVP_PKEY* p) const noexcept; };
template <> struct Deleter<EVP_MD_CTX> { void operator()(EVP_MD_CTX* p) const noexcept; };
template <> struct Deleter<X509> { void operator()(X509* p) const noexcept; };
template <> struct Deleter<CMS_ContentInfo> { void operator()(CMS_ContentInfo* p) const noexcept; };
// clang-format on

}  // namespace kyso::ossl
