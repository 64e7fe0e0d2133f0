// libFuzzer target for the XML signature verifier (signer::verifyXml: the hardened parser, the
// document scan, references, canonicalization, KeyInfo, the receipt-independent checks). Any input
// must give a report or a kyso::Error (a document that cannot be evaluated); anything else — another
// exception, a crash, a leak under the sanitizers — is a finding. Seeds: tests/fuzz/corpus/xml.
//
// The policy is fixed: a development PKI made once per process in a temporary directory as trust
// anchor, revocation not checked (no network), a fixed validation time.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "kyso/error.h"
#include "kyso/pki/clock.h"
#include "kyso/pki/dev_pki.h"
#include "kyso/signer/xml_verifier.h"

namespace {

class FuzzPolicy {
 public:
  FuzzPolicy()
      : dir_(std::filesystem::temp_directory_path() / ("kyso-xml-fuzz-" + std::to_string(::getpid()))),
        clock_(kyso::pki::SystemClock::instance().now()),
        pki_(kyso::pki::DevPki::ensure(dir_, {.algorithm = kyso::pki::KeyAlgorithm::Ecdsa}, clock_)) {
    policy_.trustAnchors = {pki_.rootCa()};
    policy_.intermediates = {pki_.issuingCa()};
    policy_.clock = &clock_;
    policy_.revocation = kyso::signer::RevocationCheck::Skip;
  }
  ~FuzzPolicy() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  FuzzPolicy(const FuzzPolicy&) = delete;
  FuzzPolicy& operator=(const FuzzPolicy&) = delete;

  const kyso::signer::VerificationPolicy& get() const { return policy_; }

 private:
  std::filesystem::path dir_;
  kyso::pki::FixedClock clock_;
  kyso::pki::DevPki pki_;
  kyso::signer::VerificationPolicy policy_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const FuzzPolicy policy;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  try {
    const kyso::signer::VerificationReport report = kyso::signer::verifyXml(xml, policy.get());
    (void)report;
  } catch (const kyso::Error&) {
    // Input that cannot be evaluated at all (xml_malformed, xml_dtd_refused...): the expected refusal.
  }
  return 0;
}
