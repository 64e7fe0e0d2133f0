#include <gtest/gtest.h>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/bytes.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/digest.h"

namespace kyso {
namespace {

TEST(Hex, RoundTripAndCase) {
  const Bytes data{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(toHex(data), "0001abff");
  EXPECT_EQ(toHex(data, true), "0001ABFF");
  EXPECT_EQ(fromHex("0001ABff"), data);
}

TEST(Hex, OddLengthOrNonHexIsRejected) {
  EXPECT_THROW(fromHex("abc"), InputError);
  EXPECT_THROW(fromHex("zz"), InputError);
}

TEST(Base64, RoundTripsAllLengths) {
  Bytes data;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(fromBase64(toBase64(data)), data) << n;
    data.push_back(static_cast<std::uint8_t>(n * 37));
  }
}

TEST(Base64, LineBreaksAreAcceptedGarbageIsNot) {
  // Partners send signatures with line breaks inside the base64 (DOMAIN.md).
  EXPECT_EQ(fromBase64("aGVs\r\nbG8="), toBytes("hello"));
  EXPECT_THROW(fromBase64("aGVsbG8"), InputError);
  EXPECT_THROW(fromBase64("a*Vsb$8="), InputError);
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(constantTimeEquals(toBytes("abc"), toBytes("abc")));
  EXPECT_FALSE(constantTimeEquals(toBytes("abc"), toBytes("abd")));
  EXPECT_FALSE(constantTimeEquals(toBytes("abc"), toBytes("abcd")));
}

TEST(CheckedCast, ThrowsOutOfRange) {
  EXPECT_EQ(checkedCast<int>(std::size_t{42}), 42);
  EXPECT_THROW(checkedCast<int>(std::size_t{1} << 40), InternalError);
  EXPECT_THROW(checkedCast<unsigned>(-1), InternalError);
}

TEST(Digest, KnownAnswerSha256) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(toHex(pki::sha256(asBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  pki::DigestCalculator pieces;
  pieces.update(std::string_view("a"));
  pieces.update(std::string_view("bc"));
  EXPECT_EQ(pieces.finish(), pki::sha256(asBytes("abc")));
}

TEST(Digest, NamesParse) {
  EXPECT_EQ(pki::parseDigestAlgorithm("SHA-256"), pki::DigestAlgorithm::Sha256);
  EXPECT_EQ(pki::parseDigestAlgorithm("sha512"), pki::DigestAlgorithm::Sha512);
  EXPECT_EQ(pki::parseDigestAlgorithm("2.16.840.1.101.3.4.2.2"), pki::DigestAlgorithm::Sha384);
  EXPECT_THROW(pki::parseDigestAlgorithm("sha1"), InputError);
}

TEST(Iso8601, FormatsVietnamTimeAndParsesOffsets) {
  const auto t = pki::parseIso8601("2026-11-27T02:15:00Z");
  EXPECT_EQ(pki::formatIso8601(t), "2026-11-27T09:15:00+07:00");
  EXPECT_EQ(pki::formatIso8601Utc(t), "2026-11-27T02:15:00Z");
  EXPECT_EQ(pki::parseIso8601("2026-11-27T09:15:00+07:00"), t);
  EXPECT_THROW(pki::parseIso8601("27/11/2026"), InputError);
}

}  // namespace
}  // namespace kyso
