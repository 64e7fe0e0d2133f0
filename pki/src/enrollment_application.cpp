#include "kyso/pki/enrollment_application.h"

#include <openssl/pem.h>

#include <algorithm>
#include <optional>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/vietnam_identifiers.h"
#include "utf8_text.h"

namespace kyso::pki {

namespace {

constexpr std::size_t kMaxName = 64;       // RFC 5280 appendix A: ub-common-name
constexpr std::size_t kMaxProvince = 128;  // ub-state-name
constexpr std::size_t kMaxEmail = 254;     // RFC 5321 §4.5.3.1.3 (a path of 256 with the brackets)

[[noreturn]] void invalid(const std::string& field, const std::string& problem) {
  throw InputError("invalid_field", "field 'applicant." + field + "' " + problem);
}

void requireText(const std::string& value, const std::string& field, std::size_t maxLength) {
  if (value.empty()) invalid(field, "is required");
  const auto length = textLength(value);
  if (!length || *length > maxLength || value.front() == ' ' || value.back() == ' ') {
    invalid(field, "must be 1 to " + std::to_string(maxLength) +
                       " characters of UTF-8 without control characters or surrounding spaces");
  }
}

void requireAbsent(const std::string& value, const std::string& field, const std::string& why) {
  if (!value.empty()) invalid(field, why);
}

void requireEmail(const std::string& email) {
  if (email.empty()) invalid("email", "is required");
  const auto at = email.find('@');
  const bool printable = std::all_of(email.begin(), email.end(), [](char c) { return c > ' ' && c <= '~'; });
  const bool ok = printable && email.size() <= kMaxEmail && at != std::string::npos && at != 0 &&
                  email.find('@', at + 1) == std::string::npos && email.find('.', at + 1) != std::string::npos &&
                  email.back() != '.' && email[at + 1] != '.';
  if (!ok) invalid("email", "must be an e-mail address (local@domain, printable ASCII, at most 254 characters)");
}

void requirePhone(const std::string& phone) {
  if (phone.empty()) invalid("phone", "is required");
  const std::string_view digits = std::string_view(phone).substr(phone.front() == '+' ? 1 : 0);
  const bool ok = digits.size() >= 9 && digits.size() <= 15 &&
                  std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) invalid("phone", "must be 9 to 15 digits with an optional leading '+' (0912345678, +84912345678)");
}

// A UID value compared the tolerant way: the prefix in any case, the identifier exactly.
std::string normalizedUid(std::string_view uid) {
  const auto colon = uid.find(':');
  if (colon == std::string_view::npos) return std::string(uid);
  std::string prefix(uid.substr(0, colon));
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return prefix + std::string(uid.substr(colon));
}

std::string entryText(const X509_NAME_ENTRY* entry) {
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
  if (size < 0) {
    ossl::clearErrors();
    throw InputError("invalid_csr", "field 'key.csr': the request's subject holds a value that is not text");
  }
  ossl::Buffer owned(utf8);
  return std::string(reinterpret_cast<char*>(utf8), checkedCast<std::size_t>(size));
}

[[noreturn]] void mismatch(const std::string& problem) {
  throw InputError("csr_subject_mismatch", "field 'key.csr': " + problem);
}

void checkSubject(const X509_NAME* name, const CertificateSubject& subject) {
  std::vector<std::string> uids;
  for (const auto& uid : subject.uids) uids.push_back(normalizedUid(uid));
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid == NID_commonName) {
      if (entryText(entry) != subject.commonName) {
        mismatch("the request's CN is not the applicant's full name ('applicant.full_name')");
      }
    } else if (nid == NID_userId) {
      const std::string uid = normalizedUid(entryText(entry));
      if (std::find(uids.begin(), uids.end(), uid) == uids.end()) {
        std::string fields;
        for (const auto& known : subject.uids) {
          fields +=
              std::string(fields.empty() ? "" : " or ") +
              (known.starts_with("MST:") ? "'applicant.mst' (MST:<tax code>)" : "'applicant.cccd' (CCCD:<12 digits>)");
        }
        mismatch("the request's UID " + shownIdentifier(uid) + " is not the applicant's " + fields);
      }
    } else if (nid == NID_countryName) {
      if (entryText(entry) != "VN") mismatch("the request's C must be VN");
    } else if (nid == NID_stateOrProvinceName) {
      if (entryText(entry) != subject.province) {
        mismatch("the request's ST is not the applicant's province ('applicant.province')");
      }
    } else if (nid == NID_organizationName && !subject.organization.empty()) {
      if (entryText(entry) != subject.organization) mismatch("the request's O is not the applicant's organisation");
    } else {
      // An attribute kyso does not write (O, OU, L, emailAddress, serialNumber...): a CA that
      // takes the subject from the request (CMP p10cr) would certify what nobody checked.
      const ASN1_OBJECT* type = X509_NAME_ENTRY_get_object(entry);
      char oid[80] = {};
      if (OBJ_obj2txt(oid, sizeof oid, type, 1) <= 0) ossl::clearErrors();
      const char* shortName = nid != NID_undef ? OBJ_nid2sn(nid) : nullptr;
      mismatch("the request's subject has " + (shortName != nullptr ? std::string(shortName) : std::string(oid)) +
               " (" + oid + "), which the certificate's subject does not carry: only C, ST, CN and UID");
    }
  }
}

}  // namespace

