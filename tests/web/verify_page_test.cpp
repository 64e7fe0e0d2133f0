// The citizens' verification page in a real browser: headless Chromium driven over the DevTools
// Protocol against kyso in this process (receipts issued through its API), asserting on the
// rendered DOM on a 360 px phone screen and saving a screenshot of each case under
// build/test-artifacts/web/. One browser and one tab for the whole suite.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <map>
#include <set>

#include "dev_tools.h"
#include "http_client.h"
#include "kyso/web/assets.h"
#include "receipt_bodies.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using test::http;
using test::HttpAnswer;
using test::json;
using test::jsString;
using test::receiptBody;
using test::receiptContent;
using test::seriesBody;
using test::symbolFor;

constexpr auto kPayerId = "008085012345";

struct Issued {
  std::string id, code, number, verifyUrl;
};

Issued issuedFrom(const HttpAnswer& answer) {
  EXPECT_EQ(answer.status, 201) << answer.body;
  const auto r = json(answer.body);
  return {r->getValue<std::string>("id"), r->getValue<std::string>("lookup_code"),
          r->getValue<std::string>("number_text"), r->getValue<std::string>("verify_url")};
}

// The JavaScript that reads the page's state: what the result area shows once an answer is in.
constexpr auto kAnswered = "['idle', 'busy'].indexOf(document.getElementById('result').dataset.state) < 0";

class VerifyPage : public ::testing::Test {
 protected:
  static inline std::unique_ptr<test::TestService> service;
  static inline std::unique_ptr<test::Chromium> chromium;
  static inline std::unique_ptr<test::BrowserPage> page;
  static inline std::string browserError;
  static inline std::string backendKey;
  static inline Issued valid, original, replacement;
  static inline std::string validPdf;

  static void SetUpTestSuite() {
    // public_url is this server: the QR links lead here, and the seal's OCSP answers come from it.
    service = std::make_unique<test::TestService>(
        test::TestServiceOptions{.settings = {{"pki.dev.algorithm", "ec"}, {"verify.rate_limit_per_minute", "1000"}},
                                 .publicUrlIsThisServer = true});
    const std::string adminKey = service->key(Role::Admin, "operator");
    backendKey = service->key(Role::Backend, "procedure system");
    const std::string symbol = symbolFor(service->clock().now(), "AB");
    const auto series = service->call("POST", "/v1/series", adminKey, seriesBody(symbol));
    ASSERT_EQ(series.status, 201) << series.body;
    const auto issue = [&](std::int64_t amount, const std::string& transaction) {
      return issuedFrom(service->call("POST", "/v1/receipts", backendKey,
                                      receiptBody(symbol, transaction, amount, kPayerId),
                                      {{"Idempotency-Key", transaction}}));
    };
    valid = issue(8000, "PG-1");
    original = issue(8000, "PG-2");
    replacement =
        issuedFrom(service->call("POST", "/v1/receipts/" + original.id + "/replacement", backendKey,
                                 "{" + receiptContent("PG-3", 10000, kPayerId) + "}", {{"Idempotency-Key", "PG-3"}}));
    const auto pdf = service->call("GET", "/v1/receipts/" + valid.id + "/pdf", backendKey);
    ASSERT_EQ(pdf.status, 200) << pdf.body;
    validPdf = pdf.body;

    try {
      chromium = std::make_unique<test::Chromium>();
      page = chromium->newPage();
      auto& devTools = page->devTools();
      Poco::JSON::Object::Ptr metrics = new Poco::JSON::Object;
      metrics->set("width", 360);
      metrics->set("height", 740);
      metrics->set("deviceScaleFactor", 1);
      metrics->set("mobile", true);
      devTools.call("Emulation.setDeviceMetricsOverride", metrics);
      // Every page records what went wrong in it: CSP violations, script errors.
      Poco::JSON::Object::Ptr recorder = new Poco::JSON::Object;
      recorder->set(
          "source",
          "window.kysoProblems = [];"
          "document.addEventListener('securitypolicyviolation', e => "
          "  window.kysoProblems.push('CSP ' + e.violatedDirective + ' ' + e.blockedURI));"
          "window.addEventListener('error', e => window.kysoProblems.push('error ' + e.message));"
          "window.addEventListener('unhandledrejection', e => window.kysoProblems.push('rejection ' + e.reason));");
      devTools.call("Page.addScriptToEvaluateOnNewDocument", recorder);
      Poco::JSON::Object::Ptr intercept = new Poco::JSON::Object;
      intercept->set("enabled", true);
      devTools.call("Page.setInterceptFileChooserDialog", intercept);
    } catch (const std::exception& e) {
      browserError = e.what();
      page.reset();
      chromium.reset();
    }
  }
  static void TearDownTestSuite() {
    page.reset();
    chromium.reset();
    service.reset();
  }

