// The "cmp" CA connector: a CA (or its RA) that speaks CMP, RFC 4210 as profiled by RFC 9483
// (Lightweight CMP), over HTTP (RFC 6712), through OpenSSL 3's CMP client (openssl/cmp.h).
//
// Enrolment is p10cr (RFC 9483 §4.1.4), not ir/cr: the applicant's key is in an HSM or with the
// citizen, so kyso never holds the private key that an ir/cr proof of possession (a CRMF
// POPOSigningKey, RFC 4211 §4.1) must be signed with. The PKCS#10 self-signature is the proof
// instead. p10cr carries no certificate template, so the CA sees the CSR's own subject: submit()
// refuses a CSR whose subject is not exactly the one kyso registered.
//
// Idempotency (RFC 4210 §5.1.1): the CMP transactionID is derived from kyso's transaction id
// (transactionIdFor), so a resubmission reuses it and a CA that remembers transactions answers
// transactionIdInUse instead of issuing twice. CMP has no message that looks up a finished
// transaction, so that answer is ConflictError("partner_transaction_in_use"): an operator looks
// the certificate up at the CA. Within one process the connector remembers each transaction's
// CMP context and outcome, so a second submit() or a poll() never sends a second request.
//
// Polling (RFC 9483 §4.4): when the CA answers "waiting", submit() returns Submitted and keeps the
// context; each poll() sends one pollReq and returns (the library never sleeps here). OpenSSL
// 3.0 cannot send a pollReq outside the context that started the transaction, so after a restart
// poll() throws NotFoundError("partner_transaction_unknown") and the caller submits again.
//
// Errors, besides the interface's: UnavailableError("partner_unauthorized") when the message
// protection does not verify either way (a wrong shared secret or certificate: kyso's
// configuration, so retrying after it is fixed succeeds), InputError("csr_required"),
// InputError("csr_subject_mismatch"). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kyso/pki/bytes.h"
#include "kyso/pki/ca_connector.h"
#include "kyso/pki/certificate_builder.h"

namespace kyso::pki {

struct CmpSettings {
  // http://host[:port]/path of the CA's CMP endpoint. https is not supported: CMP protects each
  // message itself (below); TLS would only hide the subject from the network.
  std::string url;
  // "host:port" of an HTTP proxy; empty: connect directly (http_proxy in the environment is ignored).
  std::string proxy;

  // How kyso protects its requests (RFC 4210 §5.1.3): PBM with the shared secret the CA gave
  // kyso, under `reference` (the senderKID)...
  std::string reference;
  std::string secret;
  // ...or, when `secret` is empty, a signature with kyso's own CMP certificate. OpenSSL signs with
  // an EVP_PKEY, so the key is a PEM file here, not a SigningKey.
  std::string protectionCertificateFile;  // PEM: kyso's CMP certificate first, then its chain
  std::string protectionKeyFile;          // PEM private key, PKCS#8 or traditional
  std::string protectionKeyPassphrase;    // empty: not encrypted

  // Who may sign the CA's responses (responses protected with the shared secret need none of
  // these): the CA's CMP certificate, pinned; or trust anchors together with the name the
  // responses must come from (any certificate under the anchors would do otherwise, a citizen's
  // included).
  std::string serverCertificateFile;
  std::string trustedCaFile;
  DistinguishedName expectedSender;

  // Each message round trip (OSSL_CMP_OPT_MSG_TIMEOUT), whole seconds, at least 1. A submit is at
  // most two round trips (p10cr, then certConf), a poll the same.
  std::chrono::seconds timeout{30};
};

class CmpConnector final : public CaConnector {
 public:
  // Reads the files the settings name. Throws InputError("config_invalid").
  explicit CmpConnector(CmpSettings settings);
  ~CmpConnector() override;
  CmpConnector(const CmpConnector&) = delete;
  CmpConnector& operator=(const CmpConnector&) = delete;

  std::string name() const override { return "cmp"; }
  // p10cr from request.csrDer. Issued (leaf, then what the CA sent in extraCerts and caPubs that
  // chains it), Submitted (the CA said "waiting"; poll() continues), Rejected (the CA declined,
  // with its words) or InputError("partner_refused_request") (the CA blamed the request: failInfo
  // badAlg, badRequest, badDataFormat, badPOP, badCertTemplate, badCertId, incorrectData,
  // unacceptedPolicy, unacceptedExtension, duplicateCertReq). partnerReference is the CMP
  // transactionID in upper-case hex. An issued certificate whose key is not the CSR's is
  // confirmed negatively (certConf with incorrectData) and reported Rejected.
  EnrollmentStatus submit(const EnrollmentRequest& request) override;
  EnrollmentStatus poll(const std::string& transactionId, const std::string& partnerReference) override;
  // rr (RFC 9483 §4.2) with the reason code. An answer "certRevoked" is success;
  // NotFoundError("certificate_not_found") for badCertId; InputError("partner_refused_request")
  // for other refusals.
  void revoke(const Certificate& certificate, RevocationReason reason) override;

  // The CMP transactionID for kyso's transaction id: the first 16 bytes (128 bits, as RFC 4210
  // §5.1.1 asks) of its SHA-256.
  static Bytes transactionIdFor(const std::string& transactionId);

 private:
  struct Credentials;
  struct Transaction;

  std::shared_ptr<Transaction> transaction(const std::string& transactionId, bool create);
  EnrollmentStatus advance(Transaction& transaction);

  std::unique_ptr<Credentials> credentials_;
  std::mutex mutex_;
  // By kyso's transaction id: pending ones, and a bounded number of outcomes for resubmissions.
  std::map<std::string, std::shared_ptr<Transaction>> transactions_;
};

}  // namespace kyso::pki
