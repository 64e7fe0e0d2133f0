// E-receipts from the kyso command line, as an operator uses it: a series, receipts issued from a
// JSON file (the body of POST /v1/receipts), idempotent retries, and the signed XML and PDF copy
// written by `receipt show` and checked by the real peers (xmlsec1, pdfsig).
#include <gtest/gtest.h>

#include <chrono>

#include "kyso/pki/clock.h"
#include "kyso/pki/dev_pki.h"
#include "test_support.h"
#include "xml_peers.h"

namespace kyso {
namespace {

// The current year's series symbol: a receipt can only be issued in its series' year.
std::string symbolFor(const std::string& letters) {
  const auto local = std::chrono::floor<std::chrono::days>(pki::SystemClock::instance().now() + pki::kVietnamUtcOffset);
  const int year = static_cast<int>(std::chrono::year_month_day(local).year());
  const std::string yy = std::to_string(year % 100);
  return (yy.size() == 1 ? "0" + yy : yy) + "T" + letters;
}

std::string receiptJson(const std::string& symbol, const std::string& transaction) {
  return R"({"template": "EBL01", "symbol": ")" + symbol + R"(",
 "payer": {"name": "Nguyễn Văn A", "id": "008085012345", "address": "Tổ 5, phường Phan Thiết"},
 "items": [{"code": "LPHT01", "name": "Lệ phí cấp bản sao trích lục hộ tịch", "kind": "le_phi", "amount": 8000}],
 "payment": {"method": "online", "transaction_id": ")" +
         transaction + R"(", "provider": "paygov", "paid_at": "2026-11-27T09:15:00+07:00"},
 "dossier": {"code": "H59.22-261127-0001", "procedure_code": "1.001193"}})";
}

// The value printed after "  label:" in the CLI's output.
std::string printed(const std::string& output, const std::string& label) {
  const auto at = output.find("  " + label + ":");
  if (at == std::string::npos) return {};
  const auto start = output.find_first_not_of(' ', at + label.size() + 3);
  return output.substr(start, output.find('\n', start) - start);
}

// The id on the first line ("issued receipt rc_…").
std::string receiptId(const std::string& output) {
  const auto at = output.find("rc_");
  return at == std::string::npos ? std::string{} : output.substr(at, 35);
}

// One data directory (and so one development PKI, made once) for the suite.
class ReceiptsCli : public ::testing::Test {
 protected:
  static inline test::TempDir* dir = nullptr;

  static void SetUpTestSuite() { dir = new test::TempDir; }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }

  static test::ProcessResult cli(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {(test::binDir() / "kyso").string(), "--data-dir", (*dir / "var").string()});
    return test::run(args, input);
  }

  static std::string createSeries(const std::string& letters) {
    const std::string symbol = symbolFor(letters);
    const auto created = cli({"series", "create", "--template", "EBL01", "--symbol", symbol, "--org-name",
                              "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang", "--org-tax-code", "5000123459",
                              "--org-address", "Phường Minh Xuân, tỉnh Tuyên Quang"});
    EXPECT_EQ(created.exitCode, 0) << created.output;
    return symbol;
  }
};

