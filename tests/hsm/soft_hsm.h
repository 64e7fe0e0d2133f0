// SoftHSM2 for the HSM tests, in a configuration private to this test process: its own token
// directory under a temporary directory (SOFTHSM2_CONF), two freshly initialised tokens, nothing
// shared with the machine's /etc/softhsm or another test run.
#pragma once

#include <filesystem>
#include <string>

#include "kyso/pki/pkcs11.h"

namespace kyso::test {

struct SoftHsm {
  std::filesystem::path module;     // libsofthsm2.so
  std::string token = "kyso-test";  // where the tests make their keys
  std::string spareToken = "kyso-spare";
  std::string pin = "1234";
  std::string soPin = "5678";
};

// Set up once per process, before the first module load (SoftHSM reads SOFTHSM2_CONF in
// C_Initialize). Throws when SoftHSM2 is not installed (Debian: softhsm2).
const SoftHsm& softHsm();

pki::Pkcs11Pin pin(std::string text);

}  // namespace kyso::test
