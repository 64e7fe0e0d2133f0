#include <gtest/gtest.h>

#include <set>

#include "kyso/error.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/time_stamp.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

constexpr const char* kPolicy = "2.999.7.1";

class TimeStampTest : public ::testing::Test {
 protected:
  const DevPki& pki = test::devPki();
  std::shared_ptr<TimeStampAuthority> tsa =
      std::make_shared<TimeStampAuthority>(pki.tsaKey(), pki.tsa().chain, kPolicy, SystemClock::instance());
  TimeStampClient client{inProcessTransport(tsa), {pki.rootCa()}};
};

TEST_F(TimeStampTest, TokenVerifiesWithOpensslTs) {
  const Bytes digest = sha256(asBytes("giá trị chữ ký"));
  const Bytes token = client.timeStamp(DigestAlgorithm::Sha256, digest);
  const TimeStampInfo info = parseTimeStampToken(token);
  EXPECT_EQ(info.messageImprint, digest);
  EXPECT_EQ(info.policyOid, kPolicy);
  EXPECT_LT(std::chrono::abs(info.time - SystemClock::instance().now()), std::chrono::seconds(5));
  EXPECT_NE(info.tsaSubject.find("kyso Dev TSA"), std::string::npos);

  const auto result = test::opensslVerifyToken(token, digest, pki);
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("Verification: OK"), std::string::npos) << result.output;
}

TEST_F(TimeStampTest, OpensslTsQueryGetsAGrantedReply) {
  test::TempDir dir;
  test::writeFile(dir / "data.txt", "hồ sơ");
  const auto query = test::run({"/usr/bin/openssl", "ts", "-query", "-data", (dir / "data.txt").string(), "-sha256",
                                "-cert", "-out", (dir / "q.tsq").string()});
  ASSERT_EQ(query.exitCode, 0) << query.output;
  const Bytes reply = tsa->respond(asBytes(test::readFile(dir / "q.tsq")));
  test::writeFile(dir / "r.tsr", asChars(reply));
  const auto verify = test::opensslVerifyReply(std::string(asChars(reply)), test::readFile(dir / "q.tsq"), pki);
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
  const auto text = test::run({"/usr/bin/openssl", "ts", "-reply", "-in", (dir / "r.tsr").string(), "-text"});
  EXPECT_NE(text.output.find("Status: Granted."), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Accuracy: 0x01 seconds"), std::string::npos) << text.output;
}

TEST_F(TimeStampTest, GarbageRequestIsAnsweredWithARejection) {
  const Bytes reply = tsa->respond(asBytes("not a TimeStampReq"));
  const unsigned char* p = reply.data();
  ossl::Ptr<TS_RESP> response(d2i_TS_RESP(nullptr, &p, static_cast<long>(reply.size())));
  ASSERT_TRUE(response);
  EXPECT_EQ(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(response.get()))), TS_STATUS_REJECTION);
}

TEST_F(TimeStampTest, SerialNumbersAreUnique) {
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    serials.insert(parseTimeStampToken(client.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("x")))).serialHex);
  }
  EXPECT_EQ(serials.size(), 20u);
}

TEST_F(TimeStampTest, TokenFromAnUntrustedTsaIsRefused) {
  TimeStampClient strict{inProcessTransport(tsa), {test::devPki(KeyAlgorithm::Ecdsa).rootCa()}};
  try {
    strict.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("x")));
    FAIL() << "token from an untrusted TSA accepted";
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "tsa_invalid_response");
  }
}

TEST_F(TimeStampTest, ReplayedResponseIsRefused) {
  // A transport that answers every request with the first response it saw (nonce mismatch).
  auto recorded = std::make_shared<Bytes>();
  TimeStampClient replaying{[this, recorded](const Bytes& request) {
                              if (recorded->empty()) *recorded = tsa->respond(request);
                              return *recorded;
                            },
                            {pki.rootCa()}};
  replaying.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("first")));
  EXPECT_THROW(replaying.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("first"))), UnavailableError);
}

TEST_F(TimeStampTest, TokenFromASkewedClockIsRefused) {
  FixedClock ahead(SystemClock::instance().now() + std::chrono::hours(2));
  auto skewed = std::make_shared<TimeStampAuthority>(pki.tsaKey(), pki.tsa().chain, kPolicy, ahead);
  TimeStampClient checking{inProcessTransport(skewed), {pki.rootCa()}};
  try {
    checking.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("x")));
    FAIL() << "skewed token accepted";
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "tsa_clock_skew");
  }
}

TEST_F(TimeStampTest, GarbageFromTheTransportIsAnUpstreamFailure) {
  TimeStampClient broken{[](const Bytes&) { return toBytes("<html>502</html>"); }, {pki.rootCa()}};
  EXPECT_THROW(broken.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("x"))), UnavailableError);
}

TEST(TimeStampTransport, UnreachableUrlIsUnavailable) {
  TimeStampClient client{httpTransport("http://127.0.0.1:1/tsa", std::chrono::milliseconds(500)),
                         {test::devPki().rootCa()}};
  try {
    client.timeStamp(DigestAlgorithm::Sha256, sha256(asBytes("x")));
    FAIL();
  } catch (const UnavailableError& e) {
    EXPECT_EQ(e.code(), "tsa_unavailable");
  }
}

}  // namespace
}  // namespace kyso::pki
