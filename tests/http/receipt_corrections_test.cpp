// Correcting e-receipts over HTTP where the year or the seal gets in the way: a receipt of 31 December
// replaced in January into the new year's series (Decree 254/2026 has no cancel), a malformed series
// symbol refused at the edge, and a seal whose certificate has expired on the routes that sign after
// issue (the PDF copy, notices, the daily summary). Each test has its own service on a FixedClock.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <chrono>
#include <string>

#include "http_client.h"
#include "receipt_bodies.h"
#include "test_service.h"
#include "test_support.h"
#include "xml_peers.h"

namespace kyso::api {
namespace {

using test::errorCode;
using test::HttpAnswer;
using test::json;
using test::receiptBody;
using test::receiptContent;
using test::seriesBody;
using test::symbolOf;
using test::vietnamYear;

constexpr const char* kTaxCode = "5000123459";
constexpr const char* kOtherTaxCode = "0101234565";

// An instant given as Vietnam local time (UTC+07:00, no daylight saving).
pki::TimePoint vietnamTime(int year, unsigned month, unsigned day, int hour, int minute) {
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) - pki::kVietnamUtcOffset;
}

// A replacement's body; `series` is `"template": ..., "symbol": ...` (or empty: the original's).
std::string replacementBody(const std::string& series, const std::string& transaction, std::int64_t amount) {
  return "{" + (series.empty() ? "" : series + ", ") + receiptContent(transaction, amount) + "}";
}

std::string seriesFields(const std::string& templateCode, const std::string& symbol) {
  return R"("template": ")" + templateCode + R"(", "symbol": ")" + symbol + "\"";
}

// A service of its own on a FixedClock that starts now: the development PKI (made at construction)
// is valid now, so xmlsec1, which checks certificates at the real time, accepts its signatures.
test::TestServiceOptions onClock(pki::FixedClock& clock) {
  test::TestServiceOptions options;
  options.clock = &clock;
  return options;
}

class ReceiptCorrections : public ::testing::Test {
 protected:
  ReceiptCorrections()
      : clock(std::chrono::floor<std::chrono::seconds>(pki::SystemClock::instance().now())),
        service(onClock(clock)),
        adminKey(service.key(Role::Admin, "operator")),
        backendKey(service.key(Role::Backend, "procedure system")) {}

  HttpAnswer issue(const std::string& body, const std::string& idempotencyKey) {
    return service.call("POST", "/v1/receipts", backendKey, body, {{"Idempotency-Key", idempotencyKey}});
  }
  HttpAnswer replace(const std::string& id, const std::string& body, const std::string& idempotencyKey) {
    return service.call("POST", "/v1/receipts/" + id + "/replacement", backendKey, body,
                        {{"Idempotency-Key", idempotencyKey}});
  }
  void createSeries(const std::string& templateCode, const std::string& symbol, const std::string& taxCode) {
    const auto created = service.call("POST", "/v1/series", adminKey, seriesBody(symbol, "", taxCode, templateCode));
    ASSERT_EQ(created.status, 201) << created.body;
  }

  pki::FixedClock clock;
  test::TestService service;
  std::string adminKey, backendKey;
  test::TempDir work;
};

