// E-receipts over HTTP, as the procedure system and the payment platform use them: the request
// shapes of the contract, idempotent retries, bad input, replacements, the public lookup, and the
// signed XML and PDF checked by the real peers (xmlsec1, pdfsig, zbarimg, pdftotext).
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "http_client.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/xml_document.h"
#include "receipt_bodies.h"
#include "server_process.h"
#include "test_service.h"
#include "test_support.h"
#include "xml_peers.h"

namespace kyso::api {
namespace {

using test::errorCode;
using test::http;
using test::HttpAnswer;
using test::json;
using test::receiptBody;
using test::seriesBody;
using test::symbolFor;
using test::vietnamYear;

// The message of an error answer ({"error": {"code", "message"}}).
std::string errorMessage(const HttpAnswer& answer) {
  try {
    return json(answer.body)->getObject("error")->getValue<std::string>("message");
  } catch (const std::exception&) {
    return "(no error message in: " + answer.body + ")";
  }
}

// A moment in Vietnam's local time of `year`, e.g. at(2027, "03-10T09:00:00").
pki::TimePoint at(int year, const std::string& rest) {
  return pki::parseIso8601(std::to_string(year) + "-" + rest + "+07:00");
}

// Puts the service's clock back when a test that moved it ends.
class ClockRestore {
 public:
  explicit ClockRestore(pki::FixedClock& clock) : clock_(clock), saved_(clock.now()) {}
  ~ClockRestore() { clock_.set(saved_); }
  ClockRestore(const ClockRestore&) = delete;
  ClockRestore& operator=(const ClockRestore&) = delete;

 private:
  pki::FixedClock& clock_;
  pki::TimePoint saved_;
};

// The certificates in a signed receipt's KeyInfo/X509Data (libxml2 parses, kyso's base64 decodes).
std::vector<pki::Certificate> keyInfoCertificates(const std::string& xml) {
  std::vector<pki::Certificate> out;
  const signer::XmlDocument doc = signer::parseXml(xml);
  signer::forEachElement(doc, [&](xmlNode* element) {
    if (signer::elementName(element) == "X509Certificate") {
      out.push_back(pki::Certificate::fromDer(fromBase64(signer::textContent(element))));
    }
  });
  return out;
}

class Receipts : public ::testing::Test {
 protected:
  static inline std::unique_ptr<test::TestService> service;
  static inline std::string adminKey, backendKey, otherBackendKey, signerKey;
  static inline int seriesCount = 0;

  static void SetUpTestSuite() {
    service = std::make_unique<test::TestService>(test::TestServiceOptions{.settings = {{"server.threads", "4"}}});
    adminKey = service->key(Role::Admin, "operator");
    backendKey = service->key(Role::Backend, "procedure system");
    otherBackendKey = service->key(Role::Backend, "payment platform");
    signerKey = service->key(Role::Signer, "desktop helper");
  }
  static void TearDownTestSuite() { service.reset(); }
  // A symbol of the current year not used before (letters from the allowed set, distinct per call).
  static std::string nextSymbol() {
    static const std::string letters = "ABCDEGHKLMNPQRSTUVXY";
    const int n = seriesCount++;
    return symbolFor(service->clock().now(), std::string{letters[static_cast<std::size_t>(n / 20 % 20)],
                                                         letters[static_cast<std::size_t>(n % 20)]});
  }
  // A fresh series of the current year.
  static std::string newSeries(const std::string& extra = "", const std::string& taxCode = "5000123459") {
    const std::string symbol = nextSymbol();
    const auto created = service->call("POST", "/v1/series", adminKey, seriesBody(symbol, extra, taxCode));
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status == 201) {
      // The answer of the contract: the new series as stored, where it can be read again.
      const auto body = json(created.body);
      const std::string id = body->getValue<std::string>("id");
      EXPECT_TRUE(id.starts_with("sr_")) << id;
      EXPECT_EQ(created.header("Location"), "/v1/series/" + id);
      EXPECT_EQ(body->getValue<std::string>("template"), "EBL01");
      EXPECT_EQ(body->getValue<std::string>("symbol"), symbol);
      EXPECT_EQ(body->getValue<int>("year"), 2000 + std::stoi(symbol.substr(0, 2)));
      EXPECT_EQ(body->getObject("organization")->getValue<std::string>("tax_code"), taxCode);
      EXPECT_EQ(body->getValue<std::string>("key"), "seal");
      const auto read = service->call("GET", "/v1/series/" + id, adminKey);
      EXPECT_EQ(read.status, 200) << read.body;
      EXPECT_EQ(json(read.body)->getValue<std::string>("symbol"), symbol);
    }
    return symbol;
  }
  static HttpAnswer issue(const std::string& body, const std::string& idempotencyKey,
                          const std::string& key = backendKey) {
    return service->call("POST", "/v1/receipts", key, body, {{"Idempotency-Key", idempotencyKey}});
  }
  static std::string uniqueKey() {
    static std::atomic<int> n{0};
    return "key-" + std::to_string(++n);
  }
  static std::string uniqueTransaction() {
    static std::atomic<int> n{0};
    return "PG-20261127-" + std::to_string(++n);
  }

