#include "verification_json.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace kyso::api::detail {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Var timeOrNull(const std::optional<pki::TimePoint>& t) {
  return t ? Var(pki::formatIso8601(*t)) : Var();
}

Var subIndication(signer::SubIndication sub) {
  return nullable(std::string(signer::subIndicationName(sub)));
}

Array::Ptr stringsJson(const std::vector<std::string>& texts) {
  Array::Ptr out = new Array;
  for (const auto& text : texts) out->add(text);
  return out;
}

Object::Ptr certificateJson(const signer::CertificateSummary& c) {
  Object::Ptr o = new Object;
  o->set("subject", c.subject);
  o->set("issuer", c.issuer);
  o->set("serial", c.serialHex);
  o->set("not_before", pki::formatIso8601(c.notBefore));
  o->set("not_after", pki::formatIso8601(c.notAfter));
  return o;
}

Object::Ptr revocationJson(const signer::RevocationEvidence& e) {
  Object::Ptr o = new Object;
  o->set("certificate", e.certificateSubject);
  o->set("serial", e.certificateSerialHex);
  o->set("status", std::string(signer::revocationStatusName(e.status)));
  o->set("source", nullable(e.source));
  o->set("url", nullable(e.url));
  o->set("produced_at", timeOrNull(e.producedAt));
  o->set("this_update", timeOrNull(e.thisUpdate));
  o->set("next_update", timeOrNull(e.nextUpdate));
  o->set("revocation_time", timeOrNull(e.revocationTime));
  o->set("revocation_reason", nullable(e.revocationReason));
  o->set("problem", nullable(e.problem));
  return o;
}

// What a revision after the signature changed (verification.h, LaterChange).
Object::Ptr laterChangeJson(const signer::LaterChange& c) {
  Object::Ptr o = new Object;
  o->set("revision", static_cast<Poco::UInt64>(c.revision));
  o->set("class", std::string(signer::changeClassName(c.changeClass)));
  Array::Ptr objects = new Array;
  for (const auto n : c.objects) objects->add(static_cast<Poco::UInt64>(n));
  o->set("objects", objects);
  o->set("visible", c.visible);
  o->set("descriptions", stringsJson(c.descriptions));
  return o;
}

Object::Ptr coverageJson(const signer::SignatureCoverage& c) {
  Object::Ptr coverage = new Object;
  Array::Ptr range = new Array;
  for (const auto value : c.byteRange) range->add(static_cast<Poco::UInt64>(value));
  coverage->set("byte_range", range);
  coverage->set("signed_end", static_cast<Poco::UInt64>(c.signedEnd));
  coverage->set("bytes_after", static_cast<Poco::UInt64>(c.bytesAfter));
  coverage->set("whole_document", c.wholeDocument);
  coverage->set("revision", static_cast<Poco::UInt64>(c.revision));
  Array::Ptr laterChanges = new Array;
  for (const auto& change : c.laterChanges) laterChanges->add(laterChangeJson(change));
  coverage->set("later_changes", laterChanges);
  return coverage;
}

Object::Ptr signatureJson(const signer::SignatureResult& s) {
  Object::Ptr o = new Object;
  o->set("field", s.fieldName);
  o->set("sub_filter", s.subFilter);
  o->set("indication", std::string(signer::indicationName(s.indication)));
  o->set("sub_indication", subIndication(s.subIndication));
  o->set("detail", nullable(s.detail));
  o->set("level", std::string(signer::signatureLevelName(s.level)));
  if (s.signer) {
    Object::Ptr signer = new Object;
    signer->set("subject", s.signer->subject);
    signer->set("common_name", nullable(s.signer->commonName));
    signer->set("uid", nullable(s.signer->uid));
    signer->set("serial", s.signer->serialHex);
    o->set("signer", signer);
  } else {
    o->set("signer", Var());
  }
  o->set("digest_algorithm", nullable(s.digestAlgorithm));
  o->set("signing_time", timeOrNull(s.claimedSigningTime));
  o->set("timestamp_time", timeOrNull(s.timeStampTime));
  if (s.timeStamp) {
    Object::Ptr ts = new Object;
    ts->set("time", pki::formatIso8601(s.timeStamp->time));
    ts->set("tsa", s.timeStamp->tsaSubject);
    ts->set("valid", s.timeStamp->valid);
    ts->set("problem", nullable(s.timeStamp->problem));
    Array::Ptr tsaRevocation = new Array;
    for (const auto& e : s.timeStamp->revocation) tsaRevocation->add(revocationJson(e));
    ts->set("revocation", tsaRevocation);
    o->set("timestamp", ts);
  } else {
    o->set("timestamp", Var());
  }
  Array::Ptr chain = new Array;
  for (const auto& c : s.chain) chain->add(certificateJson(c));
  o->set("chain", chain);
  o->set("chain_trusted", s.chainTrusted);
  Array::Ptr revocation = new Array;
  for (const auto& e : s.revocation) revocation->add(revocationJson(e));
  o->set("revocation", revocation);
  o->set("coverage", coverageJson(s.coverage));
  o->set("certification", s.certificationPermissions == 0 ? Var() : Var(s.certificationPermissions));
  o->set("warnings", stringsJson(s.warnings));
  return o;
}

// ISO 32000-2 §12.8.5 (PAdES B-LTA).
Object::Ptr documentTimeStampJson(const signer::DocumentTimeStampResult& t) {
  Object::Ptr o = new Object;
  o->set("field", t.fieldName);
  o->set("time", t.tsaSubject.empty() ? Var() : Var(pki::formatIso8601(t.time)));
  o->set("tsa", nullable(t.tsaSubject));
  o->set("valid", t.valid);
  o->set("problem", nullable(t.problem));
  Array::Ptr revocation = new Array;
  for (const auto& e : t.revocation) revocation->add(revocationJson(e));
  o->set("revocation", revocation);
  o->set("covers_dss", t.coversDss);
  o->set("coverage", coverageJson(t.coverage));
  return o;
}

}  // namespace

Object::Ptr verificationReportObject(const signer::VerificationReport& report) {
  Object::Ptr out = new Object;
  Object& o = *out;
  o.set("indication", std::string(signer::indicationName(report.indication)));
  o.set("sub_indication", subIndication(report.subIndication));
  o.set("validation_time", pki::formatIso8601(report.validationTime));
  o.set("document_size", static_cast<Poco::UInt64>(report.documentSize));
  o.set("revisions", static_cast<Poco::UInt64>(report.revisions));
  Array::Ptr signatures = new Array;
  for (const auto& s : report.signatures) signatures->add(signatureJson(s));
  o.set("signatures", signatures);
  Array::Ptr timeStamps = new Array;
  for (const auto& t : report.documentTimeStamps) timeStamps->add(documentTimeStampJson(t));
  o.set("document_timestamps", timeStamps);
  o.set("warnings", stringsJson(report.warnings));
  return out;
}

Var nullable(const std::string& text) {
  return text.empty() ? Var() : Var(text);
}

std::string verificationReportJson(const signer::VerificationReport& report) {
  std::ostringstream text;
  verificationReportObject(report)->stringify(text);
  return text.str();
}

}  // namespace kyso::api::detail
