#include "receipt_xml.h"

#include <gtest/gtest.h>
#include <libxml/tree.h>

#include <chrono>

#include "../xml/xml_test_support.h"
#include "kyso/error.h"
#include "kyso/signer/xml_document.h"
#include "kyso/signer/xml_signature.h"

namespace kyso::receipts {
namespace {

using signer::childElement;
using signer::textContent;

std::string attribute(const xmlNode* element, const char* name) {
  if (element == nullptr) return "(no element)";
  const signer::xml::Ptr<xmlChar> value(xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(name)));
  return value ? reinterpret_cast<const char*>(value.get()) : "(no attribute)";
}

// The element children of `parent` named `name`, in order.
std::vector<const xmlNode*> children(const xmlNode* parent, std::string_view name) {
  std::vector<const xmlNode*> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && signer::elementName(c) == name) out.push_back(c);
  }
  return out;
}

Receipt sampleReceipt(const pki::Certificate& certificate) {
  Receipt r;
  r.id = "rc_0123456789abcdef0123456789abcdef";
  r.series = {TemplateCode::Ebl01, "26TAB"};
  r.number = 123;
  r.issuedAt = certificate.notBefore() + std::chrono::hours(1);
  r.organization = {"Trung tâm Phục vụ hành chính công tỉnh Mẫu", "5000123459",
                    "Số 1 đường Lê Lợi, phường Trung Tâm, tỉnh Mẫu"};
  r.request.payer = {"Nguyễn Văn An", "068099001234", "Thôn Đông, xã Hoà Bình, tỉnh Mẫu"};
  r.request.items = {{"LP-HT-01", "Lệ phí đăng ký khai sinh", FeeKind::LePhi, 5000},
                     {"P-SY-02", "Phí cấp bản sao trích lục hộ tịch", FeeKind::Phi, 3000}};
  r.request.payment = {PaymentMethod::Online, "PAY-2026-000123", "Nền tảng thanh toán trực tuyến", r.issuedAt};
  r.request.dossier = {"H12.34-261127-0001", "1.001193"};
  r.total = 8000;
  r.totalInWords = "Tám nghìn đồng";
  r.lookupCode = "7K2M9Q4XJ8RT";
  r.verifyUrl = "https://kyso.example.gov.vn/v/7K2M9Q4XJ8RT";
  return r;
}

std::filesystem::path schema() {
  return std::filesystem::path(KYSO_SOURCE_DIR) / "docs" / "receipt.xsd";
}

test::ProcessResult xmllint(const std::filesystem::path& file) {
  return test::run({"xmllint", "--noout", "--nonet", "--schema", schema().string(), file.string()});
}

class ReceiptXml : public ::testing::Test {
 protected:
  test::TempDir dir;

  std::filesystem::path write(const std::string& xml, const std::string& name = "receipt.xml") {
    const auto file = dir / name;
    test::writeFile(file, xml);
    return file;
  }
};

TEST_F(ReceiptXml, Build_RsaAndEcdsa_MatchesSchemaAndXmlsecVerifies) {
  for (auto algorithm : {pki::KeyAlgorithm::Rsa, pki::KeyAlgorithm::Ecdsa}) {
    SCOPED_TRACE(pki::keyAlgorithmName(algorithm));
    const auto credential = test::sampleCredential(algorithm);
    const std::string xml = detail::buildReceiptXml(sampleReceipt(credential.certificate()), credential);
    const auto file = write(xml);
    const auto lint = xmllint(file);
    EXPECT_EQ(lint.exitCode, 0) << lint.output << xml;
    const auto verified = test::xmlsecVerify(file, {"DLBLai"});
    EXPECT_TRUE(test::xmlsecVerified(verified)) << verified.output << xml;
  }
}