  // Chromium is installed by scripts/install-deps.sh: without it these tests fail, never skip.
  void SetUp() override { ASSERT_TRUE(page) << "no browser: " << browserError; }
  void TearDown() override {
    if (!page) return;
    EXPECT_EQ(page->text("JSON.stringify(window.kysoProblems || ['no recorder'])"), "[]");
  }

  static std::string url(const std::string& target) { return service->url(target); }

  // Opens the page at `target` and waits until the result area shows an answer.
  static void openAndWait(const std::string& target) {
    page->navigate(url(target));
    page->waitFor(kAnswered);
  }
  static std::string state() { return page->text("document.getElementById('result').dataset.state"); }
  static std::string textOf(const std::string& selector) {
    return page->text("(document.querySelector(" + jsString(selector) + ") || {textContent: '<none>'}).textContent");
  }
  static bool present(const std::string& selector) {
    return page->evaluate("!!document.querySelector(" + jsString(selector) + ")").convert<bool>();
  }
  static std::string visibleText() { return page->text("document.body.innerText"); }

  // WCAG 2.1 contrast ratio of an element's text against the first opaque background behind it.
  static double contrastOf(const std::string& selector) {
    return page
        ->evaluate(
            "(() => { const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number)"
            "  .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });"
            "  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };"
            "const e = document.querySelector(" +
            jsString(selector) +
            "); let b = e; let bg = 'rgb(255, 255, 255)';"
            "while (b) { const c = getComputedStyle(b).backgroundColor;"
            "  if (c && c !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(c)) { bg = c; break; } b = b.parentElement; }"
            "const x = lum(getComputedStyle(e).color), y = lum(bg);"
            "return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); })()")
        .convert<double>();
  }
  // The verdict's icon and words are there, not only its colour, and both read at AA contrast.
  // "#verdict" is the answer's (the signature's for a file), "#receipt-verdict" the register's.
  static void expectVerdict(const std::string& kind, const std::string& title, const std::string& box = "#verdict") {
    EXPECT_TRUE(present(box + ".verdict-" + kind)) << visibleText();
    EXPECT_TRUE(present(box + " svg.verdict-icon[aria-hidden=true]"));
    EXPECT_EQ(textOf(box + " .verdict-title"), title);
    EXPECT_GE(contrastOf(box + " .verdict-title"), 4.5);
    EXPECT_GE(contrastOf(box + " .verdict-text"), 4.5);
  }
  // The register's verdict comes before the signature's.
  static bool receiptVerdictFirst() {
    return page->evaluate("document.getElementById('result-body').firstElementChild.id === 'receipt-verdict'")
        .convert<bool>();
  }
  // A receipt's signed XML, as the procedure system gets it.
  static std::string receiptXml(const Issued& receipt) {
    const auto xml = service->call("GET", "/v1/receipts/" + receipt.id + "/xml", backendKey);
    EXPECT_EQ(xml.status, 200) << xml.body;
    return xml.body;
  }
  // What POST /v1/verify says of `body`, which the page must put in words.
  static Poco::JSON::Object::Ptr reportOf(const std::string& body, const std::string& type) {
    const auto answer = http(service->port(), "POST", "/v1/verify", body, type);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return json(answer.body);
  }
  static void chooseAndWait(const std::filesystem::path& file) {
    page->navigate(url("/verify"));
    page->chooseFile("#file", file);
    page->waitFor(kAnswered);
  }
  // Nothing is wider than the phone's screen.
  static void expectFitsThePhone() {
    EXPECT_LE(page->evaluate("document.documentElement.scrollWidth").convert<int>(), 360);
  }

