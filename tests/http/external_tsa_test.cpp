// B-T with an external time-stamping authority (tsa.url, tsa.trust_file): a second kyso server's
// RFC 3161 endpoint plays the TSA, and openssl ts -verify checks the token against that TSA's
// root — not the root of the signing server, which has an embedded TSA of its own.
#include <gtest/gtest.h>

#include "kyso/pki/digest.h"
#include "test_service.h"

namespace kyso::test {
namespace {

std::string signBt(TestService& service, const std::string& pdf) {
  const std::string key = service.key(api::Role::Signer, "one-stop shop");
  const HttpAnswer answer = http(service.port(), "POST", "/v1/sign/pdf?level=B-T", pdf, "application/pdf",
                                 {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(answer.status, 200) << answer.body;
  return answer.body;
}

TEST(ExternalTsa, BtTokensComeFromTheConfiguredTsaAndVerifyWithOpenssl) {
  TestService tsa;  // its development PKI includes a TSA certificate; POST /tsa is public
  TempDir dir;
  writeFile(dir / "tsa-roots.pem", tsa.core().devPki()->rootCa().pem());
  TestService signer(
      {.settings = {{"tsa.url", tsa.url("/tsa")}, {"tsa.trust_file", (dir / "tsa-roots.pem").string()}}});

  const std::string pdf = readFile(corpusPdf("qpdf_qtest_qpdf_11-pages.pdf"));
  const std::string signedPdf = signBt(signer, pdf);
  writeFile(dir / "signed.pdf", signedPdf);
  const PeerVerdict v = checkWithPeers(dir / "signed.pdf", signer.core().devPki()->rootCa());
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;

  const auto signatures = embeddedSignatures(signedPdf);
  ASSERT_EQ(signatures.size(), 1u);
  const auto token = signatureTimeStampToken(signatures[0].cms);
  ASSERT_TRUE(token);
  // RFC 3161 appendix A: the token's imprint is the hash of the signature value.
  const Bytes imprint = pki::sha256(signatureValue(signatures[0].cms));
  const ProcessResult byTsa = opensslVerifyToken(*token, imprint, *tsa.core().devPki());
  EXPECT_EQ(byTsa.exitCode, 0) << byTsa.output;
  EXPECT_NE(byTsa.output.find("Verification: OK"), std::string::npos) << byTsa.output;
  // Not the signing server's embedded TSA.
  EXPECT_NE(opensslVerifyToken(*token, imprint, *signer.core().devPki()).exitCode, 0);
  // The TSA server answered the request.
  const std::string metrics = http(tsa.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("route=\"/tsa\",status=\"200\""), std::string::npos) << metrics;
}

// tsa.max_token_bytes bounds the token the PDF reserves room for; a larger one is refused.
TEST(ExternalTsa, ATokenLargerThanTheReservedRoomIsRefused) {
  TestService tsa;
  TempDir dir;
  writeFile(dir / "tsa-roots.pem", tsa.core().devPki()->rootCa().pem());
  TestService signer({.settings = {{"tsa.url", tsa.url("/tsa")},
                                   {"tsa.trust_file", (dir / "tsa-roots.pem").string()},
                                   {"tsa.max_token_bytes", "1024"}}});
  const std::string key = signer.key(api::Role::Signer, "one-stop shop");
  const HttpAnswer answer =
      http(signer.port(), "POST", "/v1/sign/pdf?level=B-T", readFile(corpusPdf("qpdf_qtest_qpdf_11-pages.pdf")),
           "application/pdf", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(errorCode(answer), "tsa_token_too_large");
  // B-B needs no token and still signs.
  EXPECT_EQ(http(signer.port(), "POST", "/v1/sign/pdf", readFile(corpusPdf("qpdf_qtest_qpdf_11-pages.pdf")),
                 "application/pdf", {{"Authorization", "Bearer " + key}})
                .status,
            200);
}

}  // namespace
}  // namespace kyso::test
