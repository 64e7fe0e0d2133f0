// The development PKI's revocation services seen by the real peer: kyso runs in-process on port 0,
// certificates are issued by its local CA for keys and requests made by `openssl`, and `openssl
// ocsp`, `openssl crl` and `openssl verify -crl_check` talk to POST /pki/ocsp and GET /pki/crl.
#include <gtest/gtest.h>

#include <regex>

#include "http_client.h"
#include "kyso/pki/local_ca.h"
#include "test_service.h"
#include "test_support.h"

namespace kyso::api {
namespace {

using test::http;
using test::HttpAnswer;

const std::string kOpenssl = "/usr/bin/openssl";

class OcspCrl : public ::testing::Test {
 protected:
  static inline std::unique_ptr<test::TestService> service;
  static inline int issued = 0;

  static void SetUpTestSuite() {
    service = std::make_unique<test::TestService>();
    const pki::DevPki& pki = *service->core().devPki();
    test::writeFile(service->dir().path() / "root.pem", pki.rootCa().pem());
    test::writeFile(service->dir().path() / "issuing.pem", pki.issuingCa().pem());
    test::writeFile(service->dir().path() / "chain.pem", pki.issuingCa().pem() + pki.rootCa().pem());
  }
  static void TearDownTestSuite() { service.reset(); }

  static std::string path(const std::string& name) { return (service->dir().path() / name).string(); }
  static std::string url(const std::string& target) { return service->url(target); }

  static test::ProcessResult openssl(std::vector<std::string> args) {
    args.insert(args.begin(), kOpenssl);
    return test::run(args);
  }

  // A key and a PKCS#10 request made by openssl, a certificate for them from kyso's local CA, the
  // certificate written as PEM; returns the file name.
  static std::string issueWithOpensslKey(const std::string& algorithm) {
    const std::string stem = "leaf" + std::to_string(++issued);
    const auto key =
        algorithm == "rsa"
            ? openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path(stem + ".key")})
            : openssl(
                  {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path(stem + ".key")});
    EXPECT_EQ(key.exitCode, 0) << key.output;
    const auto req = openssl({"req", "-new", "-key", path(stem + ".key"), "-subj", "/CN=whatever the applicant typed",
                              "-out", path(stem + ".csr")});
    EXPECT_EQ(req.exitCode, 0) << req.output;
    const pki::CertificateSubject subject{"Nguyễn Văn An", {"CCCD:001085012345"}, "Tỉnh Tuyên Quang", ""};
    const pki::Certificate cert = service->core().issuingCa()->issue(
        pki::CertificateRequest::parse(asBytes(test::readFile(path(stem + ".csr")))), subject);
    test::writeFile(path(stem + ".pem"), cert.pem());
    return stem + ".pem";
  }

  static test::ProcessResult ocspQuery(const std::string& certFile) {
    return openssl({"ocsp", "-issuer", path("issuing.pem"), "-cert", path(certFile), "-url", url("/pki/ocsp"),
                    "-CAfile", path("root.pem"), "-resp_text"});
  }

  static std::string serialOf(const std::string& certFile) {
    return pki::Certificate::fromPem(test::readFile(path(certFile))).serialHex();
  }

  // GET /pki/crl (or /pki/crl/root) saved as DER; the answer's status is checked.
  static std::string fetchCrl(const std::string& target, const std::string& name) {
    const HttpAnswer answer = http(service->port(), "GET", target);
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.header("Content-Type"), "application/pkix-crl");
    test::writeFile(path(name), answer.body);
    return name;
  }

  static std::uint64_t crlNumber(const std::string& crlFile) {
    const auto text = openssl({"crl", "-inform", "DER", "-in", path(crlFile), "-noout", "-crlnumber"});
    EXPECT_EQ(text.exitCode, 0) << text.output;
    std::smatch m;
    static const std::regex number("crlNumber=(?:0x)?([0-9A-Fa-f]+)");
    if (!std::regex_search(text.output, m, number)) {
      ADD_FAILURE() << text.output;
      return 0;
    }
    return std::stoull(m[1].str(), nullptr, 16);
  }
};

