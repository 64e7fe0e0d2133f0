// The certificate index of kyso's own CAs (store/include/kyso/store/certificates.h) and the
// pki::CertificateRegister adapter over it.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "kyso/error.h"
#include "kyso/store/store.h"
#include "test_support.h"

namespace kyso::store {
namespace {

const pki::TimePoint kIssued = pki::parseIso8601("2026-11-27T02:00:00Z");

CertificateRecord certificate(const std::string& issuer, const std::string& serial) {
  CertificateRecord r;
  r.serial = serial;
  r.issuerKeyId = issuer;
  r.issuer = "CN=kyso Dev Issuing CA,O=kyso development PKI (not for production),C=VN";
  r.subject = "UID=CCCD:001085012345,CN=Nguyễn Văn An,ST=Tuyên Quang,C=VN";
  r.notBefore = kIssued;
  r.notAfter = kIssued + std::chrono::hours(24 * 365);
  r.der = {0x30, 0x82, 0x00, 0x00, static_cast<std::uint8_t>(serial.size())};
  r.der.resize(1500, 0x5a);  // certificate-sized, with a NUL inside: DER is bytes, not text
  r.der[9] = 0;
  return r;
}

class CertificateIndexTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::unique_ptr<Store> store = openSqliteStore(dir / "kyso.db");
  CertificateIndex& index = store->certificates();
};

TEST_F(CertificateIndexTest, Migration_Four_CreatesTheIndex) {
  EXPECT_GE(store->schemaVersion(), 4);
  EXPECT_FALSE(index.find("aa", "01").has_value());
  EXPECT_TRUE(index.revoked("aa").empty());
}

TEST_F(CertificateIndexTest, Insert_ThenFind_ReturnsEveryField) {
  EXPECT_TRUE(index.insert(certificate("aa", "4F01")));
  const auto found = index.find("aa", "4F01");
  ASSERT_TRUE(found.has_value());
  const CertificateRecord expected = certificate("aa", "4F01");
  EXPECT_EQ(found->serial, "4F01");
  EXPECT_EQ(found->issuerKeyId, "aa");
  EXPECT_EQ(found->issuer, expected.issuer);
  EXPECT_EQ(found->subject, expected.subject);
  EXPECT_EQ(found->notBefore, expected.notBefore);
  EXPECT_EQ(found->notAfter, expected.notAfter);
  EXPECT_EQ(found->status, "good");
  EXPECT_FALSE(found->revokedAt.has_value());
  EXPECT_EQ(found->reason, 0);
  EXPECT_EQ(found->der, expected.der);
  EXPECT_FALSE(index.find("bb", "4F01").has_value());
  EXPECT_FALSE(index.find("aa", "4F02").has_value());
}

TEST_F(CertificateIndexTest, Insert_SameCertificateTwice_ChangesNothing) {
  EXPECT_TRUE(index.insert(certificate("aa", "4F01")));
  EXPECT_FALSE(index.insert(certificate("aa", "4F01")));
  CertificateRecord other = certificate("aa", "4F01");
  other.der[100] = 0x11;
  try {
    index.insert(other);
    ADD_FAILURE() << "a second certificate with the same issuer and serial was stored";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.code(), "certificate_exists");
  }
  EXPECT_EQ(index.find("aa", "4F01")->der, certificate("aa", "4F01").der);
  // The same serial under another issuer is another certificate.
  EXPECT_TRUE(index.insert(certificate("bb", "4F01")));
  EXPECT_EQ(index.findBySerial("4F01").size(), 2u);
  EXPECT_TRUE(index.findBySerial("4F02").empty());
}

TEST_F(CertificateIndexTest, Revoke_IsIdempotentAndTheFirstRevocationStands) {
  index.insert(certificate("aa", "4F01"));
  const auto at = kIssued + std::chrono::hours(5);
  EXPECT_TRUE(index.revoke("aa", "4F01", at, 1));
  EXPECT_FALSE(index.revoke("aa", "4F01", at + std::chrono::hours(1), 4));
  const auto found = index.find("aa", "4F01");
  EXPECT_EQ(found->status, "revoked");
  EXPECT_EQ(found->revokedAt, at);
  EXPECT_EQ(found->reason, 1);
  try {
    index.revoke("aa", "4F02", at, 1);
    ADD_FAILURE() << "revoked a certificate that was never issued";
  } catch (const NotFoundError& e) {
    EXPECT_EQ(e.code(), "certificate_not_found");
  }
  EXPECT_THROW(index.revoke("bb", "4F01", at, 1), NotFoundError);
}

