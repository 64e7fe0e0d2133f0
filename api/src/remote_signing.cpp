#include "kyso/api/remote_signing.h"
#include "pades_request.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <sstream>

#include "kyso/error.h"
#include "kyso/pki/digest.h"
#include "kyso/signer/cades.h"
#include "kyso/signer/pdf_io.h"
#include "kyso/signer/xml_document.h"
#include "kyso/signer/xml_signature.h"
#include "pdf_session_state.h"

namespace kyso::api {

namespace {

using std::chrono::floor;
using std::chrono::seconds;
using store::RemoteSigningRecord;

Poco::Logger& log() {
  return Poco::Logger::get("kyso.remote_signing");
}

std::string stringify(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

bool isFinal(const std::string& status) {
  return status != "waiting";
}

// What completing an XML session needs besides the prepared document.
std::string encodeXmlState(const std::string& signatureId) {
  Poco::JSON::Object o;
  o.set("signature_id", signatureId);
  return stringify(o);
}

std::string decodeXmlState(const std::string& json) {
  try {
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("signature_id");
  } catch (const Poco::Exception& e) {
    throw InternalError("unreadable remote signing state: " + e.displayText(), "database_corrupt");
  }
}

pki::CertificateChain chainOf(const RemoteSigningRecord& record) {
  try {
    return pki::Certificate::allFromPem(record.signerChainPem);
  } catch (const Error& e) {
    throw InternalError(std::string("unreadable signer chain in a remote signing session: ") + e.what(),
                        "database_corrupt");
  }
}

Poco::JSON::Object::Ptr stateOf(const RemoteSigningRecord& r) {
  try {
    return Poco::JSON::Parser().parse(r.prepared).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    throw InternalError("unreadable remote signing state: " + e.displayText(), "database_corrupt");
  }
}

// "B-B", "B-T" for a PDF (in its state), "xmldsig" for XML.
std::string levelOf(const RemoteSigningRecord& r) {
  if (r.kind != "pdf") return "xmldsig";
  return stateOf(r)->optValue<std::string>("level", "B-B");
}

// Whether the partner was asked for a whole CMS over the document digest: fixed in the session's
// state when it was made, so a change of partners.<name>.answer does not touch sessions under way.
bool wholeCmsSession(const RemoteSigningRecord& r) {
  return r.kind == "pdf" && stateOf(r)->optValue<std::string>("answer", "signature") == "cms";
}

// Room in /Contents for what a partner's whole CMS may hold beyond kyso's own: its certificates
// (the chain once more, a root included) and its attributes (signing-time, SMIMECapabilities,
// CMS algorithm protection, a signing-certificate with more than one ESSCertID...).
std::size_t partnerCmsReserve(const pki::CertificateChain& chain) {
  std::size_t size = 8 * 1024;
  for (const auto& c : chain) size += c.der().size();
  return size;
}

// The signer's codes for a whole CMS it cannot use, as the session's partner_* codes.
std::string partnerCmsCode(const std::string& code) {
  if (code == "cms_content_attached") return "partner_cms_content_attached";
  if (code == "cms_digest_mismatch") return "partner_cms_digest_mismatch";
  if (code == "cms_signer_mismatch") return "partner_certificate_mismatch";
  if (code == "signature_invalid") return "partner_signature_invalid";
  return "partner_cms_invalid";
}

// A final state with its code and words.
void end(RemoteSigningRecord& r, const std::string& status, const std::string& code, const std::string& message,
         pki::TimePoint now) {
  r.status = status;
  r.errorCode = code;
  r.errorMessage = message;
  r.nextPollAt.reset();
  r.updatedAt = now;
}

}  // namespace

RemoteSigningService::RemoteSigningService(const signer::PadesSigner& pades, const AppearanceResources& appearances,
                                           store::RemoteSigningRepository& sessions, store::AuditLog& audit,
                                           Metrics& metrics, const pki::Clock& clock, RemoteSigningOptions options)
    : pades_(pades),
      appearances_(appearances),
      sessions_(sessions),
      audit_(audit),
      metrics_(metrics),
      clock_(clock),
      options_(options) {
  if (options_.partnerPoll <= seconds(0) || options_.longestPoll < options_.partnerPoll ||
      options_.lifetime <= seconds(0) || options_.batch == 0) {
    throw InternalError("unusable remote signing options");
  }
}

RemoteSigningService::~RemoteSigningService() {
  stopWorker();
}

void RemoteSigningService::addSigner(std::shared_ptr<pki::RemoteSigner> signer, pki::RemoteAnswerForm answer) {
  if (!signer) throw InternalError("a null remote signer");
  std::lock_guard lock(signersMutex_);
  answers_[signer->name()] = answer;
  signers_[signer->name()] = std::move(signer);
}

pki::RemoteAnswerForm RemoteSigningService::answerForm(const std::string& name) const {
  std::lock_guard lock(signersMutex_);
  const auto it = answers_.find(name);
  return it == answers_.end() ? pki::RemoteAnswerForm::Signature : it->second;
}

std::vector<std::string> RemoteSigningService::warnings(const RemoteSigningRecord& r) {
  std::vector<std::string> out;
  if (r.prepared.empty()) return out;
  const auto list = stateOf(r)->getArray("warnings");
  for (std::size_t i = 0; list && i < list->size(); ++i)
    out.push_back(list->getElement<std::string>(static_cast<unsigned>(i)));
  return out;
}

std::shared_ptr<pki::RemoteSigner> RemoteSigningService::signer(const std::string& name) const {
  std::lock_guard lock(signersMutex_);
  const auto it = signers_.find(name);
  return it == signers_.end() ? nullptr : it->second;
}

RemoteSigningRecord RemoteSigningService::create(const RemoteSigningRequest& request, const std::string& actor) {
  const auto partner = signer(request.partner);
  if (!partner) {
    std::string offered;
    {
      std::lock_guard lock(signersMutex_);
      for (const auto& [name, _] : signers_) offered += (offered.empty() ? "" : ", ") + name;
    }
    throw InputError("unknown_partner", "field 'partner': no remote-signing partner '" + request.partner +
                                            "' is configured (offered: " + (offered.empty() ? "none" : offered) + ")");
  }
  if (request.format != "pdf" && request.format != "xml") {
    throw InputError("unsupported_format", "field 'format' must be pdf or xml");
  }
  const bool wholeCms = answerForm(request.partner) == pki::RemoteAnswerForm::Cms;
  if (wholeCms && request.format == "xml") {
    // Checked before anything goes to the partner, so the citizen is never asked to confirm a
    // signature that could not be used.
    throw InputError("partner_xml_unsupported",
                     "partner '" + request.partner +
                         "' answers a whole CMS over its own signed attributes (partners.<name>.answer = cms), "
                         "which cannot carry an XML signature value: sign XML with another partner");
  }
  if (request.userId.empty()) throw InputError("invalid_field", "field 'user_id' is required");
  if (request.level == signer::PadesLevel::B_T && !pades_.canTimeStamp()) {
    throw UnavailableError("tsa_not_configured", "no time-stamping authority is configured");
  }

  // The citizen's certificate, as the partner lists it.
  const auto credentials = partner->credentials(request.userId);
  const pki::RemoteCredential* credential = nullptr;
  for (const auto& c : credentials) {
    if (request.credentialId.empty() ? credentials.size() == 1 : c.id == request.credentialId) credential = &c;
  }
  if (credential == nullptr) {
    if (request.credentialId.empty() && credentials.size() > 1) {
      throw InputError("invalid_field", "field 'credential_id' is required: the user has " +
                                            std::to_string(credentials.size()) + " credentials at " + request.partner);
    }
    throw NotFoundError("partner_credential_unknown", request.partner + " lists no such credential for the user");
  }
  if (credential->chain.empty()) throw NotFoundError("partner_credential_unknown", "the credential has no certificate");
  const pki::CertificateChain& chain = credential->chain;
  const pki::Certificate& leaf = chain.front();
  const pki::TimePoint now = floor<seconds>(clock_.now());
  pki::requireUsableForSigning(leaf, now);
  pki::signatureSchemeName(leaf);  // RSA or ECDSA only

  RemoteSigningRecord r;
  r.id = "rs_" + toHex(pki::randomBytes(16));
  r.actor = actor;
  r.partner = request.partner;
  r.userId = request.userId;
  r.credentialId = credential->id;
  r.kind = request.format;
  r.createdAt = now;
  r.updatedAt = now;
  r.expiresAt = now + options_.lifetime;
  r.signerChainPem = pki::toPem(chain);

  if (request.format == "pdf") {
    signer::PadesOptions options = detail::padesOptionsFor(request, now);
    if (wholeCms) options.contentsReserve = partnerCmsReserve(chain);
    appearances_.completeFields(options.fields, "", leaf);
    const auto input = signer::PdfInput::fromMemory(asChars(request.document));
    signer::MemoryPdfOutput output;
    output.reserve(input.size() + 64 * 1024);
    const auto prepared = pades_.prepare(input, output, chain, signer::PadesSigner::maxSignatureSizeFor(leaf), options);
    // The partners sign SHA-256 digests (VNPT's signhash names no other).
    if (prepared.pdf.digestAlgorithm != pki::DigestAlgorithm::Sha256) {
      throw InternalError("remote signing needs SHA-256 signed attributes");
    }
    // A `cms` partner signs attributes of its own over the document digest; the others sign kyso's.
    r.digest = wholeCms ? prepared.pdf.documentDigest : pki::sha256(prepared.cms.signedAttributes());
    // The two-step sessions' state, with the level the signature is finished at.
    Poco::JSON::Object::Ptr state =
        Poco::JSON::Parser()
            .parse(detail::encodeState({prepared.pdf, now, request.reason, request.location, request.contactInfo}))
            .extract<Poco::JSON::Object::Ptr>();
    state->set("level", std::string(signer::padesLevelName(request.level)));
    if (wholeCms) state->set("answer", "cms");
    r.prepared = stringify(*state);
    const std::string& bytes = output.bytes();
    r.document.assign(bytes.begin(), bytes.end());
  } else {
    if (request.signedDataId.empty()) throw InputError("invalid_field", "field 'xml.signed_data_id' is required");
    signer::XmlDocument xml = signer::parseXml(request.document);
    signer::XmlSignatureParameters parameters;
    parameters.signedDataId = request.signedDataId;
    parameters.signatureId = request.signatureId;
    parameters.signingTime = now;
    parameters.signatureParent = xml.root();
    if (!request.signatureParentId.empty()) {
      parameters.signatureParent = signer::findElementById(xml, request.signatureParentId);
      if (parameters.signatureParent == nullptr) {
        throw DocumentError("xml_id_not_found",
                            "field 'xml.signature_parent_id': no element has Id '" + request.signatureParentId + "'");
      }
    }
    r.digest = signer::prepareXmlSignature(xml, parameters, chain);
    r.prepared = encodeXmlState(request.signatureId);
    const std::string bytes = signer::serialize(xml);
    r.document.assign(bytes.begin(), bytes.end());
  }

  pki::RemoteSignRequest sign;
  sign.userId = request.userId;
  sign.credentialId = credential->id;
  sign.reference = r.id;
  sign.description = request.description.empty() ? "kyso " + r.id : request.description;
  sign.digestAlgorithm = pki::DigestAlgorithm::Sha256;
  sign.digests = {r.digest};
  // Nothing is stored before the partner has the request: a partner that cannot be reached is
  // the caller's 503 to retry, not a session that never had a chance.
  const pki::RemoteSignStatus submitted = partner->submit(sign);
  r.transactionId = submitted.transactionId;
  r.status = "waiting";
  r.nextPollAt = now + options_.partnerPoll;
  sessions_.insert(r);
  if (submitted.state != pki::RemoteSignState::Waiting) return apply(std::move(r), submitted);
  log().information("remote signing %s: %s transaction %s for a %s document", r.id, r.partner, r.transactionId, r.kind);
  r.document.clear();
  return r;
}

RemoteSigningRecord RemoteSigningService::load(const std::string& id, const std::string& actor, bool withDocument) {
  auto record = sessions_.find(id, withDocument);
  if (!record || record->actor != actor) {
    throw NotFoundError("remote_signing_not_found", "no remote signing session " + id);
  }
  return std::move(*record);
}

RemoteSigningRecord RemoteSigningService::get(const std::string& id, const std::string& actor) {
  return load(id, actor, false);
}

std::string RemoteSigningService::document(const std::string& id, const std::string& actor) {
  RemoteSigningRecord r = load(id, actor, true);
  if (r.status == "waiting") {
    throw ConflictError("remote_signature_pending", "remote signing session " + id + " waits for the citizen");
  }
  if (r.status != "signed") {
    throw ConflictError("remote_signature_not_signed",
                        "remote signing session " + id + " ended " + r.status + " (" + r.errorCode + ")");
  }
  if (toHex(pki::sha256(r.document)) != r.documentSha256) {
    throw InternalError("remote signing session " + id + ": the stored document differs from the one signed",
                        "database_corrupt");
  }
  return std::string(asChars(r.document));
}

RemoteSigningService::Finished RemoteSigningService::finish(const RemoteSigningRecord& r,
                                                            const pki::RemoteSignStatus& status) const {
  if (status.signatures.size() != 1) {
    throw InputError("partner_signature_invalid", "the partner returned " + std::to_string(status.signatures.size()) +
                                                      " signature values for one digest");
  }
  // The signature is made now: the certificate must still allow it (it may have expired since the
  // preparation); certificate_expired and the like end the session.
  pki::requireUsableForSigning(chainOf(r).front(), clock_.now());
  if (wholeCmsSession(r)) return finishWithCms(r, status);
  return {finishWithValue(r, status), {}};
}

RemoteSigningService::Finished RemoteSigningService::finishWithCms(const RemoteSigningRecord& r,
                                                                   const pki::RemoteSignStatus& status) const {
  if (!status.cms) {
    throw InputError("partner_cms_invalid",
                     "the partner answered a bare signature value where a whole CMS was "
                     "expected (partners.<name>.answer = cms)");
  }
  const pki::CertificateChain chain = chainOf(r);
  const detail::PdfSessionState state = detail::decodeState(r.prepared);
  if (state.prepared.documentDigest != r.digest) {
    throw InternalError("remote signing session " + r.id + ": the document digest differs from the one sent",
                        "database_corrupt");
  }
  // Bounded by the room the document was prepared with: the partner's unsigned attributes are left
  // out and kyso's chain and time-stamp fit the room, so an answer larger than it is refused unread.
  if (status.signatures.front().size() > state.prepared.contentsCapacity) {
    throw InputError("partner_cms_too_large",
                     "the partner's CMS (" + std::to_string(status.signatures.front().size()) +
                         " bytes) is larger than the room the document was prepared with (" +
                         std::to_string(state.prepared.contentsCapacity) + " bytes)",
                     ErrorKind::UnprocessableContent);
  }
  std::optional<signer::CadesSignature> cms;
  try {
    cms = signer::CadesSignature::fromSigned(status.signatures.front(), chain, state.prepared.digestAlgorithm,
                                             state.prepared.documentDigest);
  } catch (const InputError& e) {
    throw InputError(partnerCmsCode(e.code()), std::string("the partner's answer: ") + e.what(),
                     ErrorKind::UnprocessableContent);
  }
  signer::MemoryPdfOutput output;
  output.write(asChars(r.document));
  try {
    pades_.complete(output, state.prepared, *cms, signer::parsePadesLevel(levelOf(r)));
  } catch (const InternalError& e) {
    if (e.code() != "signature_too_large") throw;
    throw InputError("partner_cms_too_large",
                     "the partner's CMS does not fit the room the document was prepared with (" +
                         std::to_string(state.prepared.contentsCapacity) + " bytes)",
                     ErrorKind::UnprocessableContent);
  }
  return {output.take(), cms->baselineDeviations()};
}

std::string RemoteSigningService::finishWithValue(const RemoteSigningRecord& r,
                                                  const pki::RemoteSignStatus& status) const {
  const pki::CertificateChain chain = chainOf(r);
  const pki::Certificate& leaf = chain.front();
  const Bytes raw =
      status.cms ? pki::signatureValueFromCms(status.signatures.front(), leaf) : status.signatures.front();
  Bytes value;
  try {
    value = pki::normalizeSignatureValue(leaf, raw);
  } catch (const InputError&) {
    throw InputError("partner_signature_invalid", "the partner's signature value is not one of the credential's key");
  }
  const auto invalid = [&] {
    return InputError("partner_signature_invalid",
                      "the partner's signature does not verify with the credential's certificate over the digest sent");
  };
  if (r.kind == "pdf") {
    const detail::PdfSessionState state = detail::decodeState(r.prepared);
    signer::CadesSignature cms(chain, state.prepared.digestAlgorithm, state.prepared.documentDigest);
    if (pki::sha256(cms.signedAttributes()) != r.digest) {
      throw InternalError("remote signing session " + r.id + ": signed attributes differ from those sent",
                          "database_corrupt");
    }
    try {
      cms.setSignature(value);
    } catch (const InputError& e) {
      if (e.code() != "signature_invalid") throw;
      throw invalid();
    }
    signer::MemoryPdfOutput output;
    output.write(asChars(r.document));
    pades_.complete(output, state.prepared, cms, signer::parsePadesLevel(levelOf(r)));
    return output.take();
  }
  signer::XmlDocument xml = signer::parseXml(r.document);
  try {
    signer::completeXmlSignature(xml, decodeXmlState(r.prepared), leaf, value);
  } catch (const InputError& e) {
    if (e.code() != "signature_invalid" && e.code() != "invalid_signature_encoding") throw;
    throw invalid();
  }
  return signer::serialize(xml);
}

RemoteSigningRecord RemoteSigningService::apply(RemoteSigningRecord r, const pki::RemoteSignStatus& status) {
  if (isFinal(r.status)) return r;  // a replay, or the poll and the webhook both brought it
  const pki::TimePoint now = floor<seconds>(clock_.now());
  bool withDocument = false;
  r.failures = 0;
  switch (status.state) {
    case pki::RemoteSignState::Waiting:
      if (now >= r.expiresAt) {
        end(r, "expired", "remote_signature_expired",
            "the citizen did not confirm before " + pki::formatIso8601(r.expiresAt), now);
      } else {
        r.nextPollAt = std::min(now + options_.partnerPoll, r.expiresAt);
        r.updatedAt = now;
      }
      break;
    case pki::RemoteSignState::Signed: {
      if (r.document.empty()) {
        auto full = sessions_.find(r.id, true);
        if (!full) throw NotFoundError("remote_signing_not_found", "no remote signing session " + r.id);
        r.document = std::move(full->document);
      }
      try {
        const Finished finished = finish(r, status);
        r.document.assign(finished.document.begin(), finished.document.end());
        r.documentSha256 = toHex(pki::sha256(r.document));
        if (!finished.warnings.empty()) {
          Poco::JSON::Object::Ptr state = stateOf(r);
          Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
          for (const auto& warning : finished.warnings) list->add(warning);
          state->set("warnings", list);
          r.prepared = stringify(*state);
        }
        end(r, "signed", "", "", now);
        withDocument = true;
      } catch (const InputError& e) {
        end(r, "failed", e.code(), e.what(), now);
      }
      break;
    }
    case pki::RemoteSignState::Rejected:
      end(r, "rejected", "remote_signature_rejected",
          "the citizen refused to sign" + (status.message.empty() ? "" : ": " + status.message), now);
      break;
    case pki::RemoteSignState::Expired:
      end(r, "expired", "remote_signature_expired", "the citizen did not confirm in time", now);
      break;
    case pki::RemoteSignState::QuotaExhausted:
      end(r, "failed", "partner_quota_exhausted",
          "the citizen's signing package at the partner is used up" +
              (status.message.empty() ? "" : ": " + status.message),
          now);
      break;
    case pki::RemoteSignState::CredentialRevoked:
      end(r, "failed", "partner_certificate_revoked",
          "the citizen's certificate is revoked or expired at the partner" +
              (status.message.empty() ? "" : ": " + status.message),
          now);
      break;
    case pki::RemoteSignState::Failed:
      end(r, "failed", "partner_signing_failed",
          "the partner failed to sign" + (status.message.empty() ? "" : ": " + status.message), now);
      break;
  }
  if (!sessions_.update(r, withDocument)) {
    // Another pass or webhook changed it meanwhile: what it stored stands.
    auto current = sessions_.find(r.id, false);
    if (!current) throw NotFoundError("remote_signing_not_found", "no remote signing session " + r.id);
    return std::move(*current);
  }
  ++r.version;
  if (r.status == "signed") {
    Poco::JSON::Object details;
    details.set("session", r.id);
    details.set("partner", r.partner);
    details.set("transaction", r.transactionId);
    details.set("credential", r.credentialId);
    details.set("signer", chainOf(r).front().subject());
    const std::vector<std::string> notes = warnings(r);
    if (!notes.empty()) {
      Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
      for (const auto& note : notes) {
        list->add(note);
        log().warning("remote signing %s: %s", r.id, note);
      }
      details.set("warnings", list);
    }
    const std::string level = levelOf(r);
    audit_.append({now, r.actor, "sign." + r.kind + ".remote", "partner:" + r.partner, r.documentSha256, level,
                   stringify(details)});
    metrics_.countSignature(r.kind, level, "partner");
  }
  if (isFinal(r.status)) {
    log().information("remote signing %s: %s%s", r.id, r.status, r.errorCode.empty() ? "" : " (" + r.errorCode + ")");
  }
  r.document.clear();
  return r;
}

RemoteSigningRecord RemoteSigningService::notify(const std::string& partnerName, const std::string& body,
                                                 const std::string& signatureHeader) {
  const auto partner = signer(partnerName);
  if (!partner) throw NotFoundError("remote_signing_not_found", "no remote-signing partner " + partnerName);
  const pki::RemoteSignStatus status = partner->parseWebhook(body, signatureHeader);
  auto record = sessions_.findByTransaction(partnerName, status.transactionId);
  if (!record) throw NotFoundError("remote_signing_not_found", "no remote signing session for this transaction");
  return apply(std::move(*record), status);
}

std::size_t RemoteSigningService::pollDue() {
  std::lock_guard pass(passMutex_);
  std::vector<RemoteSigningRecord> due;
  try {
    const pki::TimePoint now = floor<seconds>(clock_.now());
    sessions_.purgeFinishedBefore(now - options_.retention);
    due = sessions_.due(now, options_.batch);
  } catch (const std::exception& e) {
    log().error("reading due remote signing sessions: %s", std::string(e.what()));
    return 0;
  }
  for (RemoteSigningRecord& r : due) {
    const std::string id = r.id;
    try {
      const auto partner = signer(r.partner);
      if (!partner) throw UnavailableError("partner_unavailable", "the partner is not configured any more");
      pki::RemoteSignStatus status;
      try {
        status = partner->status(r.userId, r.transactionId);
      } catch (const UnavailableError& e) {
        // Timeouts, 5xx, malformed answers: asked again later, with a backoff, until the session
        // expires (then once more, in case the signature came in the meantime).
        const pki::TimePoint now = floor<seconds>(clock_.now());
        ++r.polls;
        ++r.failures;
        const int doublings = std::min(r.failures, 16);
        const auto wait = std::min(options_.longestPoll, options_.partnerPoll * (std::int64_t{1} << doublings));
        if (now >= r.expiresAt) {
          end(r, "expired", "remote_signature_expired",
              "the partner did not report a signature before " + pki::formatIso8601(r.expiresAt), now);
        } else {
          r.nextPollAt = std::min(now + wait, r.expiresAt);
          r.updatedAt = now;
        }
        sessions_.update(r, false);
        log().warning("remote signing %s: %s did not answer (%s; %s)", r.id, r.partner, std::string(e.what()),
                      e.detail());
        continue;
      }
      ++r.polls;
      apply(std::move(r), status);
    } catch (const Error& e) {
      // A refusal (the partner no longer knows the transaction...): the session fails with it.
      try {
        if (e.kind() == ErrorKind::Internal || e.kind() == ErrorKind::Unavailable) throw;
        auto current = sessions_.find(id, false);
        if (current && !isFinal(current->status)) {
          end(*current, "failed", e.code(), e.what(), floor<seconds>(clock_.now()));
          sessions_.update(*current, false);
        }
      } catch (const std::exception& inner) {
        log().error("remote signing %s: %s", id, std::string(inner.what()));
      }
    } catch (const std::exception& e) {
      log().error("remote signing %s: %s", id, std::string(e.what()));
    }
  }
  return due.size();
}

void RemoteSigningService::startWorker(std::chrono::milliseconds interval) {
  if (!worker_) {
    worker_ = std::make_unique<PeriodicWorker>(interval, [this] { return pollDue() == options_.batch; });
  }
  worker_->start();
}

void RemoteSigningService::stopWorker() {
  if (worker_) worker_->stop();
}

}  // namespace kyso::api
