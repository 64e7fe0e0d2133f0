// POST /v1/verify and `kyso verify` on a running service: a verdict is a 200 with the report
// whatever the indication, only unusable input is a 4xx (422, 413, 415), the public endpoint is
// rate-limited per client address (429 with Retry-After), and the CLI's exit code says the verdict.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include "http_client.h"
#include "kyso/error.h"
#include "online_service.h"
#include "rate_limiter.h"

namespace kyso::api {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using test::errorCode;
using test::http;
using test::json;

class VerifyApi : public test::OnlineService {
 protected:
  std::map<std::string, std::string> extraSettings() const override {
    return {{"verify.max_bytes", "65536"}, {"verify.rate_limit_per_minute", "6"}};
  }
  test::HttpAnswer postVerify(const std::string& body, const std::string& type = "application/pdf") const {
    return http(port, "POST", "/v1/verify", body, type);
  }
  static std::string tampered(std::string pdf) {
    const auto at = pdf.find("(Approved)");
    pdf[at + 8] = 'e';
    return pdf;
  }
};

TEST_F(VerifyApi, SignedPdf_200TotalPassedWithTheReport) {
  const auto answer = postVerify(sign(seal(), signer::PadesLevel::B_T));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("Content-Type"), "application/json");
  const auto report = json(answer.body);
  EXPECT_EQ(report->getValue<std::string>("indication"), "TOTAL_PASSED");
  EXPECT_TRUE(report->isNull("sub_indication"));
  EXPECT_EQ(report->getArray("warnings")->size(), 0u);
  const Array::Ptr signatures = report->getArray("signatures");
  ASSERT_EQ(signatures->size(), 1u);
  const Object::Ptr s = signatures->getObject(0);
  for (const char* name : {"indication", "sub_indication", "level", "signer", "signing_time", "timestamp_time", "chain",
                           "revocation", "coverage", "warnings"}) {
    EXPECT_TRUE(s->has(name)) << name << " missing in " << answer.body;
  }
  EXPECT_EQ(s->getValue<std::string>("indication"), "TOTAL_PASSED");
  EXPECT_EQ(s->getValue<std::string>("level"), "B-T");
  EXPECT_EQ(s->getObject("signer")->getValue<std::string>("uid"), "MST:0101234565");
  EXPECT_FALSE(s->isNull("timestamp_time"));
  EXPECT_EQ(s->getArray("chain")->size(), 3u);
  const Array::Ptr revocation = s->getArray("revocation");
  ASSERT_EQ(revocation->size(), 2u);
  EXPECT_EQ(revocation->getObject(0)->getValue<std::string>("status"), "good");
  EXPECT_EQ(revocation->getObject(0)->getValue<std::string>("source"), "ocsp");
  EXPECT_EQ(revocation->getObject(0)->getValue<std::string>("url"), publicUrl + "/pki/ocsp");
  EXPECT_TRUE(s->getObject("coverage")->getValue<bool>("whole_document"));
  // The time-stamping authority's path, checked as the signer's (EN 319 102-1 §5.4).
  const Object::Ptr timeStamp = s->getObject("timestamp");
  ASSERT_TRUE(timeStamp) << answer.body;
  EXPECT_TRUE(timeStamp->getValue<bool>("valid"));
  const Array::Ptr tsaRevocation = timeStamp->getArray("revocation");
  ASSERT_TRUE(tsaRevocation) << answer.body;
  ASSERT_EQ(tsaRevocation->size(), 2u) << answer.body;
  EXPECT_NE(tsaRevocation->getObject(0)->getValue<std::string>("certificate").find("kyso Dev TSA"), std::string::npos);
  EXPECT_EQ(tsaRevocation->getObject(0)->getValue<std::string>("status"), "good");
  EXPECT_EQ(tsaRevocation->getObject(0)->getValue<std::string>("source"), "ocsp");
}

TEST_F(VerifyApi, TamperedPdf_200TotalFailedHashFailure) {
  const auto answer = postVerify(tampered(sign(seal(), signer::PadesLevel::B_B)));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto report = json(answer.body);
  EXPECT_EQ(report->getValue<std::string>("indication"), "TOTAL_FAILED");
  EXPECT_EQ(report->getValue<std::string>("sub_indication"), "HASH_FAILURE");
}