  static void saveScreenshot(const std::string& name) {
    const auto dir = std::filesystem::path(KYSO_BINARY_DIR) / "test-artifacts" / "web";
    std::filesystem::create_directories(dir);
    const std::string png = page->screenshot();
    EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
    test::writeFile(dir / (name + ".png"), png);
  }

  test::TempDir work;
};

TEST_F(VerifyPage, ValidCode_TypedAndSubmitted_ShowsAGreenVerdictAndThePrintedFieldsMasked) {
  page->navigate(url("/verify"));
  EXPECT_EQ(page->text("document.documentElement.lang"), "vi");
  EXPECT_EQ(state(), "idle");
  page->focus("#code");
  page->typeText(valid.code);
  page->pressKey("Enter");
  page->waitFor(kAnswered);

  EXPECT_EQ(state(), "valid");
  expectVerdict("passed", "Biên lai hợp lệ");
  EXPECT_EQ(textOf("[data-field=number]"), valid.number);
  EXPECT_EQ(textOf("[data-field=organization]"), "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang");
  EXPECT_EQ(textOf("[data-field=signedBy]"), "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang");
  // "2026-11-27T18:22:27+07:00" in the register is printed as Vietnamese write it.
  const std::string issued =
      json(http(service->port(), "GET", "/v1/public/receipts/" + valid.code).body)->getValue<std::string>("issued_at");
  ASSERT_TRUE(issued.ends_with("+07:00")) << issued;
  EXPECT_EQ(textOf("[data-field=issuedAt]"), issued.substr(11, 8) + " " + issued.substr(8, 2) + "/" +
                                                 issued.substr(5, 2) + "/" + issued.substr(0, 4) + " (giờ Việt Nam)");
  EXPECT_EQ(textOf("[data-field=payer]"), "Nguyễn Văn A");
  EXPECT_EQ(textOf("[data-field=payerId]"), "*********345");
  EXPECT_EQ(textOf("[data-field=total]"), "8.000 đồng");
  EXPECT_EQ(textOf("[data-field=totalWords]"), "Tám nghìn đồng");
  EXPECT_EQ(page->text("document.documentElement.outerHTML").find(kPayerId), std::string::npos);
  // The address now names the code, so a reload or a shared link shows the same receipt.
  EXPECT_EQ(page->text("location.search"), "?code=" + valid.code);
  expectFitsThePhone();
  saveScreenshot("valid-receipt-vi");
}

TEST_F(VerifyPage, ReplacedCode_ShowsAmberAndLinksToTheReplacement) {
  openAndWait("/verify?code=" + original.code);
  EXPECT_EQ(state(), "replaced");
  expectVerdict("indeterminate", "Biên lai đã bị thay thế");
  EXPECT_NE(textOf("#replaced-by").find(replacement.number), std::string::npos) << textOf("#verdict");
  EXPECT_EQ(page->text("new URL(document.getElementById('replaced-by').href).search"), "?code=" + replacement.code);
  EXPECT_EQ(textOf("[data-field=status]"), "Đã bị thay thế");
  expectFitsThePhone();
  saveScreenshot("replaced-receipt-vi");

  // Following the link looks the replacement up.
  page->devTools().dropEvents();
  page->click("#replaced-by");
  page->devTools().waitForEvent("Page.loadEventFired");
  page->waitFor(kAnswered);
  EXPECT_EQ(state(), "valid");
  EXPECT_EQ(textOf("[data-field=number]"), replacement.number);
  EXPECT_EQ(textOf("[data-field=total]"), "10.000 đồng");
}

