// Visible signatures over HTTP: the seal or signature image sent with the PDF in a
// multipart/form-data request, and the per-key appearance defaults (appearance.key.<id>.*) the
// README's "A visible seal" relies on — pages rendered by pdftoppm, text read by pdftotext,
// signatures checked by pdfsig and openssl.
#include <gtest/gtest.h>

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/URI.h>

#include <sstream>
#include <tuple>
#include <vector>

#include "pdf_builder.h"
#include "test_images.h"
#include "test_service.h"

namespace kyso::test {
namespace {

constexpr const char* kBoundary = "kyso-test-7f1c2a9e1b0e4c55";

struct Part {
  std::string name, filename, type, bytes;
};

// The form as a client library writes it (Poco's HTMLForm), and its Content-Type.
std::pair<std::string, std::string> multipart(const std::vector<Part>& parts) {
  Poco::Net::HTMLForm form(Poco::Net::HTMLForm::ENCODING_MULTIPART);
  for (const auto& p : parts) form.addPart(p.name, new Poco::Net::StringPartSource(p.bytes, p.type, p.filename));
  std::ostringstream out;
  form.write(out, kBoundary);
  return {out.str(), std::string("multipart/form-data; boundary=") + kBoundary};
}

std::string encode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "&=+?#/", out);
  return out;
}

// A4 portrait, no rotation: at 72 dpi a point is a pixel, y from the top of 841.89 pt.
std::string a4() {
  return buildPdf(onePageObjects());
}

class SignPdfAppearance : public ::testing::Test {
 protected:
  TempDir dir;

  HttpAnswer post(TestService& service, const std::string& key, const std::string& query, const std::string& body,
                  const std::string& type) {
    return http(service.port(), "POST", "/v1/sign/pdf" + query, body, type, {{"Authorization", "Bearer " + key}});
  }
  std::filesystem::path save(const HttpAnswer& answer, const std::string& name) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    writeFile(dir / name, answer.body);
    return dir / name;
  }
  static void expectValid(const std::filesystem::path& pdf, TestService& service) {
    const PeerVerdict v = checkWithPeers(pdf, service.core().devPki()->rootCa());
    EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  }
  static std::string text(const std::filesystem::path& pdf) {
    const auto r = run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf.string(), "-"});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return r.output;
  }
  // The seal at its real size (56.64 pt) 36 pt in from the bottom-right corner of the A4 page.
  static void expectSealBottomRight(const Ppm& page) {
    const Found seal = find(page, red);
    ASSERT_GT(seal.count, 500);
    EXPECT_NEAR(seal.right, 595.28 - 36, 2);
    EXPECT_NEAR(seal.bottom, 841.89 - 36, 2);
    EXPECT_NEAR(seal.right - seal.left, 56.64, 3);
    EXPECT_NEAR(seal.bottom - seal.top, 56.64, 3);
  }
};

// No image configured for the dev seal key: the image comes with the request or not at all.
TEST_F(SignPdfAppearance, SealImageSentWithTheRequestIsDrawnAndSigned) {
  TestService service({.settings = {{"limits.max_document_bytes", std::to_string(256 * 1024)}}});
  const std::string key = service.key(api::Role::Signer, "one-stop shop");
  const std::string pdf = a4();

  const auto [body, type] =
      multipart({{"document", "result.pdf", "application/pdf", pdf}, {"image", "seal.png", "image/png", sealPng()}});
  const auto sealed = save(post(service, key, "?visible=seal&position=bottom-right", body, type), "sealed.pdf");
  expectValid(sealed, service);
  expectSealBottomRight(renderPage(sealed, 1, 72));
  // The original bytes stay in front: an incremental update of the uploaded document.
  EXPECT_EQ(readFile(sealed).substr(0, pdf.size()), pdf);

  // Without the image part there is nothing to draw.
  const auto [noImage, noImageType] = multipart({{"document", "result.pdf", "application/pdf", pdf}});
  EXPECT_EQ(errorCode(post(service, key, "?visible=seal", noImage, noImageType)), "invalid_appearance");
  // A form with only the document still signs, invisibly, as the raw body does.
  const auto plain = save(post(service, key, "", noImage, noImageType), "plain.pdf");
  expectValid(plain, service);
  EXPECT_EQ(find(renderPage(plain, 1, 72), red).count, 0);
}