void validateApplicant(const Applicant& a) {
  requireText(a.fullName, "full_name", kMaxName);
  if (a.kind == Applicant::Kind::Person) {
    if (a.cccd.empty()) invalid("cccd", "is required for a person (12 digits)");
    validateCccd(a.cccd, "invalid_cccd", "field 'applicant.cccd':");
    // An organisation's employee: the employer's tax code beside the CCCD (a second UID).
    if (!a.mst.empty()) validateTaxCode(a.mst, "invalid_mst", "field 'applicant.mst' (the employer's):");
    requireAbsent(a.representative, "representative", "is for organisations");
  } else {
    if (a.mst.empty()) invalid("mst", "is required for an organisation (" + std::string(kMstForm) + ")");
    validateTaxCode(a.mst, "invalid_mst", "field 'applicant.mst':");
    requireText(a.representative, "representative", kMaxName);
    if (!a.cccd.empty()) validateCccd(a.cccd, "invalid_cccd", "field 'applicant.cccd' (the representative's):");
  }
  requireEmail(a.email);
  requirePhone(a.phone);
  requireText(a.province, "province", kMaxProvince);
}

CertificateSubject subjectFor(const Applicant& a) {
  CertificateSubject s;
  s.commonName = a.fullName;
  s.province = a.province;
  // An organisation's certificate names the organisation; its representative's CCCD stays with
  // the enrolment (the partner may need it), not in the subject. A person who works for an
  // organisation carries both UIDs, the person's first (DOMAIN.md: an employee certificate).
  if (a.kind == Applicant::Kind::Person) {
    s.uids.push_back("CCCD:" + a.cccd);
    if (!a.mst.empty()) s.uids.push_back("MST:" + a.mst);
  } else {
    s.uids.push_back("MST:" + a.mst);
  }
  return s;
}

Bytes checkCertificateRequest(const std::string& csr, const CertificateSubject& subject) {
  if (csr.empty()) throw InputError("invalid_field", "field 'key.csr' is required with key mode 'csr'");
  Bytes input;
  if (csr.find("-----BEGIN") != std::string::npos) {
    input = toBytes(csr);
  } else {
    try {
      input = fromBase64(csr);
    } catch (const InputError&) {
      throw InputError("invalid_csr", "field 'key.csr' is neither PEM nor base64 of a DER PKCS#10 request");
    }
  }
  try {
    CertificateRequest::parse(input);
  } catch (const InputError& e) {
    throw InputError(e.code(), std::string("field 'key.csr': ") + e.what());
  }
  // Parsed again for its subject (CertificateRequest keeps only the key) and its DER.
  ossl::Ptr<X509_REQ> request;
  if (csr.find("-----BEGIN") != std::string::npos) {
    auto bio = ossl::own(BIO_new_mem_buf(input.data(), checkedCast<int>(input.size())), "BIO_new_mem_buf");
    request.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  } else {
    const unsigned char* p = input.data();
    request.reset(d2i_X509_REQ(nullptr, &p, checkedCast<long>(input.size())));
  }
  if (!request) ossl::fail("re-reading a checked certificate request");
  checkSubject(X509_REQ_get_subject_name(request.get()), subject);
  return ossl::toDer(i2d_X509_REQ, request.get(), "i2d_X509_REQ");
}

}  // namespace kyso::pki