TEST_F(VerifyPage, UnknownCode_SaysNotFoundInRed) {
  openAndWait("/verify?code=ZZZZZZZZZZZZ");
  EXPECT_EQ(state(), "notfound");
  expectVerdict("failed", "Không tìm thấy biên lai");
  EXPECT_NE(textOf("#verdict .verdict-text").find("ZZZZZZZZZZZZ"), std::string::npos);
  EXPECT_FALSE(present("#receipt"));
  saveScreenshot("unknown-code-vi");
}

TEST_F(VerifyPage, QrLink_LandsOnThePageWithTheCodeLookedUp) {
  ASSERT_EQ(valid.verifyUrl, url("/v/" + valid.code));
  page->navigate(valid.verifyUrl);
  page->waitFor(kAnswered);
  EXPECT_EQ(page->text("location.pathname"), "/verify");
  EXPECT_EQ(page->text("document.getElementById('code').value"), valid.code);
  EXPECT_EQ(state(), "valid");
  EXPECT_EQ(textOf("[data-field=lookupCode]"), valid.code);
}

TEST_F(VerifyPage, TamperedUpload_ShowsAFailedVerdictInRed) {
  // One byte changed inside the first stream of the signed copy: inside the signed byte range.
  std::string pdf = validPdf;
  const auto at = pdf.find("stream\n");
  ASSERT_NE(at, std::string::npos);
  ASSERT_LT(at + 20, pdf.find("/Contents <"));
  pdf[at + 20] = static_cast<char>(pdf[at + 20] ^ 0x01);
  const auto file = work / "bien-lai-sua.pdf";
  test::writeFile(file, pdf);

  page->navigate(url("/verify"));
  page->chooseFile("#file", file);
  page->waitFor(kAnswered);
  EXPECT_EQ(state(), "failed");
  expectVerdict("failed", "Chữ ký số không hợp lệ");
  EXPECT_NE(textOf("#verdict .verdict-text").find("Nội dung tệp đã bị thay đổi sau khi ký."), std::string::npos)
      << textOf("#verdict");
  EXPECT_NE(textOf("#verdict .verdict-text").find("bien-lai-sua.pdf"), std::string::npos);
  // Its /Title names the receipt, but it is not the register's copy.
  expectVerdict("failed", "Tệp này không phải là biên lai được ghi trong sổ", "#receipt-verdict");
  EXPECT_FALSE(present("#file-receipt"));
  expectFitsThePhone();
  saveScreenshot("tampered-upload-vi");
}

TEST_F(VerifyPage, ValidFileDropped_ShowsPassedWithTheSignerAndTime) {
  // What the API says about the file, which the page must put in words.
  const auto report = json(http(service->port(), "POST", "/v1/verify", validPdf, "application/pdf").body);
  ASSERT_EQ(report->getValue<std::string>("indication"), "TOTAL_PASSED");
  const auto signature = report->getArray("signatures")->getObject(0);
  const auto file = work / "bien-lai.pdf";
  test::writeFile(file, validPdf);

  page->navigate(url("/verify"));
  page->dropFile("#drop-zone", file);
  page->waitFor(kAnswered);
  EXPECT_EQ(state(), "passed");
  expectVerdict("passed", "Chữ ký số hợp lệ");
  EXPECT_EQ(textOf("#signatures [data-field=signer]"),
            signature->getObject("signer")->getValue<std::string>("common_name"));
  const std::string signedAt =
      textOf("#signatures [data-field=timestampTime]") + textOf("#signatures [data-field=signingTime]");
  EXPECT_NE(signedAt.find("(giờ Việt Nam)"), std::string::npos) << signedAt;
  EXPECT_EQ(textOf("#signatures [data-field=level]"), signature->getValue<std::string>("level"));
  // The register's copy: the register's verdict and printed fields.
  expectVerdict("passed", "Tệp là biên lai có trong sổ", "#receipt-verdict");
  EXPECT_EQ(textOf("#file-receipt [data-field=number]"), valid.number);
  EXPECT_EQ(textOf("#file-receipt [data-field=payerId]"), "*********345");
  expectFitsThePhone();
  saveScreenshot("valid-upload-vi");
}