TEST_F(ReceiptXml, Build_Content_InTheAuthorityPattern) {
  const auto credential = test::sampleCredential(pki::KeyAlgorithm::Rsa);
  const Receipt receipt = sampleReceipt(credential.certificate());
  const std::string xml = detail::buildReceiptXml(receipt, credential);
  EXPECT_EQ(
      xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BLai><DLBLai Id=\"" + receipt.id + "\"><TTChung>", 0), 0u)
      << xml;

  const signer::XmlDocument doc = signer::parseXml(xml);
  const xmlNode* data = signer::findElementById(doc, receipt.id);
  ASSERT_NE(data, nullptr);
  const xmlNode* general = childElement(data, "TTChung");
  EXPECT_EQ(textContent(childElement(general, "PBan")), "1.0.0");
  EXPECT_EQ(textContent(childElement(general, "THBLai")), "BIÊN LAI THU PHÍ, LỆ PHÍ");
  EXPECT_EQ(textContent(childElement(general, "KHMSBLai")), "EBL01");
  EXPECT_EQ(textContent(childElement(general, "KHBLai")), "26TAB");
  EXPECT_EQ(textContent(childElement(general, "SBLai")), "00000123");
  EXPECT_EQ(textContent(childElement(general, "NLap")), pki::formatIso8601(receipt.issuedAt).substr(0, 10));
  EXPECT_EQ(textContent(childElement(general, "DVTTe")), "VND");
  EXPECT_EQ(textContent(childElement(general, "HTTToan")), "Thanh toán trực tuyến");
  EXPECT_EQ(textContent(childElement(general, "MGDTToan")), "PAY-2026-000123");
  EXPECT_EQ(textContent(childElement(general, "MHSo")), "H12.34-261127-0001");
  EXPECT_EQ(textContent(childElement(general, "MTTHC")), "1.001193");
  EXPECT_EQ(textContent(childElement(general, "MTCuu")), "7K2M9Q4XJ8RT");
  EXPECT_EQ(textContent(childElement(general, "DCTCuu")), receipt.verifyUrl);
  EXPECT_EQ(childElement(general, "TTBLLQuan"), nullptr);

  const xmlNode* content = childElement(data, "NDBLai");
  EXPECT_EQ(textContent(childElement(childElement(content, "NThu"), "Ten")), receipt.organization.name);
  EXPECT_EQ(textContent(childElement(childElement(content, "NThu"), "MST")), "5000123459");
  EXPECT_EQ(textContent(childElement(childElement(content, "NNop"), "MDDanh")), "068099001234");
  const xmlNode* item = childElement(childElement(content, "DSKhoan"), "Khoan");
  EXPECT_EQ(textContent(item), "1LP-HT-01Lệ phí đăng ký khai sinhLệ phí5000");
  const xmlNode* totals = childElement(content, "TToan");
  EXPECT_EQ(textContent(childElement(totals, "TgTien")), "8000");
  EXPECT_EQ(textContent(childElement(totals, "TgTienBChu")), "Tám nghìn đồng");

  const xmlNode* signature = childElement(childElement(childElement(doc.root(), "DSCKS"), "NBan"), "Signature");
  ASSERT_NE(signature, nullptr);
  EXPECT_EQ(signer::findElementById(doc, "NBan"), signature);
  EXPECT_EQ(textContent(signer::findElementById(doc, "SigningTime-NBan")), signer::formatSigningTime(receipt.issuedAt));
}