TEST_F(CertificateIndexTest, Revoked_ListsOnlyTheIssuersRevokedCertificatesBySerial) {
  for (const char* serial : {"4F03", "4F01", "4F02"}) index.insert(certificate("aa", serial));
  index.insert(certificate("bb", "4F09"));
  index.revoke("aa", "4F03", kIssued + std::chrono::hours(2), 1);
  index.revoke("aa", "4F01", kIssued + std::chrono::hours(3), 0);
  index.revoke("bb", "4F09", kIssued + std::chrono::hours(4), 5);
  const auto revoked = index.revoked("aa");
  ASSERT_EQ(revoked.size(), 2u);
  EXPECT_EQ(revoked[0].serial, "4F01");
  EXPECT_EQ(revoked[0].revokedAt, kIssued + std::chrono::hours(3));
  EXPECT_EQ(revoked[0].reason, 0);
  EXPECT_EQ(revoked[1].serial, "4F03");
  EXPECT_EQ(revoked[1].reason, 1);
  EXPECT_EQ(index.revoked("bb").size(), 1u);
  EXPECT_TRUE(index.revoked("cc").empty());
}

TEST_F(CertificateIndexTest, CrlNumbers_CountPerIssuerAndSurviveAReopen) {
  EXPECT_EQ(index.nextCrlNumber("aa"), 1u);
  EXPECT_EQ(index.nextCrlNumber("aa"), 2u);
  EXPECT_EQ(index.nextCrlNumber("bb"), 1u);
  store.reset();
  auto reopened = openSqliteStore(dir / "kyso.db");
  EXPECT_EQ(reopened->certificates().nextCrlNumber("aa"), 3u);
  EXPECT_EQ(reopened->certificates().nextCrlNumber("bb"), 2u);
}

TEST_F(CertificateIndexTest, CrlNumbers_FromTwoStoresOnOneFileNeverRepeat) {
  // The server and a CLI share the database: each takes numbers in its own write transaction.
  auto other = openSqliteStore(dir / "kyso.db");
  std::mutex mutex;
  std::set<std::uint64_t> seen;
  auto take = [&](CertificateIndex& from) {
    for (int i = 0; i < 25; ++i) {
      const auto n = from.nextCrlNumber("aa");
      std::lock_guard lock(mutex);
      EXPECT_TRUE(seen.insert(n).second) << n;
    }
  };
  std::thread a(take, std::ref(index));
  std::thread b(take, std::ref(other->certificates()));
  a.join();
  b.join();
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(*seen.rbegin(), 50u);
}

TEST_F(CertificateIndexTest, Register_RecordsAndReportsCertificatesOfTheDevPki) {
  const pki::DevPki& pki = test::devPki();
  const auto reg = certificateRegister(index);
  const std::string issuer = pki::issuerKeyId(pki.issuingCa());
  const pki::Certificate& seal = pki.seal().certificate();
  EXPECT_TRUE(reg->record(issuer, seal));
  EXPECT_FALSE(reg->record(issuer, seal));
  const auto stored = index.find(issuer, seal.serialHex());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->der, seal.der());
  EXPECT_EQ(stored->subject, seal.subject());
  EXPECT_EQ(stored->issuer, pki.issuingCa().subject());
  EXPECT_EQ(stored->notAfter, seal.notAfter());
  EXPECT_TRUE(reg->record(issuer, pki.tsa().certificate()));
  EXPECT_TRUE(index.find(issuer, pki.tsa().certificate().serialHex()).has_value());

  const auto good = reg->status(issuer, seal.serialHex());
  ASSERT_TRUE(good.has_value());
  EXPECT_FALSE(good->revoked);
  EXPECT_FALSE(reg->status(issuer, "01").has_value());

  const auto at = pki::parseIso8601("2026-11-28T03:04:05Z");
  EXPECT_TRUE(reg->revoke(issuer, seal.serialHex(), at, pki::RevocationReason::KeyCompromise));
  EXPECT_FALSE(reg->revoke(issuer, seal.serialHex(), at, pki::RevocationReason::Superseded));
  const auto revoked = reg->status(issuer, seal.serialHex());
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(revoked->revokedAt, at);
  EXPECT_EQ(revoked->reason, pki::RevocationReason::KeyCompromise);
  const auto listed = reg->revoked(issuer);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].serialHex, seal.serialHex());
  EXPECT_EQ(listed[0].reason, 1);
  EXPECT_EQ(reg->nextCrlNumber(issuer), 1u);
}

TEST(RevocationReason, Names_FollowRfc5280) {
  EXPECT_EQ(pki::revocationReasonName(pki::RevocationReason::KeyCompromise), "keyCompromise");
  EXPECT_EQ(pki::revocationReasonName(pki::RevocationReason::CaCompromise), "cACompromise");
  EXPECT_EQ(pki::parseRevocationReason("cessationofoperation"), pki::RevocationReason::CessationOfOperation);
  EXPECT_EQ(pki::parseRevocationReason("removeFromCRL"), pki::RevocationReason::RemoveFromCrl);
  try {
    pki::parseRevocationReason("lost");
    ADD_FAILURE() << "an unknown reason was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_revocation_reason");
  }
}

}  // namespace
}  // namespace kyso::store