  test::TempDir work;
};

TEST_F(Receipts, ContractExample_IssuesTheReceiptAsWritten) {
  const std::string symbol = newSeries();
  const auto answer = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(answer.status, 201) << answer.body;
  const auto r = json(answer.body);
  const std::string id = r->getValue<std::string>("id");
  EXPECT_EQ(answer.header("Location"), "/v1/receipts/" + id);
  EXPECT_EQ(r->getValue<std::string>("template"), "EBL01");
  EXPECT_EQ(r->getValue<std::string>("symbol"), symbol);
  EXPECT_EQ(r->getValue<int>("number"), 1);
  EXPECT_EQ(r->getValue<std::int64_t>("total"), 8000);
  EXPECT_EQ(r->getValue<std::string>("total_in_words"), "Tám nghìn đồng");
  EXPECT_EQ(r->getValue<std::string>("status"), "issued");
  EXPECT_EQ(pki::parseIso8601(r->getValue<std::string>("issued_at")), service->clock().now());
  const std::string code = r->getValue<std::string>("lookup_code");
  EXPECT_GE(code.size(), 10u);
  EXPECT_EQ(code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos) << code;
  EXPECT_EQ(r->getValue<std::string>("verify_url"), service->core().settings().publicUrl + "/v/" + code);

  // Read back: the same receipt, and its number runs on.
  const auto read = service->call("GET", "/v1/receipts/" + id, backendKey);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(json(read.body)->getObject("payer")->getValue<std::string>("name"), "Nguyễn Văn A");
  const auto second = issue(receiptBody(symbol, uniqueTransaction(), 150000), uniqueKey());
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(json(second.body)->getValue<int>("number"), 2);
  EXPECT_EQ(json(second.body)->getValue<std::string>("total_in_words"), "Một trăm năm mươi nghìn đồng");
}

TEST_F(Receipts, SignedXml_VerifiesWithXmlsec1AndTheSchema) {
  const std::string symbol = newSeries();
  const auto answer = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(answer.status, 201) << answer.body;
  const std::string id = json(answer.body)->getValue<std::string>("id");
  const auto xml = service->call("GET", "/v1/receipts/" + id + "/xml", backendKey);
  ASSERT_EQ(xml.status, 200);
  EXPECT_EQ(xml.header("Content-Type"), "application/xml");
  const auto file = work / "receipt.xml";
  test::writeFile(file, xml.body);
  // The signature carries only the seal's certificate (as the authority's documents do): the
  // verifier knows the issuing CA.
  const auto verdict =
      test::xmlsec1Verify(file, service->core().devPki()->rootCa(), &service->core().devPki()->issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
  const auto schema = test::xmllintSchema(file);
  EXPECT_TRUE(schema.ok) << schema.output;
  for (const std::string& field :
       std::vector<std::string>{"Nguyễn Văn A", "008085012345", "Lệ phí cấp bản sao trích lục hộ tịch",
                                "Tám nghìn đồng", "5000123459", "H59.22-261127-0001", symbol}) {
    EXPECT_NE(xml.body.find(field), std::string::npos) << field;
  }

  // One changed character in the signed data and the signature no longer holds.
  std::string tampered = xml.body;
  tampered.replace(tampered.find("Nguyễn Văn A"), 6, "Nguyen");
  test::writeFile(work / "tampered.xml", tampered);
  EXPECT_FALSE(test::xmlsec1Verify(work / "tampered.xml", service->core().devPki()->rootCa(),
                                   &service->core().devPki()->issuingCa())
                   .ok);
}

TEST_F(Receipts, PdfCopy_SignedWithQrAndEveryField_ServedUnchanged) {
  const std::string symbol = newSeries();
  const auto answer = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(answer.status, 201) << answer.body;
  const auto r = json(answer.body);
  const std::string id = r->getValue<std::string>("id");
  const auto pdf = service->call("GET", "/v1/receipts/" + id + "/pdf", backendKey);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("Content-Type"), "application/pdf");
  const auto file = work / "receipt.pdf";
  test::writeFile(file, pdf.body);

  const test::PeerVerdict v = test::checkWithPeers(file, service->core().devPki()->rootCa());
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;

  const auto text = test::run({"/usr/bin/pdftotext", "-enc", "UTF-8", file.string(), "-"});
  ASSERT_EQ(text.exitCode, 0) << text.output;
  for (const std::string& field : std::vector<std::string>{
           "BIÊN LAI THU PHÍ, LỆ PHÍ", "Nguyễn Văn A", "Lệ phí cấp bản sao trích lục hộ tịch", "Tám nghìn đồng",
           "00000001", "EBL01", symbol, "5000123459", r->getValue<std::string>("lookup_code")}) {
    EXPECT_NE(text.output.find(field), std::string::npos) << field << "\n" << text.output;
  }

  const auto png = work / "page";
  ASSERT_EQ(test::run({"/usr/bin/pdftoppm", "-r", "150", "-png", "-singlefile", file.string(), png.string()}).exitCode,
            0);
  const auto qr = test::run({"/usr/bin/zbarimg", "--raw", "-q", png.string() + ".png"});
  ASSERT_EQ(qr.exitCode, 0) << qr.output;
  // zbarimg may complain about D-Bus on stderr (interleaved here); the decoded text is its own line.
  const std::string url = r->getValue<std::string>("verify_url");
  EXPECT_NE(("\n" + qr.output).find("\n" + url + "\n"), std::string::npos) << qr.output;

  // Rendered once: later requests get the stored bytes, even when the clock has moved on.
  service->clock().set(service->clock().now() + std::chrono::minutes(5));
  const auto again = service->call("GET", "/v1/receipts/" + id + "/pdf", backendKey);
  service->clock().set(service->clock().now() - std::chrono::minutes(5));
  EXPECT_EQ(again.body, pdf.body);

  // The copy's signature is recorded like every other.
  bool audited = false;
  for (const auto& entry : service->core().store().audit().list(0, 100000)) {
    if (entry.record.action == "receipt.pdf" && entry.record.details.find(id) != std::string::npos) {
      audited = true;
      EXPECT_EQ(entry.record.documentSha256, toHex(pki::digest(pki::DigestAlgorithm::Sha256, asBytes(pdf.body))));
    }
  }
  EXPECT_TRUE(audited);
}

TEST_F(Receipts, Retries_SameKeyOrPaymentGiveTheSameReceipt_DifferentBodyConflicts) {
  const std::string symbol = newSeries();
  const std::string transaction = uniqueTransaction(), key = uniqueKey();
  const auto first = issue(receiptBody(symbol, transaction), key);
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string id = json(first.body)->getValue<std::string>("id");

  // The same request again (a timeout on the caller's side): the same receipt, nothing new.
  const auto retried = issue(receiptBody(symbol, transaction), key);
  ASSERT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(json(retried.body)->getValue<std::string>("id"), id);
  EXPECT_EQ(retried.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(first.header("Idempotent-Replayed"), "");

  // The payment platform notifies twice with different keys: still one receipt per payment.
  const auto duplicate = issue(receiptBody(symbol, transaction), uniqueKey(), otherBackendKey);
  ASSERT_EQ(duplicate.status, 201) << duplicate.body;
  EXPECT_EQ(json(duplicate.body)->getValue<std::string>("id"), id);

  // The same key for another request is a client defect, not a retry.
  const auto reused = issue(receiptBody(symbol, uniqueTransaction()), key);
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(errorCode(reused), "idempotency_key_reused");
  const auto samePaymentOtherAmount = issue(receiptBody(symbol, transaction, 9000), uniqueKey());
  EXPECT_EQ(samePaymentOtherAmount.status, 409);
  EXPECT_EQ(errorCode(samePaymentOtherAmount), "payment_already_receipted");

  // None of that took a number.
  const auto next = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  EXPECT_EQ(json(next.body)->getValue<int>("number"), 2);
}

TEST_F(Receipts, BadInput_FieldLevelErrors_TakeNoNumber) {
  const std::string symbol = newSeries();
  // What went wrong, where: the code, and the message naming the field (its JSON path) that is wrong.
  struct Case {
    std::string name, body, code, field;
    int status = 400;
  };
  const std::string good = receiptBody(symbol, "T-bad");
  const auto without = [&](const std::string& from, const std::string& what) {
    std::string body = good;
    body.replace(body.find(from), from.size(), what);
    return body;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", "{\"template\": \"EBL01\",", "invalid_json", "JSON"},
      {"not an object", "[1, 2]", "invalid_json", "object"},
      {"unknown field", without("\"dossier\"", "\"extra\": 1, \"dossier\""), "invalid_field", "extra"},
      {"missing payer name", without("\"name\": \"Nguyễn Văn A\", ", ""), "invalid_field", "payer.name"},
      {"zero amount", receiptBody(symbol, "T-bad", 0), "invalid_amount", "items[0].amount"},
      {"negative amount", receiptBody(symbol, "T-bad", -8000), "invalid_amount", "items[0].amount"},
      {"absurd total", receiptBody(symbol, "T-bad", 100'000'000'000), "invalid_amount", "items"},
      {"fractional amount", without("8000", "8000.5"), "invalid_field", "items[0].amount"},
      {"invalid CCCD", receiptBody(symbol, "T-bad", 8000, "999085012345"), "invalid_payer_id", "payer.id"},
      {"invalid MST", receiptBody(symbol, "T-bad", 8000, "0101234566"), "invalid_payer_id", "payer.id"},
      {"unknown kind", without("le_phi", "thue"), "invalid_fee_kind", "items[0].kind"},
      {"unknown method", without("\"online\"", "\"bitcoin\""), "invalid_payment_method", "payment.method"},
      {"bad paid_at", without("2026-11-27T09:15:00+07:00", "yesterday"), "invalid_time", "payment.paid_at"},
      {"missing method", without("\"method\": \"online\", ", ""), "invalid_field", "payment.method"},
      {"kind not a text", without("\"le_phi\"", "7"), "invalid_field", "items[0].kind"},
      {"no items", without(good.substr(good.find("[{"), good.find("}]") + 2 - good.find("[{")), "[]"), "missing_field",
       "items"},
      {"unknown series", receiptBody("26TXY", "T-bad"), "series_not_found", "26TXY", 404},
      {"unknown template", without("EBL01", "EBL09"), "invalid_template", "template"},
      {"text the receipt cannot print", without("Nguyễn Văn A", "Nguyễn 阮 A"), "invalid_text", "payer.name"},
      {"control character", without("Nguyễn Văn A", "Nguyễn\\u0007A"), "invalid_text", "payer.name"},
  };
  for (const auto& c : cases) {
    const auto answer = issue(c.body, uniqueKey());
    EXPECT_EQ(answer.status, c.status) << c.name << ": " << answer.body;
    EXPECT_EQ(errorCode(answer), c.code) << c.name << ": " << answer.body;
    const std::string message = errorMessage(answer);
    EXPECT_NE(message.find(c.field), std::string::npos) << c.name << ": '" << c.field << "' not in " << message;
    EXPECT_EQ(message.find(c.field, message.find(c.field) + 1), std::string::npos)
        << c.name << ": '" << c.field << "' named twice in " << message;
  }
  const auto noKey = service->call("POST", "/v1/receipts", backendKey, good);
  EXPECT_EQ(noKey.status, 400);
  EXPECT_EQ(errorCode(noKey), "idempotency_key_required");
  // Refused from the Content-Length alone, before the body is read.
  const std::string huge = test::rawHttp(
      service->port(), "POST /v1/receipts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + backendKey +
                           "\r\nIdempotency-Key: huge\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(300 * 1024) + "\r\n\r\n{");
  EXPECT_NE(huge.find("HTTP/1.1 413"), std::string::npos) << huge;
  EXPECT_NE(huge.find("\"body_too_large\""), std::string::npos) << huge;
  const auto signerCannot = issue(good, uniqueKey(), signerKey);
  EXPECT_EQ(signerCannot.status, 403);

  const auto ok = issue(good, uniqueKey());
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json(ok.body)->getValue<int>("number"), 1);
}

TEST_F(Receipts, Series_RefusesBadDefinitions) {
  const std::string symbol = symbolFor(service->clock().now(), "AA");
  EXPECT_EQ(errorCode(service->call("POST", "/v1/series", adminKey, seriesBody("2"))), "invalid_series_symbol");
  EXPECT_EQ(errorCode(service->call("POST", "/v1/series", adminKey, seriesBody("TTTAB"))), "invalid_series_symbol");
  EXPECT_EQ(errorCode(service->call("POST", "/v1/series", adminKey, seriesBody(symbol.substr(0, 2) + "TAI"))),
            "invalid_series_symbol");  // I is not a series letter
  EXPECT_EQ(errorCode(service->call("POST", "/v1/series", adminKey, seriesBody(symbol.substr(0, 2) + "CAB"))),
            "invalid_series_symbol");  // C: not registered by an organisation
  std::string badMst = seriesBody(symbol);
  badMst.replace(badMst.find("5000123459"), 10, "5000123458");
  EXPECT_EQ(errorCode(service->call("POST", "/v1/series", adminKey, badMst)), "invalid_tax_code");
  const auto overlapping = service->call("POST", "/v1/series", adminKey,
                                         seriesBody(symbol, R"(, "ranges": [{"unit": "A", "first": 1, "last": 100},
                                                                   {"unit": "B", "first": 100, "last": 200}])"));
  EXPECT_EQ(errorCode(overlapping), "invalid_range");
  EXPECT_EQ(service->call("POST", "/v1/series", backendKey, seriesBody(symbol)).status, 403);

  const std::string made = newSeries();
  const auto listedOne = json(service->call("GET", "/v1/series", adminKey).body)->getArray("series");
  std::string location;
  for (unsigned i = 0; i < listedOne->size(); ++i) {
    if (listedOne->getObject(i)->getValue<std::string>("symbol") == made) {
      location = "/v1/series/" + listedOne->getObject(i)->getValue<std::string>("id");
    }
  }

  const auto one = service->call("GET", location, backendKey);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json(one.body)->getValue<std::string>("symbol"), made);
  EXPECT_EQ(service->call("GET", "/v1/series/sr_none", backendKey).status, 404);
  const auto twice = service->call("POST", "/v1/series", adminKey, seriesBody(made));
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(errorCode(twice), "series_exists");
  const auto listed = service->call("GET", "/v1/series", backendKey);
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(made), std::string::npos);
}

TEST_F(Receipts, Ranges_EachUnitUsesItsOwnInOrder_AndRunsOut) {
  const std::string symbol = newSeries(R"(, "ranges": [{"unit": "xa-minh-xuan", "first": 1, "last": 2},
                                {"unit": "buu-dien", "first": 1001, "last": 1100}])");
  const auto number = [&](const std::string& unit) {
    const auto a = issue(receiptBody(symbol, uniqueTransaction(), 8000, "008085012345", unit), uniqueKey());
    return a.status == 201 ? std::to_string(json(a.body)->getValue<int>("number"))
                           : std::to_string(a.status) + " " + errorCode(a);
  };
  EXPECT_EQ(number("xa-minh-xuan"), "1");
  EXPECT_EQ(number("buu-dien"), "1001");
  EXPECT_EQ(number("xa-minh-xuan"), "2");
  EXPECT_EQ(number("xa-minh-xuan"), "400 series_exhausted");
  EXPECT_EQ(number("buu-dien"), "1002");
  EXPECT_EQ(number(""), "400 unit_required");
  EXPECT_EQ(number("khac"), "400 unknown_unit");
}

// A series without ranges is one counter up to 99,999,999 (8 digits): the last numbers are issued
// and signed with all their digits, then the series answers 400 series_exhausted.
TEST_F(Receipts, SeriesWithoutRanges_RunsOutAfter99999999) {
  const std::string symbol = nextSymbol();
  store::SeriesRecord record;  // seeded in the store near the end: 99,999,997 receipts are not issued here
  record.id = "sr_" + std::string(32, 'e');
  record.templateCode = "EBL01";
  record.symbol = symbol;
  record.year = vietnamYear(service->clock().now());
  record.organizationName = "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang";
  record.organizationTaxCode = "5000123459";
  record.organizationAddress = "Phường Minh Xuân, tỉnh Tuyên Quang";
  record.keyId = "seal";
  record.createdAt = std::chrono::floor<std::chrono::seconds>(service->clock().now());
  record.next = 99'999'998;
  service->core().store().receipts().insertSeries(record);

  const auto first = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(json(first.body)->getValue<int>("number"), 99'999'998);
  const auto last = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(last.status, 201) << last.body;
  EXPECT_EQ(json(last.body)->getValue<int>("number"), 99'999'999);
  EXPECT_EQ(json(last.body)->getValue<std::string>("number_text"), "99999999");
  const std::string xml = service->core().receipts().xml(json(last.body)->getValue<std::string>("id"));
  EXPECT_NE(xml.find("<SBLai>99999999</SBLai>"), std::string::npos) << xml;
  test::XmlVerifier verifier(service->core().devPki()->rootCa(), service->core().devPki()->issuingCa());
  EXPECT_TRUE(verifier.verify(xml));

  const auto none = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  EXPECT_EQ(none.status, 400) << none.body;
  EXPECT_EQ(errorCode(none), "series_exhausted");
  EXPECT_NE(errorMessage(none).find("no numbers left"), std::string::npos) << none.body;
  // Nothing was taken: the series still stands at its end, and still refuses.
  const auto series = json(service->call("GET", "/v1/series/" + record.id, adminKey).body);
  EXPECT_EQ(series->getValue<std::int64_t>("next_number"), 100'000'000);
  EXPECT_EQ(errorCode(issue(receiptBody(symbol, uniqueTransaction()), uniqueKey())), "series_exhausted");
}

// Numbers start at 1 each year: at midnight of 1 January in Vietnam (17:00 UTC the day before) last
// year's series answers series_closed, and the new year's series starts at 1.
TEST_F(Receipts, NewYear_LastYearsSeriesIsClosed_TheNewYearsStartsAtOne) {
  const ClockRestore restore(service->clock());
  const int year = vietnamYear(service->clock().now());
  const pki::TimePoint lastSecond = at(year, "12-31T23:59:59");
  service->clock().set(lastSecond);
  const std::string symbol = newSeries();
  const auto before = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(before.status, 201) << before.body;
  EXPECT_EQ(json(before.body)->getValue<int>("number"), 1);

  service->clock().set(lastSecond + std::chrono::seconds(1));
  EXPECT_EQ(service->clock().now(), pki::parseIso8601(std::to_string(year) + "-12-31T17:00:00Z"));
  const auto closed = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  EXPECT_EQ(closed.status, 400) << closed.body;
  EXPECT_EQ(errorCode(closed), "series_closed");
  EXPECT_NE(errorMessage(closed).find(symbol), std::string::npos) << closed.body;
  EXPECT_NE(errorMessage(closed).find(std::to_string(year)), std::string::npos) << closed.body;

  const std::string next = symbolFor(service->clock().now(), symbol.substr(3));
  EXPECT_EQ(next, symbolFor(lastSecond + std::chrono::hours(24), symbol.substr(3)));
  const auto created = service->call("POST", "/v1/series", adminKey, seriesBody(next));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json(created.body)->getValue<int>("year"), year + 1);
  const auto first = issue(receiptBody(next, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(json(first.body)->getValue<int>("number"), 1);
  const std::string xml = service->core().receipts().xml(json(first.body)->getValue<std::string>("id"));
  EXPECT_NE(xml.find("<NLap>" + std::to_string(year + 1) + "-01-01</NLap>"), std::string::npos) << xml;
  // The closed series kept its count: the refusal took no number.
  const auto listed = json(service->call("GET", "/v1/series", adminKey).body)->getArray("series");
  for (unsigned i = 0; i < listed->size(); ++i) {
    if (listed->getObject(i)->getValue<std::string>("symbol") == symbol) {
      EXPECT_EQ(listed->getObject(i)->getValue<int>("next_number"), 2);
    }
  }
}

// The list's filters each return the matching subset: status after a replacement, a from/to window
// (days in Vietnam, or RFC 3339 instants with `to` excluded), the template, and all together.
TEST_F(Receipts, List_FiltersReturnTheMatchingSubset) {
  const ClockRestore restore(service->clock());
  const int year = vietnamYear(service->clock().now()) + 1;  // days of our own, in the seal's validity
  const pki::TimePoint day1 = at(year, "03-10T09:00:00"), day3 = at(year, "03-12T15:30:00");
  service->clock().set(day1);
  const std::string symbol = newSeries();
  std::string ebl02 = seriesBody(symbol);
  ebl02.replace(ebl02.find("EBL01"), 5, "EBL02");
  ASSERT_EQ(service->call("POST", "/v1/series", adminKey, ebl02).status, 201);
  const auto issued = [&](const std::string& body) {
    const auto a = issue(body, uniqueKey());
    EXPECT_EQ(a.status, 201) << a.body;
    return a.status == 201 ? json(a.body)->getValue<std::string>("id") : std::string();
  };
  std::set<std::string> first, third;
  for (int i = 0; i < 3; ++i) first.insert(issued(receiptBody(symbol, uniqueTransaction())));
  service->clock().set(day3);
  for (int i = 0; i < 2; ++i) third.insert(issued(receiptBody(symbol, uniqueTransaction())));
  std::string other = receiptBody(symbol, uniqueTransaction());
  other.replace(other.find("EBL01"), 5, "EBL02");
  const std::string templated = issued(other);
  third.insert(templated);
  const std::string original = *first.begin();
  std::string corrected = receiptBody(symbol, "ignored", 10000);
  corrected = "{" + corrected.substr(corrected.find("\"payer\""));
  const auto replaced = service->call("POST", "/v1/receipts/" + original + "/replacement", backendKey, corrected,
                                      {{"Idempotency-Key", uniqueKey()}});
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  const std::string replacement = json(replaced.body)->getValue<std::string>("id");
  third.insert(replacement);

  const auto listed = [&](const std::string& filters) {
    const auto answer = service->call("GET", "/v1/receipts?series=" + symbol + "&limit=500" + filters, backendKey);
    EXPECT_EQ(answer.status, 200) << filters << ": " << answer.body;
    std::set<std::string> ids;
    const auto items = json(answer.body)->getArray("receipts");
    for (unsigned i = 0; i < items->size(); ++i) ids.insert(items->getObject(i)->getValue<std::string>("id"));
    return ids;
  };
  const auto minus = [](std::set<std::string> all, const std::set<std::string>& out) {
    for (const auto& id : out) all.erase(id);
    return all;
  };
  std::set<std::string> all = first;
  all.insert(third.begin(), third.end());
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(listed(""), all);
  EXPECT_EQ(listed("&status=replaced"), std::set<std::string>{original});
  EXPECT_EQ(listed("&status=issued"), minus(all, {original}));
  const std::string y = std::to_string(year);
  EXPECT_EQ(listed("&to=" + y + "-03-10"), first);  // the whole day, in Vietnam
  EXPECT_EQ(listed("&from=" + y + "-03-12"), third);
  EXPECT_EQ(listed("&from=" + y + "-03-11&to=" + y + "-03-11"), std::set<std::string>{});
  EXPECT_EQ(listed("&from=" + y + "-03-10&to=" + y + "-03-12"), all);
  // Instants: 09:00 on the 10th in Vietnam is 02:00 UTC; `to` is excluded.
  EXPECT_EQ(listed("&from=" + y + "-03-10T02:00:00Z&to=" + y + "-03-10T02:00:01Z"), first);
  EXPECT_EQ(listed("&from=" + y + "-03-10T02:00:01Z&to=" + y + "-03-12T08:30:00Z"), std::set<std::string>{});
  EXPECT_EQ(listed("&from=" + y + "-03-12T08:30:00Z"), third);
  EXPECT_EQ(listed("&template=EBL02"), std::set<std::string>{templated});
  EXPECT_EQ(listed("&template=EBL01"), minus(all, {templated}));
  EXPECT_EQ(listed("&template=EBL01&status=issued&from=" + y + "-03-12"), minus(third, {templated}));
  EXPECT_EQ(listed("&status=replaced&from=" + y + "-03-12"), std::set<std::string>{});
  EXPECT_EQ(errorCode(service->call("GET", "/v1/receipts?template=EBL09", backendKey)), "invalid_template");
}

// Originals are immutable: a notice and a replacement change the original's status, never its signed
// XML or its PDF copy.
TEST_F(Receipts, Original_XmlAndPdfUnchanged_ByANoticeAndAReplacement) {
  const std::string symbol = newSeries();
  const auto answer = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(answer.status, 201) << answer.body;
  const std::string id = json(answer.body)->getValue<std::string>("id");
  const auto bytes = [&](const std::string& what) {
    const auto got = service->call("GET", "/v1/receipts/" + id + "/" + what, backendKey);
    EXPECT_EQ(got.status, 200) << what << ": " << got.body;
    return got.body;
  };
  const std::string xml = bytes("xml"), pdf = bytes("pdf");
  ASSERT_FALSE(xml.empty());
  ASSERT_TRUE(pdf.starts_with("%PDF-"));

  const auto notice = service->call(
      "POST", "/v1/receipts/" + id + "/notices", backendKey,
      R"({"reason": "Sai tên người nộp", "corrections": [{"field": "payer.name", "new": "Nguyễn Văn Anh"}]})",
      {{"Idempotency-Key", uniqueKey()}});
  ASSERT_EQ(notice.status, 201) << notice.body;
  EXPECT_EQ(bytes("xml"), xml);
  EXPECT_EQ(bytes("pdf"), pdf);
  const auto afterNotice = json(service->call("GET", "/v1/receipts/" + id, backendKey).body);
  EXPECT_EQ(afterNotice->getValue<std::string>("status"), "issued");
  EXPECT_EQ(afterNotice->getObject("payer")->getValue<std::string>("name"), "Nguyễn Văn A");

  std::string corrected = receiptBody(symbol, "ignored", 10000);
  corrected = "{" + corrected.substr(corrected.find("\"payer\""));
  const auto replaced = service->call("POST", "/v1/receipts/" + id + "/replacement", backendKey, corrected,
                                      {{"Idempotency-Key", uniqueKey()}});
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  EXPECT_EQ(bytes("xml"), xml);
  EXPECT_EQ(bytes("pdf"), pdf);
  const auto afterReplacement = json(service->call("GET", "/v1/receipts/" + id, backendKey).body);
  EXPECT_EQ(afterReplacement->getValue<std::string>("status"), "replaced");
  EXPECT_EQ(afterReplacement->getValue<std::int64_t>("total"), 8000);
  test::writeFile(work / "original.xml", xml);
  const auto verdict = test::xmlsec1Verify(work / "original.xml", service->core().devPki()->rootCa(),
                                           &service->core().devPki()->issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
}

TEST_F(Receipts, Replacement_LinksBothWays_AndOnlyOnce) {
  const std::string symbol = newSeries();
  const auto original = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(original.status, 201);
  const std::string id = json(original.body)->getValue<std::string>("id");
  const std::string code = json(original.body)->getValue<std::string>("lookup_code");

  std::string corrected = receiptBody(symbol, "ignored", 10000);
  // A replacement names no series: it takes the original's.
  corrected.erase(0, corrected.find("\"payer\""));
  corrected = "{" + corrected;
  const std::string key = uniqueKey();
  const auto replaced =
      service->call("POST", "/v1/receipts/" + id + "/replacement", backendKey, corrected, {{"Idempotency-Key", key}});
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  const auto r = json(replaced.body);
  EXPECT_EQ(r->getValue<int>("number"), 2);
  EXPECT_EQ(r->getValue<std::string>("replaces"), id);
  EXPECT_EQ(r->getObject("original")->getValue<int>("number"), 1);
  const auto replacementXml =
      service->call("GET", "/v1/receipts/" + r->getValue<std::string>("id") + "/xml", backendKey);
  EXPECT_NE(replacementXml.body.find("<SBLLQuan>00000001</SBLLQuan>"), std::string::npos) << replacementXml.body;
  EXPECT_EQ(r->getValue<std::string>("total_in_words"), "Mười nghìn đồng");

  const auto now = json(service->call("GET", "/v1/receipts/" + id, backendKey).body);
  EXPECT_EQ(now->getValue<std::string>("status"), "replaced");
  EXPECT_EQ(now->getValue<std::string>("replaced_by"), r->getValue<std::string>("id"));

  // A retry is the same replacement; a second replacement of the original is refused.
  const auto retried =
      service->call("POST", "/v1/receipts/" + id + "/replacement", backendKey, corrected, {{"Idempotency-Key", key}});
  EXPECT_EQ(json(retried.body)->getValue<std::string>("id"), r->getValue<std::string>("id"));
  const auto again = service->call("POST", "/v1/receipts/" + id + "/replacement", backendKey, corrected,
                                   {{"Idempotency-Key", uniqueKey()}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(errorCode(again), "receipt_replaced");

  const auto lookup = service->call("GET", "/v1/public/receipts/" + code, "");
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  const auto pub = json(lookup.body);
  EXPECT_EQ(pub->getValue<std::string>("status"), "replaced");
  EXPECT_EQ(pub->getObject("replaced_by")->getValue<std::string>("number"), "00000002");
}

TEST_F(Receipts, PublicLookup_MasksThePayer_AndUnknownCodesAreNotFound) {
  const std::string symbol = newSeries();
  const auto answer = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  const std::string code = json(answer.body)->getValue<std::string>("lookup_code");
  const auto lookup = service->call("GET", "/v1/public/receipts/" + code, "");
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_EQ(lookup.body.find("008085012345"), std::string::npos) << lookup.body;
  EXPECT_EQ(json(lookup.body)->getObject("payer")->getValue<std::string>("id"), "*********345");
  EXPECT_EQ(json(lookup.body)->getValue<std::string>("status"), "issued");
  EXPECT_EQ(service->call("GET", "/v1/public/receipts/ZZZZZZZZZZZZ", "").status, 404);
  // Typed from paper: lower case and a dash are forgiven.
  std::string typed = code.substr(0, 6) + "-" + code.substr(6);
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(service->call("GET", "/v1/public/receipts/" + typed, "").status, 200) << typed;

  // The QR code's link lands on the verification page, which looks the code up (tests/web).
  const auto page = service->call("GET", "/v/" + code, "");
  EXPECT_EQ(page.status, 302);
  EXPECT_EQ(page.header("Location"), "/verify?code=" + code);
}

TEST_F(Receipts, List_FiltersAndPages) {
  const std::string symbol = newSeries();
  std::set<std::string> issued;
  for (int i = 0; i < 5; ++i) {
    issued.insert(json(issue(receiptBody(symbol, uniqueTransaction()), uniqueKey()).body)->getValue<std::string>("id"));
  }
  std::set<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    const auto answer = service->call(
        "GET", "/v1/receipts?series=" + symbol + "&limit=2" + (after.empty() ? "" : "&after=" + after), backendKey);
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto body = json(answer.body);
    const auto items = body->getArray("receipts");
    for (unsigned i = 0; i < items->size(); ++i) seen.insert(items->getObject(i)->getValue<std::string>("id"));
    if (body->isNull("next")) break;
    after = body->getValue<std::string>("next");
  }
  EXPECT_EQ(seen, issued);
  EXPECT_EQ(errorCode(service->call("GET", "/v1/receipts?limit=0", backendKey)), "invalid_parameter");
  EXPECT_EQ(errorCode(service->call("GET", "/v1/receipts?status=cancelled", backendKey)), "invalid_status");
}

TEST_F(Receipts, Notice_CorrectsTextOnly_SignedAndIdempotent) {
  const std::string symbol = newSeries();
  const auto issued = issue(receiptBody(symbol, uniqueTransaction()), uniqueKey());
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string id = json(issued.body)->getValue<std::string>("id");
  const std::string path = "/v1/receipts/" + id + "/notices";
  const std::string body =
      R"({"reason": "Sai tên người nộp", "corrections": [{"field": "payer.name", "new": "Nguyễn Văn Anh"}]})";
  const std::string key = uniqueKey();
  const auto made = service->call("POST", path, backendKey, body, {{"Idempotency-Key", key}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto notice = json(made.body);
  const auto correction = notice->getArray("corrections")->getObject(0);
  EXPECT_EQ(correction->getValue<std::string>("old"), "Nguyễn Văn A");  // from the receipt, not the request
  EXPECT_EQ(correction->getValue<std::string>("new"), "Nguyễn Văn Anh");

  const auto xml = service->call("GET", "/v1/notices/" + notice->getValue<std::string>("id") + "/xml", backendKey);
  ASSERT_EQ(xml.status, 200);
  test::writeFile(work / "notice.xml", xml.body);
  const auto verdict = test::xmlsec1Verify(work / "notice.xml", service->core().devPki()->rootCa(),
                                           &service->core().devPki()->issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
  const auto schema = test::xmllintSchema(work / "notice.xml");
  EXPECT_TRUE(schema.ok) << schema.output;
  EXPECT_NE(xml.body.find("04/SS-CTĐT"), std::string::npos);

  const auto retried = service->call("POST", path, backendKey, body, {{"Idempotency-Key", key}});
  EXPECT_EQ(json(retried.body)->getValue<std::string>("id"), notice->getValue<std::string>("id"));
  EXPECT_EQ(retried.header("Idempotent-Replayed"), "true");
  const auto listed = json(service->call("GET", path, backendKey).body);
  EXPECT_EQ(listed->getArray("notices")->size(), 1u);

  const auto refused = [&](const std::string& corrections) {
    return service->call("POST", path, backendKey, R"({"reason": "x", "corrections": )" + corrections + "}",
                         {{"Idempotency-Key", uniqueKey()}});
  };
  EXPECT_EQ(errorCode(refused(R"([{"field": "payer.id", "new": "001085012345"}])")), "correction_not_allowed");
  EXPECT_EQ(errorCode(refused(R"([{"field": "items[0].amount", "new": "9000"}])")), "correction_not_allowed");
  EXPECT_EQ(errorCode(refused(R"([{"field": "payer.phone", "new": "0912"}])")), "invalid_correction");
  EXPECT_EQ(errorCode(refused(R"([{"field": "items[3].name", "new": "Phí"}])")), "invalid_correction");
  EXPECT_EQ(errorCode(refused(R"([{"field": "total_in_words", "new": "Tám nghìn đồng"}])")), "invalid_correction");
  EXPECT_EQ(errorCode(refused("[]")), "missing_field");
  const auto ok = refused(R"([{"field": "items[0].name", "new": "Lệ phí cấp bản sao trích lục khai sinh"}])");
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(service->call("POST", "/v1/receipts/rc_none/notices", backendKey, body, {{"Idempotency-Key", uniqueKey()}})
                .status,
            404);
}

TEST_F(Receipts, DailySummary_ListsTheDaysReceipts_SignedForTheTaxAuthority) {
  const std::string taxCode = "0101234565";  // an organisation of its own: only this test's receipts
  const std::string symbol = newSeries("", taxCode);
  std::vector<std::string> ids;
  for (const std::int64_t amount : {8000, 150000}) {
    const auto a = issue(receiptBody(symbol, uniqueTransaction(), amount), uniqueKey());
    ASSERT_EQ(a.status, 201) << a.body;
    ids.push_back(json(a.body)->getValue<std::string>("id"));
  }
  std::string corrected = receiptBody(symbol, "ignored", 10000);
  corrected = "{" + corrected.substr(corrected.find("\"payer\""));
  ASSERT_EQ(service
                ->call("POST", "/v1/receipts/" + ids[0] + "/replacement", backendKey, corrected,
                       {{"Idempotency-Key", uniqueKey()}})
                .status,
            201);

  const std::string date = pki::formatIso8601(service->clock().now()).substr(0, 10);
  const auto summary =
      service->call("GET", "/v1/reports/daily-summary?date=" + date + "&tax_code=" + taxCode, backendKey);
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto s = json(summary.body);
  EXPECT_EQ(s->getValue<int>("count"), 3);
  EXPECT_EQ(s->getValue<std::int64_t>("total"), 8000 + 150000 + 10000);
  const auto rows = s->getArray("receipts");
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("status"), "replaced");
  EXPECT_EQ(rows->getObject(2)->getObject("replaces")->getValue<std::string>("id"), ids[0]);

  const auto xml =
      service->call("GET", "/v1/reports/daily-summary?format=xml&date=" + date + "&tax_code=" + taxCode, backendKey);
  ASSERT_EQ(xml.status, 200) << xml.body;
  test::writeFile(work / "summary.xml", xml.body);
  const auto verdict = test::xmlsec1Verify(work / "summary.xml", service->core().devPki()->rootCa(),
                                           &service->core().devPki()->issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
  const auto schema = test::xmllintSchema(work / "summary.xml");
  EXPECT_TRUE(schema.ok) << schema.output;
  EXPECT_NE(xml.body.find("<SLuong>3</SLuong>"), std::string::npos);
  EXPECT_NE(xml.body.find("Đã bị thay thế"), std::string::npos);

  // The day before (this organisation issues only in this test): an empty, still signed, table.
  const std::string dayBefore = pki::formatIso8601(service->clock().now() - std::chrono::hours(24)).substr(0, 10);
  const auto empty =
      service->call("GET", "/v1/reports/daily-summary?date=" + dayBefore + "&tax_code=" + taxCode, backendKey);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(json(empty.body)->getValue<int>("count"), 0);
  EXPECT_EQ(json(empty.body)->getArray("receipts")->size(), 0u);
  const auto emptyXml = service->call(
      "GET", "/v1/reports/daily-summary?format=xml&date=" + dayBefore + "&tax_code=" + taxCode, backendKey);
  ASSERT_EQ(emptyXml.status, 200) << emptyXml.body;
  test::writeFile(work / "empty.xml", emptyXml.body);
  const auto emptyVerdict = test::xmlsec1Verify(work / "empty.xml", service->core().devPki()->rootCa(),
                                                &service->core().devPki()->issuingCa());
  EXPECT_TRUE(emptyVerdict.ok) << emptyVerdict.output;
  const auto emptySchema = test::xmllintSchema(work / "empty.xml");
  EXPECT_TRUE(emptySchema.ok) << emptySchema.output;
  EXPECT_NE(emptyXml.body.find("<SLuong>0</SLuong>"), std::string::npos) << emptyXml.body;
  EXPECT_NE(emptyXml.body.find(taxCode), std::string::npos);

  // A second organisation issues the same day: the day's receipts are of two, so one must be named.
  const std::string otherTaxCode = "0100109106";
  const std::string otherSymbol = newSeries("", otherTaxCode);
  ASSERT_EQ(issue(receiptBody(otherSymbol, uniqueTransaction()), uniqueKey()).status, 201);
  EXPECT_EQ(errorCode(service->call("GET", "/v1/reports/daily-summary?date=" + date, backendKey)), "tax_code_required");
  EXPECT_EQ(
      json(service->call("GET", "/v1/reports/daily-summary?date=" + date + "&tax_code=" + taxCode, backendKey).body)
          ->getValue<int>("count"),
      3);
  EXPECT_EQ(
      errorCode(service->call("GET", "/v1/reports/daily-summary?date=2026-13-01&tax_code=" + taxCode, backendKey)),
      "invalid_parameter");
  EXPECT_EQ(service->call("GET", "/v1/reports/daily-summary?date=" + date + "&tax_code=0100112437", backendKey).status,
            404);
}

// A series names its seal: with two keys configured, each series' receipts carry the certificate of
// the key it was created with (the default when it names none); an unknown key and a year that
// disagrees with the symbol are refused.
TEST(ReceiptsTwoSeals, SeriesKeyChoosesTheSeal_YearMustAgreeWithTheSymbol) {
  const pki::DevPki& pki = test::devPki();
  test::TempDir dir;
  std::map<std::string, pki::Certificate> certificates;
  std::map<std::string, std::string> settings = {{"keys.default", "seal"}};
  for (const std::string id : {"seal", "branch"}) {
    auto key = pki::SoftwareKey::generate(pki::KeyAlgorithm::Rsa);
    pki::CertificateProfile profile;
    profile.subject = {{"C", "VN"}, {"O", "Trung tâm Phục vụ hành chính công"}, {"CN", "Con dấu " + id}};
    profile.notBefore = pki::SystemClock::instance().now() - std::chrono::hours(1);
    profile.lifetime = std::chrono::hours(24 * 30);
    profile.keyUsage = "critical,digitalSignature,nonRepudiation";
    const auto cert = pki::issueCertificate(profile, key->get(), &pki.issuingCa(), *pki.issuingCaKey());
    test::writeFile(dir / (id + ".key"), key->privateKeyPem());
    test::writeFile(dir / (id + ".pem"), cert.pem() + pki.issuingCa().pem());
    settings["keys." + id + ".pem_key"] = (dir / (id + ".key")).string();
    settings["keys." + id + ".pem_chain"] = (dir / (id + ".pem")).string();
    certificates.emplace(id, cert);
  }
  test::TestService service({.settings = settings});
  const std::string admin = service.key(Role::Admin, "operator"), backend = service.key(Role::Backend, "dvc");
  const int year = vietnamYear(service.clock().now());

  const auto create = [&](const std::string& letters, const std::string& extra) {
    return service.call("POST", "/v1/series", admin, seriesBody(symbolFor(service.clock().now(), letters), extra));
  };
  const auto branch = create("BR", R"(, "key": "branch", "year": )" + std::to_string(year));
  ASSERT_EQ(branch.status, 201) << branch.body;
  EXPECT_EQ(json(branch.body)->getValue<std::string>("key"), "branch");
  EXPECT_EQ(json(branch.body)->getValue<int>("year"), year);
  const auto plain = create("PL", "");
  ASSERT_EQ(plain.status, 201) << plain.body;
  EXPECT_EQ(json(plain.body)->getValue<std::string>("key"), "seal");

  int n = 0;
  for (const auto& [letters, key] :
       std::vector<std::pair<std::string, std::string>>{{"BR", "branch"}, {"PL", "seal"}}) {
    SCOPED_TRACE(key);
    const auto issued =
        service.call("POST", "/v1/receipts", backend,
                     receiptBody(symbolFor(service.clock().now(), letters), "PG-SEAL-" + std::to_string(++n)),
                     {{"Idempotency-Key", "seal-" + std::to_string(n)}});
    ASSERT_EQ(issued.status, 201) << issued.body;
    const auto xml =
        service.call("GET", "/v1/receipts/" + json(issued.body)->getValue<std::string>("id") + "/xml", backend);
    ASSERT_EQ(xml.status, 200);
    const auto inKeyInfo = keyInfoCertificates(xml.body);
    ASSERT_EQ(inKeyInfo.size(), 1u) << xml.body;
    EXPECT_EQ(inKeyInfo[0], certificates.at(key)) << inKeyInfo[0].subject();
    test::writeFile(dir / "receipt.xml", xml.body);
    const auto verdict = test::xmlsec1Verify(dir / "receipt.xml", pki.rootCa(), &pki.issuingCa());
    EXPECT_TRUE(verdict.ok) << verdict.output;
  }

  const auto unknown = create("UK", R"(, "key": "nope")");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(errorCode(unknown), "key_not_found");
  EXPECT_NE(errorMessage(unknown).find("nope"), std::string::npos) << unknown.body;
  const auto otherYear = create("OY", R"(, "year": )" + std::to_string(year + 1));
  EXPECT_EQ(otherYear.status, 400) << otherYear.body;
  EXPECT_EQ(errorCode(otherYear), "invalid_series_symbol");
  EXPECT_NE(errorMessage(otherYear).find(std::to_string(year + 1)), std::string::npos) << otherYear.body;
  const auto absurdYear = create("AY", R"(, "year": 1999)");
  EXPECT_EQ(absurdYear.status, 400) << absurdYear.body;
  EXPECT_EQ(errorCode(absurdYear), "invalid_field");
  EXPECT_NE(errorMessage(absurdYear).find("year"), std::string::npos) << absurdYear.body;
  // None of the refused ones was stored.
  EXPECT_EQ(json(service.call("GET", "/v1/series", admin).body)->getArray("series")->size(), 2u);
}

// 32 clients issue 2,000 receipts on one series at once: numbers are exactly 1..2000, and every
// receipt's signature holds.
TEST_F(Receipts, Concurrency_32Clients2000Receipts_GaplessAndAllVerify) {
  const std::string symbol = newSeries();
  constexpr int kClients = 32, kTotal = 2000;
  std::atomic<int> next{0};
  std::vector<std::vector<std::pair<int, std::string>>> got(kClients);  // number, id
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = next++; i < kTotal; i = next++) {
        const auto a = issue(receiptBody(symbol, "C-" + std::to_string(i)), "conc-" + std::to_string(i));
        if (a.status != 201) {
          failures[static_cast<std::size_t>(c)] += std::to_string(a.status) + " " + a.body + "\n";
          continue;
        }
        const auto r = json(a.body);
        got[static_cast<std::size_t>(c)].emplace_back(r->getValue<int>("number"), r->getValue<std::string>("id"));
      }
    });
  }
  for (auto& t : clients) t.join();
  std::vector<int> numbers;
  std::vector<std::string> ids;
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(failures[static_cast<std::size_t>(c)], "");
    for (const auto& [n, id] : got[static_cast<std::size_t>(c)]) {
      numbers.push_back(n);
      ids.push_back(id);
    }
  }
  std::sort(numbers.begin(), numbers.end());
  ASSERT_EQ(numbers.size(), static_cast<std::size_t>(kTotal));
  for (int i = 0; i < kTotal; ++i) ASSERT_EQ(numbers[static_cast<std::size_t>(i)], i + 1);

  test::XmlVerifier verifier(service->core().devPki()->rootCa(), service->core().devPki()->issuingCa());
  for (const auto& id : ids) {
    const std::string xml = service->core().receipts().xml(id);
    ASSERT_TRUE(verifier.verify(xml)) << id;
  }
}

}  // namespace
}  // namespace kyso::api

namespace kyso::test {
namespace {

pki::Certificate served(int port, const std::string& path) {
  const std::string body = http(port, "GET", path).body;
  return body.starts_with("-----BEGIN") ? pki::Certificate::fromPem(body) : pki::Certificate::fromDer(asBytes(body));
}

// SIGKILL in the middle of a run of concurrent issues, then a restart: every receipt whose 201
// reached a client is there with its number and verifies, numbers stay gapless, and retries with
// the same idempotency keys get what was made before the kill.
TEST(ReceiptsCrash, KilledMidRun_AcknowledgedReceiptsSurvive_NumbersStayGapless) {
  TempDir dir;
  const auto dataDir = dir / "var";
  std::optional<ServerProcess> server(std::in_place,
                                      std::vector<std::string>{"--port", "0", "--data-dir", dataDir.string()});
  ASSERT_GT(server->port(), 0) << server->log();
  const std::string admin = createdKey(dataDir, "admin"), backend = createdKey(dataDir, "backend");
  const std::string symbol = symbolFor(pki::SystemClock::instance().now(), "KH");
  ASSERT_EQ(http(server->port(), "POST", "/v1/series", api::seriesBody(symbol), "application/json",
                 {{"Authorization", "Bearer " + admin}})
                .status,
            201);

  // As many clients as the issue's concurrency run ("such a run"); killed early to keep it short.
  constexpr int kClients = 32;
  constexpr std::size_t kBeforeKill = 200;
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<int, std::pair<std::string, int>> acknowledged;  // request → (id, number)
  const auto request = [&](int port, int i) {
    return http(port, "POST", "/v1/receipts", api::receiptBody(symbol, "K-" + std::to_string(i)), "application/json",
                {{"Authorization", "Bearer " + backend}, {"Idempotency-Key", "kill-" + std::to_string(i)}});
  };
  std::vector<std::thread> clients;
  const int port = server->port();
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      while (!stop) {
        const int i = next++;
        HttpAnswer a;
        try {
          a = request(port, i);
        } catch (const std::exception&) {
          return;  // the server is gone
        }
        if (a.status != 201) return;
        const auto r = json(a.body);
        std::lock_guard lock(mutex);
        acknowledged[i] = {r->getValue<std::string>("id"), r->getValue<int>("number")};
      }
    });
  }
  // Kill once a few hundred receipts are through, while the clients are still sending.
  for (int waited = 0; waited < 600; ++waited) {
    {
      std::lock_guard lock(mutex);
      if (acknowledged.size() >= kBeforeKill) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server->kill();
  stop = true;
  for (auto& t : clients) t.join();
  const int attempted = next.load();
  ASSERT_GE(acknowledged.size(), kBeforeKill);

  server.emplace(std::vector<std::string>{"--port", "0", "--data-dir", dataDir.string()});
  ASSERT_GT(server->port(), 0) << server->log();
  const int again = server->port();
  XmlVerifier verifier(served(again, "/pki/ca/root.crt"), served(again, "/pki/ca/issuing.crt"));
  for (const auto& [i, receipt] : acknowledged) {
    const auto read =
        http(again, "GET", "/v1/receipts/" + receipt.first, {}, {}, {{"Authorization", "Bearer " + backend}});
    ASSERT_EQ(read.status, 200) << "acknowledged receipt " << receipt.first << " lost";
    EXPECT_EQ(json(read.body)->getValue<int>("number"), receipt.second);
    const auto xml =
        http(again, "GET", "/v1/receipts/" + receipt.first + "/xml", {}, {}, {{"Authorization", "Bearer " + backend}});
    ASSERT_TRUE(verifier.verify(xml.body)) << receipt.first;
  }

  // Every request is retried with its key: the acknowledged ones get their receipt again, the
  // others get the one made before the kill (when the answer was lost) or a new one.
  std::set<int> numbers;
  std::set<std::string> ids;
  for (int i = 0; i < attempted; ++i) {
    const auto a = request(again, i);
    ASSERT_EQ(a.status, 201) << a.body;
    const auto r = json(a.body);
    if (const auto known = acknowledged.find(i); known != acknowledged.end()) {
      EXPECT_EQ(r->getValue<std::string>("id"), known->second.first);
      EXPECT_EQ(a.header("Idempotent-Replayed"), "true");
    }
    numbers.insert(r->getValue<int>("number"));
    ids.insert(r->getValue<std::string>("id"));
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(attempted));
  ASSERT_EQ(numbers.size(), static_cast<std::size_t>(attempted));
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(*numbers.rbegin(), attempted);  // 1..attempted, each once: no gap, no repeat

  // New requests after the restart continue the series, and every receipt — made before the kill
  // or by the restarted server — verifies.
  constexpr int kAfter = 5;
  for (int i = attempted; i < attempted + kAfter; ++i) {
    const auto a = request(again, i);
    ASSERT_EQ(a.status, 201) << a.body;
    EXPECT_EQ(a.header("Idempotent-Replayed"), "");
    EXPECT_EQ(json(a.body)->getValue<int>("number"), i + 1);
    ids.insert(json(a.body)->getValue<std::string>("id"));
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(attempted + kAfter));
  for (const auto& id : ids) {
    const auto xml =
        http(again, "GET", "/v1/receipts/" + id + "/xml", {}, {}, {{"Authorization", "Bearer " + backend}});
    ASSERT_EQ(xml.status, 200) << id;
    EXPECT_TRUE(verifier.verify(xml.body)) << id;
  }
  EXPECT_EQ(server->terminate(), 0);
}

}  // namespace
}  // namespace kyso::test
