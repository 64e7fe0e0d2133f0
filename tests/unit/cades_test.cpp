#include <gtest/gtest.h>

#include <set>

#include "kyso/error.h"
#include "kyso/pki/ossl.h"
#include "kyso/signer/cades.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

using pki::DigestAlgorithm;

ossl::Ptr<CMS_ContentInfo> parse(const Bytes& der) {
  const unsigned char* p = der.data();
  return ossl::own(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())), "d2i_CMS_ContentInfo");
}

std::set<int> signedAttributeNids(CMS_ContentInfo* cms) {
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
  std::set<int> nids;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    nids.insert(OBJ_obj2nid(X509_ATTRIBUTE_get0_object(CMS_signed_get_attr(si, i))));
  }
  return nids;
}

CadesSignature signedWith(const pki::SigningCredential& credential, const Bytes& contentDigest) {
  CadesSignature cms(credential.chain, DigestAlgorithm::Sha256, contentDigest);
  cms.setSignature(credential.key->signDigest(DigestAlgorithm::Sha256, cms.toBeSignedDigest()));
  return cms;
}

TEST(Cades, SignedAttributesAreExactlyThePadesBaselineSet) {
  const auto cms = signedWith(test::devPki().seal(), pki::sha256(asBytes("pdf byte range")));
  auto parsed = parse(cms.der());
  // ETSI EN 319 142-1 §5.1 (and the foundation issue): exactly one SignerInfo.
  EXPECT_EQ(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(parsed.get())), 1);
  // ETSI EN 319 142-1 §6.3: content-type, message-digest, signing-certificate-v2; no signing-time.
  EXPECT_EQ(signedAttributeNids(parsed.get()),
            (std::set<int>{NID_pkcs9_contentType, NID_pkcs9_messageDigest, NID_id_smime_aa_signingCertificateV2}));
  EXPECT_EQ(CMS_is_detached(parsed.get()), 1);
  EXPECT_EQ(OBJ_obj2nid(CMS_get0_eContentType(parsed.get())), NID_pkcs7_data);
}

TEST(Cades, ChainGoesInWithoutTheRoot) {
  const auto& pki = test::devPki();
  const auto cms = signedWith(pki.seal(), pki::sha256(asBytes("x")));
  auto parsed = parse(cms.der());
  ossl::Ptr<STACK_OF(X509)> certs(CMS_get1_certs(parsed.get()));
  ASSERT_EQ(sk_X509_num(certs.get()), 2);
  std::set<std::string> subjects;
  for (int i = 0; i < 2; ++i) subjects.insert(pki::Certificate(X509_dup(sk_X509_value(certs.get(), i))).subject());
  EXPECT_TRUE(subjects.contains(pki.seal().certificate().subject()));
  EXPECT_TRUE(subjects.contains(pki.issuingCa().subject()));
}

TEST(Cades, SignedAttributesAreDeterministic) {
  // Two-step signing rebuilds the CMS later: the same inputs must give the same bytes to sign.
  const Bytes digest = pki::sha256(asBytes("same document"));
  const CadesSignature a(test::devPki().seal().chain, DigestAlgorithm::Sha256, digest);
  const CadesSignature b(test::devPki().seal().chain, DigestAlgorithm::Sha256, digest);
  EXPECT_EQ(a.signedAttributes(), b.signedAttributes());
  EXPECT_EQ(a.toBeSignedDigest(), pki::sha256(a.signedAttributes()));
}

TEST(Cades, AWrongSignatureIsRefusedAndTheRightOneStillFits) {
  const auto& pki = test::devPki();
  CadesSignature cms(pki.seal().chain, DigestAlgorithm::Sha256, pki::sha256(asBytes("doc")));
  const Bytes byOtherKey = pki.tsa().key->signDigest(DigestAlgorithm::Sha256, cms.toBeSignedDigest());
  try {
    cms.setSignature(byOtherKey);
    FAIL() << "signature by another key accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "signature_invalid");
  }
  EXPECT_THROW(cms.setSignature(Bytes(256, 0x42)), InputError);
  EXPECT_THROW(cms.addSignatureTimeStamp(Bytes{0x30, 0x00}), InternalError);  // not signed yet
  cms.setSignature(pki.seal().key->signDigest(DigestAlgorithm::Sha256, cms.toBeSignedDigest()));
  EXPECT_EQ(cms.signature().size(), 256u);
}

TEST(Cades, EcdsaUsesEcdsaWithSha256) {
  const auto cms = signedWith(test::devPki(pki::KeyAlgorithm::Ecdsa).seal(), pki::sha256(asBytes("x")));
  auto parsed = parse(cms.der());
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed.get()), 0);
  X509_ALGOR* signature = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &signature);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, signature);
  EXPECT_EQ(OBJ_obj2nid(oid), NID_ecdsa_with_SHA256);
}

TEST(Cades, ReservedSizeIsAnUpperBound) {
  for (const auto algorithm : {pki::KeyAlgorithm::Rsa, pki::KeyAlgorithm::Ecdsa}) {
    const auto& seal = test::devPki(algorithm).seal();
    const std::size_t bound =
        CadesSignature::sizeWith(seal.chain, DigestAlgorithm::Sha256, seal.key->maxSignatureSize());
    for (int i = 0; i < 10; ++i) {
      EXPECT_LE(signedWith(seal, pki::sha256(asBytes(std::to_string(i)))).der().size(), bound);
    }
  }
}

}  // namespace
}  // namespace kyso::signer
