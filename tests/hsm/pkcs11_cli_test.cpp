// `kyso key ...` against SoftHSM2 as an operator runs it: tokens listed, keys generated inside the
// token, their custody shown, CSRs signed by the token and checked by `openssl req -verify`, and
// a token key certified from its CSR, configured and used by `kyso sign pdf`.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/pkcs11.h"
#include "soft_hsm.h"
#include "test_support.h"

namespace kyso {
namespace {

class Pkcs11Cli : public ::testing::Test {
 protected:
  const test::SoftHsm& hsm = test::softHsm();  // sets SOFTHSM2_CONF, which the kyso processes inherit
  test::TempDir dir;
  std::string kyso = (test::binDir() / "kyso").string();

  void SetUp() override {
    test::writeFile(dir / "user.pin", hsm.pin + "\n");
    std::filesystem::permissions(dir / "user.pin",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  std::string label(const std::string& prefix) const {
    return prefix + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  test::ProcessResult cli(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {kyso, "--data-dir", (dir / "var").string()});
    return test::run(args, input);
  }

  // `kyso key VERB --pkcs11-module M --token T ARGS...`
  test::ProcessResult key(const std::string& verb, std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {"key", verb, "--pkcs11-module", hsm.module.string(), "--token", std::string(hsm.token)});
    return cli(args, input);
  }

  std::string pinFile() const { return (dir / "user.pin").string(); }

  test::ProcessResult opensslReqVerify(const std::filesystem::path& csr) {
    return test::run({"/usr/bin/openssl", "req", "-in", csr.string(), "-verify", "-noout", "-subject", "-nameopt",
                      "utf8,sep_comma_plus"});
  }

  static std::string idOf(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m, std::regex("id: +([0-9a-f]+)"))) return {};
    return m[1];
  }
};

TEST_F(Pkcs11Cli, Tokens_ListsTheModulesTokens) {
  const auto r = cli({"key", "tokens", "--pkcs11-module", hsm.module.string()});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("SoftHSM"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("token 'kyso-test'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("token 'kyso-spare'"), std::string::npos) << r.output;
}

TEST_F(Pkcs11Cli, GenerateListCsr_KeysMadeInTheTokenAndCsrsVerifyWithOpenssl) {
  // RSA with the PIN on standard input; ECDSA with a given id and a PIN file.
  const auto rsa = key("generate", {"--label", label("rsa")}, hsm.pin + "\n");
  ASSERT_EQ(rsa.exitCode, 0) << rsa.output;
  EXPECT_NE(rsa.output.find("RSA 2048 bit"), std::string::npos) << rsa.output;
  EXPECT_EQ(idOf(rsa.output).size(), 32u) << rsa.output;  // 16 random bytes
  const auto ec =
      key("generate", {"--label", label("ec"), "--algorithm", "ec", "--id", "c0ffee01", "--pin-file", pinFile()});
  ASSERT_EQ(ec.exitCode, 0) << ec.output;
  EXPECT_EQ(idOf(ec.output), "c0ffee01");
  EXPECT_NE(ec.output.find("ECDSA 256 bit"), std::string::npos) << ec.output;
  // The public key printed is the token's.
  const auto pemStart = ec.output.find("-----BEGIN PUBLIC KEY-----");
  ASSERT_NE(pemStart, std::string::npos) << ec.output;
  test::writeFile(dir / "ec.pub.pem", ec.output.substr(pemStart));
  const auto pub =
      test::run({"/usr/bin/openssl", "pkey", "-pubin", "-in", (dir / "ec.pub.pem").string(), "-noout", "-text"});
  EXPECT_EQ(pub.exitCode, 0) << pub.output;
  EXPECT_NE(pub.output.find("prime256v1"), std::string::npos) << pub.output;

  const auto list = key("list", {"--pin-file", pinFile()});
  ASSERT_EQ(list.exitCode, 0) << list.output;
  for (const std::string& l : {label("rsa"), label("ec")}) {
    EXPECT_NE(list.output.find("key '" + l + "'"), std::string::npos) << list.output;
  }
  EXPECT_NE(list.output.find("c0ffee01"), std::string::npos) << list.output;
  // The listing reads the private keys alone; an EC key's size comes from its CKA_EC_PARAMS.
  EXPECT_NE(list.output.find("ECDSA 256 bit"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("RSA 2048 bit"), std::string::npos) << list.output;
  // Generated inside the token, never extractable: the token says so.
  EXPECT_NE(list.output.find("local=yes sensitive=yes extractable=no always_sensitive=yes never_extractable=yes"),
            std::string::npos)
      << list.output;

  // A citizen who is also an organisation's employee: both UIDs.
  const auto csr = key("csr", {"--label", label("rsa"), "--name", "Nguyễn Thị Hồng Nhung", "--cccd", "068190001234",
                               "--mst", "0101234565", "--province", "Lâm Đồng", "--organization", "Công ty TNHH Mẫu",
                               "--out", (dir / "rsa.csr").string(), "--pin-file", pinFile()});
  ASSERT_EQ(csr.exitCode, 0) << csr.output;
  const auto verified = opensslReqVerify(dir / "rsa.csr");
  EXPECT_EQ(verified.exitCode, 0) << verified.output;
  EXPECT_NE(verified.output.find("verify OK"), std::string::npos) << verified.output;
  EXPECT_NE(verified.output.find("C=VN,ST=Lâm Đồng,O=Công ty TNHH Mẫu,CN=Nguyễn Thị Hồng Nhung,"
                                 "UID=CCCD:068190001234,UID=MST:0101234565"),
            std::string::npos)
      << verified.output;

  // By id, PEM on standard output.
  const auto ecCsr =
      key("csr", {"--id", "c0ffee01", "--name", "Trần Văn Bình", "--cccd", "001085012345", "--province", "Hà Nội"},
          hsm.pin + "\n");
  ASSERT_EQ(ecCsr.exitCode, 0) << ecCsr.output;
  const auto csrStart = ecCsr.output.find("-----BEGIN CERTIFICATE REQUEST-----");
  ASSERT_NE(csrStart, std::string::npos) << ecCsr.output;
  test::writeFile(dir / "ec.csr", ecCsr.output.substr(csrStart));
  const auto ecVerified = opensslReqVerify(dir / "ec.csr");
  EXPECT_EQ(ecVerified.exitCode, 0) << ecVerified.output;
  EXPECT_NE(ecVerified.output.find("verify OK"), std::string::npos) << ecVerified.output;
}

TEST_F(Pkcs11Cli, WrongPinTakenLabelAndBadInput_FailWithTheirCodes) {
  const auto wrongPin = key("list", {}, "9999\n");
  EXPECT_EQ(wrongPin.exitCode, 1) << wrongPin.output;
  EXPECT_NE(wrongPin.output.find("(pkcs11_login_failed)"), std::string::npos) << wrongPin.output;
  EXPECT_EQ(wrongPin.output.find("9999"), std::string::npos) << wrongPin.output;

  // The PIN is never an argument.
  const auto pinArgument = key("list", {"--pin", hsm.pin});
  EXPECT_EQ(pinArgument.exitCode, 2) << pinArgument.output;
  EXPECT_NE(pinArgument.output.find("unknown option --pin"), std::string::npos) << pinArgument.output;

  std::filesystem::permissions(dir / "user.pin", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  const auto exposed = key("list", {"--pin-file", pinFile()});
  EXPECT_EQ(exposed.exitCode, 1) << exposed.output;
  EXPECT_NE(exposed.output.find("chmod 600"), std::string::npos) << exposed.output;
  std::filesystem::permissions(dir / "user.pin", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::remove);

  ASSERT_EQ(key("generate", {"--label", label("taken")}, hsm.pin + "\n").exitCode, 0);
  const auto taken = key("generate", {"--label", label("taken")}, hsm.pin + "\n");
  EXPECT_EQ(taken.exitCode, 1) << taken.output;
  EXPECT_NE(taken.output.find("(pkcs11_key_exists)"), std::string::npos) << taken.output;

  // The subject is checked before the PIN is asked for (standard input stays empty here).
  const auto badCccd =
      key("csr", {"--label", label("taken"), "--name", "Nguyễn Văn A", "--cccd", "12345", "--province", "Huế"});
  EXPECT_EQ(badCccd.exitCode, 1) << badCccd.output;
  EXPECT_NE(badCccd.output.find("(invalid_subject)"), std::string::npos) << badCccd.output;

  const auto noUid = key("csr", {"--label", label("taken"), "--name", "Nguyễn Văn A", "--province", "Huế"});
  EXPECT_EQ(noUid.exitCode, 2) << noUid.output;
  const auto unknownKey = key("csr", {"--label", "no-such-key", "--name", "Nguyễn Văn A", "--cccd", "001085012345",
                                      "--province", "Huế", "--pin-file", pinFile()});
  EXPECT_EQ(unknownKey.exitCode, 1) << unknownKey.output;
  EXPECT_NE(unknownKey.output.find("(pkcs11_key_not_found)"), std::string::npos) << unknownKey.output;
  const auto badAlgorithm = key("generate", {"--label", label("dsa"), "--algorithm", "dsa"});
  EXPECT_EQ(badAlgorithm.exitCode, 2) << badAlgorithm.output;
  const auto misplaced = key("list", {"--label", "x"});
  EXPECT_EQ(misplaced.exitCode, 2) << misplaced.output;
}

// The whole path an operator takes: key generated in the token, CSR to the CA, the certificate
// chain configured with the token key, `kyso key list` and `kyso sign pdf --key`.
TEST_F(Pkcs11Cli, TokenKeyCertifiedFromItsCsr_ConfiguredAndSigningWithKysoSignPdf) {
  const auto generated = key("generate", {"--label", label("seal"), "--algorithm", "ec", "--pin-file", pinFile()});
  ASSERT_EQ(generated.exitCode, 0) << generated.output;
  const auto csr =
      key("csr", {"--label", label("seal"), "--name", "Ủy ban nhân dân xã Mẫu", "--mst", "0101234565", "--province",
                  "Lâm Đồng", "--out", (dir / "seal.csr").string(), "--pin-file", pinFile()});
  ASSERT_EQ(csr.exitCode, 0) << csr.output;

  // The CA's side: the development PKI's issuing CA certifies the CSR's key.
  const pki::DevPki& pki = test::devPki(pki::KeyAlgorithm::Rsa);
  const auto request = pki::CertificateRequest::parse(asBytes(test::readFile(dir / "seal.csr")));
  pki::CertificateProfile profile;
  profile.subject = pki::vietnameseSubjectName({"Ủy ban nhân dân xã Mẫu", {"MST:0101234565"}, "Lâm Đồng", ""});
  profile.notBefore = pki::SystemClock::instance().now() - std::chrono::hours(1);
  profile.lifetime = std::chrono::hours(24 * 30);
  profile.keyUsage = "critical,digitalSignature,nonRepudiation";
  profile.extendedKeyUsage = "emailProtection";
  profile.crlUrl = "http://127.0.0.1:8080/pki/crl";  // pdfsig wants one; it does not fetch it
  const pki::Certificate leaf =
      pki::issueCertificate(profile, request.publicKey(), &pki.issuingCa(), *pki.issuingCaKey());
  test::writeFile(dir / "seal-chain.pem", leaf.pem() + pki.issuingCa().pem());

  test::writeFile(dir / "kyso.properties",
                  "keys.agency.pkcs11_module = " + hsm.module.string() + "\nkeys.agency.pkcs11_token = " + hsm.token +
                      "\nkeys.agency.pkcs11_key_id = " + idOf(generated.output) + "\nkeys.agency.pkcs11_pin_file = " +
                      pinFile() + "\nkeys.agency.pem_chain = " + (dir / "seal-chain.pem").string() + "\n");
  const std::string config = "--config=" + (dir / "kyso.properties").string();

  const auto list = cli({config, "key", "list"});
  ASSERT_EQ(list.exitCode, 0) << list.output;
  EXPECT_NE(list.output.find("key agency (default)"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("ECDSA 256 bit"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("CN=Ủy ban nhân dân xã Mẫu"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("PKCS#11 token 'kyso-test', key id " + idOf(generated.output)), std::string::npos)
      << list.output;

  const auto in = test::corpusPdf("qpdf_qtest_qpdf_11-pages.pdf");
  const auto sign = cli({config, "sign", "pdf", "--key", "agency", in.string(), (dir / "sealed.pdf").string()});
  ASSERT_EQ(sign.exitCode, 0) << sign.output;
  EXPECT_NE(sign.output.find("key agency"), std::string::npos) << sign.output;
  const test::PeerVerdict v = test::checkWithPeers(dir / "sealed.pdf", pki.rootCa());
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;

  // A wrong PIN in the configured file stops the command before anything is signed.
  test::writeFile(dir / "user.pin", "9999\n");
  const auto refused = cli({config, "sign", "pdf", in.string(), (dir / "refused.pdf").string()});
  EXPECT_EQ(refused.exitCode, 1) << refused.output;
  EXPECT_NE(refused.output.find("key 'agency' in PKCS#11 token 'kyso-test'"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("(pkcs11_login_failed)"), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "refused.pdf"));
}

}  // namespace
}  // namespace kyso
