#include "soft_hsm.h"

#include <cstdlib>
#include <stdexcept>

#include "test_support.h"

namespace kyso::test {

namespace {

std::filesystem::path findModule() {
  for (const char* candidate : {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                                "/usr/lib64/pkcs11/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  throw std::runtime_error("SoftHSM2 is not installed (Debian: apt-get install softhsm2)");
}

struct Setup {
  TempDir dir;
  SoftHsm hsm;

  Setup() {
    hsm.module = findModule();
    std::filesystem::create_directories(dir / "tokens");
    writeFile(dir / "softhsm2.conf", "directories.tokendir = " + (dir / "tokens").string() +
                                         "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    ::setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    for (const std::string& label : {hsm.token, hsm.spareToken}) {
      const auto init = run({"/usr/bin/softhsm2-util", "--init-token", "--free", "--label", label, "--pin", hsm.pin,
                             "--so-pin", hsm.soPin});
      if (init.exitCode != 0) throw std::runtime_error("softhsm2-util --init-token failed: " + init.output);
    }
  }
};

}  // namespace

const SoftHsm& softHsm() {
  static const Setup setup;
  return setup.hsm;
}

pki::Pkcs11Pin pin(std::string text) {
  return pki::Pkcs11Pin::take(text);
}

}  // namespace kyso::test
