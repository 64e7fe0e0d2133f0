// Revocation checking in the verifier against the real development OCSP responder and CRLs over
// HTTP: a good signer passes with OCSP evidence, a revoked one fails (or stands, when its
// time-stamp predates the revocation), an unreachable responder leaves the verdict open, a
// certificate without an OCSP URL is checked by CRL, and answers are cached until nextUpdate. An
// expired, time-stamped signer of unknown status is REVOCATION_OUT_OF_BOUNDS_NO_POE, a revoked
// issuing CA without a time-stamp REVOKED_CA_NO_POE, a certificate on hold TRY_LATER.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "kyso/error.h"
#include "kyso/pki/crl.h"
#include "kyso/pki/ossl.h"
#include "kyso/signer/pdf_verifier.h"
#include "kyso/signer/revocation.h"
#include "online_service.h"
#include "report_text.h"

namespace kyso::signer {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using test::describe;

// Real HTTP, with a record of what was asked and a way to make URLs fail.
class RecordingFetcher final : public RevocationFetcher {
 public:
  RevocationAnswer fetch(const RevocationRequest& request) const override {
    {
      const std::lock_guard lock(mutex_);
      asked_.push_back(std::string(request.source == RevocationSource::Ocsp ? "ocsp " : "crl ") + request.url);
      if (answer_) return {*answer_, true};
      if (const auto it = answers_.find(request.url); it != answers_.end()) return {it->second, true};
    }
    return http_.fetch(request);
  }
  std::vector<std::string> asked() const {
    const std::lock_guard lock(mutex_);
    return asked_;
  }
  void answerWith(Bytes body) { answer_ = std::move(body); }
  // `body` for `url` only; the other URLs over HTTP.
  void answerFor(const std::string& url, Bytes body) { answers_[url] = std::move(body); }

 private:
  HttpRevocationFetcher http_;
  mutable std::mutex mutex_;
  mutable std::vector<std::string> asked_;
  std::optional<Bytes> answer_;
  std::map<std::string, Bytes> answers_;
};

class Revocation : public test::OnlineService {
 protected:
  RecordingFetcher fetcher;
  pki::FixedClock validation{clock.now() + minutes(1)};

  VerificationPolicy policy() const {
    VerificationPolicy p;
    p.trustAnchors = {pki().rootCa()};
    p.clock = &validation;
    p.revocation = RevocationCheck::Require;
    p.revocationFetcher = &fetcher;
    p.revocationTimeout = seconds(2);
    return p;
  }
  VerificationReport verify(const std::string& pdf, const VerificationPolicy& p) const {
    return verifyPdf(PdfInput::fromMemory(pdf), p);
  }
  VerificationReport verify(const std::string& pdf) const { return verify(pdf, policy()); }

  static bool hasWarning(const SignatureResult& s, std::string_view part) {
    return std::any_of(s.warnings.begin(), s.warnings.end(),
                       [&](const std::string& w) { return w.find(part) != std::string::npos; });
  }
};

TEST_F(Revocation, DevSeal_OcspGood_TotalPassedWithOcspAndCrlEvidence) {
  const VerificationReport report = verify(sign(seal(), PadesLevel::B_B));
  ASSERT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  ASSERT_EQ(s.revocation.size(), 2u) << describe(report);  // the seal and the issuing CA; not the root
  const RevocationEvidence& leaf = s.revocation[0];
  EXPECT_EQ(leaf.certificateSerialHex, seal().certificate().serialHex());
  EXPECT_EQ(leaf.status, RevocationStatus::Good);
  EXPECT_EQ(leaf.source, "ocsp");
  EXPECT_EQ(leaf.url, publicUrl + "/pki/ocsp");
  ASSERT_TRUE(leaf.producedAt && leaf.thisUpdate && leaf.nextUpdate);
  EXPECT_EQ(*leaf.thisUpdate, clock.now());
  EXPECT_EQ(*leaf.nextUpdate, clock.now() + hours(1));  // the responder's validity
  EXPECT_TRUE(leaf.problem.empty());
  // The issuing CA names no OCSP responder: its status comes from the root's CRL.
  const RevocationEvidence& ca = s.revocation[1];
  EXPECT_EQ(ca.certificateSubject, pki().issuingCa().subject());
  EXPECT_EQ(ca.status, RevocationStatus::Good);
  EXPECT_EQ(ca.source, "crl");
  EXPECT_EQ(ca.url, publicUrl + "/pki/crl/root");
  EXPECT_FALSE(ca.producedAt);
  EXPECT_EQ(fetcher.asked(),
            (std::vector<std::string>{"ocsp " + publicUrl + "/pki/ocsp", "crl " + publicUrl + "/pki/crl/root"}));
}

TEST_F(Revocation, DevSealRevoked_NoTimeStamp_TotalFailedRevoked) {
  const std::string pdf = sign(seal(), PadesLevel::B_B);
  ASSERT_TRUE(core->issuingCa()->revoke(seal().certificate().serialHex(), pki::RevocationReason::KeyCompromise));
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::Revoked);
  const RevocationEvidence& leaf = report.signatures.at(0).revocation.at(0);
  EXPECT_EQ(leaf.status, RevocationStatus::Revoked);
  EXPECT_EQ(leaf.source, "ocsp");
  EXPECT_EQ(leaf.revocationReason, "keyCompromise");
  EXPECT_EQ(leaf.revocationTime, clock.now());
  EXPECT_NE(report.signatures[0].detail.find("no signature time-stamp"), std::string::npos) << describe(report);
}

