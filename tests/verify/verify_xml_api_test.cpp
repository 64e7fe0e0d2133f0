// POST /v1/verify with XML and `kyso verify` on an XML file, on a running service: a receipt the
// service issued passes and matches the register (status, replacement, payer identifier masked);
// a replaced one says so; one re-signed by another key after a change, a wrapped one and parser
// attacks do not pass — and an external entity is never fetched.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/Net/ServerSocket.h>

#include "http_client.h"
#include "kyso/pki/digest.h"
#include "kyso/receipts/receipt_service.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/xml_signature.h"
#include "online_service.h"

namespace kyso::api {
namespace {

using Poco::JSON::Object;
using test::errorCode;
using test::http;
using test::json;

std::string replaced(std::string text, std::string_view what, std::string_view with) {
  const auto at = text.find(what);
  if (at == std::string::npos) throw std::runtime_error("test data lacks " + std::string(what));
  return text.replace(at, what.size(), with);
}

class VerifyXmlApi : public test::OnlineService {
 protected:
  // The current year's series: a receipt can only be issued in its series' year.
  std::string symbol() const {
    const auto local = std::chrono::floor<std::chrono::days>(clock.now() + pki::kVietnamUtcOffset);
    const int year = static_cast<int>(std::chrono::year_month_day(local).year());
    return std::to_string(year % 100 + 100).substr(1) + "TAB";
  }

  void SetUp() override {
    test::OnlineService::SetUp();
    receipts::SeriesSpec spec;
    spec.symbol = symbol();
    spec.organization = {"Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang", "5000123459", "Phường Minh Xuân"};
    core->receipts().createSeries(spec);
  }

  receipts::IssueRequest request(const std::string& key, std::int64_t amount = 8000) const {
    receipts::IssueRequest r;
    r.symbol = symbol();
    r.actor = "apikey:test";
    r.idempotencyKey = key;
    r.content.payer = {"Nguyễn Văn A", "008085012345", "Tổ 5, phường Phan Thiết"};
    r.content.items = {{"LPHT01", "Lệ phí cấp bản sao trích lục hộ tịch", receipts::FeeKind::LePhi, amount}};
    r.content.payment = {receipts::PaymentMethod::Online, "PAY-1", "paygov", clock.now()};
    r.content.dossier = {"H59.22-261127-0001", "1.001193"};
    return r;
  }