TEST_F(VerifyPage, ReceiptXmlUpload_TheRegistersReceipt_ShowsGreenAndThePrintedFieldsMasked) {
  const std::string xml = receiptXml(valid);
  ASSERT_NE(xml.find(kPayerId), std::string::npos);  // the file itself carries the payer's identifier
  const auto report = reportOf(xml, "application/xml");
  ASSERT_EQ(report->getValue<std::string>("indication"), "TOTAL_PASSED");
  ASSERT_TRUE(report->getObject("receipt")->getValue<bool>("matches_register"));
  const auto file = work / "bien-lai.xml";
  test::writeFile(file, xml);

  chooseAndWait(file);
  EXPECT_EQ(state(), "passed");
  EXPECT_TRUE(receiptVerdictFirst());
  expectVerdict("passed", "Tệp là biên lai có trong sổ", "#receipt-verdict");
  expectVerdict("passed", "Chữ ký số hợp lệ");
  EXPECT_EQ(textOf("#file-receipt [data-field=number]"), valid.number);
  EXPECT_EQ(textOf("#file-receipt [data-field=organization]"), "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang");
  EXPECT_EQ(textOf("#file-receipt [data-field=payer]"), "Nguyễn Văn A");
  EXPECT_EQ(textOf("#file-receipt [data-field=payerId]"), "*********345");
  EXPECT_EQ(textOf("#file-receipt [data-field=total]"), "8.000 đồng");
  EXPECT_EQ(textOf("#file-receipt [data-field=totalWords]"), "Tám nghìn đồng");
  EXPECT_EQ(textOf("#file-receipt [data-field=lookupCode]"), valid.code);
  EXPECT_EQ(textOf("#file-receipt [data-field=status]"), "Hợp lệ");
  EXPECT_EQ(page->text("new URL(document.querySelector('#file-receipt a').href).search"), "?code=" + valid.code);
  EXPECT_EQ(page->text("document.documentElement.outerHTML").find(kPayerId), std::string::npos);
  EXPECT_EQ(textOf("#signatures [data-field=signer]"),
            report->getArray("signatures")->getObject(0)->getObject("signer")->getValue<std::string>("common_name"));
  expectFitsThePhone();
  saveScreenshot("xml-receipt-vi");
}

TEST_F(VerifyPage, ReceiptXmlUpload_Replaced_ShowsAmberAndLinksToTheReplacement) {
  const std::string xml = receiptXml(original);
  const auto receipt = reportOf(xml, "application/xml")->getObject("receipt");
  ASSERT_EQ(receipt->getValue<std::string>("status"), "replaced");
  const auto file = work / "bien-lai-cu.xml";
  test::writeFile(file, xml);

  chooseAndWait(file);
  EXPECT_EQ(state(), "replaced");
  EXPECT_TRUE(receiptVerdictFirst());
  expectVerdict("indeterminate", "Biên lai trong tệp đã bị thay thế", "#receipt-verdict");
  // The file's signature still holds: it is genuine, only no longer the valid receipt.
  expectVerdict("passed", "Chữ ký số hợp lệ");
  EXPECT_NE(textOf("#receipt-verdict #replaced-by").find(replacement.number), std::string::npos)
      << textOf("#receipt-verdict");
  EXPECT_EQ(page->text("new URL(document.getElementById('replaced-by').href).search"), "?code=" + replacement.code);
  EXPECT_EQ(textOf("#file-receipt [data-field=number]"), original.number);
  EXPECT_EQ(textOf("#file-receipt [data-field=status]"), "Đã bị thay thế");
  expectFitsThePhone();
  saveScreenshot("xml-receipt-replaced-vi");

  // Following the link looks the replacement up.
  page->devTools().dropEvents();
  page->click("#replaced-by");
  page->devTools().waitForEvent("Page.loadEventFired");
  page->waitFor(kAnswered);
  EXPECT_EQ(state(), "valid");
  EXPECT_EQ(textOf("#receipt [data-field=number]"), replacement.number);
}

