#include "kyso/api/signing_sessions.h"
#include "pades_request.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "kyso/error.h"
#include "pdf_session_state.h"

namespace kyso::api {

namespace {

using detail::decodeState;
using detail::encodeState;
using detail::PdfSessionState;

constexpr std::string_view kKind = "pdf";

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

pki::CertificateChain chainOf(const store::SigningSessionRecord& record) {
  try {
    return pki::Certificate::allFromPem(record.signerChainPem);
  } catch (const Error& e) {
    throw InternalError(std::string("unreadable signer chain in a signing session: ") + e.what(), "database_corrupt");
  }
}

// Rebuilds the CMS of a session: its signed attributes depend only on the chain, the digest
// algorithm and the document digest, so they must come out as handed out at preparation.
signer::CadesSignature cmsOf(const store::SigningSessionRecord& record, const PdfSessionState& state) {
  signer::CadesSignature cms(chainOf(record), state.prepared.digestAlgorithm, state.prepared.documentDigest);
  if (cms.signedAttributes() != record.toBeSigned) {
    throw InternalError("signing session " + record.id + ": signed attributes differ from those handed out",
                        "database_corrupt");
  }
  return cms;
}

}  // namespace

SigningSessionService::SigningSessionService(const signer::PadesSigner& pades, const AppearanceResources& appearances,
                                             store::SigningSessionRepository& sessions, Metrics& metrics,
                                             const pki::Clock& clock, std::chrono::seconds lifetime,
                                             std::chrono::seconds retention)
    : pades_(pades),
      appearances_(appearances),
      sessions_(sessions),
      metrics_(metrics),
      clock_(clock),
      lifetime_(lifetime),
      retention_(retention) {}

SessionView SigningSessionService::create(const signer::PdfInput& input, const CreateSessionRequest& request,
                                          const std::string& actor) {
  if (request.chain.empty()) throw InputError("invalid_certificate", "certificate_chain names no certificate");
  if (request.level == signer::PadesLevel::B_LT || request.level == signer::PadesLevel::B_LTA) {
    // The session's document is final once the signature is embedded; extend it afterwards.
    throw InputError("invalid_level",
                     "two-step signing makes B-B or B-T signatures; extend the result with "
                     "POST /v1/extend/pdf");
  }
  if (request.level == signer::PadesLevel::B_T && !pades_.canTimeStamp()) {
    throw UnavailableError("tsa_not_configured", "no time-stamping authority is configured");
  }
  const pki::Certificate& leaf = request.chain.front();
  const pki::CertificateChain chain = pki::orderChain(leaf, request.chain);
  pki::signatureSchemeName(leaf);  // RSA or ECDSA only

  // Whole seconds, as the database keeps them: what create() answers is what get() reads back.
  const pki::TimePoint now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  sessions_.purgeExpiredBefore(now - retention_);

  signer::PadesOptions options = detail::padesOptionsFor(request, now);
  appearances_.completeFields(options.fields, "", leaf);

  signer::MemoryPdfOutput output;
  output.reserve(input.size() + 64 * 1024);
  signer::PadesSigner::Prepared prepared =
      pades_.prepare(input, output, chain, signer::PadesSigner::maxSignatureSizeFor(leaf), options);

  store::SigningSessionRecord record;
  record.id = "ss_" + toHex(pki::randomBytes(16));
  record.kind = std::string(kKind);
  record.actor = actor;
  record.createdAt = now;
  record.expiresAt = now + lifetime_;
  record.level = std::string(signer::padesLevelName(request.level));
  record.signerChainPem = pki::toPem(chain);
  record.toBeSigned = prepared.cms.signedAttributes();
  record.prepared = encodeState({prepared.pdf, now, request.reason, request.location, request.contactInfo});
  const std::string& bytes = output.bytes();
  record.document.assign(bytes.begin(), bytes.end());
  sessions_.insert(record);
  return view(record);
}

store::SigningSessionRecord SigningSessionService::load(const std::string& id, const std::string& actor,
                                                        bool withDocument) {
  auto record = sessions_.find(id, withDocument);
  // Another caller's session does not exist as far as this caller can tell.
  if (!record || record->actor != actor || record->kind != kKind) {
    throw NotFoundError("session_not_found", "no signing session " + id);
  }
  return std::move(*record);
}

CompletedSession SigningSessionService::complete(const std::string& id, ByteView signatureValue,
                                                 const std::string& actor) {
  const store::SigningSessionRecord record = load(id, actor, true);
  if (record.status == store::SessionStatus::Completed) {
    throw ConflictError("session_completed", "signing session " + id +
                                                 " is already completed; GET /v1/signing-sessions/" + id +
                                                 "/document returns its signed document");
  }
  const pki::TimePoint now = clock_.now();
  if (now >= record.expiresAt) {
    throw GoneError("session_expired", "signing session " + id + " expired at " + pki::formatIso8601(record.expiresAt));
  }
  const PdfSessionState state = decodeState(record.prepared);
  signer::CadesSignature cms = cmsOf(record, state);
  const pki::CertificateChain chain = chainOf(record);
  // The signature is made now: the certificate must still allow it (it may have expired since
  // the preparation).
  pki::requireUsableForSigning(chain.front(), now);
  const Bytes value = pki::normalizeSignatureValue(chain.front(), signatureValue);
  try {
    cms.setSignature(value);
  } catch (const InputError& e) {
    if (e.code() != "signature_invalid") throw;
    throw InputError("signature_invalid",
                     "the signature does not verify with the session's certificate " + chain.front().subject() +
                         " over the digest handed out; the session stays open",
                     ErrorKind::UnprocessableContent);
  }

  signer::MemoryPdfOutput output;
  output.write(asChars(record.document));
  const signer::PadesLevel level = signer::parsePadesLevel(record.level);
  const signer::PadesResult result = pades_.complete(output, state.prepared, cms, level);
  const std::string sha256 = output.sha256Hex();

  Poco::JSON::Object details;
  details.set("session", id);
  details.set("field", state.prepared.fieldName);
  details.set("output_bytes", static_cast<Poco::UInt64>(output.size()));
  details.set("signer", chain.front().subject());
  details.set("certificate_serial", chain.front().serialHex());
  // The document's signing time (/M) was fixed at preparation; the entry's own time is now, so
  // that the log's times follow its sequence.
  details.set("signing_time", pki::formatIso8601Utc(state.signingTime));
  if (result.timeStampTime) details.set("timestamp_time", pki::formatIso8601Utc(*result.timeStampTime));
  const store::AuditRecord audit{now, actor, "sign.pdf.two_step", "external", sha256, record.level, stringify(details)};
  const auto entry = sessions_.complete(id, cms.der(), sha256, now, audit);
  if (!entry) {
    throw ConflictError("session_completed", "signing session " + id + " was completed by another request");
  }
  metrics_.countSignature("pdf", record.level, "external");

  store::SigningSessionRecord done = record;
  done.status = store::SessionStatus::Completed;
  done.completedAt = now;
  done.documentSha256 = sha256;
  done.auditSequence = entry->sequence;
  return {view(done), output.take()};
}

SessionView SigningSessionService::get(const std::string& id, const std::string& actor) {
  return view(load(id, actor, false));
}

std::string SigningSessionService::document(const std::string& id, const std::string& actor) {
  const store::SigningSessionRecord record = load(id, actor, true);
  if (record.status == store::SessionStatus::Open) {
    if (clock_.now() >= record.expiresAt) {
      throw GoneError("session_expired",
                      "signing session " + id + " expired at " + pki::formatIso8601(record.expiresAt));
    }
    throw ConflictError("session_open", "signing session " + id + " has no signature yet");
  }
  const PdfSessionState state = decodeState(record.prepared);
  signer::MemoryPdfOutput output;
  output.write(asChars(record.document));
  signer::embedPdfSignature(output, state.prepared, record.signature);
  if (output.sha256Hex() != record.documentSha256) {
    throw InternalError("signing session " + id + ": the rebuilt document differs from the one handed out",
                        "database_corrupt");
  }
  return output.take();
}

SessionView SigningSessionService::view(const store::SigningSessionRecord& record) const {
  const PdfSessionState state = decodeState(record.prepared);
  const pki::CertificateChain chain = chainOf(record);
  SessionView v;
  v.id = record.id;
  v.status = record.status == store::SessionStatus::Completed ? "completed"
             : clock_.now() >= record.expiresAt               ? "expired"
                                                              : "open";
  v.level = record.level;
  v.fieldName = state.prepared.fieldName;
  v.signingTime = state.signingTime;
  v.createdAt = record.createdAt;
  v.expiresAt = record.expiresAt;
  v.completedAt = record.completedAt;
  v.signer = chain.front().subject();
  v.signatureScheme = std::string(pki::signatureSchemeName(chain.front()));
  v.digestAlgorithm = state.prepared.digestAlgorithm;
  v.toBeSigned = record.toBeSigned;
  v.digest = pki::digest(v.digestAlgorithm, record.toBeSigned);
  if (v.signatureScheme == "rsa-pkcs1-v1_5") v.digestInfo = pki::digestInfo(v.digestAlgorithm, v.digest);
  v.documentSha256 = record.documentSha256;
  v.auditSequence = record.auditSequence;
  return v;
}

}  // namespace kyso::api