  test::HttpAnswer postXml(const std::string& body, const std::string& type = "application/xml") const {
    return http(port, "POST", "/v1/verify", body, type);
  }
  Object::Ptr verified(const std::string& xml) const {
    const auto answer = postXml(xml);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return json(answer.body);
  }
  static std::string verdict(const Object::Ptr& report) {
    return report->getValue<std::string>("indication") +
           (report->isNull("sub_indication") ? "" : "/" + report->getValue<std::string>("sub_indication"));
  }
};

TEST_F(VerifyXmlApi, IssuedReceipt_TotalPassed_MatchesTheRegister_PayerMasked) {
  const receipts::Receipt receipt = core->receipts().issue(request("k1")).receipt;
  const std::string xml = core->receipts().xml(receipt.id);
  for (const char* type : {"application/xml", "text/xml"}) {
    const auto report = json(postXml(xml, type).body);
    EXPECT_EQ(verdict(report), "TOTAL_PASSED")
        << report->getArray("signatures")->getObject(0)->get("detail").toString();
    EXPECT_EQ(report->getValue<std::string>("format"), "xml");
    const Object::Ptr s = report->getArray("signatures")->getObject(0);
    EXPECT_EQ(s->getValue<std::string>("field"), "NBan");
    EXPECT_EQ(s->getValue<std::string>("level"), "none");
    EXPECT_TRUE(s->isNull("coverage"));
    EXPECT_FALSE(s->isNull("signing_time"));
    EXPECT_EQ(s->getArray("chain")->size(), 3u);
    // Revocation of the seal and its issuing CA, from this service's own OCSP responder.
    EXPECT_EQ(s->getArray("revocation")->getObject(0)->getValue<std::string>("status"), "good");

    const Object::Ptr r = report->getObject("receipt");
    ASSERT_TRUE(r) << report->get("receipt").toString();
    EXPECT_TRUE(r->getValue<bool>("known"));
    EXPECT_TRUE(r->getValue<bool>("matches_register"));
    EXPECT_TRUE(r->getValue<bool>("identical_file"));
    EXPECT_EQ(r->getValue<std::string>("template"), "EBL01");
    EXPECT_EQ(r->getValue<std::string>("series"), symbol());
    EXPECT_EQ(r->getValue<std::string>("number"), "00000001");
    EXPECT_EQ(r->getValue<std::string>("status"), "issued");
    EXPECT_TRUE(r->isNull("replaced_by"));
    EXPECT_EQ(r->getValue<std::string>("issued_at"), pki::formatIso8601(receipt.issuedAt));
    EXPECT_EQ(r->getObject("payer")->getValue<std::string>("id"), "*********345");
    EXPECT_TRUE(r->isNull("problem"));
  }

  // The same receipt written differently (white space outside the signed data) still matches.
  const auto respaced = json(postXml(replaced(xml, "<DSCKS>", "\n<DSCKS>")).body);
  EXPECT_EQ(verdict(respaced), "TOTAL_PASSED");
  EXPECT_TRUE(respaced->getObject("receipt")->getValue<bool>("matches_register"));
  EXPECT_FALSE(respaced->getObject("receipt")->getValue<bool>("identical_file"));
}

TEST_F(VerifyXmlApi, ReplacedReceipt_StatusReplacedAndTheReplacement) {
  const receipts::Receipt original = core->receipts().issue(request("k1")).receipt;
  const receipts::Receipt replacement = core->receipts().replace(original.id, request("k2", 9000)).receipt;
  const auto report = verified(core->receipts().xml(original.id));
  EXPECT_EQ(verdict(report), "TOTAL_PASSED");
  const Object::Ptr r = report->getObject("receipt");
  EXPECT_TRUE(r->getValue<bool>("matches_register"));
  EXPECT_EQ(r->getValue<std::string>("status"), "replaced");
  const Object::Ptr by = r->getObject("replaced_by");
  ASSERT_TRUE(by) << r->get("replaced_by").toString();
  EXPECT_EQ(by->getValue<std::string>("number"), receipts::formatReceiptNumber(replacement.number));
  EXPECT_EQ(by->getValue<std::string>("lookup_code"), replacement.lookupCode);

  const auto second = verified(core->receipts().xml(replacement.id));
  EXPECT_EQ(second->getObject("receipt")->getValue<std::string>("status"), "issued");
}

TEST_F(VerifyXmlApi, AlteredAndResignedByAnUntrustedKey_IndeterminateAndNotTheRegisters) {
  const receipts::Receipt receipt = core->receipts().issue(request("k1")).receipt;
  const std::string xml = core->receipts().xml(receipt.id);
  // The payer's name changed, the old signature cut out, a new one made with a key of another PKI.
  const auto start = xml.find("<Signature ");
  const auto end = xml.find("</Signature>") + 12;
  const std::string unsignedXml = replaced(xml.substr(0, start) + xml.substr(end), "Nguyễn Văn A", "Nguyễn Văn B");
  signer::XmlDocument document = signer::parseXml(unsignedXml);
  signer::XmlSignatureParameters parameters;
  parameters.signedDataId = receipt.id;
  parameters.signatureParent = signer::childElement(signer::childElement(document.root(), "DSCKS"), "NBan");
  parameters.signingTime = clock.now();
  const pki::DevPki& other = test::devPki(pki::KeyAlgorithm::Ecdsa);
  signer::signXml(document, parameters, other.seal());

  const auto report = verified(signer::serialize(document));
  EXPECT_EQ(verdict(report), "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND");
  const Object::Ptr r = report->getObject("receipt");
  EXPECT_TRUE(r->getValue<bool>("known"));
  EXPECT_FALSE(r->getValue<bool>("matches_register"));
  EXPECT_NE(r->getValue<std::string>("problem").find("signed content differs"), std::string::npos);
  // Nothing of the register's receipt is shown for a file that is not it.
  EXPECT_TRUE(r->isNull("status"));
  EXPECT_FALSE(r->has("payer"));
}

TEST_F(VerifyXmlApi, ExtraUnsignedReceiptData_TotalFailedFormatFailure) {
  const receipts::Receipt receipt = core->receipts().issue(request("k1")).receipt;
  const std::string xml = core->receipts().xml(receipt.id);
  const std::string forged = replaced(xml.substr(xml.find("<DLBLai"), xml.find("</DLBLai>") + 9 - xml.find("<DLBLai")),
                                      " Id=\"" + receipt.id + "\"", "");
  const auto report = verified(replaced(xml, "</BLai>", forged + "</BLai>"));
  EXPECT_EQ(verdict(report), "TOTAL_FAILED/FORMAT_FAILURE");
  const Object::Ptr r = report->getObject("receipt");
  EXPECT_FALSE(r->getValue<bool>("matches_register"));
  EXPECT_NE(r->getValue<std::string>("problem").find("DLBLai"), std::string::npos);
}

TEST_F(VerifyXmlApi, XxeAndBillionLaughs_422_NothingFetched) {
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.address().port()) + "/entity";
  auto answer = postXml("<?xml version=\"1.0\"?><!DOCTYPE BLai [<!ENTITY x SYSTEM \"" + url + "\">]><BLai>&x;</BLai>");
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(errorCode(answer), "xml_dtd_refused");
  // The request is over: had the entity been fetched, the connection would be waiting.
  EXPECT_FALSE(listener.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ));

