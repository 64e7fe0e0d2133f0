#include "kyso/signer/xml_signature.h"

#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <chrono>

#include "kyso/error.h"
#include "kyso/pki/ossl.h"
#include "xml_test_support.h"

namespace kyso::signer {
namespace {

using pki::KeyAlgorithm;

// An invoice-shaped document in the authority's pattern, with the signature slot DSCKS/NBan.
const std::string kSample =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<HDon><DLHDon Id=\"data\"><TTChung><PBan>2.0.0</PBan><KHHDon>C26TAA</KHHDon><SHDon>123</SHDon></TTChung>"
    "<NDHDon><NBan><Ten>Trung tâm Phục vụ hành chính công tỉnh Mẫu</Ten><MST>5000123459</MST></NBan>"
    "<TToan><TgTTTBSo>8000</TgTTTBSo><TgTTTBChu>Tám nghìn đồng</TgTTTBChu></TToan></NDHDon></DLHDon>"
    "<DSCKS><NBan/></DSCKS></HDon>\n";

xmlNode* signatureSlot(const XmlDocument& doc) {
  return childElement(childElement(doc.root(), "DSCKS"), "NBan");
}

XmlSignatureParameters parametersFor(const XmlDocument& doc, const pki::SigningCredential& credential) {
  XmlSignatureParameters p;
  p.signedDataId = "data";
  p.signatureParent = signatureSlot(doc);
  p.signatureId = "NBan";
  p.signingTime = credential.certificate().notBefore() + std::chrono::hours(1);
  return p;
}

template <typename E, typename F>
void expectError(const std::string& code, F&& f) {
  try {
    f();
    ADD_FAILURE() << "no error, expected " << code;
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

class XmlSignature : public ::testing::TestWithParam<KeyAlgorithm> {
 protected:
  pki::SigningCredential credential = test::sampleCredential(GetParam());
  test::TempDir dir;

  test::ProcessResult verify(const std::string& xml, const std::vector<std::string>& ids = {"DLHDon"}) {
    const auto file = dir / "signed.xml";
    test::writeFile(file, xml);
    return test::xmlsecVerify(file, ids);
  }
};

TEST_P(XmlSignature, Sign_SampleDocument_XmlsecVerifies) {
  XmlDocument doc = parseXml(kSample);
  const XmlSignatureParameters parameters = parametersFor(doc, credential);
  signXml(doc, parameters, credential);
  const std::string signedXml = serialize(doc);
  const auto result = verify(signedXml);
  EXPECT_TRUE(test::xmlsecVerified(result)) << result.output << signedXml;

  // The layout of the authority's documents.
  const XmlDocument back = parseXml(signedXml);
  xmlNode* signature = childElement(signatureSlot(back), "Signature");
  ASSERT_NE(signature, nullptr);
  EXPECT_EQ(findElementById(back, "NBan"), signature);
  xmlNode* signedInfo = childElement(signature, "SignedInfo");
  EXPECT_NE(canonicalize(back, signedInfo)
                .find(GetParam() == KeyAlgorithm::Rsa ? "xmldsig-more#rsa-sha256" : "xmldsig-more#ecdsa-sha256"),
            std::string::npos);
  xmlNode* object = findElementById(back, "SigningTime-NBan");
  ASSERT_NE(object, nullptr);
  EXPECT_EQ(object->parent, signature);
  EXPECT_EQ(textContent(object), formatSigningTime(parameters.signingTime));
  xmlNode* x509Data = childElement(childElement(signature, "KeyInfo"), "X509Data");
  EXPECT_EQ(textContent(childElement(x509Data, "X509SubjectName")), credential.certificate().subject());
  EXPECT_EQ(fromBase64(textContent(childElement(x509Data, "X509Certificate"))), credential.certificate().der());
  int certificates = 0;
  for (xmlNode* n = x509Data->children; n != nullptr; n = n->next) certificates += elementName(n) == "X509Certificate";
  EXPECT_EQ(certificates, 1);  // the leaf only
  const Bytes value = fromBase64(textContent(childElement(signature, "SignatureValue")));
  // ECDSA P-256 in XMLDSig is r||s, 64 bytes, not DER (RFC 4050).
  EXPECT_EQ(value.size(), GetParam() == KeyAlgorithm::Rsa ? 256u : 64u);
}

TEST_P(XmlSignature, Tampered_SignedDataOrSigningTime_XmlsecFails) {
  XmlDocument doc = parseXml(kSample);
  signXml(doc, parametersFor(doc, credential), credential);
  const std::string signedXml = serialize(doc);
  ASSERT_TRUE(test::xmlsecVerified(verify(signedXml)));

  std::string tampered = signedXml;
  tampered.replace(tampered.find("<TgTTTBSo>8000"), 14, "<TgTTTBSo>9000");
  EXPECT_FALSE(test::xmlsecVerified(verify(tampered)));

  tampered = signedXml;
  const auto at = tampered.find("</SigningTime>") - 1;
  tampered[at] = tampered[at] == '0' ? '1' : '0';
  EXPECT_FALSE(test::xmlsecVerified(verify(tampered)));
}

TEST_P(XmlSignature, SignatureInsideSignedElement_EnvelopedTransformExcludesIt) {
  XmlDocument doc = parseXml(kSample);
  XmlSignatureParameters parameters = parametersFor(doc, credential);
  parameters.signatureParent = findElementById(doc, "data");
  signXml(doc, parameters, credential);
  const auto result = verify(serialize(doc));
  EXPECT_TRUE(test::xmlsecVerified(result)) << result.output;
}

TEST_P(XmlSignature, NamespacedDocument_InheritedNamespaces_XmlsecVerifies) {
  XmlDocument doc = parseXml(
      "<HDon xmlns=\"urn:kyso:test\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xml:lang=\"vi\">\n"
      "  <DLHDon Id=\"data\"><Ten xsi:type=\"x\">Sở Tư pháp</Ten></DLHDon>\n"
      "  <DSCKS><NBan/></DSCKS>\n"
      "</HDon>");
  signXml(doc, parametersFor(doc, credential), credential);
  const auto result = verify(serialize(doc), {"urn:kyso:test:DLHDon"});
  EXPECT_TRUE(test::xmlsecVerified(result)) << result.output << serialize(doc);
}

// Two-step signing: the digest leaves, the document is stored serialized, the value comes back.
TEST_P(XmlSignature, TwoStep_PrepareSerializeComplete_XmlsecVerifies) {
  XmlDocument doc = parseXml(kSample);
  const Bytes digest = prepareXmlSignature(doc, parametersFor(doc, credential), credential.chain);
  EXPECT_EQ(digest.size(), 32u);
  XmlDocument stored = parseXml(serialize(doc));

  Bytes value = credential.key->signDigest(pki::DigestAlgorithm::Sha256, digest);
  if (GetParam() == KeyAlgorithm::Ecdsa) {
    // What PKCS#11's CKM_ECDSA returns: raw r||s.
    const unsigned char* p = value.data();
    const ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(value.size())));
    ASSERT_TRUE(sig);
    Bytes raw(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32);
    value = raw;
  }
  // A value over other data is refused and the signature stays pending.
  Bytes other = digest;
  other[0] ^= 1;
  expectError<InputError>("signature_invalid", [&] {
    completeXmlSignature(stored, "NBan", credential.certificate(),
                         credential.key->signDigest(pki::DigestAlgorithm::Sha256, other));
  });
  const pki::Certificate otherCertificate =
      test::sampleCredential(GetParam() == KeyAlgorithm::Rsa ? KeyAlgorithm::Ecdsa : KeyAlgorithm::Rsa).certificate();
  expectError<InputError>("certificate_mismatch",
                          [&] { completeXmlSignature(stored, "NBan", otherCertificate, value); });
  expectError<DocumentError>("xml_signature_not_found",
                             [&] { completeXmlSignature(stored, "data", credential.certificate(), value); });

  completeXmlSignature(stored, "NBan", credential.certificate(), value);
  const auto result = verify(serialize(stored));
  EXPECT_TRUE(test::xmlsecVerified(result)) << result.output;
  expectError<DocumentError>("xml_signature_not_pending",
                             [&] { completeXmlSignature(stored, "NBan", credential.certificate(), value); });
}

TEST_P(XmlSignature, Prepare_BadIdsOrTime_Refused) {
  XmlDocument doc = parseXml(kSample);
  XmlSignatureParameters parameters = parametersFor(doc, credential);
  auto prepare = [&] { prepareXmlSignature(doc, parameters, credential.chain); };

  parameters.signedDataId = "missing";
  expectError<DocumentError>("xml_id_not_found", prepare);
  parameters.signedDataId = "1data";
  expectError<InputError>("xml_invalid_id", prepare);
  parameters.signedDataId = "data";
  parameters.signatureId = "data";
  expectError<InputError>("xml_invalid_id", prepare);
  parameters.signatureId = "NBan";
  parameters.signingTime = credential.certificate().notBefore() - std::chrono::hours(1);
  expectError<InputError>("certificate_not_yet_valid", prepare);

  XmlDocument twice = parseXml("<r><a Id=\"data\"/><a Id=\"data\"/><s/></r>");
  XmlSignatureParameters p2 = parametersFor(twice, credential);
  p2.signatureParent = childElement(twice.root(), "s");
  expectError<DocumentError>("xml_duplicate_id", [&] { prepareXmlSignature(twice, p2, credential.chain); });

  XmlDocument taken = parseXml("<r><a Id=\"data\"/><s Id=\"NBan\"/></r>");
  XmlSignatureParameters p3 = parametersFor(taken, credential);
  p3.signatureParent = childElement(taken.root(), "s");
  expectError<DocumentError>("xml_duplicate_id", [&] { prepareXmlSignature(taken, p3, credential.chain); });
  EXPECT_EQ(serialize(doc), kSample);  // nothing was added by the refused attempts
}

TEST_P(XmlSignature, KeyNotOfTheCertificate_SigningKeyFailure_DocumentUnchanged) {
  XmlDocument doc = parseXml(kSample);
  pki::SigningCredential wrong = credential;
  wrong.key = test::sampleCredential(GetParam() == KeyAlgorithm::Rsa ? KeyAlgorithm::Ecdsa : KeyAlgorithm::Rsa).key;
  expectError<InternalError>("signing_key_failure", [&] { signXml(doc, parametersFor(doc, wrong), wrong); });
  EXPECT_EQ(serialize(doc), kSample);
}

INSTANTIATE_TEST_SUITE_P(Keys, XmlSignature, ::testing::Values(KeyAlgorithm::Rsa, KeyAlgorithm::Ecdsa),
                         [](const auto& testInfo) { return testInfo.param == KeyAlgorithm::Rsa ? "Rsa" : "Ecdsa"; });

TEST(XmlSigningTime, Format_VietnamLocalTime_NoOffset) {
  EXPECT_EQ(formatSigningTime(pki::parseIso8601("2026-11-27T02:15:00Z")), "2026-11-27T09:15:00");
  EXPECT_EQ(formatSigningTime(pki::parseIso8601("2026-12-31T20:00:00Z")), "2027-01-01T03:00:00");
}

}  // namespace
}  // namespace kyso::signer