TEST_F(Revocation, RevokedAfterTheTimeStamp_PassesWithAWarning) {
  const std::string pdf = sign(seal(), PadesLevel::B_T);  // time-stamped now
  clock.set(clock.now() + hours(2));
  validation.set(clock.now() + minutes(1));
  ASSERT_TRUE(core->issuingCa()->revoke(seal().certificate().serialHex(), pki::RevocationReason::Superseded));
  const VerificationReport report = verify(pdf);
  ASSERT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.level, SignatureLevel::B_T);
  EXPECT_EQ(s.revocation.at(0).status, RevocationStatus::Revoked);
  EXPECT_TRUE(hasWarning(s, "after the signature time-stamp")) << describe(report);
  // The time-stamping authority's path was checked too (EN 319 102-1 §5.4): good, by OCSP.
  ASSERT_TRUE(s.timeStamp);
  EXPECT_TRUE(s.timeStamp->valid) << s.timeStamp->problem;
  ASSERT_EQ(s.timeStamp->revocation.size(), 2u) << describe(report);  // the TSA and the issuing CA
  EXPECT_EQ(s.timeStamp->revocation[0].certificateSerialHex, pki().tsa().certificate().serialHex());
  EXPECT_EQ(s.timeStamp->revocation[0].status, RevocationStatus::Good);
  EXPECT_EQ(s.timeStamp->revocation[0].source, "ocsp");
  EXPECT_EQ(s.timeStamp->revocation[1].status, RevocationStatus::Good);
}

// EN 319 102-1 §5.4: a time-stamp whose authority was revoked before it was made proves nothing.
// The signature itself stands (its signer is good), without a proof of existence: B-B.
TEST_F(Revocation, TsaRevokedBeforeTheTimeStamp_SignatureLosesItsTimeStamp) {
  ASSERT_TRUE(core->issuingCa()->revoke(pki().tsa().certificate().serialHex(), pki::RevocationReason::KeyCompromise));
  clock.set(clock.now() + minutes(5));
  validation.set(clock.now() + minutes(1));
  const VerificationReport report = verify(sign(seal(), PadesLevel::B_T));
  ASSERT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.level, SignatureLevel::B_B) << describe(report);
  EXPECT_FALSE(s.timeStampTime);
  ASSERT_TRUE(s.timeStamp);
  EXPECT_FALSE(s.timeStamp->valid);
  EXPECT_NE(s.timeStamp->problem.find("the time-stamping authority's certificate"), std::string::npos)
      << s.timeStamp->problem;
  EXPECT_NE(s.timeStamp->problem.find("was revoked"), std::string::npos) << s.timeStamp->problem;
  EXPECT_NE(s.timeStamp->problem.find("keyCompromise"), std::string::npos) << s.timeStamp->problem;
  ASSERT_FALSE(s.timeStamp->revocation.empty());
  EXPECT_EQ(s.timeStamp->revocation[0].status, RevocationStatus::Revoked);
  EXPECT_EQ(s.timeStamp->revocation[0].source, "ocsp");
  EXPECT_TRUE(hasWarning(s, "signature time-stamp ignored: the time-stamping authority's certificate"))
      << describe(report);
  EXPECT_EQ(s.revocation.at(0).status, RevocationStatus::Good);

  // With revocation skipped by policy, the authority is not looked at either.
  VerificationPolicy skip = policy();
  skip.revocation = RevocationCheck::Skip;
  const VerificationReport skipped = verify(sign(seal(), PadesLevel::B_T), skip);
  EXPECT_EQ(skipped.signatures.at(0).level, SignatureLevel::B_T) << describe(skipped);
  EXPECT_TRUE(skipped.signatures.at(0).timeStamp->revocation.empty());
}

