// libFuzzer target for the PDF signature verifier (signer::verifyPdf over PdfInput::fromMemory):
// the cross-reference reader, the object parser, the form field walk, the byte-range and CMS
// checks, the duplicate-object scan and the comparison of revisions. A verdict or a kyso::Error
// ("could not evaluate") is a normal outcome; anything else escaping, or a crash, is a finding.
// The policy is fixed: a trust anchor generated once, revocation not checked, a fixed clock.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kyso/error.h"
#include "kyso/pki/certificate_builder.h"
#include "kyso/pki/software_key.h"
#include "kyso/signer/pdf_verifier.h"

namespace {

const kyso::signer::VerificationPolicy& policy() {
  static const kyso::signer::VerificationPolicy p = [] {
    static const kyso::pki::FixedClock clock{kyso::pki::TimePoint(std::chrono::seconds(1798761600))};  // 2027-01-01
    auto key = kyso::pki::SoftwareKey::generate(kyso::pki::KeyAlgorithm::Ecdsa);
    kyso::pki::CertificateProfile profile;
    profile.subject = {{"CN", "kyso fuzz anchor"}};
    profile.notBefore = clock.now() - std::chrono::hours(24);
    profile.lifetime = std::chrono::hours(24 * 365);
    profile.ca = true;
    kyso::signer::VerificationPolicy out;
    out.trustAnchors = {kyso::pki::issueCertificate(profile, key->get(), nullptr, *key)};
    out.clock = &clock;
    out.revocation = kyso::signer::RevocationCheck::Skip;
    return out;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const kyso::signer::VerificationPolicy& p = policy();
  try {
    const auto report = kyso::signer::verifyPdf(
        kyso::signer::PdfInput::fromMemory(std::string_view(reinterpret_cast<const char*>(data), size)), p);
    (void)report;
  } catch (const kyso::Error&) {
    // Not a PDF, damaged, malformed: an answer, not a finding.
  }
  return 0;
}
