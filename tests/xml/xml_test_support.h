// Helpers shared by the XML signature and e-receipt tests: the committed sample PKI
// (certs-sample/, made by the openssl command line) and the real xmlsec1 verifier.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kyso/pki/signing_key.h"
#include "test_support.h"

namespace kyso::test {

std::filesystem::path samplePki(const std::string& name);

// The agency seal (RSA, seal.*) or the citizen's ECDSA P-256 key (seal-ec.*), each with its
// issuing CA as the chain.
pki::SigningCredential sampleCredential(pki::KeyAlgorithm algorithm);

// runXmlsec1Verify (xml_peers.h) trusting certs-sample's root, with its issuing CA as untrusted,
// taking `Id` as the ID attribute of `idElements` ("DLBLai", or "urn:ns:Name" for an element in a
// namespace).
ProcessResult xmlsecVerify(const std::filesystem::path& file, const std::vector<std::string>& idElements);

// True when xmlsec1 says OK and every Reference of SignedInfo verified.
bool xmlsecVerified(const ProcessResult& result, int references = 2);

}  // namespace kyso::test