TEST_F(Revocation, TsaRevokedAfterTheTimeStamp_TimeStampStandsWithAWarning) {
  const std::string pdf = sign(seal(), PadesLevel::B_T);
  clock.set(clock.now() + hours(2));
  validation.set(clock.now() + minutes(1));
  ASSERT_TRUE(core->issuingCa()->revoke(pki().tsa().certificate().serialHex(), pki::RevocationReason::Superseded));
  const VerificationReport report = verify(pdf);
  ASSERT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.level, SignatureLevel::B_T) << describe(report);
  ASSERT_TRUE(s.timeStamp);
  EXPECT_TRUE(s.timeStamp->valid) << s.timeStamp->problem;
  EXPECT_EQ(s.timeStamp->revocation.at(0).status, RevocationStatus::Revoked);
  EXPECT_TRUE(hasWarning(s, "after the time-stamp of")) << describe(report);
}

// A TSA under a root trusted for time-stamps only: its OCSP responder is trusted through that root
// too (else every such time-stamp would lose its proof of existence).
TEST_F(Revocation, TsaUnderATimeStampOnlyAnchor_ItsResponderIsTrusted) {
  const pki::DevPki& other = test::devPki(pki::KeyAlgorithm::Ecdsa);
  VerificationPolicy p = policy();
  p.trustAnchors = {other.rootCa()};
  p.timeStampTrustAnchors = {other.rootCa(), pki().rootCa()};
  const VerificationReport report = verify(sign(other.seal(), PadesLevel::B_T), p);
  const SignatureResult& s = report.signatures.at(0);
  ASSERT_TRUE(s.timeStamp) << describe(report);
  EXPECT_TRUE(s.timeStamp->valid) << s.timeStamp->problem;
  ASSERT_EQ(s.timeStamp->revocation.size(), 2u) << describe(report);
  EXPECT_EQ(s.timeStamp->revocation[0].status, RevocationStatus::Good) << s.timeStamp->revocation[0].problem;
  EXPECT_EQ(s.timeStamp->revocation[0].source, "ocsp");
  EXPECT_TRUE(s.timeStampTime);
}

// No source answers: the time-stamp gives no proof of existence, which alone fails nothing (here
// the signer's own status is open as well: INDETERMINATE, never TOTAL_FAILED).
TEST_F(Revocation, TsaStatusUnknown_TimeStampGivesNoProof_NotFailed) {
  const std::string pdf = sign(seal(), PadesLevel::B_T);
  service->stopServer();
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::TryLater);
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.level, SignatureLevel::B_B) << describe(report);
  ASSERT_TRUE(s.timeStamp);
  EXPECT_FALSE(s.timeStamp->valid);
  EXPECT_NE(s.timeStamp->problem.find("could not be established"), std::string::npos) << s.timeStamp->problem;
  EXPECT_EQ(s.timeStamp->revocation.at(0).status, RevocationStatus::Unknown);
}

TEST_F(Revocation, RevokedBeforeTheTimeStamp_TotalFailedRevoked) {
  ASSERT_TRUE(core->issuingCa()->revoke(seal().certificate().serialHex(), pki::RevocationReason::KeyCompromise));
  clock.set(clock.now() + hours(1));
  validation.set(clock.now() + minutes(1));
  const VerificationReport report = verify(sign(seal(), PadesLevel::B_T));
  EXPECT_EQ(report.indication, Indication::TotalFailed) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::Revoked);
  EXPECT_NE(report.signatures.at(0).detail.find("before the signature time-stamp"), std::string::npos);
}