  answer = postXml(
      "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]><l>&c;</l>");
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(errorCode(answer), "xml_dtd_refused");
  answer = postXml("<BLai><DLBLai>");
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(errorCode(answer), "xml_malformed");
  // Not a receipt, no signature: a verdict with nothing that passed.
  const auto report = verified("<Receipt/>");
  EXPECT_EQ(verdict(report), "INDETERMINATE");
  EXPECT_TRUE(report->isNull("receipt"));
}

TEST_F(VerifyXmlApi, ReceiptPdfCopy_TheStoredCopyMatches_AnAlteredOneDoesNot) {
  const receipts::Receipt receipt = core->receipts().issue(request("k1")).receipt;
  const Bytes stored = core->receipts().pdf(receipt.id);
  const std::string pdf(stored.begin(), stored.end());
  auto report = json(postXml(pdf, "application/pdf").body);
  EXPECT_EQ(verdict(report), "TOTAL_PASSED");
  EXPECT_EQ(report->getValue<std::string>("format"), "pdf");
  Object::Ptr r = report->getObject("receipt");
  ASSERT_TRUE(r) << report->get("receipt").toString();
  EXPECT_TRUE(r->getValue<bool>("matches_register"));
  EXPECT_EQ(r->getValue<std::string>("number"), "00000001");
  EXPECT_EQ(r->getValue<std::string>("status"), "issued");

  // Bytes appended after the signed revision: the same title, not the stored copy.
  report = json(postXml(pdf + "\n", "application/pdf").body);
  r = report->getObject("receipt");
  EXPECT_TRUE(r->getValue<bool>("known"));
  EXPECT_FALSE(r->getValue<bool>("matches_register"));
  EXPECT_NE(r->getValue<std::string>("problem").find("not the register's PDF copy"), std::string::npos);
  EXPECT_TRUE(r->isNull("status"));

  // Any other PDF is no receipt.
  report = json(postXml(sign(seal(), signer::PadesLevel::B_B), "application/pdf").body);
  EXPECT_TRUE(report->isNull("receipt"));
}

TEST_F(VerifyXmlApi, ReceiptPdfCopy_OneByteChangedSameSize_NotTheRegistersCopy) {
  const receipts::Receipt receipt = core->receipts().issue(request("k1")).receipt;
  const Bytes stored = core->receipts().pdf(receipt.id);
  std::string pdf(stored.begin(), stored.end());
  // One hexadecimal digit of the signature value: the same size, the same /Title.
  const auto at = pdf.find("/Contents <") + 40;
  pdf[at] = pdf[at] == '0' ? '1' : '0';
  const auto report = json(postXml(pdf, "application/pdf").body);
  const Object::Ptr r = report->getObject("receipt");
  ASSERT_TRUE(r) << report->get("receipt").toString();
  EXPECT_TRUE(r->getValue<bool>("known"));
  EXPECT_FALSE(r->getValue<bool>("matches_register"));
  EXPECT_NE(r->getValue<std::string>("problem").find("not the register's PDF copy"), std::string::npos);
  EXPECT_TRUE(r->isNull("status"));
}

TEST_F(VerifyXmlApi, ReceiptPdfCopy_Replaced_MatchesWithTheReplacement) {
  const receipts::Receipt original = core->receipts().issue(request("k1")).receipt;
  const Bytes stored = core->receipts().pdf(original.id);
  const receipts::Receipt replacement = core->receipts().replace(original.id, request("k2", 9000)).receipt;
  const auto report = json(postXml(std::string(stored.begin(), stored.end()), "application/pdf").body);
  EXPECT_EQ(verdict(report), "TOTAL_PASSED");
  const Object::Ptr r = report->getObject("receipt");
  ASSERT_TRUE(r) << report->get("receipt").toString();
  EXPECT_TRUE(r->getValue<bool>("matches_register"));
  EXPECT_EQ(r->getValue<std::string>("status"), "replaced");
  const Object::Ptr by = r->getObject("replaced_by");
  ASSERT_TRUE(by) << r->get("replaced_by").toString();
  EXPECT_EQ(by->getValue<std::string>("number"), receipts::formatReceiptNumber(replacement.number));
}

