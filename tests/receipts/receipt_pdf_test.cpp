// The receipt's PDF copy read back by tools nobody on the team wrote: poppler's pdftotext (text and
// word boxes) and pdftoppm, zbarimg for the QR code, qpdf --check for the file, pdfsig once the
// copy is signed with the committed sample seal.
#include "kyso/receipts/receipt_pdf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "kyso/error.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/pades_signer.h"
#include "qr_code.h"
#include "test_support.h"

namespace kyso::receipts {
namespace {

const std::shared_ptr<const ReceiptPdfFonts>& fonts() {
  static const auto loaded = ReceiptPdfFonts::system();
  return loaded;
}

Receipt sampleReceipt() {
  Receipt r;
  r.id = "rc_0123456789abcdef0123456789abcdef";
  r.series = {TemplateCode::Ebl01, "26TAB"};
  r.number = 123;
  r.issuedAt = pki::parseIso8601("2026-11-27T18:15:00Z");  // 01:15 on 28/11 in Vietnam
  r.organization = {"Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng", "5000123459",
                    "Số 36 Trần Phú, Phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"};
  r.request.payer = {"Nguyễn Văn A", "068099001234", "Số 12 đường Phan Đình Phùng, Phường Lâm Viên - Đà Lạt"};
  r.request.items = {{"LP-HT-07", "Lệ phí cấp bản sao trích lục hộ tịch", FeeKind::LePhi, 8000}};
  r.request.payment = {PaymentMethod::Online, "VNPAY-20261128-000042", "Cổng Dịch vụ công quốc gia",
                       pki::parseIso8601("2026-11-27T18:14:30Z")};
  r.request.dossier = {"000.00.15.H36-261128-0001", "1.004873"};
  r.total = 8000;
  r.totalInWords = "Tám nghìn đồng";
  r.lookupCode = "7KQX2M9PHD4T";
  r.verifyUrl = "https://dichvucong.lamdong.gov.vn/v/7KQX2M9PHD4T";
  return r;
}

const pki::TimePoint kRenderedAt = pki::parseIso8601("2026-11-27T18:15:02Z");

class ReceiptPdf : public ::testing::Test {
 protected:
  test::TempDir dir;

  std::filesystem::path render(const Receipt& receipt, const std::string& name) {
    const auto path = dir / name;
    test::writeFile(path, renderReceiptPdf(receipt, *fonts(), kRenderedAt));
    return path;
  }