TEST_F(SignPdfAppearance, BadImagesAndFormsAreRefusedWithStableCodes) {
  TestService service({.settings = {{"limits.max_document_bytes", std::to_string(256 * 1024)}}});
  const std::string key = service.key(api::Role::Signer, "one-stop shop");
  const auto before = service.core().store().audit().verify().entries;
  const std::string pdf = a4();
  const std::string png = sealPng();
  const auto refused = [&](const std::string& query, const std::vector<Part>& parts) {
    const auto [body, type] = multipart(parts);
    return post(service, key, query, body, type);
  };
  const Part document{"document", "result.pdf", "application/pdf", pdf};
  const auto errorMessage = [](const HttpAnswer& a) {
    return json(a.body)->getObject("error")->getValue<std::string>("message");
  };

  // The image is checked as a configured one is (signer/src/png_image.cpp): not a PNG, truncated.
  HttpAnswer answer = refused("?visible=seal", {document, {"image", "seal.png", "image/png", "GIF89a not a png"}});
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(errorCode(answer), "invalid_image");
  answer = refused("?visible=seal", {document, {"image", "seal.png", "image/png", png.substr(0, png.size() - 40)}});
  EXPECT_EQ(errorCode(answer), "invalid_image");
  // An image where none is drawn.
  EXPECT_EQ(errorCode(refused("", {document, {"image", "seal.png", "image/png", png}})), "invalid_appearance");
  EXPECT_EQ(errorCode(refused("?visible=copy", {document, {"image", "seal.png", "image/png", png}})),
            "invalid_appearance");
  // The form itself: unknown part, part twice, no document, a plain field, a part of the wrong type.
  EXPECT_EQ(errorCode(refused("", {document, {"stamp", "seal.png", "image/png", png}})), "invalid_multipart");
  EXPECT_EQ(errorCode(refused("", {document, document})), "invalid_multipart");
  EXPECT_EQ(errorCode(refused("?visible=seal", {{"image", "seal.png", "image/png", png}})), "invalid_multipart");
  EXPECT_EQ(errorCode(refused("", {{"document", "", "application/pdf", "%PDF-1.4"}})), "invalid_multipart");
  answer = refused("?visible=seal", {document, {"image", "seal.jpg", "image/jpeg", png}});
  EXPECT_EQ(answer.status, 415);
  EXPECT_EQ(errorCode(answer), "unsupported_media_type");
  // The message names the part's own type, not only the generic one also accepted.
  EXPECT_NE(errorMessage(answer).find("must be image/png (or application/octet-stream)"), std::string::npos)
      << answer.body;
  // An empty image part does not fall back to a configured image.
  EXPECT_EQ(errorCode(refused("?visible=seal", {document, {"image", "seal.png", "image/png", ""}})), "invalid_image");
  answer = post(service, key, "", "--x\r\n\r\nnot a form", "multipart/form-data; boundary=other");
  EXPECT_EQ(errorCode(answer), "invalid_multipart");
  // Poco's own text (its source files) stays out of the answer.
  EXPECT_EQ(errorMessage(answer).find(".cpp"), std::string::npos) << answer.body;
  // RFC 2046: a boundary is at most 70 characters (Poco's reader asserts on much longer ones).
  const std::string longBoundary(1200, 'b');
  answer = post(service, key, "", "--" + longBoundary + "\r\n", "multipart/form-data; boundary=" + longBoundary);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(errorCode(answer), "invalid_multipart");
  EXPECT_EQ(errorCode(post(service, key, "", pdf, "multipart/form-data")), "invalid_multipart");  // no boundary
  answer = post(service, key, "", pdf, "text/plain");
  EXPECT_EQ(answer.status, 415);
  EXPECT_EQ(errorCode(answer), "unsupported_media_type");
  // Each part within its own cap: the document within limits.max_document_bytes, the image 8 MiB.
  answer = refused("", {{"document", "big.pdf", "application/pdf", pdf + std::string(256 * 1024, ' ')}});
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(errorCode(answer), "body_too_large");
  answer = refused("?visible=seal", {document, {"image", "seal.png", "image/png", png + std::string(8u << 20, 0)}});
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(errorCode(answer), "body_too_large");
  EXPECT_EQ(service.core().store().audit().verify().entries, before);
}