TEST_F(Revocation, ResponderUnreachable_IndeterminateTryLater_OneAttemptPerHost) {
  const std::string pdf = sign(seal(), PadesLevel::B_B);
  service->stopServer();  // the listening socket is closed: connections are refused
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::TryLater);
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_TRUE(s.chainTrusted);
  ASSERT_EQ(s.revocation.size(), 2u);
  EXPECT_EQ(s.revocation[0].status, RevocationStatus::Unknown);
  EXPECT_NE(s.revocation[0].problem.find("cannot be reached"), std::string::npos) << describe(report);
  // The OCSP failure marks the host: its CRLs are not tried within this verification.
  EXPECT_EQ(fetcher.asked().size(), 1u);
}

TEST_F(Revocation, NoOcspUrl_CheckedByTheCrl_GoodThenRevoked) {
  const pki::SigningCredential citizen = issue("Nguyễn Văn An", false);
  const std::string pdf = sign(citizen, PadesLevel::B_B);
  VerificationReport report = verify(pdf);
  ASSERT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  const RevocationEvidence& good = report.signatures.at(0).revocation.at(0);
  EXPECT_EQ(good.source, "crl");
  EXPECT_EQ(good.url, publicUrl + "/pki/crl");
  EXPECT_EQ(good.status, RevocationStatus::Good);
  EXPECT_EQ(fetcher.asked().front(), "crl " + publicUrl + "/pki/crl");

  ASSERT_TRUE(core->issuingCa()->revoke(citizen.certificate().serialHex(), pki::RevocationReason::AffiliationChanged));
  report = verify(pdf);
  EXPECT_EQ(report.subIndication, SubIndication::Revoked) << describe(report);
  const RevocationEvidence& revoked = report.signatures.at(0).revocation.at(0);
  EXPECT_EQ(revoked.source, "crl");
  EXPECT_EQ(revoked.revocationReason, "affiliationChanged");
}

TEST_F(Revocation, IssuedCertificateWithOcsp_UsesOcspFirst) {
  const VerificationReport report = verify(sign(issue("Trần Thị Bình"), PadesLevel::B_B));
  ASSERT_EQ(report.indication, Indication::TotalPassed) << describe(report);
  EXPECT_EQ(report.signatures.at(0).revocation.at(0).source, "ocsp");
}

TEST_F(Revocation, NotAnOcspResponse_FallsBackToTheCrlThenTryLater) {
  fetcher.answerWith(toBytes("<html>gateway error</html>"));
  const VerificationReport report = verify(sign(seal(), PadesLevel::B_B));
  EXPECT_EQ(report.subIndication, SubIndication::TryLater) << describe(report);
  const std::string& problem = report.signatures.at(0).revocation.at(0).problem;
  EXPECT_NE(problem.find("did not answer with an OCSP response"), std::string::npos) << problem;
  EXPECT_NE(problem.find("is not a CRL"), std::string::npos) << problem;
}

TEST_F(Revocation, ResponderOfAnotherPki_IsNotTrusted) {
  // A real OCSP answer about the seal, but signed by the responder of an unrelated PKI.
  const pki::DevPki& other = test::devPki(pki::KeyAlgorithm::Ecdsa);
  const auto index = store::certificateRegister(core->store().certificates());
  pki::LocalCertificateAuthority otherCa(
      other.issuingCa(), [&other] { return other.issuingCaKey(); }, *index, clock);
  const pki::OcspResponder impostor(
      otherCa, {other.ocspResponder().certificate(), other.issuingCa()}, [&other] { return other.ocspKey(); }, clock);
  auto request = ossl::own(OCSP_REQUEST_new(), "OCSP_REQUEST_new");
  ossl::check(OCSP_request_add0_id(request.get(),
                                   OCSP_cert_to_id(EVP_sha1(), seal().certificate().get(), other.issuingCa().get())),
              "OCSP_request_add0_id");
  unsigned char* der = nullptr;
  const int size = i2d_OCSP_REQUEST(request.get(), &der);
  const ossl::Buffer owned(der);
  fetcher.answerWith(impostor.respond(ByteView(der, static_cast<std::size_t>(size))));
  const VerificationReport report = verify(sign(seal(), PadesLevel::B_B));
  EXPECT_EQ(report.subIndication, SubIndication::TryLater) << describe(report);
  const RevocationEvidence& leaf = report.signatures.at(0).revocation.at(0);
  EXPECT_EQ(leaf.status, RevocationStatus::Unknown);
  EXPECT_NE(leaf.problem.find("signer is not trusted"), std::string::npos) << leaf.problem;
}