  static std::string text(const std::filesystem::path& pdf, std::vector<std::string> options = {}) {
    std::vector<std::string> argv = {"/usr/bin/pdftotext", "-enc", "UTF-8"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(pdf.string());
    argv.push_back("-");
    const auto result = test::run(argv);
    EXPECT_EQ(result.exitCode, 0) << result.output;
    return result.output;
  }

  static int pageCount(const std::filesystem::path& pdf) {
    const auto result = test::run({"/usr/bin/qpdf", "--show-npages", pdf.string()});
    EXPECT_EQ(result.exitCode, 0) << result.output;
    return std::stoi(result.output);
  }
};

struct Word {
  double xMin = 0, yMin = 0, xMax = 0, yMax = 0;  // points from the top left, as pdftotext -bbox gives them
  int page = 0;
  std::string text;
};

// pdftotext -bbox: an XHTML page per <page>, a <word> per word with its box.
std::vector<Word> words(const std::string& bbox) {
  std::vector<Word> out;
  const std::regex tag(
      R"re(<page |<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
  int page = 0;
  for (auto it = std::sregex_iterator(bbox.begin(), bbox.end(), tag); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    if (m.str(0) == "<page ") {
      ++page;
      continue;
    }
    out.push_back({std::stod(m.str(1)), std::stod(m.str(2)), std::stod(m.str(3)), std::stod(m.str(4)), page, m.str(5)});
  }
  return out;
}

std::string collapse(std::string text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n' || c == '\f') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Whether the words of `phrase` appear in this order among `all` (other words, such as those of a
// neighbouring table column, may come between where a line wraps).
bool inOrder(const std::vector<Word>& all, const std::string& phrase) {
  std::vector<std::string> wanted;
  for (std::size_t at = 0; at < phrase.size();) {
    const std::size_t end = std::min(phrase.find(' ', at), phrase.size());
    wanted.push_back(phrase.substr(at, end - at));
    at = end + 1;
  }
  for (std::size_t start = 0; start < all.size(); ++start) {
    if (all[start].text != wanted.front()) continue;
    std::size_t found = 1;
    for (std::size_t i = start + 1; i < all.size() && found < wanted.size(); ++i) {
      if (all[i].text == wanted[found]) ++found;
    }
    if (found == wanted.size()) return true;
  }
  return false;
}

TEST_F(ReceiptPdf, Text_EveryField_ExtractsWithDiacriticsIntact) {
  // Lines joined: a field that wraps in its column still reads as one.
  const std::string t = collapse(text(render(sampleReceipt(), "r.pdf")));
  for (const char* expected : {
           "BIÊN LAI THU PHÍ, LỆ PHÍ",
           "Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng",
           "Mã số thuế:",
           "5000123459",
           "Số 36 Trần Phú, Phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng",
           "Mẫu số:",
           "EBL01",
           "Ký hiệu:",
           "26TAB",
           "00000123",
           "Ngày 28 tháng 11 năm 2026",  // Vietnam time: 01:15 on the 28th
           "Họ tên người nộp:",
           "Nguyễn Văn A",
           "Mã định danh/MST:",
           "068099001234",
           "Số 12 đường Phan Đình Phùng, Phường Lâm Viên - Đà Lạt",
           "STT",
           "Tên khoản thu",
           "LP-HT-07",
           "Lệ phí cấp bản sao trích lục hộ tịch",
           "Lệ phí",
           "8.000",
           "Tổng cộng",
           "Số tiền bằng chữ:",
           "Tám nghìn đồng",
           "Hình thức thanh toán:",
           "Thanh toán trực tuyến",
           "VNPAY-20261128-000042 (Cổng Dịch vụ công quốc gia)",
           "01:14 28/11/2026",
           "000.00.15.H36-261128-0001",
           "1.004873",
           "Mã tra cứu:",
           "7KQX2M9PHD4T",
           "Tra cứu tại:",
           "NGƯỜI THU TIỀN",
           "Ký bởi: Trung tâm Phục vụ hành chính công",
           "Ký ngày: 28/11/2026",
           "Trang 1/1",
       }) {
    EXPECT_NE(t.find(expected), std::string::npos) << "missing: " << expected << "\n" << t;
  }
  // The URL may wrap in its column; its pieces follow each other.
  std::string joined;
  for (const Word& w : words(text(dir / "r.pdf", {"-bbox"}))) {
    if (w.text.find("http") == 0 || !joined.empty()) joined += w.text;
    if (joined.size() >= sampleReceipt().verifyUrl.size()) break;
  }
  EXPECT_EQ(joined, sampleReceipt().verifyUrl);
}

TEST_F(ReceiptPdf, QrCode_RenderedAt150Dpi_DecodesToTheVerifyUrl) {
  const auto pdf = render(sampleReceipt(), "qr.pdf");
  const auto stem = dir / "qr";
  const auto rendered =
      test::run({"/usr/bin/pdftoppm", "-r", "150", "-png", "-singlefile", pdf.string(), stem.string()});
  ASSERT_EQ(rendered.exitCode, 0) << rendered.output;
  const auto decoded = test::run({"/usr/bin/zbarimg", "--raw", "-q", "--nodbus", stem.string() + ".png"});
  ASSERT_EQ(decoded.exitCode, 0) << decoded.output;
  EXPECT_EQ(decoded.output, sampleReceipt().verifyUrl + "\n");
}

TEST_F(ReceiptPdf, QrCode_Drawn_AtLeast25MillimetresWithQuietZone) {
  // The symbol's modules in the content: the squares' transformation gives the module size.
  const auto qr = detail::QrCode::encode(sampleReceipt().verifyUrl);
  const auto pdf = render(sampleReceipt(), "size.pdf");
  const auto qdf = test::run({"/usr/bin/qpdf", "--qdf", "--object-streams=disable", pdf.string(), "-"});
  ASSERT_EQ(qdf.exitCode, 0);
  const std::regex cm(R"(q 0 0 0 rg ([0-9.]+) 0 0 -([0-9.]+) ([0-9.]+) ([0-9.]+) cm)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(qdf.output, m, cm)) << "no module grid in the content";
  const double side = std::stod(m.str(1));
  EXPECT_GE(side * static_cast<double>(qr.width()), 25 * 72 / 25.4);
  const double left = std::stod(m.str(3));
  EXPECT_GE(left - 4 * side, 20 * 72 / 25.4 - 0.01);  // the quiet zone is inside the margin
}

TEST_F(ReceiptPdf, Structure_QpdfCheck_Passes) {
  const auto pdf = render(sampleReceipt(), "check.pdf");
  const test::QpdfCheck q = test::qpdfCheck(pdf);
  EXPECT_EQ(q.exitCode, 0) << ::testing::PrintToString(q.warnings);
  EXPECT_TRUE(q.warnings.empty()) << ::testing::PrintToString(q.warnings);
  const std::string bytes = test::readFile(pdf);
  EXPECT_EQ(bytes.rfind("%PDF-1.7\n%", 0), 0u);
  EXPECT_NE(bytes.find("/Producer (kyso)"), std::string::npos);
  EXPECT_NE(bytes.find("/CreationDate (D:20261128011502+07'00')"), std::string::npos);
  EXPECT_NE(bytes.find("/ID ["), std::string::npos);
  EXPECT_NE(bytes.find("/FontFile2"), std::string::npos);
  EXPECT_NE(bytes.find("/ToUnicode"), std::string::npos);
}

TEST_F(ReceiptPdf, Render_SameInputTwice_IdenticalBytes) {
  const Receipt receipt = sampleReceipt();
  const std::string first = renderReceiptPdf(receipt, *fonts(), kRenderedAt);
  const std::string second = renderReceiptPdf(receipt, *fonts(), kRenderedAt);
  EXPECT_EQ(first, second);
  // Fonts loaded anew make no difference either.
  const auto reloaded = ReceiptPdfFonts::system();
  EXPECT_EQ(renderReceiptPdf(receipt, *reloaded, kRenderedAt), first);
  // Another rendering time changes the creation date and the identifier, nothing on the page.
  const std::string later = renderReceiptPdf(receipt, *fonts(), kRenderedAt + std::chrono::hours(24));
  EXPECT_NE(later, first);
  EXPECT_EQ(later.size(), first.size());
}

TEST_F(ReceiptPdf, LongNames_Wrap_NothingBeyondTheMargins) {
  Receipt r = sampleReceipt();
  r.request.payer.name =
      "Công ty trách nhiệm hữu hạn một thành viên Dịch vụ Thương mại và Xây dựng Nguyễn Hoàng Phương Nam "
      "chi nhánh Thành phố Đà Lạt tỉnh Lâm Đồng";
  r.organization.name =
      "Trung tâm Phục vụ hành chính công và Kiểm soát thủ tục hành chính thuộc Văn phòng Ủy ban nhân dân tỉnh "
      "Lâm Đồng";
  r.request.items[0].name =
      "Lệ phí cấp bản sao trích lục hộ tịch, bản sao giấy khai sinh, giấy chứng nhận kết hôn và các giấy tờ hộ "
      "tịch khác theo yêu cầu của công dân";
  r.request.items[0].code = "LEPHI-HOTICH-BANSAO-2026-0007";
  r.verifyUrl = "https://dichvucong.lamdong.gov.vn/bien-lai/tra-cuu?ma=7KQX2M9PHD4T&ky-hieu=26TAB&so=00000123";
  const auto pdf = render(r, "long.pdf");
  const auto all = words(text(pdf, {"-bbox"}));
  ASSERT_FALSE(all.empty());
  const double rightMargin = 595.28 - 15 * 72 / 25.4;
  for (const Word& w : all) {
    EXPECT_LE(w.xMax, rightMargin + 0.5) << w.text;
    EXPECT_GE(w.xMin, 20 * 72 / 25.4 - 0.5) << w.text;
  }
  // The payer's name is on more than one line, every word of it present.
  std::set<double> lines;
  for (const Word& w : all) {
    if (w.text == "Nguyễn" || w.text == "Lạt") lines.insert(w.yMin);
  }
  EXPECT_GE(lines.size(), 2u);
  EXPECT_TRUE(inOrder(all, r.request.payer.name));
  EXPECT_TRUE(inOrder(all, r.organization.name));
  EXPECT_TRUE(inOrder(all, "Ký bởi: " + r.organization.name));
  EXPECT_TRUE(inOrder(all, r.request.items[0].name));
  // The QR code still carries the whole URL.
  const auto stem = dir / "long";
  ASSERT_EQ(test::run({"/usr/bin/pdftoppm", "-r", "150", "-png", "-singlefile", pdf.string(), stem.string()}).exitCode,
            0);
  EXPECT_EQ(test::run({"/usr/bin/zbarimg", "--raw", "-q", "--nodbus", stem.string() + ".png"}).output,
            r.verifyUrl + "\n");
}

TEST_F(ReceiptPdf, ThirtyFeeLines_ContinueOnASecondPage) {
  Receipt r = sampleReceipt();
  r.request.items.clear();
  r.total = 0;
  for (int i = 1; i <= 30; ++i) {
    r.request.items.push_back({"LP-" + std::to_string(i), "Lệ phí chứng thực bản sao số " + std::to_string(i),
                               i % 2 == 0 ? FeeKind::Phi : FeeKind::LePhi, 1000 * i});
    r.total += 1000 * i;
  }
  r.totalInWords = "Bốn trăm sáu mươi lăm nghìn đồng";
  const auto pdf = render(r, "many.pdf");
  ASSERT_EQ(pageCount(pdf), 2);
  EXPECT_EQ(test::qpdfCheck(pdf).exitCode, 0);
  const std::string t = text(pdf);
  for (int i = 1; i <= 30; ++i) {
    EXPECT_NE(t.find("Lệ phí chứng thực bản sao số " + std::to_string(i) + "\n"), std::string::npos) << i;
  }
  EXPECT_NE(t.find("465.000"), std::string::npos);
  const std::string second = text(pdf, {"-f", "2", "-l", "2"});
  EXPECT_NE(second.find("(tiếp theo)"), std::string::npos) << second;
  EXPECT_NE(second.find("Tên khoản thu"), std::string::npos);  // the header row again
  EXPECT_NE(second.find("Ký bởi:"), std::string::npos);
  EXPECT_NE(second.find("Trang 2/2"), std::string::npos);
  EXPECT_EQ(text(pdf, {"-f", "1", "-l", "1"}).find("Ký bởi:"), std::string::npos);
  // Nothing but the page number below the bottom margin.
  for (const Word& w : words(text(pdf, {"-bbox"}))) {
    if (w.text == "Trang" || w.text.find('/') != std::string::npos) continue;
    EXPECT_LE(w.yMax, 841.89 - 18 * 72 / 25.4 + 0.5) << w.text << " on page " << w.page;
  }
}

TEST_F(ReceiptPdf, ReplacementReceipt_NamesTheOriginal) {
  Receipt r = sampleReceipt();
  r.replaces = ReceiptReference{"rc_fedcba9876543210fedcba9876543210",
                                {TemplateCode::Ebl01, "26TAB"},
                                41,
                                pki::parseIso8601("2026-11-20T03:00:00Z")};
  EXPECT_NE(text(render(r, "replacement.pdf"))
                .find("Thay thế biên lai mẫu số EBL01, ký hiệu 26TAB, số 00000041, Ngày 20 tháng 11 năm 2026"),
            std::string::npos);
}

TEST_F(ReceiptPdf, TextTheFontLacks_IsRefused) {
  Receipt r = sampleReceipt();
  r.request.payer.name = "Nguyễn Văn A \xF0\x9F\x98\x80";  // an emoji Liberation Serif has no glyph for
  try {
    renderReceiptPdf(r, *fonts(), kRenderedAt);
    FAIL() << "rendered";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_text");
  }
}

TEST_F(ReceiptPdf, Signed_WithTheSampleSeal_PdfsigAcceptsIt) {
  const auto sample = std::filesystem::path(KYSO_SOURCE_DIR) / "certs-sample";
  const pki::Pkcs12Contents p12 = pki::loadPkcs12File((sample / "seal.p12").string(), "kyso-sample");
  const pki::SigningCredential seal{"seal", p12.key, p12.chain};
  const std::string unsigned_ = renderReceiptPdf(sampleReceipt(), *fonts(), kRenderedAt);

  signer::PadesSigner padesSigner(nullptr);
  signer::MemoryPdfOutput output;
  signer::PadesOptions options;
  options.level = signer::PadesLevel::B_B;
  options.fields.signingTime = pki::SystemClock::instance().now();
  options.fields.reason = "Biên lai điện tử 26TAB số 00000123";
  padesSigner.sign(signer::PdfInput::fromMemory(unsigned_), output, seal, options);
  const auto signedPdf = dir / "signed.pdf";
  test::writeFile(signedPdf, output.bytes());
  // The unsigned copy is kept byte for byte: the signature is an incremental update.
  EXPECT_EQ(output.bytes().substr(0, unsigned_.size()), unsigned_);

  const auto root = pki::Certificate::fromPem(test::readFile(sample / "root-ca.crt.pem"));
  const test::PeerVerdict v = test::checkWithPeers(signedPdf, root);
  EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  EXPECT_NE(v.pdfsigOutput.find("Total document signed"), std::string::npos) << v.pdfsigOutput;
  EXPECT_EQ(test::qpdfCheck(signedPdf).exitCode, 0);
}

TEST(QrCode, Encode_Url_SmallestVersionAtLevelM) {
  const auto qr = detail::QrCode::encode("https://dichvucong.lamdong.gov.vn/v/7KQX2M9PHD4T");
  // 47 bytes at level M need version 4 (ISO/IEC 18004 table 7: 62 bytes; version 3 holds 42).
  EXPECT_EQ(qr.version(), 4);
  EXPECT_EQ(qr.width(), 17u + 4u * 4u);
  // The finder pattern's corner modules are dark, the separator beside it light.
  EXPECT_TRUE(qr.dark(0, 0));
  EXPECT_TRUE(qr.dark(qr.width() - 1, 0));
  EXPECT_TRUE(qr.dark(0, qr.width() - 1));
  EXPECT_FALSE(qr.dark(7, 0));
}

TEST(QrCode, Encode_EmptyOrOverCapacity_IsRefused) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{2332}}) {
    try {
      detail::QrCode::encode(std::string(size, 'x'));
      FAIL() << size << " bytes encoded";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), "qr_data_unencodable");
    }
  }
  EXPECT_EQ(detail::QrCode::encode(std::string(2331, 'x')).version(), 40);
}

}  // namespace
}  // namespace kyso::receipts
