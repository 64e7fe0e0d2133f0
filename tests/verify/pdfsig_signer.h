// poppler's pdfsig as the other signer of a PDF (NSS, adbe.pkcs7.detached), for the verifier's
// peer-signed and countersigned cases.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.h"

namespace kyso::test {

// pdfsig adds a signature (SHA-256, reason "Peer") to dir/in.pdf and writes dir/out.pdf, whose
// bytes it returns. The key and certificate are dir/signer.key and dir/signer.crt (PEM), with
// `caPem` as the rest of the chain, imported into a fresh NSS database in dir/nss. Throws
// std::runtime_error naming the tool that failed.
inline std::string pdfsigAddSignature(const std::filesystem::path& dir, const std::string& caPem) {
  const std::string nss = "sql:" + (dir / "nss").string();
  std::filesystem::create_directory(dir / "nss");
  writeFile(dir / "ca.pem", caPem);
  const std::vector<std::vector<std::string>> steps = {
      {"/usr/bin/certutil", "-N", "-d", nss, "--empty-password"},
      {"/usr/bin/openssl", "pkcs12", "-export", "-inkey", (dir / "signer.key").string(), "-in",
       (dir / "signer.crt").string(), "-certfile", (dir / "ca.pem").string(), "-name", "signer", "-out",
       (dir / "signer.p12").string(), "-passout", "pass:test"},
      {"/usr/bin/pk12util", "-i", (dir / "signer.p12").string(), "-d", nss, "-W", "test"},
      {"/usr/bin/pdfsig", "-add-signature", "-nssdir", nss, "-nick", "signer", "-digest", "SHA256", "-reason", "Peer",
       (dir / "in.pdf").string(), (dir / "out.pdf").string()},
  };
  for (const auto& step : steps) {
    const auto result = run(step);
    if (result.exitCode != 0) throw std::runtime_error(step[0] + " failed: " + result.output);
  }
  return readFile(dir / "out.pdf");
}

}  // namespace kyso::test