// The register check of a PDF copy on its own: the receipt the title names, compared with the
// copy the register stored for it (not any other receipt's copy).
TEST_F(VerifyXmlApi, ReceiptPdfCopyCheck_UnknownNumberNoCopyOrAnotherReceiptsCopy_NoMatch) {
  const receipts::Receipt first = core->receipts().issue(request("k1")).receipt;
  const Bytes firstCopy = core->receipts().pdf(first.id);
  receipts::IssueRequest other = request("k2", 9000);
  other.content.payment.transactionId = "PAY-2";
  const receipts::Receipt second = core->receipts().issue(other).receipt;
  const std::string firstPdf(firstCopy.begin(), firstCopy.end());
  const auto identity = [&](std::uint32_t number) {
    receipts::ReceiptIdentity id;
    id.series = first.series;
    id.number = number;
    return id;
  };
  const auto check = [&](std::uint32_t number, const std::string& pdf) {
    return core->receipts().checkRegisterPdf(identity(number), signer::PdfInput::fromMemory(pdf));
  };

  auto c = check(first.number, firstPdf);
  EXPECT_TRUE(c.known && c.matches && c.identicalFile) << c.problem;
  EXPECT_EQ(c.contentSha256, toHex(pki::sha256(firstCopy)));
  ASSERT_TRUE(c.receipt);
  EXPECT_EQ(c.receipt->id, first.id);

  c = check(99, firstPdf);
  EXPECT_FALSE(c.known || c.matches);
  EXPECT_NE(c.problem.find("has no receipt"), std::string::npos) << c.problem;
  EXPECT_EQ(c.contentSha256, toHex(pki::sha256(firstCopy)));

  // The second receipt has no copy yet: nothing to compare with.
  c = check(second.number, firstPdf);
  EXPECT_TRUE(c.known);
  EXPECT_FALSE(c.matches);
  EXPECT_NE(c.problem.find("holds no PDF copy"), std::string::npos) << c.problem;
  EXPECT_FALSE(c.receipt);

  // Once it has one, the first receipt's copy is still not the second's, nor the reverse.
  const Bytes secondCopy = core->receipts().pdf(second.id);
  c = check(second.number, firstPdf);
  EXPECT_TRUE(c.known);
  EXPECT_FALSE(c.matches);
  EXPECT_NE(c.problem.find("not the register's PDF copy"), std::string::npos) << c.problem;
  EXPECT_FALSE(c.receipt);
  c = check(first.number, std::string(secondCopy.begin(), secondCopy.end()));
  EXPECT_FALSE(c.matches);
  // A prefix of the stored copy is not the copy either.
  c = check(first.number, firstPdf.substr(0, firstPdf.size() - 1));
  EXPECT_FALSE(c.matches);
  EXPECT_TRUE(check(second.number, std::string(secondCopy.begin(), secondCopy.end())).matches);
}

// --- kyso verify FILE with XML -----------------------------------------------------------------

class VerifyXmlCli : public VerifyXmlApi {};

TEST_F(VerifyXmlCli, ReceiptXml_ByContent_ExitCodesAndTheRegister) {
  const receipts::Receipt receipt = core->receipts().issue(request("k1")).receipt;
  const std::string xml = core->receipts().xml(receipt.id);
  // No .xml extension: the content says what it is.
  auto r = kyso({"verify", write("receipt.bin", xml)});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("NBan: TOTAL_PASSED, none, by "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("receipt EBL01 " + symbol() + " 00000001: matches the register, issued"), std::string::npos)
      << r.output;

  r = kyso({"verify", write("receipt.xml", xml), "--json"});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_TRUE(json(r.output)->getObject("receipt")->getValue<bool>("matches_register"));

  r = kyso({"verify", write("altered.xml", replaced(xml, "Nguyễn Văn A", "Nguyễn Văn B"))});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("TOTAL_FAILED/HASH_FAILURE"), std::string::npos) << r.output;

  r = kyso({"verify", write("broken.xml", "<BLai>")});
  EXPECT_EQ(r.exitCode, 4) << r.output;
  EXPECT_NE(r.output.find("xml_malformed"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace kyso::api
