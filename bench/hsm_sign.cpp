// kyso-hsm-sign: signatures per second with a key in a PKCS#11 token, through kyso's own key source
// (pki::Pkcs11Key::signDigest) in one process: the module loaded and the user logged in once, then
// `--count` SHA-256 digests signed one after another on one thread, each in a session of the
// key's pool, as the signing service does. The key is found by label, or generated in the token.
//
// Prints one line of key=value pairs: algorithm, signatures, seconds, rate.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/pkcs11.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "Usage: kyso-hsm-sign MODULE TOKEN PIN_FILE KEY_LABEL rsa|ec COUNT\n";
    return 2;
  }
  try {
    const std::string algorithm = argv[5];
    const auto count = std::stoul(argv[6]);
    auto token = kyso::pki::Pkcs11Token::open(kyso::pki::Pkcs11Module::load(argv[1]), argv[2],
                                              kyso::pki::Pkcs11Pin::fromFile(argv[3]));
    std::shared_ptr<kyso::pki::Pkcs11Key> key;
    try {
      key = token->findKey(argv[4]);
    } catch (const kyso::NotFoundError&) {
      key = token->generateKey(algorithm == "ec" ? kyso::pki::KeyAlgorithm::Ecdsa : kyso::pki::KeyAlgorithm::Rsa,
                               argv[4]);
    }
    // Different digests, as real documents give; made before the clock starts.
    std::vector<kyso::Bytes> digests;
    for (unsigned long i = 0; i < count; ++i) digests.push_back(kyso::pki::sha256(kyso::asBytes(std::to_string(i))));
    key->signDigest(kyso::pki::DigestAlgorithm::Sha256, digests.front());  // warm-up
    const auto started = std::chrono::steady_clock::now();
    std::size_t bytes = 0;
    for (const auto& digest : digests) bytes += key->signDigest(kyso::pki::DigestAlgorithm::Sha256, digest).size();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("algorithm=%s signatures=%lu seconds=%.3f rate=%.1f bytes=%zu\n", algorithm.c_str(), count, seconds,
                static_cast<double>(count) / seconds, bytes);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