// A receipt issued on 31 December cannot go into its own series in January (the series is closed):
// the replacement names the new year's series of the same template and organisation, is numbered
// from 1 there, links to the original, and the original becomes "replaced".
TEST_F(ReceiptCorrections, Replacement_AfterNewYear_GoesIntoTheNewYearsSeries) {
  const int year = vietnamYear(clock.now());
  const std::string oldSymbol = symbolOf(year, "AB"), newSymbol = symbolOf(year + 1, "AB");

  clock.set(vietnamTime(year, 12, 31, 23, 30));
  createSeries("EBL01", oldSymbol, kTaxCode);
  const auto first = issue(receiptBody(oldSymbol, "PG-1231-1"), "dec-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto second = issue(receiptBody(oldSymbol, "PG-1231-2"), "dec-2");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(json(second.body)->getValue<int>("number"), 2);
  const std::string originalId = json(first.body)->getValue<std::string>("id");

  clock.set(vietnamTime(year + 1, 1, 2, 9, 0));
  const std::string corrected = receiptContent("PG-1231-1", 10000);
  // Into the original's series (the default, or named): closed since 1 January.
  const auto byDefault = replace(originalId, replacementBody("", "PG-1231-1", 10000), "jan-default");
  EXPECT_EQ(byDefault.status, 400) << byDefault.body;
  EXPECT_EQ(errorCode(byDefault), "series_closed");
  EXPECT_NE(byDefault.body.find("with template and symbol"), std::string::npos) << byDefault.body;
  const auto named =
      replace(originalId, replacementBody(seriesFields("EBL01", oldSymbol), "PG-1231-1", 10000), "jan-named-old");
  EXPECT_EQ(named.status, 400) << named.body;
  EXPECT_EQ(errorCode(named), "series_closed");
  // The new year's series does not exist yet.
  const auto missing =
      replace(originalId, replacementBody(seriesFields("EBL01", newSymbol), "PG-1231-1", 10000), "jan-missing");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(errorCode(missing), "series_not_found");

  createSeries("EBL01", newSymbol, kTaxCode);
  createSeries("EBL02", newSymbol, kTaxCode);                      // same organisation, other template
  createSeries("EBL01", symbolOf(year + 1, "AC"), kOtherTaxCode);  // other organisation
  int refusals = 0;
  for (const auto& [series, code] : std::vector<std::pair<std::string, std::string>>{
           {seriesFields("EBL02", newSymbol), "replacement_series_mismatch"},
           {seriesFields("EBL01", symbolOf(year + 1, "AC")), "replacement_series_mismatch"},
           {seriesFields("EBL01", symbolOf(year + 1, "AF")), "invalid_series_symbol"},  // F is not a series letter
           {seriesFields("EBL09", newSymbol), "invalid_template"},
           {R"("template": "EBL01")", "invalid_field"},  // template and symbol go together
           {R"("symbol": ")" + newSymbol + "\"", "invalid_field"},
       }) {
    const auto refused =
        replace(originalId, replacementBody(series, "PG-1231-1", 10000), "refused-" + std::to_string(++refusals));
    EXPECT_EQ(refused.status, 400) << series << ": " << refused.body;
    EXPECT_EQ(errorCode(refused), code) << series << ": " << refused.body;
  }

  const std::string key = "jan-replacement";
  const std::string body = "{" + seriesFields("EBL01", newSymbol) + ", " + corrected + "}";
  const auto replaced = replace(originalId, body, key);
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  const auto r = json(replaced.body);
  const std::string replacementId = r->getValue<std::string>("id");
  EXPECT_EQ(r->getValue<std::string>("symbol"), newSymbol);
  EXPECT_EQ(r->getValue<int>("number"), 1);  // numbering starts again; the refusals above took none
  EXPECT_EQ(pki::parseIso8601(r->getValue<std::string>("issued_at")), clock.now());
  EXPECT_EQ(r->getValue<std::string>("replaces"), originalId);
  EXPECT_EQ(r->getObject("original")->getValue<std::string>("symbol"), oldSymbol);
  EXPECT_EQ(r->getObject("original")->getValue<int>("number"), 1);
  EXPECT_EQ(r->getValue<std::string>("total_in_words"), "Mười nghìn đồng");

  const auto original = json(service.call("GET", "/v1/receipts/" + originalId, backendKey).body);
  EXPECT_EQ(original->getValue<std::string>("status"), "replaced");
  EXPECT_EQ(original->getValue<std::string>("replaced_by"), replacementId);
  EXPECT_EQ(original->getValue<std::string>("symbol"), oldSymbol);

  // The signed XML: the replacement's own series and number, and the original it replaces.
  const auto xml = service.call("GET", "/v1/receipts/" + replacementId + "/xml", backendKey);
  ASSERT_EQ(xml.status, 200);
  for (const std::string& part :
       {"<KHBLai>" + newSymbol + "</KHBLai>", std::string("<SBLai>00000001</SBLai>"),
        "<KHBLLQuan>" + oldSymbol + "</KHBLLQuan>", std::string("<SBLLQuan>00000001</SBLLQuan>"),
        "<MBLGoc>" + originalId + "</MBLGoc>"}) {
    EXPECT_NE(xml.body.find(part), std::string::npos) << part << "\n" << xml.body;
  }
  test::writeFile(work / "replacement.xml", xml.body);
  const auto verdict = test::xmlsec1Verify(work / "replacement.xml", service.core().devPki()->rootCa(),
                                           &service.core().devPki()->issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
  const auto schema = test::xmllintSchema(work / "replacement.xml");
  EXPECT_TRUE(schema.ok) << schema.output;

  // A retry is the same replacement; the original is not replaced twice.
  const auto retried = replace(originalId, body, key);
  EXPECT_EQ(retried.status, 201) << retried.body;
  EXPECT_EQ(json(retried.body)->getValue<std::string>("id"), replacementId);
  EXPECT_EQ(retried.header("Idempotent-Replayed"), "true");
  const auto again = replace(originalId, body, "jan-again");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(errorCode(again), "receipt_replaced");

  // The new series numbers on after the replacement; the day's summary links it to the original.
  const auto next = issue(receiptBody(newSymbol, "PG-0102-1"), "jan-1");
  ASSERT_EQ(next.status, 201) << next.body;
  EXPECT_EQ(json(next.body)->getValue<int>("number"), 2);
  const std::string day = pki::formatIso8601(clock.now()).substr(0, 10);
  const auto summary =
      service.call("GET", "/v1/reports/daily-summary?date=" + day + "&tax_code=" + kTaxCode, backendKey);
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto rows = json(summary.body)->getArray("receipts");
  ASSERT_EQ(rows->size(), 2u) << summary.body;
  EXPECT_EQ(rows->getObject(0)->getObject("replaces")->getValue<std::string>("id"), originalId);
  EXPECT_EQ(rows->getObject(0)->getObject("replaces")->getValue<std::string>("symbol"), oldSymbol);
}

// A symbol that cannot be a series symbol is a bad request (the series creation's check), not a
// series that does not exist; a well-formed symbol without a series is still 404.
TEST_F(ReceiptCorrections, IssueReceipt_MalformedSymbol_Is400InvalidSeriesSymbol) {
  const int year = vietnamYear(clock.now());
  const std::string symbol = symbolOf(year, "AB");
  createSeries("EBL01", symbol, kTaxCode);
  for (const std::string& bad :
       {symbolOf(year, "AF"), symbolOf(year, "aB"), std::string("2"), std::string(""), std::string("TTTAB"),
        symbolOf(year, "AB") + "X", symbolOf(year, "AB").replace(2, 1, "C")}) {
    const auto answer = issue(receiptBody(bad, "PG-bad-" + bad), "bad-" + bad);
    EXPECT_EQ(answer.status, 400) << "'" << bad << "': " << answer.body;
    EXPECT_EQ(errorCode(answer), "invalid_series_symbol") << "'" << bad << "': " << answer.body;
  }
  const auto unknown = issue(receiptBody(symbolOf(year, "XY"), "PG-unknown"), "unknown");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(errorCode(unknown), "series_not_found");
  const auto ok = issue(receiptBody(symbol, "PG-ok"), "ok");
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json(ok.body)->getValue<int>("number"), 1);
}