TEST_F(Revocation, Cache_SecondVerificationAsksNobody_UntilNextUpdate) {
  RevocationCache cache;
  VerificationPolicy p = policy();
  p.revocationCache = &cache;
  const std::string pdf = sign(seal(), PadesLevel::B_B);
  ASSERT_EQ(verify(pdf, p).indication, Indication::TotalPassed);
  EXPECT_EQ(fetcher.asked().size(), 2u);
  EXPECT_EQ(cache.size(), 2u);
  const VerificationReport again = verify(pdf, p);
  EXPECT_EQ(again.indication, Indication::TotalPassed) << describe(again);
  EXPECT_EQ(again.signatures.at(0).revocation.at(0).source, "ocsp");
  EXPECT_EQ(fetcher.asked().size(), 2u);  // both from the cache
  // Past the OCSP answer's nextUpdate (one hour), the responder is asked again; the CRL is
  // kept for at most the cache's maximum age (one hour) as well.
  clock.set(clock.now() + hours(1) + minutes(10));
  validation.set(clock.now());
  EXPECT_EQ(verify(pdf, p).indication, Indication::TotalPassed);
  EXPECT_EQ(fetcher.asked().size(), 4u);
}

TEST_F(Revocation, WithOcspNonce_ResponderEchoesIt_Passes) {
  VerificationPolicy p = policy();
  p.ocspNonce = true;
  const VerificationReport report = verify(sign(seal(), PadesLevel::B_B), p);
  EXPECT_EQ(report.indication, Indication::TotalPassed) << describe(report);
}

// EN 319 102-1 §5.2.8 / §8: the signer's certificate has expired; its time-stamp proves the
// signature existed while it was valid, but its status cannot be established any more: the CRL
// does not list it, and a CA drops expired certificates from its CRLs (no ExpiredCertsOnCRL).
TEST_F(Revocation, ExpiredTimeStampedSigner_StatusUnknown_RevocationOutOfBoundsNoPoe) {
  const pki::SigningCredential citizen = issue("Lê Văn Cường", false, hours(1));
  const std::string pdf = sign(citizen, PadesLevel::B_T);  // time-stamped now, within the hour
  clock.set(clock.now() + hours(2));
  validation.set(clock.now() + minutes(1));
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::RevocationOutOfBoundsNoPoe) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  EXPECT_EQ(s.subIndication, SubIndication::RevocationOutOfBoundsNoPoe) << describe(report);
  ASSERT_TRUE(s.timeStamp);
  EXPECT_TRUE(s.timeStamp->valid) << s.timeStamp->problem;
  const RevocationEvidence& leaf = s.revocation.at(0);
  EXPECT_EQ(leaf.source, "crl");
  EXPECT_EQ(leaf.status, RevocationStatus::Unknown);
  EXPECT_NE(leaf.problem.find("does not keep expired certificates"), std::string::npos) << leaf.problem;

  // The same certificate still within its lifetime, same unknown status: TRY_LATER, not out of bounds.
  clock.set(clock.now() - hours(2));
  validation.set(clock.now() + minutes(1));
  fetcher.answerFor(publicUrl + "/pki/crl", toBytes("not a CRL"));
  const VerificationReport fresh = verify(pdf);
  EXPECT_EQ(fresh.subIndication, SubIndication::TryLater) << describe(fresh);
}

