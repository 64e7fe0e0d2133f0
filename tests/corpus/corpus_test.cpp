// Every PDF of the shared corpus (files nobody on the team wrote) is either signed and then passes
// pdfsig, openssl cms and qpdf, or refused with the error code tests/data/corpus-expectations.tsv
// gives for it. None may crash or hang (ctest's timeout would fail the run).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "kyso/error.h"
#include "kyso/pki/time_stamp.h"
#include "kyso/signer/pades_signer.h"
#include "test_support.h"

namespace kyso::signer {
namespace {

struct Expectation {
  std::string file;
  std::string outcome;  // "signed" or an error code
};

std::vector<Expectation> expectations() {
  std::vector<Expectation> out;
  std::ifstream in(std::filesystem::path(KYSO_SOURCE_DIR) / "tests" / "data" / "corpus-expectations.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    const auto tab2 = line.find('\t', tab + 1);
    out.push_back({line.substr(0, tab), line.substr(tab + 1, tab2 - tab - 1)});
  }
  return out;
}

TEST(Corpus, ExpectationsCoverExactlyTheCorpus) {
  std::set<std::string> listed, present;
  for (const auto& e : expectations()) listed.insert(e.file);
  for (const auto& entry : std::filesystem::directory_iterator(test::sharedDir() / "corpus" / "pdf")) {
    std::string extension = entry.path().extension().string();
    for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (extension == ".pdf") present.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, present);
  EXPECT_GT(present.size(), 300u);
}

class CorpusFile : public ::testing::TestWithParam<Expectation> {
 protected:
  static const pki::DevPki& pki() { return test::devPki(); }
  static const PadesSigner& signer() {
    static const auto tsa = std::make_shared<pki::TimeStampAuthority>(pki().tsaKey(), pki().tsa().chain, "2.999.7.1",
                                                                      pki::SystemClock::instance());
    static const PadesSigner instance(std::make_shared<pki::TimeStampClient>(
        pki::inProcessTransport(tsa), std::vector<pki::Certificate>{pki().rootCa()}));
    return instance;
  }
};

TEST_P(CorpusFile, IsSignedOrRefusedAsExpected) {
  const Expectation& expected = GetParam();
  const auto original = test::corpusPdf(expected.file);
  test::TempDir dir;
  const auto out = dir / "signed.pdf";
  // Every fourth file also gets a signature time-stamp.
  const bool timeStamped = std::hash<std::string>{}(expected.file) % 4 == 0;
  std::string outcome = "signed";
  try {
    FilePdfOutput output(out);
    PadesOptions options;
    options.level = timeStamped ? PadesLevel::B_T : PadesLevel::B_B;
    options.fields.signingTime = pki::SystemClock::instance().now();
    options.fields.reason = "Kiểm thử bộ tài liệu mẫu";
    signer().sign(PdfInput::fromFile(original, 1u << 30), output, pki().seal(), options);
    output.commit();
  } catch (const Error& e) {
    outcome = e.code();
    EXPECT_NE(e.kind(), ErrorKind::Internal) << e.what();
    EXPECT_FALSE(std::string(e.what()).empty());
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  ASSERT_EQ(outcome, expected.outcome);
  if (outcome != "signed") return;

  EXPECT_EQ(test::readFile(out).substr(0, std::filesystem::file_size(original)), test::readFile(original));
  const test::PeerVerdict v = test::checkWithPeers(out, pki().rootCa());
  EXPECT_EQ(v.signatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.validSignatures, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.trustedCertificates, 1) << v.pdfsigOutput;
  EXPECT_EQ(v.opensslVerified, 1) << v.problems;
  EXPECT_TRUE(v.noSigningTime);

  // qpdf: a clean original stays clean; otherwise the signature adds no warning of its own.
  const test::QpdfCheck before = test::qpdfCheck(original);
  const test::QpdfCheck after = test::qpdfCheck(out);
  if (before.exitCode == 0) {
    EXPECT_EQ(after.exitCode, 0) << ::testing::PrintToString(after.warnings);
  } else {
    // Linearization hints stop applying once the file is updated: qpdf then reports the same
    // damaged hint stream as a plain object, "(object N 0, offset N): expected endstream" where
    // it said "(linearization hint stream: object N 0, offset N): expected endstream". That
    // rewording is the only one forgiven; every other warning must have been there before, as
    // often as after (warnings about the hint tables themselves may go away).
    const auto unhinted = [](std::string warning) {
      static const std::string hint = "(linearization hint stream: ";
      if (const auto at = warning.find(hint); at != std::string::npos) warning.replace(at, hint.size(), "(");
      return warning;
    };
    std::map<std::string, int> left;
    for (const auto& warning : before.warnings) ++left[unhinted(warning)];
    for (const auto& warning : after.warnings) {
      if (--left[unhinted(warning)] < 0) ADD_FAILURE() << "new qpdf warning: " << warning;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, CorpusFile, ::testing::ValuesIn(expectations()),
                         [](const ::testing::TestParamInfo<Expectation>& param) {
                           std::string name;
                           for (char c : param.param.file)
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace kyso::signer