TEST_F(VerifyApi, RevokedSigner_200TotalFailedRevoked) {
  const std::string pdf = sign(seal(), signer::PadesLevel::B_B);
  core->issuingCa()->revoke(seal().certificate().serialHex(), pki::RevocationReason::KeyCompromise);
  const auto answer = postVerify(pdf);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(json(answer.body)->getValue<std::string>("sub_indication"), "REVOKED") << answer.body;
}

// The service's own OCSP responder reuses a signed answer while the register says the same
// (pki/include/kyso/pki/ocsp_responder.h): the second verification gets the first answer again,
// and a revocation is in the very next one.
TEST_F(VerifyApi, RevokedBetweenTwoVerifications_TheCachedAnswerIsNotReused) {
  const std::string pdf = sign(seal(), signer::PadesLevel::B_B);
  const auto leafOf = [](const std::string& body) {
    return json(body)->getArray("signatures")->getObject(0)->getArray("revocation")->getObject(0);
  };
  auto answer = postVerify(pdf);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(json(answer.body)->getValue<std::string>("indication"), "TOTAL_PASSED") << answer.body;
  const std::string firstUpdate = leafOf(answer.body)->getValue<std::string>("this_update");

  clock.set(clock.now() + std::chrono::minutes(5));
  answer = postVerify(pdf);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(json(answer.body)->getValue<std::string>("indication"), "TOTAL_PASSED") << answer.body;
  EXPECT_EQ(leafOf(answer.body)->getValue<std::string>("this_update"), firstUpdate);  // the same answer

  ASSERT_TRUE(core->issuingCa()->revoke(seal().certificate().serialHex(), pki::RevocationReason::KeyCompromise));
  answer = postVerify(pdf);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(json(answer.body)->getValue<std::string>("sub_indication"), "REVOKED") << answer.body;
  EXPECT_EQ(leafOf(answer.body)->getValue<std::string>("status"), "revoked") << answer.body;
  EXPECT_NE(leafOf(answer.body)->getValue<std::string>("this_update"), firstUpdate);  // a new answer
}

TEST_F(VerifyApi, UnusableInput_422_413_415) {
  auto answer = postVerify("this is not a PDF");
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(errorCode(answer), "not_a_pdf");

  // Refused from the Content-Length alone, before the body is read (the server then closes).
  const std::string big = test::rawHttp(port,
                                        "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                                        "Content-Length: 65537\r\n\r\n%PDF-");
  EXPECT_NE(big.find("HTTP/1.1 413"), std::string::npos) << big;
  EXPECT_NE(big.find("\"body_too_large\""), std::string::npos) << big;

  answer = postVerify("<Receipt", "application/xml");  // XML is verified too (verify_xml_api_test.cpp)
  EXPECT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(errorCode(answer), "xml_malformed");
  answer = postVerify("x", "text/plain");
  EXPECT_EQ(answer.status, 415) << answer.body;
}

TEST_F(VerifyApi, SeventhRequestInAMinute_429WithRetryAfter) {
  // The clock stands still: six tokens, no refill.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(postVerify("not a PDF").status, 422) << i;
  const auto answer = postVerify("not a PDF");
  EXPECT_EQ(answer.status, 429) << answer.body;
  EXPECT_EQ(errorCode(answer), "rate_limited");
  EXPECT_EQ(answer.header("Retry-After"), "10");  // one token per 10 s at 6 a minute
  clock.set(clock.now() + std::chrono::seconds(10));
  EXPECT_EQ(postVerify("not a PDF").status, 422);
}

TEST(RateLimiterUnit, BucketPerClient_RefillsOverTime) {
  pki::FixedClock clock(pki::SystemClock::instance().now());
  detail::RateLimiter limiter(2, clock);
  EXPECT_FALSE(limiter.take("a"));
  EXPECT_FALSE(limiter.take("a"));
  EXPECT_EQ(limiter.take("a"), std::chrono::seconds(30));
  EXPECT_FALSE(limiter.take("b"));  // another address has its own bucket
  clock.set(clock.now() + std::chrono::seconds(30));
  EXPECT_FALSE(limiter.take("a"));
  EXPECT_TRUE(limiter.take("a"));
  detail::RateLimiter unlimited(0, clock);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(unlimited.take("a"));
}

TEST(RateLimiterUnit, ManyClients_MemoryBounded) {
  pki::FixedClock clock(pki::SystemClock::instance().now());
  detail::RateLimiter limiter(1, clock, 3);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(limiter.take("client" + std::to_string(i)));
  // "client9" is still remembered (empty bucket); the oldest were dropped to make room.
  EXPECT_TRUE(limiter.take("client9"));
}

TEST(VerifySettingsUnit, DefaultsAndRanges) {
  const Settings defaults = Settings::load(std::nullopt, {{"limits.max_document_bytes", "2000000"}}, {});
  EXPECT_TRUE(defaults.verify.trustVnNationalRoot.empty());
  EXPECT_TRUE(defaults.verify.trustGovCa.empty());
  EXPECT_EQ(defaults.verify.revocationTimeout, std::chrono::seconds(5));
  EXPECT_EQ(defaults.verify.maxBytes, 2000000u);  // the document cap
  EXPECT_EQ(defaults.verify.rateLimitPerMinute, 30u);
  const Settings set = Settings::load(std::nullopt,
                                      {{"verify.trust.gov_ca", "/etc/kyso/gov-ca.pem"},
                                       {"verify.revocation_timeout_seconds", "2"},
                                       {"verify.max_bytes", "4096"},
                                       {"verify.rate_limit_per_minute", "0"}},
                                      {});
  EXPECT_EQ(set.verify.trustGovCa, "/etc/kyso/gov-ca.pem");
  EXPECT_EQ(set.verify.revocationTimeout, std::chrono::seconds(2));
  EXPECT_EQ(set.verify.maxBytes, 4096u);
  EXPECT_EQ(set.verify.rateLimitPerMinute, 0u);
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"verify.revocation_timeout_seconds", "0"},
                                                        {"verify.max_bytes", "10"},
                                                        {"verify.rate_limit_per_minute", "x"}}) {
    EXPECT_THROW(Settings::load(std::nullopt, {{key, value}}, {}), InputError) << key;
  }
}

