// The checks an enrolment request passes at the trust boundary, before anything is stored: the
// applicant's identifiers, the PKCS#10 request and the consent. Every failure is an InputError
// whose message names the request field ('applicant.cccd', 'key.csr'...), as POST /v1/enrollments
// writes them.
#pragma once

#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/ca_connector.h"
#include "kyso/pki/enrollment_register.h"
#include "kyso/pki/local_ca.h"

namespace kyso::pki {

// What the Center registers for one applicant, as received.
struct EnrollmentApplication {
  Applicant applicant;
  std::string partner;  // the connector's name
  std::string keyMode;  // "csr", "hsm" or "partner" (a connector that acceptsPartnerKeys())
  std::string csr;      // PEM ("CERTIFICATE REQUEST") or base64 DER; only with "csr"
  bool consent = false;
  std::string actor;           // who asks ("apikey:<id>")
  std::string idempotencyKey;  // empty: none
};

// Checks the applicant (InputError invalid_field, invalid_cccd, invalid_mst):
// - kind person: full_name, cccd (12 digits, a province code first), no representative; mst
//   optional: the employer's tax code, for an organisation's employee (same checks as below);
// - kind organization: full_name (the organisation's name), mst (10 digits or 10+"-"+3, check
//   digit), representative; cccd optional (the representative's);
// - email (an address with one '@'), phone (9 to 15 digits, an optional leading '+'), province:
//   all required. Names at most 64 characters (RFC 5280 ub-common-name), province 128.
void validateApplicant(const Applicant& applicant);

// The subject Vietnamese CAs write for the applicant: CN = full name, ST = province, C = VN, and
// UID=CCCD:<cccd> for a person (then UID=MST:<mst> too for an employee with the employer's
// tax code), UID=MST:<mst> for an organisation.
CertificateSubject subjectFor(const Applicant& applicant);

// Decodes the request's CSR (PEM, or base64 of DER) and checks it (CertificateRequest::parse:
// signature, RSA ≥ 2048 or P-256) and its subject against `subject`: kyso writes the
// certificate's subject from the applicant, and the CSR's subject, when it has one, must not
// contradict it: a CN must equal the full name exactly, an ST the province exactly, every UID
// must be one of the subject's (the CCCD:/MST: prefix in any case), a C must be VN; any other
// attribute (O, OU, L, emailAddress...) is refused, as the certificate will not carry it.
// Throws InputError invalid_csr, csr_signature_invalid, csr_key_unsupported, csr_subject_mismatch.
Bytes checkCertificateRequest(const std::string& csr, const CertificateSubject& subject);

}  // namespace kyso::pki
