// The kyso command line as an operator uses it.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <regex>

#include "kyso/pki/software_key.h"
#include "pdf_builder.h"
#include "test_images.h"
#include "test_support.h"

namespace kyso {
namespace {

class Cli : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::string kyso = (test::binDir() / "kyso").string();

  test::ProcessResult cli(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {kyso, "--data-dir", (dir / "var").string()});
    return test::run(args, input);
  }

  // pdfsig and openssl on `pdf`, trusting the root of the development PKI the CLI made in var/.
  test::PeerVerdict peers(const std::string& pdf) const {
    return test::checkWithPeers(dir / pdf, pki::DevPki::load(dir / "var" / "pki").rootCa());
  }
};

TEST_F(Cli, SignsRightAfterSetUpWithTheDevelopmentPki) {
  const auto in = test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf");
  const auto signedB = cli({"sign", "pdf", in.string(), (dir / "b.pdf").string()});
  ASSERT_EQ(signedB.exitCode, 0) << signedB.output;
  EXPECT_NE(signedB.output.find("B-B, key seal, field Signature1"), std::string::npos) << signedB.output;
  const auto signedT = cli({"sign", "pdf", (dir / "b.pdf").string(), (dir / "t.pdf").string(), "--level", "B-T",
                            "--reason", "Cấp bản sao", "--location", "Lâm Đồng"});
  ASSERT_EQ(signedT.exitCode, 0) << signedT.output;

  const test::PeerVerdict v = peers("t.pdf");
  EXPECT_EQ(v.validSignatures, 2) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;  // pdfsig trusts only the first per run
  EXPECT_EQ(v.opensslVerified, 2) << v.problems;

  const auto audit = cli({"audit", "verify"});
  EXPECT_EQ(audit.exitCode, 0) << audit.output;
  EXPECT_NE(audit.output.find("intact: 2 entries"), std::string::npos) << audit.output;
  const auto list = cli({"audit", "list"});
  EXPECT_NE(list.output.find("sign.pdf  B-T  key=seal  cli:"), std::string::npos) << list.output;
}

TEST_F(Cli, PkiInitAndChainPrintTheCas) {
  const auto init = cli({"pki", "init", "--algorithm", "ec"});
  ASSERT_EQ(init.exitCode, 0) << init.output;
  EXPECT_NE(init.output.find("development PKI created"), std::string::npos);
  EXPECT_NE(init.output.find("UID=MST:0101234565"), std::string::npos) << init.output;
  EXPECT_NE(cli({"pki", "init"}).output.find("development PKI exists"), std::string::npos);

  const auto chain = cli({"pki", "chain"});
  ASSERT_EQ(chain.exitCode, 0) << chain.output;
  const auto certs = pki::Certificate::allFromPem(chain.output);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_NE(certs[0].subject().find("kyso Dev Issuing CA"), std::string::npos);
  EXPECT_NE(certs[1].subject().find("kyso Dev Root CA"), std::string::npos);
  EXPECT_EQ(EVP_PKEY_get_base_id(certs[1].publicKey()), EVP_PKEY_EC);
}

TEST_F(Cli, ApiKeysArePrintedOnceAndListedWithoutSecrets) {
  const auto created = cli({"apikey", "create", "--role", "signer", "--label", "cổng dịch vụ công"});
  ASSERT_EQ(created.exitCode, 0) << created.output;
  const auto at = created.output.find("kyso_");
  ASSERT_NE(at, std::string::npos);
  const std::string key = created.output.substr(at, created.output.find('\n', at) - at);
  EXPECT_EQ(key.size(), 5u + 16 + 1 + 64);
  const auto list = cli({"apikey", "list"});
  EXPECT_NE(list.output.find("signer"), std::string::npos);
  EXPECT_NE(list.output.find("cổng dịch vụ công"), std::string::npos);
  EXPECT_EQ(list.output.find(key.substr(22)), std::string::npos);  // never the secret
  EXPECT_EQ(cli({"apikey", "create", "--role", "root"}).exitCode, 1);
  EXPECT_EQ(cli({"apikey", "revoke", key.substr(5, 16)}).exitCode, 0);
  EXPECT_NE(cli({"apikey", "list"}).output.find("revoked"), std::string::npos);
}

