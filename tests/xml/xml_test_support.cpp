#include "xml_test_support.h"

#include "kyso/pki/software_key.h"
#include "xml_peers.h"

namespace kyso::test {

std::filesystem::path samplePki(const std::string& name) {
  return std::filesystem::path(KYSO_SOURCE_DIR) / "certs-sample" / name;
}

pki::SigningCredential sampleCredential(pki::KeyAlgorithm algorithm) {
  const std::string stem = algorithm == pki::KeyAlgorithm::Rsa ? "seal" : "seal-ec";
  pki::SigningCredential credential;
  credential.id = stem;
  credential.key = pki::SoftwareKey::fromPemFile(samplePki(stem + ".key.pem").string());
  credential.chain = {pki::Certificate::fromPem(readFile(samplePki(stem + ".crt.pem"))),
                      pki::Certificate::fromPem(readFile(samplePki("issuing-ca.crt.pem")))};
  return credential;
}

ProcessResult xmlsecVerify(const std::filesystem::path& file, const std::vector<std::string>& idElements) {
  return runXmlsec1Verify(file, samplePki("root-ca.crt.pem"), {samplePki("issuing-ca.crt.pem")}, idElements);
}

bool xmlsecVerified(const ProcessResult& result, int references) {
  const std::string count = std::to_string(references);
  return xmlsec1SaysOk(result) &&
         result.output.find("SignedInfo References (ok/all): " + count + "/" + count) != std::string::npos;
}

}  // namespace kyso::test