// The signature's algorithms, as the issue fixes them: C14N 1.0 for SignedInfo, RSA-SHA256, one
// Reference to the data element (enveloped-signature, then C14N 1.0) and one to the
// SignatureProperties object (no transforms: C14N 1.0 by default), both SHA-256, in the XMLDSig
// namespace.
TEST_F(ReceiptXml, Signature_C14n10_RsaSha256_EnvelopedTransform_TwoReferences) {
  const auto credential = test::sampleCredential(pki::KeyAlgorithm::Rsa);
  const Receipt receipt = sampleReceipt(credential.certificate());
  const signer::XmlDocument doc = signer::parseXml(detail::buildReceiptXml(receipt, credential));
  const xmlNode* signature = childElement(childElement(childElement(doc.root(), "DSCKS"), "NBan"), "Signature");
  ASSERT_NE(signature, nullptr);
  ASSERT_NE(signature->ns, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(signature->ns->href), "http://www.w3.org/2000/09/xmldsig#");
  const xmlNode* signedInfo = childElement(signature, "SignedInfo");
  EXPECT_EQ(attribute(childElement(signedInfo, "CanonicalizationMethod"), "Algorithm"),
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315");
  EXPECT_EQ(attribute(childElement(signedInfo, "SignatureMethod"), "Algorithm"),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");

  const auto references = children(signedInfo, "Reference");
  ASSERT_EQ(references.size(), 2u);
  EXPECT_EQ(attribute(references[0], "URI"), "#" + receipt.id);
  const auto transforms = children(childElement(references[0], "Transforms"), "Transform");
  ASSERT_EQ(transforms.size(), 2u);
  EXPECT_EQ(attribute(transforms[0], "Algorithm"), "http://www.w3.org/2000/09/xmldsig#enveloped-signature");
  EXPECT_EQ(attribute(transforms[1], "Algorithm"), "http://www.w3.org/TR/2001/REC-xml-c14n-20010315");
  EXPECT_EQ(attribute(references[1], "Type"), "http://www.w3.org/2000/09/xmldsig#SignatureProperties");
  const std::string propertiesId = attribute(references[1], "URI");
  ASSERT_TRUE(propertiesId.starts_with("#"));
  EXPECT_EQ(childElement(references[1], "Transforms"), nullptr);
  for (const xmlNode* reference : references) {
    EXPECT_EQ(attribute(childElement(reference, "DigestMethod"), "Algorithm"),
              "http://www.w3.org/2001/04/xmlenc#sha256");
  }
  // The second Reference is the Object's SignatureProperties, whose SigningTime is the issue time.
  const xmlNode* object = signer::findElementById(doc, propertiesId.substr(1));
  ASSERT_NE(object, nullptr);
  EXPECT_EQ(signer::elementName(object), std::string_view("Object"));
  EXPECT_EQ(object->parent, signature);
  const xmlNode* time =
      childElement(childElement(childElement(object, "SignatureProperties"), "SignatureProperty"), "SigningTime");
  EXPECT_EQ(textContent(time), signer::formatSigningTime(receipt.issuedAt));
  EXPECT_NE(childElement(childElement(childElement(signature, "KeyInfo"), "X509Data"), "X509Certificate"), nullptr);
}

TEST_F(ReceiptXml, Replacement_WithoutOptionalFields_MatchesSchemaAndVerifies) {
  const auto credential = test::sampleCredential(pki::KeyAlgorithm::Ecdsa);
  Receipt receipt = sampleReceipt(credential.certificate());
  receipt.replaces = ReceiptReference{"rc_ffffffffffffffffffffffffffffffff",
                                      {TemplateCode::Ebl02, "26TXY"},
                                      7,
                                      pki::parseIso8601("2026-11-20T18:00:00Z")};
  receipt.series = {TemplateCode::Ebl02, "26TXY"};
  receipt.number = 99'999'999;
  receipt.organization.address.clear();
  receipt.request.payer = {"Công ty TNHH Ánh Dương", "", ""};
  receipt.request.items = {{"", "Lệ phí cấp giấy phép", FeeKind::LePhi, 150'000}};
  receipt.request.payment = {PaymentMethod::Cash, "", "", receipt.issuedAt};
  receipt.request.dossier = {"", ""};
  receipt.total = 150'000;
  receipt.totalInWords = "Một trăm năm mươi nghìn đồng";
  receipt.verifyUrl.clear();
  const std::string xml = detail::buildReceiptXml(receipt, credential);
  const auto file = write(xml);
  const auto lint = xmllint(file);
  EXPECT_EQ(lint.exitCode, 0) << lint.output << xml;
  EXPECT_TRUE(test::xmlsecVerified(test::xmlsecVerify(file, {"DLBLai"})));

  const signer::XmlDocument doc = signer::parseXml(xml);
  const xmlNode* general = childElement(signer::findElementById(doc, receipt.id), "TTChung");
  const xmlNode* related = childElement(general, "TTBLLQuan");
  EXPECT_EQ(textContent(childElement(related, "TCBLai")), "1");
  EXPECT_EQ(textContent(childElement(related, "KHMSBLLQuan")), "EBL02");
  EXPECT_EQ(textContent(childElement(related, "KHBLLQuan")), "26TXY");
  EXPECT_EQ(textContent(childElement(related, "SBLLQuan")), "00000007");
  EXPECT_EQ(textContent(childElement(related, "NLBLLQuan")), "2026-11-21");  // 01:00 on the 21st in Vietnam
  EXPECT_EQ(textContent(childElement(related, "MBLGoc")), receipt.replaces->id);
  EXPECT_EQ(childElement(general, "MGDTToan"), nullptr);
  EXPECT_EQ(textContent(childElement(general, "HTTToan")), "Tiền mặt");
}

TEST_F(ReceiptXml, Tampered_AmountFailsSignature_BadNumberFailsSchema) {
  const auto credential = test::sampleCredential(pki::KeyAlgorithm::Rsa);
  const std::string xml = detail::buildReceiptXml(sampleReceipt(credential.certificate()), credential);

  std::string tampered = xml;
  tampered.replace(tampered.find("<TgTien>8000"), 12, "<TgTien>9000");
  const auto amount = write(tampered, "amount.xml");
  EXPECT_EQ(xmllint(amount).exitCode, 0);                                      // still a well-formed receipt...
  EXPECT_FALSE(test::xmlsecVerified(test::xmlsecVerify(amount, {"DLBLai"})));  // ...but not the signed one

  tampered = xml;
  tampered.replace(tampered.find("<SBLai>00000123"), 15, "<SBLai>123");
  EXPECT_NE(xmllint(write(tampered, "number.xml")).exitCode, 0);
}

TEST_F(ReceiptXml, Build_BadTextOrInconsistentTotal_Refused) {
  const auto credential = test::sampleCredential(pki::KeyAlgorithm::Rsa);
  Receipt receipt = sampleReceipt(credential.certificate());
  receipt.request.payer.name = "Nguyễn\x07Văn An";
  try {
    detail::buildReceiptXml(receipt, credential);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "xml_invalid_text");
  }
  receipt = sampleReceipt(credential.certificate());
  receipt.total = 9000;
  EXPECT_THROW(detail::buildReceiptXml(receipt, credential), InternalError);
  receipt = sampleReceipt(credential.certificate());
  receipt.issuedAt = credential.certificate().notAfter() + std::chrono::hours(1);
  try {
    detail::buildReceiptXml(receipt, credential);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "certificate_expired");
  }
}

}  // namespace
}  // namespace kyso::receipts