// The seal's certificate has expired by the time the PDF copy, a notice or the signed daily summary
// is made: the operator must replace the seal, the caller can only retry later — 503
// signing_key_unusable, as when a receipt is issued, and nothing is stored.
TEST_F(ReceiptCorrections, ExpiredSeal_SigningRoutesAnswer503SigningKeyUnusable) {
  const pki::TimePoint issuedAt = clock.now();
  const std::string symbol = symbolOf(vietnamYear(issuedAt), "AB");
  createSeries("EBL01", symbol, kTaxCode);
  const auto issued = issue(receiptBody(symbol, "PG-seal"), "seal");
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string id = json(issued.body)->getValue<std::string>("id");
  const std::string day = pki::formatIso8601(issuedAt).substr(0, 10);
  const std::string notice =
      R"({"reason": "Sai tên người nộp", "corrections": [{"field": "payer.name", "new": "Nguyễn Văn Anh"}]})";

  // The day after the seal's certificate expired (the issuing CA is still valid then).
  const pki::TimePoint expired = service.core().devPki()->seal().certificate().notAfter() + std::chrono::hours(24);
  ASSERT_LT(expired, service.core().devPki()->issuingCa().notAfter());
  clock.set(expired);
  const auto unusable = [](const HttpAnswer& answer, const std::string& route) {
    EXPECT_EQ(answer.status, 503) << route << ": " << answer.body;
    EXPECT_EQ(errorCode(answer), "signing_key_unusable") << route << ": " << answer.body;
    EXPECT_NE(answer.body.find("expired"), std::string::npos) << route << ": " << answer.body;
  };
  unusable(service.call("GET", "/v1/receipts/" + id + "/pdf", backendKey), "pdf");
  unusable(service.call("POST", "/v1/receipts/" + id + "/notices", backendKey, notice, {{"Idempotency-Key", "n1"}}),
           "notices");
  unusable(
      service.call("GET", "/v1/reports/daily-summary?format=xml&date=" + day + "&tax_code=" + kTaxCode, backendKey),
      "daily summary");
  unusable(service.call("POST", "/v1/series", adminKey, seriesBody(symbolOf(vietnamYear(expired), "AB"), "", kTaxCode)),
           "series");
  // What needs no signature still answers.
  EXPECT_EQ(service.call("GET", "/v1/reports/daily-summary?date=" + day + "&tax_code=" + kTaxCode, backendKey).status,
            200);
  EXPECT_EQ(json(service.call("GET", "/v1/receipts/" + id + "/notices", backendKey).body)->getArray("notices")->size(),
            0u);

  // Back while the seal is valid: nothing was stored by the refusals, the copy and notice are made.
  clock.set(issuedAt + std::chrono::minutes(1));
  const auto pdf = service.call("GET", "/v1/receipts/" + id + "/pdf", backendKey);
  EXPECT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("Content-Type"), "application/pdf");
  const auto made =
      service.call("POST", "/v1/receipts/" + id + "/notices", backendKey, notice, {{"Idempotency-Key", "n1"}});
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_TRUE(made.header("Idempotent-Replayed").empty());
}

}  // namespace
}  // namespace kyso::api