// The issuing CA revoked by the root (its CRL at /pki/crl/root), no time-stamp: the signer is good,
// but no proof of existence puts the signature before the CA's revocation.
TEST_F(Revocation, IssuingCaRevoked_NoTimeStamp_IndeterminateRevokedCaNoPoe) {
  const std::string pdf = sign(seal(), PadesLevel::B_B);
  ASSERT_TRUE(core->rootCa()->revoke(pki().issuingCa().serialHex(), pki::RevocationReason::CaCompromise));
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::RevokedCaNoPoe) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  ASSERT_EQ(s.revocation.size(), 2u) << describe(report);
  EXPECT_EQ(s.revocation[0].status, RevocationStatus::Good);
  EXPECT_EQ(s.revocation[1].certificateSubject, pki().issuingCa().subject());
  EXPECT_EQ(s.revocation[1].status, RevocationStatus::Revoked);
  EXPECT_EQ(s.revocation[1].source, "crl");
  EXPECT_EQ(s.revocation[1].revocationReason, "cACompromise");
  EXPECT_NE(s.detail.find("the CA certificate"), std::string::npos) << s.detail;
  EXPECT_NE(s.detail.find("no signature time-stamp"), std::string::npos) << s.detail;
}

// RFC 5280 §5.3.1: certificateHold is a suspension, not a revocation: the verdict waits
// (TRY_LATER), it does not fail. kyso's own CA never suspends, so the issuing CA's CRL is made
// here, signed by the CA's key, listing the signer as on hold.
TEST_F(Revocation, CertificateOnHold_IndeterminateTryLater_NotRevoked) {
  const pki::SigningCredential citizen = issue("Phạm Thị Dung", false);
  const std::string pdf = sign(citizen, PadesLevel::B_B);
  const pki::RevokedCertificate hold{citizen.certificate().serialHex(), clock.now(),
                                     static_cast<int>(pki::RevocationReason::CertificateHold)};
  fetcher.answerFor(publicUrl + "/pki/crl", pki::buildCrl(pki().issuingCa(), *pki().issuingCaKey(), {hold}, clock.now(),
                                                          clock.now() + hours(24), 7));
  const VerificationReport report = verify(pdf);
  EXPECT_EQ(report.indication, Indication::Indeterminate) << describe(report);
  EXPECT_EQ(report.subIndication, SubIndication::TryLater) << describe(report);
  const SignatureResult& s = report.signatures.at(0);
  const RevocationEvidence& leaf = s.revocation.at(0);
  EXPECT_EQ(leaf.source, "crl");
  EXPECT_EQ(leaf.status, RevocationStatus::Revoked);
  EXPECT_EQ(leaf.revocationReason, "certificateHold");
  EXPECT_NE(s.detail.find("is suspended (certificateHold)"), std::string::npos) << s.detail;

  // The same CRL with keyCompromise instead: TOTAL_FAILED / REVOKED.
  const pki::RevokedCertificate revoked{citizen.certificate().serialHex(), clock.now(),
                                        static_cast<int>(pki::RevocationReason::KeyCompromise)};
  fetcher.answerFor(publicUrl + "/pki/crl", pki::buildCrl(pki().issuingCa(), *pki().issuingCaKey(), {revoked},
                                                          clock.now(), clock.now() + hours(24), 8));
  EXPECT_EQ(verify(pdf).subIndication, SubIndication::Revoked);
}

TEST(RevocationCacheUnit, ExpiryCapAndEviction) {
  const pki::TimePoint t0 = pki::SystemClock::instance().now();
  RevocationCache cache({2, 10, hours(1)});
  cache.store("a", Bytes(4, 1), t0 + minutes(10), t0);
  cache.store("b", Bytes(4, 2), t0 + hours(24), t0);  // kept one hour at most
  EXPECT_EQ(cache.find("a", t0 + minutes(9)), Bytes(4, 1));
  EXPECT_FALSE(cache.find("a", t0 + minutes(10)));
  EXPECT_TRUE(cache.find("b", t0 + minutes(59)));
  EXPECT_FALSE(cache.find("b", t0 + hours(1)));
  cache.store("c", Bytes(4, 3), t0 + minutes(5), t0);
  cache.store("d", Bytes(4, 4), t0 + minutes(5), t0);
  cache.store("e", Bytes(4, 5), t0 + minutes(5), t0);  // two entries at most: "c" goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.find("c", t0));
  cache.store("big", Bytes(11, 0), t0 + minutes(5), t0);  // larger than all the cache may hold
  EXPECT_FALSE(cache.find("big", t0));
  cache.store("past", Bytes(1, 0), t0 - minutes(1), t0);
  EXPECT_FALSE(cache.find("past", t0));
}

}  // namespace
}  // namespace kyso::signer