// README, "A visible seal": the key's configured image and texts are the defaults of every request.
class ConfiguredAppearance : public SignPdfAppearance {
 protected:
  void SetUp() override {
    writeFile(dir / "seal.png", sealPng());
    service = std::make_unique<TestService>(
        TestServiceOptions{.settings = {{"appearance.key.seal.image", (dir / "seal.png").string()},
                                        {"appearance.key.seal.title", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"},
                                        {"appearance.key.seal.name", "Trần Văn Đức"},
                                        {"appearance.key.seal.copy_form", "Trích sao"},
                                        {"appearance.key.seal.copy_organisation", "Văn phòng UBND tỉnh Tuyên Quang"}}});
    key = service->key(api::Role::Signer, "one-stop shop");
  }
  std::unique_ptr<TestService> service;
  std::string key;
};

TEST_F(ConfiguredAppearance, ReadmeVisibleSealUsesTheConfiguredImage) {
  const auto sealed =
      save(post(*service, key, "?visible=seal&position=bottom-right", a4(), "application/pdf"), "sealed.pdf");
  expectValid(sealed, *service);
  expectSealBottomRight(renderPage(sealed, 1, 72));
}

TEST_F(ConfiguredAppearance, CopyAndSignerLayoutsTakeTheConfiguredTexts) {
  const auto copy = save(post(*service, key, "?visible=copy", a4(), "application/pdf"), "copy.pdf");
  expectValid(copy, *service);
  const std::string copyText = text(copy);
  EXPECT_NE(copyText.find("Trích sao\nVăn phòng UBND tỉnh Tuyên Quang\n"), std::string::npos) << copyText;
  // Text given with the request wins over the configuration.
  const auto mine =
      save(post(*service, key, "?visible=copy&copy_form=" + encode("Sao y"), a4(), "application/pdf"), "mine.pdf");
  const std::string mineText = text(mine);
  EXPECT_NE(mineText.find("Sao y\nVăn phòng UBND tỉnh Tuyên Quang\n"), std::string::npos) << mineText;

  // The signer layout: configured title and name around an image sent with the request, which
  // replaces the configured seal image — blue ink, no red.
  const auto [body, type] = multipart(
      {{"document", "result.pdf", "application/pdf", a4()}, {"image", "signature.png", "image/png", signaturePng()}});
  const auto signer = save(post(*service, key, "?visible=signer&rect=330,90,530,200", body, type), "signer.pdf");
  expectValid(signer, *service);
  const std::string signerText = text(signer);
  EXPECT_NE(signerText.find("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"), std::string::npos) << signerText;
  EXPECT_NE(signerText.find("Trần Văn Đức"), std::string::npos) << signerText;
  const Ppm page = renderPage(signer, 1, 72);
  const Found ink = find(page, blue);
  EXPECT_GT(ink.count, 300);
  EXPECT_GE(ink.left, 330);
  EXPECT_LE(ink.bottom, 842 - 90);
  EXPECT_EQ(find(page, red).count, 0);
}

}  // namespace
}  // namespace kyso::test