TEST(TrustAnchors, PlaceholdersAddNothing_PemAddsItsCertificates_BadFilesStopStartUp) {
  const std::filesystem::path trust = std::filesystem::path(KYSO_SOURCE_DIR) / "trust";
  VerifySettings settings;
  settings.trustVnNationalRoot = (trust / "vn-national-root.pem").string();
  settings.trustGovCa = (trust / "gov-ca.pem").string();
  EXPECT_TRUE(configuredTrustAnchors(settings).empty());

  test::TempDir dir;
  const pki::DevPki& pki = test::devPki(pki::KeyAlgorithm::Ecdsa);
  test::writeFile(dir / "extra.pem", "# two anchors\n" + pki.rootCa().pem() + pki.issuingCa().pem());
  settings.trustExtra = (dir / "extra.pem").string();
  const auto anchors = configuredTrustAnchors(settings);
  ASSERT_EQ(anchors.size(), 2u);
  EXPECT_EQ(anchors[0], pki.rootCa());

  const auto codeOf = [](const VerifySettings& s) {
    try {
      configuredTrustAnchors(s);
    } catch (const kyso::Error& e) {
      return e.code();
    }
    return std::string("none");
  };
  VerifySettings missing;
  missing.trustGovCa = (dir / "missing.pem").string();
  EXPECT_EQ(codeOf(missing), "config_invalid");
  test::writeFile(dir / "broken.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
  VerifySettings broken;
  broken.trustVnNationalRoot = (dir / "broken.pem").string();
  EXPECT_EQ(codeOf(broken), "config_invalid");
}

// --- kyso verify -----------------------------------------------------------------------------

class VerifyCli : public test::OnlineService {};

TEST_F(VerifyCli, ExitCodes_PassedFailedIndeterminateUsageUnreadable) {
  const std::string signedPdf = sign(seal(), signer::PadesLevel::B_T);
  auto r = kyso({"verify", write("good.pdf", signedPdf)});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("good.pdf: TOTAL_PASSED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Signature1: TOTAL_PASSED, B-T, by "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("revocation good (ocsp)"), std::string::npos) << r.output;

  r = kyso({"verify", write("good.pdf", signedPdf), "--json"});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(json(r.output)->getValue<std::string>("indication"), "TOTAL_PASSED");

  std::string bad = signedPdf;
  bad[bad.find("(Approved)") + 8] = 'e';
  r = kyso({"verify", write("bad.pdf", bad)});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("TOTAL_FAILED/HASH_FAILURE"), std::string::npos) << r.output;

  // Signed by a PKI this service does not trust.
  const pki::DevPki& other = test::devPki(pki::KeyAlgorithm::Ecdsa);
  r = kyso({"verify", write("untrusted.pdf", sign(other.seal(), signer::PadesLevel::B_B))});
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"), std::string::npos) << r.output;

  // verify's usage errors are EX_USAGE (64), so that 2 only ever means INDETERMINATE; the usage
  // printed is verify's own. The other commands keep 2.
  r = kyso({"verify"});
  EXPECT_EQ(r.exitCode, 64) << r.output;
  EXPECT_NE(r.output.find("Usage: kyso verify FILE [--json]"), std::string::npos) << r.output;
  EXPECT_EQ(kyso({"verify", "a.pdf", "b.pdf"}).exitCode, 64);
  EXPECT_EQ(kyso({"verify", "--jsn", "a.pdf"}).exitCode, 64);
  EXPECT_EQ(kyso({"verify", "a.pdf", "--data-dir"}).exitCode, 64);
  EXPECT_EQ(kyso({"receipt", "show"}).exitCode, 2);
  r = kyso({"verify", write("text.pdf", "hello")});
  EXPECT_EQ(r.exitCode, 4) << r.output;
  EXPECT_NE(r.output.find("not_a_pdf"), std::string::npos) << r.output;
  EXPECT_EQ(kyso({"verify", (service->dir().path() / "missing.pdf").string()}).exitCode, 4);
  EXPECT_EQ(kyso({"verify", "--help"}).exitCode, 0);
}