TEST_F(VerifyPage, ReceiptXmlUpload_AmountAlteredInsideDLBLai_ShowsRedAndNoneOfTheRegistersFields) {
  // One byte of the signed receipt data: the total 8000 becomes 9000.
  std::string xml = receiptXml(valid);
  const auto data = xml.find("<DLBLai");
  const auto total = xml.find("<TgTien>8000</TgTien>");
  ASSERT_NE(data, std::string::npos);
  ASSERT_NE(total, std::string::npos);
  ASSERT_LT(data, total);
  ASSERT_LT(total, xml.find("</DLBLai>"));
  xml[total + 8] = '9';
  const auto report = reportOf(xml, "application/xml");
  ASSERT_EQ(report->getValue<std::string>("indication"), "TOTAL_FAILED");
  ASSERT_EQ(report->getValue<std::string>("sub_indication"), "HASH_FAILURE");
  ASSERT_FALSE(report->getObject("receipt")->getValue<bool>("matches_register"));
  const auto file = work / "bien-lai-sua.xml";
  test::writeFile(file, xml);

  chooseAndWait(file);
  EXPECT_EQ(state(), "failed");
  EXPECT_TRUE(receiptVerdictFirst());
  expectVerdict("failed", "Tệp này không phải là biên lai được ghi trong sổ", "#receipt-verdict");
  EXPECT_NE(textOf("#receipt-verdict .verdict-text")
                .find("Sổ biên lai có biên lai ký hiệu " + symbolFor(service->clock().now(), "AB") + " số " +
                      valid.number + ", nhưng tệp này khác với biên lai đó."),
            std::string::npos)
      << textOf("#receipt-verdict");
  expectVerdict("failed", "Chữ ký số không hợp lệ");
  EXPECT_NE(textOf("#verdict .verdict-text").find("Nội dung tệp đã bị thay đổi sau khi ký."), std::string::npos)
      << textOf("#verdict");
  // What the file claims, and nothing the register holds: no printed fields, no lookup code.
  EXPECT_EQ(textOf("#file-receipt-claim [data-field=number]"), valid.number);
  EXPECT_FALSE(present("#file-receipt"));
  EXPECT_FALSE(present("[data-field=total]"));
  EXPECT_EQ(page->text("document.documentElement.outerHTML").find(valid.code), std::string::npos);
  expectFitsThePhone();
  saveScreenshot("xml-receipt-altered-vi");
}

