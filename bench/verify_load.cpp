// In-process side of bench/verify.sh: verifies FILE N times as POST /v1/verify does without the
// HTTP exchange (the trust anchors, revocation and time-stamp checks, a receipt's register check,
// the JSON report; the development PKI's OCSP responder and CRLs answered in process) and prints
// the documents per second and the verdict of the last run. The process and the service are set up once, outside the
// timed loop; each iteration re-reads nothing but the bytes already in memory.
//
// Usage: kyso-verify-load DATA_DIR FILE N
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "document_verification.h"
#include "kyso/api/service_core.h"
#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/signer/pdf_io.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: kyso-verify-load DATA_DIR FILE N\n";
    return 2;
  }
  try {
    const std::string bytes = kyso::readFile(argv[2]);
    const long runs = std::strtol(argv[3], nullptr, 10);
    if (runs <= 0) throw std::runtime_error("N must be positive");

    kyso::api::ServiceCore core(kyso::api::Settings::load(std::nullopt, {{"data_dir", argv[1]}}, {}));
    namespace detail = kyso::api::detail;
    const auto kind = detail::sniffDocumentKind(std::string_view(bytes).substr(0, 1024));
    if (!kind) throw std::runtime_error("neither PDF nor XML");
    std::string verdict;
    std::size_t reportBytes = 0;
    const auto once = [&] {
      const detail::DocumentVerification result =
          *kind == detail::DocumentKind::Xml
              ? detail::verifyXmlDocument(core, bytes)
              : detail::verifyPdfDocument(core, kyso::signer::PdfInput::fromMemory(bytes));
      reportBytes += detail::documentVerificationJson(result).size();
      verdict = std::string(kyso::signer::indicationName(result.report.indication));
    };
    once();  // warm: certificates parsed, revocation answers cached as the service caches them
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < runs; ++i) once();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::cout << "documents=" << runs << " seconds=" << elapsed.count()
              << " per_second=" << static_cast<double>(runs) / elapsed.count() << " verdict=" << verdict
              << " report_bytes=" << reportBytes / static_cast<std::size_t>(runs + 1) << "\n";
    return 0;
  } catch (const kyso::Error& e) {
    std::cerr << "kyso-verify-load: " << e.what() << " (" << e.code() << ")\n";
  } catch (const std::exception& e) {
    std::cerr << "kyso-verify-load: " << e.what() << "\n";
  }
  return 1;
}
