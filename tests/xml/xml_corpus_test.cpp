// Vectors from outside: ../shared/corpus/xml holds the XML Security Library's test suite (MIT),
// most from the W3C XML Signature interop rounds. These tests hold our parser, serializer and
// Canonical XML to signatures nobody on the team made.
#include <gtest/gtest.h>

#include "kyso/error.h"
#include "kyso/pki/certificate.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/signing_key.h"
#include "kyso/signer/xml_document.h"
#include "xml_test_support.h"

namespace kyso::signer {
namespace {

std::filesystem::path corpusXml(const std::string& name) {
  return test::sharedDir() / "corpus" / "xml" / name;
}

struct EnvelopingVector {
  const char* file;
  const char* certificateDer;
};

// XMLDSig 1.1 interop (2012): enveloping signatures over a ds:Object, C14N 1.0, the key's
// certificate beside the file. p256_sha256 carries an ECDSA value as r||s (RFC 4050).
const EnvelopingVector kVectors[] = {
    {"xmldsig11-interop-2012/signature-enveloping-p256_sha256.xml", "xmldsig11-interop-2012/keys/p256-key.crt"},
    {"xmldsig11-interop-2012/signature-enveloping-rsa-sha256.xml", "xmldsig11-interop-2012/keys/rsa-key.crt"},
};

xmlNode* dsigChild(const xmlNode* parent, std::string_view name) {
  xmlNode* child = childElement(parent, name);
  EXPECT_NE(child, nullptr) << name;
  return child;
}

TEST(XmlCorpus, Xmldsig11Interop_ParsedAndReserialized_StillVerifies) {
  for (const auto& vector : kVectors) {
    SCOPED_TRACE(vector.file);
    const XmlDocument doc = parseXml(test::readFile(corpusXml(vector.file)));
    test::TempDir dir;
    const auto file = dir / "roundtrip.xml";
    test::writeFile(file, serialize(doc));
    const auto result = test::run(
        {"xmlsec1", "--verify", "--pubkey-cert-der", corpusXml(vector.certificateDer).string(), file.string()});
    EXPECT_TRUE(test::xmlsecVerified(result, 1)) << result.output;
  }
}

// Our own Canonical XML and ECDSA value handling against the vectors: the SignatureValue must
// verify over SHA-256 of canonicalize(SignedInfo), and the Object's digest must match for the
// SHA-256 reference.
TEST(XmlCorpus, Xmldsig11Interop_OurC14nOfSignedInfo_VerifiesSignatureValue) {
  for (const auto& vector : kVectors) {
    SCOPED_TRACE(vector.file);
    const XmlDocument doc = parseXml(test::readFile(corpusXml(vector.file)));
    const auto certificate = pki::Certificate::fromDer(asBytes(test::readFile(corpusXml(vector.certificateDer))));
    xmlNode* signature = doc.root();
    xmlNode* signedInfo = dsigChild(signature, "SignedInfo");
    const Bytes digest = pki::sha256(asBytes(canonicalize(doc, signedInfo)));
    const Bytes value = fromBase64(textContent(dsigChild(signature, "SignatureValue")));
    EXPECT_TRUE(pki::verifyDigestSignature(certificate, pki::DigestAlgorithm::Sha256, digest,
                                           pki::normalizeSignatureValue(certificate, value)));
  }
  const XmlDocument p256 = parseXml(test::readFile(corpusXml(kVectors[0].file)));
  xmlNode* reference = dsigChild(dsigChild(p256.root(), "SignedInfo"), "Reference");
  xmlNode* object = findElementById(p256, "DSig.Object_1");
  ASSERT_NE(object, nullptr);
  EXPECT_EQ(toBase64(pki::sha256(asBytes(canonicalize(p256, object)))),
            textContent(dsigChild(reference, "DigestValue")));
}

// A vector that declares its ID attribute in an internal DTD subset: our parser refuses every
// DOCTYPE, this one included.
TEST(XmlCorpus, VectorWithDoctype_Refused) {
  try {
    parseXml(test::readFile(corpusXml("aleksey-xmldsig-01/xpointer-hmac.xml")));
    FAIL() << "accepted";
  } catch (const DocumentError& e) {
    EXPECT_EQ(e.code(), "xml_dtd_refused");
  }
}

}  // namespace
}  // namespace kyso::signer
