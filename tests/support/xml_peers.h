// The real XML peers for signed receipts: the xmlsec1 command line, xmllint against kyso's schema,
// and libxmlsec1 in process for checking thousands of signatures without a process each.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kyso/pki/certificate.h"
#include "test_support.h"

namespace kyso::test {

struct PeerCheck {
  bool ok = false;
  std::string output;
};

// The one xmlsec1 command line: `xmlsec1 --verify FILE` trusting the certificate in `trustedPem`,
// with `untrustedPems` as intermediates the signature need not carry, references resolved only
// inside the document and `Id` as the ID attribute of each of `idElements` ("DLBLai", or
// "urn:ns:Name" for an element in a namespace).
ProcessResult runXmlsec1Verify(const std::filesystem::path& file, const std::filesystem::path& trustedPem,
                               const std::vector<std::filesystem::path>& untrustedPems,
                               const std::vector<std::string>& idElements);

// True when xmlsec1 said the signature is valid.
bool xmlsec1SaysOk(const ProcessResult& result);

// runXmlsec1Verify for a receipt, trusting `root` (the issuing CA comes from the signature's chain or
// is given as untrusted), with the receipt's signed elements (and ds:Object) identified by `Id`.
PeerCheck xmlsec1Verify(const std::filesystem::path& file, const pki::Certificate& root,
                        const pki::Certificate* issuing = nullptr);

// `xmllint --noout --nonet --schema docs/receipt.xsd FILE`.
PeerCheck xmllintSchema(const std::filesystem::path& file);

// libxmlsec1 (the library behind the xmlsec1 command) verifying signatures in memory against a
// trusted root and an untrusted intermediate. Not thread-safe: one per thread.
class XmlVerifier {
 public:
  XmlVerifier(const pki::Certificate& root, const pki::Certificate& intermediate);
  ~XmlVerifier();
  XmlVerifier(const XmlVerifier&) = delete;
  XmlVerifier& operator=(const XmlVerifier&) = delete;
  // True when the document's first Signature verifies with every Reference.
  bool verify(const std::string& xml);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kyso::test