// Two signatures and an appended change of page content: the report names the revisions, and
// --signed-revision writes out exactly what each signature covers.
TEST_F(VerifyCli, SignedRevision_WritesWhatTheSignatureCovers) {
  const std::string once = sign(seal(), signer::PadesLevel::B_B);
  std::string attacked = once;
  // An incremental update replacing the page content (object 4) after the signature.
  const std::string content = "BT /F1 24 Tf 72 720 Td (Huy bo) Tj ET";
  const auto prev = once.substr(once.rfind("startxref") + 10);
  const std::size_t objectAt = attacked.size();
  attacked +=
      "4 0 obj\n<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream\nendobj\n";
  const std::size_t xref = attacked.size();
  char entry[32];
  std::snprintf(entry, sizeof entry, "%010zu 00000 n\r\n", objectAt);
  const std::string root =
      once.substr(once.rfind("/Root"), once.find(" R", once.rfind("/Root")) + 2 - once.rfind("/Root"));
  const std::string size =
      once.substr(once.rfind("/Size"), once.find_first_of("/>", once.rfind("/Size") + 1) - once.rfind("/Size"));
  attacked += "xref\n4 1\n" + std::string(entry) + "trailer\n<< " + size + " " + root + " /Prev " +
              std::to_string(std::stoull(prev)) + " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";

  auto r = kyso({"verify", write("attacked.pdf", attacked)});
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("Signature1: TOTAL_FAILED/FORMAT_FAILURE, B-B"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("covers revision 2"), std::string::npos) << r.output;
  r = kyso({"verify", write("attacked.pdf", attacked), "--json"});
  const auto later =
      json(r.output)->getArray("signatures")->getObject(0)->getObject("coverage")->getArray("later_changes");
  ASSERT_EQ(later->size(), 1u) << r.output;
  EXPECT_EQ(later->getObject(0)->getValue<std::string>("class"), "other");
  EXPECT_EQ(later->getObject(0)->getValue<int>("revision"), 3);

  const std::string out = (service->dir().path() / "revision2.pdf").string();
  r = kyso({"verify", "--signed-revision", "2", write("attacked.pdf", attacked), out});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(test::readFile(out), once);
  r = kyso({"verify", out});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(kyso({"verify", "--signed-revision", "4", write("attacked.pdf", attacked), out}).exitCode, 4);
  EXPECT_EQ(kyso({"verify", "--signed-revision", "two", write("attacked.pdf", attacked), out}).exitCode, 64);
  EXPECT_EQ(kyso({"verify", "--signed-revision", "2", write("attacked.pdf", attacked)}).exitCode, 64);
  // Writing a revision over its own file would lose the later ones: refused, the file untouched.
  const std::string file = write("attacked.pdf", attacked);
  EXPECT_EQ(kyso({"verify", "--signed-revision", "2", file, file}).exitCode, 64);
  EXPECT_EQ(test::readFile(file), attacked);
}

}  // namespace
}  // namespace kyso::api