TEST_F(VerifyPage, EnglishToggle_SwitchesTextLangAndAddress_AndBack) {
  openAndWait("/verify?code=" + valid.code);
  page->click("#lang-toggle");
  page->waitFor("document.documentElement.lang === 'en'");
  EXPECT_EQ(textOf("h1"), "Verify e-receipts and signed documents");
  EXPECT_EQ(textOf("label[for=code]"), "Lookup code printed on the receipt");
  EXPECT_EQ(state(), "valid");
  expectVerdict("passed", "Valid receipt");
  EXPECT_EQ(textOf("[data-field=total]"), "8,000 VND");
  EXPECT_EQ(page->text("document.title"), "Verify e-receipts and signed documents");
  EXPECT_EQ(textOf("#lang-toggle"), "Tiếng Việt");
  EXPECT_EQ(page->text("document.getElementById('lang-toggle').lang"), "vi");
  EXPECT_NE(page->text("location.search").find("lang=en"), std::string::npos);
  expectFitsThePhone();
  saveScreenshot("valid-receipt-en");

  // The address keeps the language; the toggle brings Vietnamese back.
  openAndWait("/verify" + page->text("location.search"));
  EXPECT_EQ(page->text("document.documentElement.lang"), "en");
  EXPECT_EQ(textOf("#verdict .verdict-title"), "Valid receipt");
  page->click("#lang-toggle");
  page->waitFor("document.documentElement.lang === 'vi'");
  EXPECT_EQ(textOf("#verdict .verdict-title"), "Biên lai hợp lệ");
  EXPECT_EQ(page->text("location.search").find("lang="), std::string::npos);
}

TEST_F(VerifyPage, Keyboard_ReachesTheDropZoneAndOpensTheFileChooser) {
  page->navigate(url("/verify"));
  // An empty code is refused next to the field, which says so to assistive technology.
  page->focus("#code");
  page->pressKey("Enter");
  page->waitFor("document.getElementById('code').getAttribute('aria-invalid') === 'true'");
  EXPECT_EQ(textOf("#code-error"), "Hãy nhập mã tra cứu.");
  EXPECT_EQ(state(), "idle");
  // Accessible names and the live region.
  EXPECT_EQ(textOf("label[for=code]"), "Mã tra cứu in trên biên lai");
  EXPECT_EQ(textOf("label[for=file]"), "Chọn tệp PDF hoặc XML để kiểm tra");
  EXPECT_EQ(page->text("document.getElementById('result').getAttribute('aria-live')"), "polite");
  // The page's own texts read at AA contrast too (4.5:1).
  for (const char* selector : {".agency", "h1", "#lang-toggle", ".intro", "#code-hint", "label[for=code]",
                               "#lookup-button", "#drop-zone span", ".footer p"}) {
    EXPECT_GE(contrastOf(selector), 4.5) << selector;
  }

  page->focus("#lookup-button");
  page->pressKey("Tab");
  page->waitFor("document.activeElement.id === 'drop-zone'");
  EXPECT_EQ(page->text("document.activeElement.getAttribute('role')"), "button");
  page->devTools().dropEvents();
  page->pressKey("Enter");
  const auto chooser = page->devTools().waitForEvent("Page.fileChooserOpened");
  EXPECT_EQ(chooser->getObject("params")->getValue<std::string>("mode"), "selectSingle");
  page->pressKey("Space");
  EXPECT_EQ(page->devTools().waitForEvent("Page.fileChooserOpened")->getObject("params")->getValue<std::string>("mode"),
            "selectSingle");
}