TEST_F(Cli, SignsWithAPkcs12File) {
  const auto& pki = test::devPki();
  test::writeFile(dir / "key.pem", test::readFile(pki.dir() / "seal.key.pem"));
  test::writeFile(dir / "cert.pem", pki.seal().certificate().pem());
  test::writeFile(dir / "cas.pem", pki.issuingCa().pem() + pki.rootCa().pem());
  ASSERT_EQ(test::run({"/usr/bin/openssl", "pkcs12", "-export", "-inkey", (dir / "key.pem").string(), "-in",
                       (dir / "cert.pem").string(), "-certfile", (dir / "cas.pem").string(), "-passout",
                       "pass:12345678", "-out", (dir / "officer.p12").string()})
                .exitCode,
            0);
  test::writeFile(dir / "pass.txt", "12345678\n");
  const auto result =
      cli({"sign", "pdf", test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf").string(), (dir / "p12.pdf").string(), "--p12",
           (dir / "officer.p12").string(), "--p12-password-file", (dir / "pass.txt").string()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("key p12:officer.p12"), std::string::npos) << result.output;
  const test::PeerVerdict v = test::checkWithPeers(dir / "p12.pdf", pki.rootCa());
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;

  test::writeFile(dir / "pass.txt", "wrong\n");
  const auto wrong =
      cli({"sign", "pdf", test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf").string(), (dir / "no.pdf").string(), "--p12",
           (dir / "officer.p12").string(), "--p12-password-file", (dir / "pass.txt").string()});
  EXPECT_EQ(wrong.exitCode, 1);
  EXPECT_NE(wrong.output.find("invalid_pkcs12"), std::string::npos) << wrong.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "no.pdf"));
}

TEST_F(Cli, BadInputIsRefusedWithoutLeavingFiles) {
  test::writeFile(dir / "note.txt", "không phải PDF");
  const auto notPdf = cli({"sign", "pdf", (dir / "note.txt").string(), (dir / "out.pdf").string()});
  EXPECT_EQ(notPdf.exitCode, 1);
  EXPECT_NE(notPdf.output.find("(not_a_pdf)"), std::string::npos) << notPdf.output;
  const auto encrypted =
      cli({"sign", "pdf", test::corpusPdf("qpdf_qtest_qpdf_c-r3.pdf").string(), (dir / "out.pdf").string()});
  EXPECT_NE(encrypted.output.find("(pdf_encrypted)"), std::string::npos) << encrypted.output;
  const auto missing = cli({"sign", "pdf", (dir / "nothing.pdf").string(), (dir / "out.pdf").string()});
  EXPECT_EQ(missing.exitCode, 1);
  const auto unknownKey = cli({"sign", "pdf", test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf").string(),
                               (dir / "out.pdf").string(), "--key", "nope"});
  EXPECT_NE(unknownKey.output.find("(key_not_found)"), std::string::npos) << unknownKey.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf"));
  // Leftover temporary files would mean a half-written output could appear.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_NE(entry.path().extension(), ".part") << entry.path();
  }
}

TEST_F(Cli, GlobalOptionsMayFollowTheCommand) {
  test::writeFile(dir / "kyso.properties", "log.level = warning\n");
  const auto other = dir / "other";
  const auto result = test::run(
      {kyso, "audit", "verify", "--data-dir", other.string(), "--config", (dir / "kyso.properties").string()});
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(other / "kyso.db"));
  const auto equals = test::run({kyso, "audit", "list", "--data-dir=" + other.string(), "--limit", "5"});
  EXPECT_EQ(equals.exitCode, 0) << equals.output;
  EXPECT_EQ(test::run({kyso, "audit", "list", "--data-dir", other.string(), "--after", "abc"}).exitCode, 2);
  EXPECT_EQ(test::run({kyso, "--version"}).output, "kyso 0.1.0\n");
}

TEST_F(Cli, UsageErrorsExitTwoAndEveryCommandHasHelp) {
  EXPECT_EQ(cli({"sign", "pdf", "only-one-arg"}).exitCode, 2);
  EXPECT_EQ(cli({"frobnicate"}).exitCode, 2);
  EXPECT_EQ(cli({"sign", "pdf", "a", "b", "--levle", "B-T"}).exitCode, 2);
  for (const std::vector<std::string>& help : {std::vector<std::string>{"--help"},
                                               {"sign", "pdf", "--help"},
                                               {"apikey", "--help"},
                                               {"pki", "--help"},
                                               {"audit", "--help"}}) {
    const auto r = test::run([&] {
      std::vector<std::string> a{kyso};
      a.insert(a.end(), help.begin(), help.end());
      return a;
    }());
    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("Usage: kyso"), std::string::npos) << r.output;
  }
  const auto server = test::run({(test::binDir() / "kyso-server").string(), "--help"});
  EXPECT_EQ(server.exitCode, 0);
  EXPECT_NE(server.output.find("--data-dir DIR"), std::string::npos);
}

}  // namespace
}  // namespace kyso

