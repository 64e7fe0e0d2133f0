// A verification report as text for a failing assertion's message: the verdicts, each signature's
// level, revocation decisions and later changes, the document time-stamps and every warning.
#pragma once

#include <string>

#include "kyso/signer/verification.h"

namespace kyso::test {

inline std::string describe(const signer::VerificationReport& report) {
  using namespace signer;
  std::string out =
      std::string(indicationName(report.indication)) + "/" + std::string(subIndicationName(report.subIndication));
  for (const auto& s : report.signatures) {
    out += "\n  " + s.fieldName + ": " + std::string(indicationName(s.indication)) + "/" +
           std::string(subIndicationName(s.subIndication)) + " " + std::string(signatureLevelName(s.level)) + " " +
           s.detail;
    for (const auto& r : s.revocation) {
      out += "\n    revocation of " + r.certificateSubject + ": " + std::string(revocationStatusName(r.status)) + " " +
             r.source + " " + r.url + " " + r.problem;
    }
    for (const auto& c : s.coverage.laterChanges) {
      out += "\n    revision " + std::to_string(c.revision) + " " + std::string(changeClassName(c.changeClass)) +
             (c.visible ? " visible" : "") + ":";
      for (const auto& d : c.descriptions) out += " [" + d + "]";
    }
    for (const auto& w : s.warnings) out += "\n    warning: " + w;
  }
  for (const auto& t : report.documentTimeStamps) {
    out += "\n  time-stamp " + t.fieldName + ": " + (t.valid ? "valid" : "invalid " + t.problem);
  }
  for (const auto& w : report.warnings) out += "\n  warning: " + w;
  return out;
}

}  // namespace kyso::test