// What the server sends: the page with a strict CSP and no inline script or style, the files by
// content-hashed names with long-lived caching, ETags answered 304, and the QR link redirected.
TEST_F(VerifyPage, Serving_HeadersCachingAndTheQrRedirect) {
  const auto pageAnswer = http(service->port(), "GET", "/verify");
  ASSERT_EQ(pageAnswer.status, 200);
  EXPECT_EQ(pageAnswer.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(pageAnswer.header("Content-Security-Policy"), web::pageSecurityPolicy());
  EXPECT_NE(pageAnswer.header("Content-Security-Policy").find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(pageAnswer.header("Content-Security-Policy").find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(pageAnswer.header("Cache-Control"), "no-cache");
  EXPECT_EQ(pageAnswer.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(pageAnswer.header("X-Content-Type-Options"), "nosniff");
  const std::string etag = pageAnswer.header("ETag");
  ASSERT_EQ(etag.size(), 34u) << etag;
  EXPECT_EQ(http(service->port(), "GET", "/verify", "", "", {{"If-None-Match", "W/" + etag}}).status, 304);
  EXPECT_EQ(http(service->port(), "GET", "/verify?code=ABC&lang=en").status, 200);
  EXPECT_EQ(http(service->port(), "GET", "/verify?utm=1").status, 400);

  // In the browser: the page's script loaded under its CSP and set the language; its CSS applies.
  page->navigate(url("/verify"));
  EXPECT_EQ(page->text("document.getElementById('lang-toggle').textContent"), "English");
  EXPECT_EQ(page->text("getComputedStyle(document.querySelector('.banner')).backgroundColor"), "rgb(142, 20, 20)");
  EXPECT_EQ(page->evaluate("document.querySelectorAll('script:not([src]), [style]').length").convert<int>(), 0);
  // The policy is in force: script injected as markup does not run, and the recorder sees it.
  EXPECT_EQ(
      page->text("(() => { try { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                 " document.body.appendChild(s); } catch (e) { } return String(window.injected); })()"),
      "undefined");
  EXPECT_NE(page->text("JSON.stringify(window.kysoProblems)").find("CSP require-trusted-types-for"), std::string::npos)
      << page->text("JSON.stringify(window.kysoProblems)");
  page->evaluate("window.kysoProblems = []");

  // Every file the page names is served, with its type, for a year, immutable.
  const auto urls = page->evaluate(
      "JSON.stringify([...document.querySelectorAll('script[src], link[href], img[src]')].map(e => "
      "new URL(e.src || e.href).pathname))");
  const auto names = Poco::JSON::Parser().parse(urls.toString()).extract<Poco::JSON::Array::Ptr>();
  ASSERT_EQ(names->size(), 4u) << urls.toString();
  std::set<std::string> types;
  for (std::size_t i = 0; i < names->size(); ++i) {
    const std::string path = names->getElement<std::string>(static_cast<unsigned>(i));
    EXPECT_TRUE(path.starts_with("/verify/assets/")) << path;
    const auto asset = http(service->port(), "GET", path);
    ASSERT_EQ(asset.status, 200) << path;
    EXPECT_EQ(asset.header("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(http(service->port(), "GET", path, "", "", {{"If-None-Match", "\"x\", " + asset.header("ETag")}}).status,
              304);
    // The name carries the first 16 hex digits of the content's SHA-256, as does the ETag.
    const auto served = web::assetByServedName(path.substr(std::string("/verify/assets/").size()));
    ASSERT_NE(served, nullptr) << path;
    EXPECT_EQ(asset.body, served->body);
    EXPECT_NE(path.find(std::string(served->etag.substr(1, 16))), std::string::npos);
    types.insert(asset.header("Content-Type"));
  }
  EXPECT_EQ(types,
            (std::set<std::string>{"text/css; charset=utf-8", "text/javascript; charset=utf-8", "image/svg+xml"}));
  EXPECT_EQ(http(service->port(), "GET", "/verify/assets/verify.0000000000000000.js").status, 404);

  const auto qr = http(service->port(), "GET", "/v/" + valid.code);
  EXPECT_EQ(qr.status, 302);
  EXPECT_EQ(qr.header("Location"), "/verify?code=" + valid.code);
  EXPECT_EQ(http(service->port(), "GET", "/v/a%20b&c").header("Location"), "/verify?code=a%20b%26c");
}

TEST(IfNoneMatch, ListsWeakTagsAndStar) {
  EXPECT_TRUE(web::ifNoneMatchMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(web::ifNoneMatchMatches(" W/\"abc\" ", "\"abc\""));
  EXPECT_TRUE(web::ifNoneMatchMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(web::ifNoneMatchMatches("*", "\"abc\""));
  EXPECT_FALSE(web::ifNoneMatchMatches("", "\"abc\""));
  EXPECT_FALSE(web::ifNoneMatchMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(web::ifNoneMatchMatches("abc", "\"abc\""));
}

}  // namespace
}  // namespace kyso::api