namespace kyso {
namespace {

std::filesystem::path sample(const std::string& name) {
  return std::filesystem::path(KYSO_SOURCE_DIR) / "certs-sample" / name;
}

// Certificates made by the openssl command line (certs-sample/generate.sh), not by kyso.
TEST_F(Cli, SignsWithKeysFromTheCommittedSamplePki) {
  test::writeFile(dir / "kyso.properties", "keys.agency.pkcs12 = " + sample("seal.p12").string() + "\n" +
                                               "keys.agency.password_file = " + (dir / "p12pass").string() + "\n" +
                                               "keys.citizen.pem_key = " + sample("seal-ec.key.pem").string() + "\n" +
                                               "keys.citizen.pem_chain = " + (dir / "ec-chain.pem").string() + "\n");
  test::writeFile(dir / "p12pass", "kyso-sample\n");
  test::writeFile(dir / "ec-chain.pem",
                  test::readFile(sample("seal-ec.crt.pem")) + test::readFile(sample("issuing-ca.crt.pem")));
  const auto root = pki::Certificate::fromPem(test::readFile(sample("root-ca.crt.pem")));
  const auto in = test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf");
  for (const std::string key : {"agency", "citizen"}) {
    const auto out = dir / (key + ".pdf");
    const auto result =
        cli({"--config", (dir / "kyso.properties").string(), "sign", "pdf", in.string(), out.string(), "--key", key});
    ASSERT_EQ(result.exitCode, 0) << result.output;
    const test::PeerVerdict v = test::checkWithPeers(out, root);
    EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
    EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  }
  // Without a B-T source configured (file keys, no tsa.url) a time-stamp cannot be had.
  const auto bt = cli({"--config", (dir / "kyso.properties").string(), "sign", "pdf", in.string(),
                       (dir / "bt.pdf").string(), "--level", "B-T"});
  EXPECT_NE(bt.output.find("(tsa_not_configured)"), std::string::npos) << bt.output;
}

TEST_F(Cli, KeysThatMayNotSignAreRefused) {
  for (const std::string name : {"expired", "encipher-only"}) {
    test::writeFile(dir / (name + "-chain.pem"),
                    test::readFile(sample(name + ".crt.pem")) + test::readFile(sample("issuing-ca.crt.pem")));
    test::writeFile(dir / (name + ".properties"), "keys.k.pem_key = " + sample(name + ".key.pem").string() +
                                                      "\nkeys.k.pem_chain = " + (dir / (name + "-chain.pem")).string() +
                                                      "\n");
    const auto result = cli({"--config", (dir / (name + ".properties")).string(), "sign", "pdf",
                             test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf").string(), (dir / "x.pdf").string()});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.output.find("(signing_key_unusable)"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find(name == "expired" ? "expired on 2021-01-01" : "key usage"), std::string::npos)
        << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.pdf"));
  }
}

// `kyso sign pdf --visible`: the layouts of Decree 30/2020 as an operator draws them offline.
TEST_F(Cli, VisibleSealFromAnImageFileIsDrawnAndSigned) {
  test::writeFile(dir / "a4.pdf", test::buildPdf(test::onePageObjects()));
  test::writeFile(dir / "seal.png", test::sealPng());
  const auto sealed = cli({"sign", "pdf", (dir / "a4.pdf").string(), (dir / "sealed.pdf").string(), "--visible", "seal",
                           "--image", (dir / "seal.png").string(), "--position", "bottom-right"});
  ASSERT_EQ(sealed.exitCode, 0) << sealed.output;
  const test::PeerVerdict v = peers("sealed.pdf");
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  // At 72 dpi a point is a pixel: the 56.64 pt seal 36 pt in from the bottom-right corner.
  const test::Found seal = test::find(test::renderPage(dir / "sealed.pdf", 1, 72), test::red);
  ASSERT_GT(seal.count, 500);
  EXPECT_NEAR(seal.right, 595.28 - 36, 2);
  EXPECT_NEAR(seal.bottom, 841.89 - 36, 2);
  EXPECT_NEAR(seal.right - seal.left, 56.64, 3);

  // Placed by rectangle on the page instead: the seal's lower-left corner where asked.
  const auto placed = cli({"sign", "pdf", (dir / "a4.pdf").string(), (dir / "placed.pdf").string(), "--visible", "seal",
                           "--image", (dir / "seal.png").string(), "--rect", "100,100,200,200"});
  ASSERT_EQ(placed.exitCode, 0) << placed.output;
  const test::Found moved = test::find(test::renderPage(dir / "placed.pdf", 1, 72), test::red);
  ASSERT_GT(moved.count, 500);
  EXPECT_GE(moved.left, 99);
  EXPECT_LE(moved.right, 201);
  EXPECT_GE(moved.top, 842 - 201);
  EXPECT_LE(moved.bottom, 842 - 99);
}

TEST_F(Cli, VisibleCopyNoteTakesItsTextsFromTheOptions) {
  test::writeFile(dir / "a4.pdf", test::buildPdf(test::onePageObjects()));
  const auto copy = cli({"sign", "pdf", (dir / "a4.pdf").string(), (dir / "copy.pdf").string(), "--visible", "copy",
                         "--copy-form", "Trích sao", "--copy-organisation", "Sở Tư pháp tỉnh Lâm Đồng"});
  ASSERT_EQ(copy.exitCode, 0) << copy.output;
  const test::PeerVerdict v = peers("copy.pdf");
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  const auto words = test::run({"/usr/bin/pdftotext", "-enc", "UTF-8", (dir / "copy.pdf").string(), "-"});
  EXPECT_NE(words.output.find("Trích sao\nSở Tư pháp tỉnh Lâm Đồng\n20"), std::string::npos) << words.output;
  EXPECT_TRUE(std::regex_search(words.output, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)"))) << words.output;
  // Black 10 pt text at the top right of page 1 (the page's own text is far below).
  const test::Ppm page = test::renderPage(dir / "copy.pdf", 1, 72);
  const test::Found note = test::find(page, test::dark, 300, 0, page.width, 120);
  ASSERT_GT(note.count, 100);
  EXPECT_LE(note.top, 26);
  EXPECT_GE(note.right, 595 - 27);
  EXPECT_EQ(test::find(page, test::red).count, 0);
}

TEST_F(Cli, VisibleOptionsNeedVisibleAndValidValues) {
  const std::string in = test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf").string();
  test::writeFile(dir / "seal.png", test::sealPng());
  const auto noVisible = cli({"sign", "pdf", in, (dir / "out.pdf").string(), "--image", (dir / "seal.png").string()});
  EXPECT_EQ(noVisible.exitCode, 2);
  EXPECT_NE(noVisible.output.find("--image needs --visible"), std::string::npos) << noVisible.output;
  const auto pageAlone = cli({"sign", "pdf", in, (dir / "out.pdf").string(), "--page", "2"});
  EXPECT_EQ(pageAlone.exitCode, 1);
  EXPECT_NE(pageAlone.output.find("(invalid_appearance)"), std::string::npos) << pageAlone.output;
  const auto noImage = cli({"sign", "pdf", in, (dir / "out.pdf").string(), "--visible", "seal"});
  EXPECT_NE(noImage.output.find("(invalid_appearance)"), std::string::npos) << noImage.output;
  test::writeFile(dir / "bad.png", "GIF89a");
  const auto badImage =
      cli({"sign", "pdf", in, (dir / "out.pdf").string(), "--visible", "seal", "--image", (dir / "bad.png").string()});
  EXPECT_NE(badImage.output.find("(invalid_image)"), std::string::npos) << badImage.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf"));
}

// limits.max_document_bytes caps the CLI's input as it caps a request body.
TEST_F(Cli, InputOverTheDocumentCapIsRefused) {
  const auto in = test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf");
  const auto size = std::filesystem::file_size(in);
  test::writeFile(dir / "small.properties", "limits.max_document_bytes = " + std::to_string(size - 1) + "\n");
  const auto refused =
      cli({"--config", (dir / "small.properties").string(), "sign", "pdf", in.string(), (dir / "out.pdf").string()});
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.output.find("(document_too_large)"), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.pdf"));
  test::writeFile(dir / "exact.properties", "limits.max_document_bytes = " + std::to_string(size) + "\n");
  const auto fits =
      cli({"--config", (dir / "exact.properties").string(), "sign", "pdf", in.string(), (dir / "out.pdf").string()});
  EXPECT_EQ(fits.exitCode, 0) << fits.output;
}

}  // namespace
}  // namespace kyso