TEST_F(OcspCrl, OpensslOcsp_FreshCertificate_IsGoodAndTheResponseVerifies) {
  for (const char* algorithm : {"rsa", "ec"}) {
    const std::string cert = issueWithOpensslKey(algorithm);
    const auto result = ocspQuery(cert);
    EXPECT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("Response verify OK"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find(cert + ": good"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("OCSP Response Status: successful"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("Responder Id: "), std::string::npos);
    EXPECT_NE(result.output.find("OCSP Nonce"), std::string::npos) << result.output;  // echoed
    // The certificate chains to the root and carries this server's URLs.
    const auto verify = openssl({"verify", "-CAfile", path("root.pem"), "-untrusted", path("issuing.pem"), path(cert)});
    EXPECT_EQ(verify.exitCode, 0) << verify.output;
    const auto text =
        openssl({"x509", "-in", path(cert), "-noout", "-ext", "authorityInfoAccess,crlDistributionPoints"});
    EXPECT_NE(text.output.find("OCSP - URI:" + url("/pki/ocsp")), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("URI:" + url("/pki/crl")), std::string::npos) << text.output;
  }
}

TEST_F(OcspCrl, OpensslOcsp_DevPkiSeal_IsKnownFromTheStart) {
  test::writeFile(path("seal.pem"), service->core().devPki()->seal().certificate().pem());
  const auto result = ocspQuery("seal.pem");
  EXPECT_NE(result.output.find("Response verify OK"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("seal.pem: good"), std::string::npos) << result.output;
}

TEST_F(OcspCrl, OpensslOcsp_RevokedCertificate_SaysRevokedWithTheReason) {
  const std::string cert = issueWithOpensslKey("rsa");
  EXPECT_NE(ocspQuery(cert).output.find(cert + ": good"), std::string::npos);
  ASSERT_TRUE(service->core().issuingCa()->revoke(serialOf(cert), pki::RevocationReason::KeyCompromise));
  const auto result = ocspQuery(cert);
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("Response verify OK"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(cert + ": revoked"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Reason: keyCompromise"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Revocation Time: "), std::string::npos) << result.output;
}

TEST_F(OcspCrl, OpensslCrl_VerifiesAndListsTheRevokedSerialWithAGrowingNumber) {
  const std::string good = issueWithOpensslKey("ec");
  const std::string revoked = issueWithOpensslKey("rsa");
  const std::uint64_t before = crlNumber(fetchCrl("/pki/crl", "before.crl"));
  // Without a change within the refresh interval, every fetch gets the same CRL.
  EXPECT_EQ(crlNumber(fetchCrl("/pki/crl", "same.crl")), before);
  ASSERT_TRUE(service->core().issuingCa()->revoke(serialOf(revoked), pki::RevocationReason::KeyCompromise));
  const std::string crl = fetchCrl("/pki/crl", "after.crl");
  const std::uint64_t after = crlNumber(crl);
  EXPECT_GT(after, before);

  const auto text =
      openssl({"crl", "-inform", "DER", "-in", path(crl), "-CAfile", path("chain.pem"), "-noout", "-text"});
  EXPECT_EQ(text.exitCode, 0) << text.output;
  EXPECT_NE(text.output.find("verify OK"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Serial Number: " + serialOf(revoked)), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Key Compromise"), std::string::npos) << text.output;
  EXPECT_EQ(text.output.find("Serial Number: " + serialOf(good)), std::string::npos) << text.output;

  // A relying party checking revocation with the CRL: the revoked certificate fails, the other passes.
  const auto pem = openssl({"crl", "-inform", "DER", "-in", path(crl), "-out", path("after.crl.pem")});
  ASSERT_EQ(pem.exitCode, 0) << pem.output;
  const auto refused =
      openssl({"verify", "-crl_check", "-CAfile", path("chain.pem"), "-CRLfile", path("after.crl.pem"), path(revoked)});
  EXPECT_NE(refused.exitCode, 0) << refused.output;
  EXPECT_NE(refused.output.find("certificate revoked"), std::string::npos) << refused.output;
  const auto accepted =
      openssl({"verify", "-crl_check", "-CAfile", path("chain.pem"), "-CRLfile", path("after.crl.pem"), path(good)});
  EXPECT_EQ(accepted.exitCode, 0) << accepted.output;

  // Past the refresh interval the CRL is signed anew, with the next number.
  service->clock().set(service->clock().now() + std::chrono::hours(1));
  EXPECT_GT(crlNumber(fetchCrl("/pki/crl", "later.crl")), after);
  service->clock().set(service->clock().now() - std::chrono::hours(1));
}

TEST_F(OcspCrl, RootCrl_StillServedAndVerifiedByTheRoot) {
  const std::string crl = fetchCrl("/pki/crl/root", "root.crl");
  const auto text =
      openssl({"crl", "-inform", "DER", "-in", path(crl), "-CAfile", path("root.pem"), "-noout", "-text"});
  EXPECT_NE(text.output.find("verify OK"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("No Revoked Certificates"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Next Update"), std::string::npos);
  // The issuing CA checked against the root's CRL.
  const auto pem = openssl({"crl", "-inform", "DER", "-in", path(crl), "-out", path("root.crl.pem")});
  ASSERT_EQ(pem.exitCode, 0) << pem.output;
  const auto verify = openssl(
      {"verify", "-crl_check", "-CAfile", path("root.pem"), "-CRLfile", path("root.crl.pem"), path("issuing.pem")});
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
}

TEST_F(OcspCrl, GarbageOcspRequest_GetsMalformedRequestNotAnError) {
  const HttpAnswer answer = http(service->port(), "POST", "/pki/ocsp", "this is not DER", "application/ocsp-request");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.header("Content-Type"), "application/ocsp-response");
  test::writeFile(path("malformed.der"), answer.body);
  // openssl reads the OCSPResponse and reports its status.
  const auto text = openssl({"ocsp", "-respin", path("malformed.der"), "-resp_text", "-noverify"});
  EXPECT_NE(text.output.find("Responder Error: malformedrequest (1)"), std::string::npos) << text.output;

  // The HTTP rules still hold around it: media type, body cap.
  EXPECT_EQ(http(service->port(), "POST", "/pki/ocsp", "x", "application/octet-stream").status, 415);
  // Refused from the Content-Length alone: the server answers and closes without reading the body
  // (a client still writing it could see the connection reset, so only the head is sent).
  const std::string tooLarge =
      test::rawHttp(service->port(),
                    "POST /pki/ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\n"
                    "Content-Length: " +
                        std::to_string(16 * 1024 + 1) + "\r\n\r\n0");
  EXPECT_NE(tooLarge.find("HTTP/1.1 413"), std::string::npos) << tooLarge;
}

TEST_F(OcspCrl, OcspGet_Rfc6960AppendixA_AnswersLikePost) {
  const std::string cert = issueWithOpensslKey("ec");
  const auto request =
      openssl({"ocsp", "-issuer", path("issuing.pem"), "-cert", path(cert), "-no_nonce", "-reqout", path("get.req")});
  ASSERT_EQ(request.exitCode, 0) << request.output;
  std::string encoded;
  for (const char c : toBase64(asBytes(test::readFile(path("get.req"))))) {
    if (c == '/')
      encoded += "%2F";
    else if (c == '+')
      encoded += "%2B";
    else if (c == '=')
      encoded += "%3D";
    else if (c != '\n' && c != '\r')
      encoded += c;
  }
  const HttpAnswer answer = http(service->port(), "GET", "/pki/ocsp/" + encoded);
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.header("Content-Type"), "application/ocsp-response");
  test::writeFile(path("get.resp"), answer.body);
  const auto text = openssl({"ocsp", "-respin", path("get.resp"), "-issuer", path("issuing.pem"), "-cert", path(cert),
                             "-CAfile", path("root.pem"), "-resp_text"});
  EXPECT_NE(text.output.find("Response verify OK"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find(cert + ": good"), std::string::npos) << text.output;

  const HttpAnswer garbage = http(service->port(), "GET", "/pki/ocsp/%%%not-base64");
  ASSERT_EQ(garbage.status, 200);
  test::writeFile(path("get-bad.resp"), garbage.body);
  const auto bad = openssl({"ocsp", "-respin", path("get-bad.resp"), "-resp_text", "-noverify"});
  EXPECT_NE(bad.output.find("Responder Error: malformedrequest (1)"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace kyso::api
