#include "kyso/pki/enrollment_register.h"

#include "kyso/error.h"

namespace kyso::pki {

namespace {
constexpr std::string_view kPhaseNames[] = {"received", "submitted", "awaiting_applicant",
                                            "issued",   "rejected",  "failed"};
}  // namespace

std::string_view enrollmentPhaseName(EnrollmentPhase phase) {
  return kPhaseNames[static_cast<std::size_t>(phase)];
}

EnrollmentPhase parseEnrollmentPhase(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kPhaseNames); ++i) {
    if (kPhaseNames[i] == name) return static_cast<EnrollmentPhase>(i);
  }
  throw InternalError("unknown enrolment status in the database: " + std::string(name), "database_corrupt");
}

bool isFinal(EnrollmentPhase phase) {
  return phase == EnrollmentPhase::Issued || phase == EnrollmentPhase::Rejected || phase == EnrollmentPhase::Failed;
}

std::string_view keyModeName(KeyMode mode) {
  switch (mode) {
    case KeyMode::Csr:
      return "csr";
    case KeyMode::Hsm:
      return "hsm";
    case KeyMode::Partner:
      return "partner";
  }
  return "csr";
}

}  // namespace kyso::pki