TEST_F(ReceiptsCli, IssueFromJsonFile_NumbersInOrderAndRetriesGetTheSameReceipt) {
  const std::string symbol = symbolFor("AB");
  const auto created = cli({"series", "create", "--template", "EBL01", "--symbol", symbol, "--org-name",
                            "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang", "--org-tax-code", "5000123459",
                            "--org-address", "Phường Minh Xuân, tỉnh Tuyên Quang"});
  ASSERT_EQ(created.exitCode, 0) << created.output;
  EXPECT_NE(created.output.find("created series sr_"), std::string::npos) << created.output;
  EXPECT_EQ(printed(created.output, "symbol"), symbol);
  EXPECT_EQ(printed(created.output, "year"), "20" + symbol.substr(0, 2));
  EXPECT_EQ(printed(created.output, "next number"), "1");
  EXPECT_EQ(cli({"series", "create", "--template", "EBL01", "--symbol", symbol, "--org-name", "X", "--org-tax-code",
                 "5000123459", "--org-address", "Y"})
                .exitCode,
            1);  // series_exists

  test::writeFile(*dir / "first.json", receiptJson(symbol, "CLI-1"));
  const auto first = cli({"receipt", "issue", "--json", (*dir / "first.json").string(), "--idempotency-key", "k-1"});
  ASSERT_EQ(first.exitCode, 0) << first.output;
  EXPECT_NE(first.output.find("issued receipt rc_"), std::string::npos) << first.output;
  EXPECT_EQ(printed(first.output, "number"), "00000001");
  EXPECT_EQ(printed(first.output, "in words"), "Tám nghìn đồng");
  const std::string lookup = printed(first.output, "lookup code");
  EXPECT_GE(lookup.size(), 10u);
  EXPECT_EQ(printed(first.output, "verify URL").substr(printed(first.output, "verify URL").size() - lookup.size()),
            lookup);

  // Standard input works as well.
  const auto second = cli({"receipt", "issue", "--json", "-"}, receiptJson(symbol, "CLI-2"));
  ASSERT_EQ(second.exitCode, 0) << second.output;
  EXPECT_EQ(printed(second.output, "number"), "00000002");

  const auto retried = cli({"receipt", "issue", "--json", (*dir / "first.json").string(), "--idempotency-key", "k-1"});
  ASSERT_EQ(retried.exitCode, 0) << retried.output;
  EXPECT_NE(retried.output.find("already issued"), std::string::npos) << retried.output;
  EXPECT_EQ(receiptId(retried.output), receiptId(first.output));
  EXPECT_EQ(printed(retried.output, "number"), "00000001");
  // The same key with another request is a conflict, not a new receipt.
  test::writeFile(*dir / "other.json", receiptJson(symbol, "CLI-3"));
  const auto reused = cli({"receipt", "issue", "--json", (*dir / "other.json").string(), "--idempotency-key", "k-1"});
  EXPECT_EQ(reused.exitCode, 1);
  EXPECT_NE(reused.output.find("(idempotency_key_reused)"), std::string::npos) << reused.output;

  const auto list = cli({"series", "list"});
  ASSERT_EQ(list.exitCode, 0) << list.output;
  EXPECT_NE(list.output.find("EBL01  " + symbol + "  20"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("next 3"), std::string::npos) << list.output;
}

TEST_F(ReceiptsCli, ShowWritesXmlAndPdf_ThatXmlsec1AndPdfsigAccept) {
  const std::string symbol = createSeries("AC");
  const auto issued = cli({"receipt", "issue", "--json", "-"}, receiptJson(symbol, "CLI-SHOW"));
  ASSERT_EQ(issued.exitCode, 0) << issued.output;
  const std::string id = receiptId(issued.output);

  const auto xml = *dir / "receipt.xml";
  const auto pdf = *dir / "receipt.pdf";
  const auto shown = cli({"receipt", "show", id, "--xml", xml.string(), "--pdf", pdf.string()});
  ASSERT_EQ(shown.exitCode, 0) << shown.output;
  EXPECT_EQ(printed(shown.output, "status"), "issued");
  EXPECT_EQ(printed(shown.output, "symbol"), symbol);
  EXPECT_NE(printed(shown.output, "payer").find("Nguyễn Văn A, 008085012345"), std::string::npos) << shown.output;
  EXPECT_NE(printed(shown.output, "item").find("Lệ phí cấp bản sao trích lục hộ tịch"), std::string::npos);

  const auto pki = pki::DevPki::load(*dir / "var" / "pki");
  const auto verdict = test::xmlsec1Verify(xml, pki.rootCa(), &pki.issuingCa());
  EXPECT_TRUE(verdict.ok) << verdict.output;
  const test::PeerVerdict v = test::checkWithPeers(pdf, pki.rootCa());
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
}

TEST_F(ReceiptsCli, BadInput_ClearMessageAndTheDocumentedExitStatus) {
  const std::string symbol = createSeries("AD");
  test::writeFile(*dir / "broken.json", R"({"template": "EBL01", "symbol": )");
  const auto broken = cli({"receipt", "issue", "--json", (*dir / "broken.json").string()});
  EXPECT_EQ(broken.exitCode, 1);
  EXPECT_NE(broken.output.find("broken.json: the body is not valid JSON"), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("(invalid_json)"), std::string::npos) << broken.output;

  std::string badPayer = receiptJson(symbol, "CLI-BAD");
  badPayer.replace(badPayer.find("008085012345"), 12, "999085012345");
  const auto invalid = cli({"receipt", "issue", "--json", "-"}, badPayer);
  EXPECT_EQ(invalid.exitCode, 1);
  EXPECT_NE(invalid.output.find("(invalid_payer_id)"), std::string::npos) << invalid.output;
  EXPECT_EQ(cli({"receipt", "issue", "--json", (*dir / "missing.json").string()}).exitCode, 1);

  // Not found: exit status 1 like every error of kyso, with the stable code.
  const auto unknown = cli({"receipt", "show", "rc_00000000000000000000000000000000"});
  EXPECT_EQ(unknown.exitCode, 1);
  EXPECT_NE(unknown.output.find("(receipt_not_found)"), std::string::npos) << unknown.output;

  // Usage errors exit 2.
  EXPECT_EQ(cli({"receipt", "issue"}).exitCode, 2);
  EXPECT_EQ(cli({"receipt", "show"}).exitCode, 2);
  EXPECT_EQ(cli({"series", "create", "--json", "-", "--symbol", symbol}).exitCode, 2);
  EXPECT_EQ(cli({"series", "create", "--template", "EBL01", "--symbol", symbol}).exitCode, 2);
  const auto range = cli({"series", "create", "--template", "EBL01", "--symbol", symbolFor("AE"), "--org-name", "X",
                          "--org-tax-code", "5000123459", "--org-address", "Y", "--range", "PMX"});
  EXPECT_EQ(range.exitCode, 2);
  EXPECT_NE(range.output.find("UNIT:FIRST-LAST"), std::string::npos) << range.output;
  for (const std::string command : {"series", "receipt"}) {
    const auto help = cli({command, "--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.output.find("Usage: kyso " + command), std::string::npos) << help.output;
  }
}

TEST_F(ReceiptsCli, SeriesFromJsonWithRanges_UnitsNumberInTheirOwnRanges) {
  const std::string symbol = symbolFor("AG");
  const auto created = cli({"series", "create", "--json", "-"}, R"({"template": "EBL01", "symbol": ")" + symbol +
                                                                    R"(", "organization": {"name": "Trung tâm",
  "tax_code": "5000123459", "address": "Tuyên Quang"},
  "ranges": [{"unit": "PMX", "first": 1, "last": 100}, {"unit": "HTY", "first": 101, "last": 200}]})");
  ASSERT_EQ(created.exitCode, 0) << created.output;
  EXPECT_EQ(printed(created.output, "ranges"), "PMX:1-100 (next 1), HTY:101-200 (next 101)");

  std::string body = receiptJson(symbol, "CLI-UNIT");
  body.insert(body.find("\"payer\""), R"("unit": "HTY", )");
  const auto issued = cli({"receipt", "issue", "--json", "-"}, body);
  ASSERT_EQ(issued.exitCode, 0) << issued.output;
  EXPECT_EQ(printed(issued.output, "number"), "00000101");

  const auto flags = cli({"series", "create", "--template", "EBL01", "--symbol", symbolFor("AH"), "--org-name",
                          "Trung tâm", "--org-tax-code", "5000123459", "--org-address", "Tuyên Quang", "--range",
                          "PMX:1-10", "--range", "Sở Tư pháp:11-20"});
  ASSERT_EQ(flags.exitCode, 0) << flags.output;
  EXPECT_EQ(printed(flags.output, "ranges"), "PMX:1-10 (next 1), Sở Tư pháp:11-20 (next 11)");
}

}  // namespace
}  // namespace kyso
