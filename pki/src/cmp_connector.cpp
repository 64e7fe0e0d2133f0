#include "kyso/pki/cmp_connector.h"

#include <openssl/cmp.h>
#include <openssl/http.h>
#include <openssl/obj_mac.h>

#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "distinguished_name.h"
#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/digest.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/software_key.h"
#include "kyso/pki/trust_store.h"

namespace kyso::ossl {
// Local: this file is the only user of openssl/cmp.h.
template <>
struct Deleter<OSSL_CMP_CTX> : FreeWith<&OSSL_CMP_CTX_free> {};
}  // namespace kyso::ossl

namespace kyso::pki {

namespace {

// Outcomes and idle entries kept for resubmissions; pending transactions are never dropped.
constexpr std::size_t kTransactionsKept = 1024;
constexpr std::size_t kLogCap = 4096;
constexpr std::size_t kPartnerWordsCap = 500;

// PKIFailureInfo bit names (RFC 4210 §5.2.3), by bit number.
constexpr std::array<std::string_view, OSSL_CMP_PKIFAILUREINFO_MAX + 1> kFailInfoNames = {
    "badAlg",           "badMessageCheck",     "badRequest",          "badTime",           "badCertId",
    "badDataFormat",    "wrongAuthority",      "incorrectData",       "missingTimeStamp",  "badPOP",
    "certRevoked",      "certConfirmed",       "wrongIntegrity",      "badRecipientNonce", "timeNotAvailable",
    "unacceptedPolicy", "unacceptedExtension", "addInfoNotAvailable", "badSenderNonce",    "badCertTemplate",
    "signerNotTrusted", "transactionIdInUse",  "unsupportedVersion",  "notAuthorized",     "systemUnavail",
    "systemFailure",    "duplicateCertReq"};

constexpr int bit(int failInfo) {
  return 1 << failInfo;
}

// The CA does not accept kyso's protection, or names kyso an authority it does not know.
constexpr int kAuthenticationFailures =
    bit(OSSL_CMP_PKIFAILUREINFO_badMessageCheck) | bit(OSSL_CMP_PKIFAILUREINFO_wrongIntegrity) |
    bit(OSSL_CMP_PKIFAILUREINFO_wrongAuthority) | bit(OSSL_CMP_PKIFAILUREINFO_signerNotTrusted) |
    bit(OSSL_CMP_PKIFAILUREINFO_notAuthorized);
// Says nothing about the request: the CA (or the clocks, or the exchange) had a problem.
constexpr int kTransientFailures =
    bit(OSSL_CMP_PKIFAILUREINFO_systemUnavail) | bit(OSSL_CMP_PKIFAILUREINFO_systemFailure) |
    bit(OSSL_CMP_PKIFAILUREINFO_timeNotAvailable) | bit(OSSL_CMP_PKIFAILUREINFO_badTime) |
    bit(OSSL_CMP_PKIFAILUREINFO_badRecipientNonce) | bit(OSSL_CMP_PKIFAILUREINFO_badSenderNonce) |
    bit(OSSL_CMP_PKIFAILUREINFO_unsupportedVersion);
// The CA blames the request itself: sending it again cannot help.
constexpr int kRequestFailures =
    bit(OSSL_CMP_PKIFAILUREINFO_badAlg) | bit(OSSL_CMP_PKIFAILUREINFO_badRequest) |
    bit(OSSL_CMP_PKIFAILUREINFO_badDataFormat) | bit(OSSL_CMP_PKIFAILUREINFO_badPOP) |
    bit(OSSL_CMP_PKIFAILUREINFO_badCertTemplate) | bit(OSSL_CMP_PKIFAILUREINFO_badCertId) |
    bit(OSSL_CMP_PKIFAILUREINFO_incorrectData) | bit(OSSL_CMP_PKIFAILUREINFO_unacceptedPolicy) |
    bit(OSSL_CMP_PKIFAILUREINFO_unacceptedExtension) | bit(OSSL_CMP_PKIFAILUREINFO_duplicateCertReq);

const std::string kUnavailableMessage = "the CMP certificate authority cannot be reached or gave no usable answer";
const std::string kUnauthorizedMessage =
    "the CMP certificate authority and kyso do not accept each other's message protection";

// OpenSSL's CMP log callback has no argument: what one call logs is collected per thread and ends
// up in the detail of the error that call raises.
thread_local std::string cmpLog;

int collectLog(const char* /*func*/, const char* /*file*/, int /*line*/, OSSL_CMP_severity level, const char* msg) {
  if (msg == nullptr || level > OSSL_CMP_LOG_INFO || cmpLog.size() >= kLogCap) return 1;
  std::string_view text(msg);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (!cmpLog.empty()) cmpLog += " | ";
  cmpLog += text;
  return 1;
}

[[noreturn]] void configInvalid(const std::string& message) {
  throw InputError("config_invalid", "cmp: " + message);
}

// The OpenSSL error queue, drained into one line as ossl::drainErrors writes it, noting whether a
// response's protection failed to verify.
struct Drained {
  std::string text;
  bool protectionFailed = false;
};

Drained drainCmpErrors(std::string_view what) {
  Drained out{std::string(what)};
  bool first = true;
  unsigned long code = 0;
  const char* data = nullptr;
  int flags = 0;
  while ((code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    if (ERR_GET_LIB(code) == ERR_LIB_CMP) {
      switch (ERR_GET_REASON(code)) {
        case CMP_R_ERROR_VALIDATING_PROTECTION:
        case CMP_R_ERROR_VALIDATING_SIGNATURE:
        case CMP_R_WRONG_PBM_VALUE:
        case CMP_R_MISSING_PROTECTION:
        case CMP_R_SRVCERT_DOES_NOT_VALIDATE_MSG:
        case CMP_R_NO_SUITABLE_SENDER_CERT:
        case CMP_R_MISSING_KEY_USAGE_DIGITALSIGNATURE:
          out.protectionFailed = true;
          break;
        default:
          break;
      }
    }
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    out.text += first ? ": " : "; ";
    out.text += buffer;
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && data[0] != '\0') {
      out.text += " (";
      out.text += data;
      out.text += ")";
    }
    first = false;
  }
  return out;
}

// Whether the last call failed because an answer's protection or sender did not verify. OpenSSL
// 3.0 reports an unexpected sender name only in its log, not in the error queue.
bool protectionFailed(const Drained& failure) {
  return failure.protectionFailed || cmpLog.find("does not match expected sender") != std::string::npos;
}

std::string failInfoNames(int failInfo) {
  std::string names;
  for (std::size_t i = 0; i < kFailInfoNames.size(); ++i) {
    if ((failInfo & bit(static_cast<int>(i))) == 0) continue;
    if (!names.empty()) names += ", ";
    names += kFailInfoNames[i];
  }
  return names;
}

// The CA's own words (statusString and failInfo), made safe to show: no control characters, capped.
std::string partnerWords(const OSSL_CMP_CTX* ctx) {
  std::string words;
  const OSSL_CMP_PKIFREETEXT* texts = OSSL_CMP_CTX_get0_statusString(ctx);  // borrowed
  for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); ++i) {
    const ASN1_UTF8STRING* text = sk_ASN1_UTF8STRING_value(texts, i);
    if (!words.empty()) words += "; ";
    words.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                 checkedCast<std::size_t>(ASN1_STRING_length(text)));
  }
  const std::string names = failInfoNames(OSSL_CMP_CTX_get_failInfoCode(ctx));
  if (names.empty() && words.empty()) {
    words = "no reason given";
  } else if (words.empty()) {
    words = "failInfo: " + names;
  } else if (!names.empty()) {
    words += " (failInfo: " + names + ")";
  }
  for (char& c : words) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (words.size() > kPartnerWordsCap) words.resize(kPartnerWordsCap);
  return words;
}

enum class Refusal { TransactionInUse, Authentication, Transient, Request, Other };

Refusal classify(int failInfo) {
  if ((failInfo & bit(OSSL_CMP_PKIFAILUREINFO_transactionIdInUse)) != 0) return Refusal::TransactionInUse;
  if ((failInfo & kAuthenticationFailures) != 0) return Refusal::Authentication;
  if ((failInfo & kTransientFailures) != 0) return Refusal::Transient;
  if ((failInfo & kRequestFailures) != 0) return Refusal::Request;
  return Refusal::Other;
}

// Moves the certificates of an owned stack (may be null) to `out`.
void takeAll(STACK_OF(X509) * stack, std::vector<Certificate>& out) {
  const ossl::Ptr<STACK_OF(X509)> owned(stack);
  while (owned != nullptr && sk_X509_num(owned.get()) > 0) {
    out.emplace_back(sk_X509_shift(owned.get()));  // Certificate takes the reference the stack held
  }
}

ossl::Ptr<X509_REQ> decodeRequest(ByteView der) {
  const unsigned char* p = der.data();
  ossl::Ptr<X509_REQ> request(d2i_X509_REQ(nullptr, &p, checkedCast<long>(der.size())));
  if (!request || p != der.data() + der.size()) {
    ossl::clearErrors();
    throw InputError("invalid_csr", "the certification request is not one DER PKCS#10 request");
  }
  return request;
}

}  // namespace

// What the settings name, loaded once; every CMP context is made from it.
struct CmpConnector::Credentials {
  std::string url;  // for the log
  std::string host;
  int port = 80;
  std::string path;
  std::string proxy;
  int timeoutSeconds = 30;

  std::string reference;
  Bytes secret;
  std::vector<Certificate> protectionChain;  // kyso's CMP certificate first
  std::shared_ptr<SoftwareKey> protectionKey;

  std::optional<Certificate> serverCertificate;
  std::vector<Certificate> trustAnchors;
  ossl::Ptr<X509_NAME> expectedSender;

  Credentials() = default;
  Credentials(const Credentials&) = delete;
  Credentials& operator=(const Credentials&) = delete;
  ~Credentials() { wipe(secret); }

  ossl::Ptr<OSSL_CMP_CTX> newContext() const {
    auto ctx = ossl::own(OSSL_CMP_CTX_new(nullptr, nullptr), "OSSL_CMP_CTX_new");
    OSSL_CMP_CTX* c = ctx.get();
    ossl::check(OSSL_CMP_CTX_set_log_cb(c, collectLog), "OSSL_CMP_CTX_set_log_cb");
    ossl::check(OSSL_CMP_CTX_set_option(c, OSSL_CMP_OPT_LOG_VERBOSITY, OSSL_CMP_LOG_INFO), "CMP log verbosity");
    ossl::check(OSSL_CMP_CTX_set1_server(c, host.c_str()), "OSSL_CMP_CTX_set1_server");
    ossl::check(OSSL_CMP_CTX_set_serverPort(c, port), "OSSL_CMP_CTX_set_serverPort");
    ossl::check(OSSL_CMP_CTX_set1_serverPath(c, path.c_str()), "OSSL_CMP_CTX_set1_serverPath");
    if (proxy.empty()) {
      // Without this, OpenSSL's HTTP client would take http_proxy from the environment.
      ossl::check(OSSL_CMP_CTX_set1_no_proxy(c, host.c_str()), "OSSL_CMP_CTX_set1_no_proxy");
    } else {
      ossl::check(OSSL_CMP_CTX_set1_proxy(c, proxy.c_str()), "OSSL_CMP_CTX_set1_proxy");
    }
    // Every call of ours is bounded by the message timeout; polling is the caller's (through the
    // durable enrolment), so no total timeout, which would count from the first request.
    ossl::check(OSSL_CMP_CTX_set_option(c, OSSL_CMP_OPT_MSG_TIMEOUT, timeoutSeconds), "CMP message timeout");
    ossl::check(OSSL_CMP_CTX_set_option(c, OSSL_CMP_OPT_TOTAL_TIMEOUT, 0), "CMP total timeout");
    // A connection per message: a context waits for hours between two polls.
    ossl::check(OSSL_CMP_CTX_set_option(c, OSSL_CMP_OPT_KEEP_ALIVE, 0), "CMP keep-alive");

    if (!secret.empty()) {
      // PBM (RFC 4210 §5.1.3.1) with HMAC-SHA256 (RFC 9481 §6.1.1) rather than OpenSSL's HMAC-SHA1 default.
      ossl::check(OSSL_CMP_CTX_set_option(c, OSSL_CMP_OPT_MAC_ALGNID, NID_hmacWithSHA256), "CMP PBM MAC");
      ossl::check(OSSL_CMP_CTX_set1_secretValue(c, secret.data(), checkedCast<int>(secret.size())),
                  "OSSL_CMP_CTX_set1_secretValue");
      const ByteView ref = asBytes(reference);
      ossl::check(OSSL_CMP_CTX_set1_referenceValue(c, ref.data(), checkedCast<int>(ref.size())),
                  "OSSL_CMP_CTX_set1_referenceValue");
    } else {
      ossl::check(OSSL_CMP_CTX_set1_cert(c, protectionChain.front().get()), "OSSL_CMP_CTX_set1_cert");
      ossl::check(OSSL_CMP_CTX_set1_pkey(c, protectionKey->get()), "OSSL_CMP_CTX_set1_pkey");
      if (protectionChain.size() > 1) {
        const auto intermediates =
            newX509Stack(std::vector<Certificate>(protectionChain.begin() + 1, protectionChain.end()));
        ossl::check(OSSL_CMP_CTX_set1_untrusted(c, intermediates.get()), "OSSL_CMP_CTX_set1_untrusted");
      }
    }

    if (serverCertificate) {
      ossl::check(OSSL_CMP_CTX_set1_srvCert(c, serverCertificate->get()), "OSSL_CMP_CTX_set1_srvCert");
    } else if (!trustAnchors.empty()) {
      auto store = newX509Store(trustAnchors);
      ossl::check(OSSL_CMP_CTX_set0_trustedStore(c, store.get()), "OSSL_CMP_CTX_set0_trustedStore");
      store.release();  // the context owns the store now
      ossl::check(OSSL_CMP_CTX_set1_expected_sender(c, expectedSender.get()), "OSSL_CMP_CTX_set1_expected_sender");
    }
    return ctx;
  }

  std::string detail(const Drained& failure) const {
    std::string text = "CMP CA " + url + ": " + failure.text;
    if (!cmpLog.empty()) text += " [CMP log: " + cmpLog + "]";
    return text;
  }
};

// One enrolment's CMP transaction: its context while the CA works on it, then its outcome.
struct CmpConnector::Transaction {
  std::mutex mutex;
  Bytes transactionId;    // the CMP one
  std::string reference;  // the same in upper-case hex: EnrollmentStatus::partnerReference
  ossl::Ptr<OSSL_CMP_CTX> context;
  ossl::Ptr<EVP_PKEY> requestKey;           // the CSR's public key
  std::vector<Certificate> received;        // extraCerts and caPubs of the certificate response
  bool foreignKey = false;                  // the CA certified another key; kyso confirmed negatively
  std::optional<EnrollmentStatus> outcome;  // Issued or Rejected: final
  std::optional<std::string> refusal;       // partner_refused_request: final

  // OpenSSL's certConf callback (RFC 4210 §5.3.18), before kyso confirms the certificate: keeps
  // what came with it and refuses a certificate for another key. For p10cr, OpenSSL 3.0 may
  // compare the certificate with the protection key instead of the CSR's, so its incorrectData
  // verdict is replaced by this check. Returns the PKIFailureInfo bits to send (0: accept).
  static int confirm(OSSL_CMP_CTX* ctx, X509* cert, int failInfo, const char** text) {
    auto* self = static_cast<Transaction*>(OSSL_CMP_CTX_get_certConf_cb_arg(ctx));
    failInfo &= ~bit(OSSL_CMP_PKIFAILUREINFO_incorrectData);
    if (self == nullptr) return failInfo | bit(OSSL_CMP_PKIFAILUREINFO_systemFailure);
    try {
      self->received.clear();
      takeAll(OSSL_CMP_CTX_get1_extraCertsIn(ctx), self->received);
      takeAll(OSSL_CMP_CTX_get1_caPubs(ctx), self->received);
      if (EVP_PKEY_eq(X509_get0_pubkey(cert), self->requestKey.get()) != 1) {
        self->foreignKey = true;
        *text = "the certificate is not for the public key of the PKCS#10 request";
        return failInfo | bit(OSSL_CMP_PKIFAILUREINFO_incorrectData);
      }
      return failInfo;
    } catch (...) {
      // Nothing may unwind through OpenSSL.
      *text = "the client could not process the certificate";
      return failInfo | bit(OSSL_CMP_PKIFAILUREINFO_systemFailure);
    }
  }
};

CmpConnector::CmpConnector(CmpSettings settings) : credentials_(std::make_unique<Credentials>()) {
  Credentials& c = *credentials_;
  c.url = settings.url;

  int tls = 0;
  char* host = nullptr;
  char* path = nullptr;
  int port = 0;
  if (OSSL_HTTP_parse_url(settings.url.c_str(), &tls, nullptr, &host, nullptr, &port, &path, nullptr, nullptr) != 1) {
    ossl::clearErrors();
    configInvalid("the URL is not an http://host[:port]/path URL: '" + settings.url + "'");
  }
  const ossl::CString ownedHost(host), ownedPath(path);
  if (tls != 0) configInvalid("https is not supported; CMP protects its messages itself: use http");
  if (settings.url.rfind("http://", 0) != 0) configInvalid("the URL must start with http://");
  c.host = host;
  c.port = port;
  c.path = path;
  c.proxy = settings.proxy;

  const auto seconds = settings.timeout.count();
  if (seconds < 1 || seconds > 3600) configInvalid("the timeout must be 1 to 3600 seconds");
  c.timeoutSeconds = static_cast<int>(seconds);

  const bool signature = !settings.protectionCertificateFile.empty() || !settings.protectionKeyFile.empty();
  try {
    if (!settings.secret.empty()) {
      if (settings.reference.empty()) configInvalid("a shared secret needs its reference (senderKID)");
      if (signature) configInvalid("give a shared secret or a protection certificate and key, not both");
      c.reference = settings.reference;
      c.secret = toBytes(settings.secret);
    } else {
      if (settings.protectionCertificateFile.empty() || settings.protectionKeyFile.empty()) {
        configInvalid("requests must be protected: give a shared secret and reference, or a certificate and key");
      }
      c.protectionChain = Certificate::allFromPemFile(settings.protectionCertificateFile);
      if (c.protectionChain.empty()) configInvalid("no certificate in " + settings.protectionCertificateFile);
      c.protectionKey = SoftwareKey::fromPemFile(settings.protectionKeyFile, settings.protectionKeyPassphrase);
      if (X509_check_private_key(c.protectionChain.front().get(), c.protectionKey->get()) != 1) {
        ossl::clearErrors();
        configInvalid("the protection key is not the key of the protection certificate");
      }
    }

    if (!settings.serverCertificateFile.empty() && !settings.trustedCaFile.empty()) {
      configInvalid("pin the server certificate or give trust anchors, not both");
    }
    if (!settings.serverCertificateFile.empty()) {
      const auto certs = Certificate::allFromPemFile(settings.serverCertificateFile);
      if (certs.empty()) configInvalid("no certificate in " + settings.serverCertificateFile);
      c.serverCertificate = certs.front();
    } else if (!settings.trustedCaFile.empty()) {
      c.trustAnchors = Certificate::allFromPemFile(settings.trustedCaFile);
      if (c.trustAnchors.empty()) configInvalid("no certificate in " + settings.trustedCaFile);
      if (settings.expectedSender.empty()) {
        configInvalid("trust anchors need the expected sender's name: any certificate under them could sign otherwise");
      }
      c.expectedSender = toX509Name(settings.expectedSender);
    } else if (!signature && settings.secret.empty()) {
      configInvalid("no protection configured");
    } else if (settings.secret.empty()) {
      configInvalid("with signature protection, the server certificate or trust anchors are needed to check answers");
    }
  } catch (const InputError& e) {
    wipe(settings.secret);
    wipe(settings.protectionKeyPassphrase);
    if (e.code() == "config_invalid") throw;
    configInvalid(e.what());
  }
  wipe(settings.secret);
  wipe(settings.protectionKeyPassphrase);
}

CmpConnector::~CmpConnector() = default;

Bytes CmpConnector::transactionIdFor(const std::string& transactionId) {
  Bytes id = sha256(asBytes(transactionId));
  id.resize(16);
  return id;
}

std::shared_ptr<CmpConnector::Transaction> CmpConnector::transaction(const std::string& transactionId, bool create) {
  std::lock_guard lock(mutex_);
  if (const auto found = transactions_.find(transactionId); found != transactions_.end()) return found->second;
  if (!create) return nullptr;
  if (transactions_.size() >= kTransactionsKept) {
    // Drop what nobody uses and no CA works on: only this map holds it, so its fields are ours to read.
    for (auto it = transactions_.begin(); it != transactions_.end();) {
      if (it->second.use_count() == 1 && it->second->context == nullptr) {
        it = transactions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  auto created = std::make_shared<Transaction>();
  created->transactionId = transactionIdFor(transactionId);
  created->reference = toHex(created->transactionId, true);
  transactions_.emplace(transactionId, created);
  return created;
}

EnrollmentStatus CmpConnector::submit(const EnrollmentRequest& request) {
  if (request.transactionId.empty()) throw InternalError("an enrolment request without a transaction id");
  if (request.csrDer.empty()) {
    throw InputError("csr_required",
                     "the CMP certificate authority enrols from a PKCS#10 request (p10cr); kyso sends no key it "
                     "does not hold");
  }
  // Before anything reaches the CA: the request's signature and key, and its subject, which p10cr
  // hands to the CA as it is.
  const CertificateRequest checked = CertificateRequest::parse(request.csrDer);
  const auto csr = decodeRequest(request.csrDer);
  const auto subject = toX509Name(vietnameseSubjectName(request.subject));
  if (X509_NAME_cmp(X509_REQ_get_subject_name(csr.get()), subject.get()) != 0) {
    throw InputError("csr_subject_mismatch",
                     "the PKCS#10 request's subject must be exactly the certificate's subject: the CMP certificate "
                     "authority takes it from the request");
  }

  const auto tx = transaction(request.transactionId, true);
  std::lock_guard lock(tx->mutex);
  if (tx->outcome) return *tx->outcome;
  if (tx->refusal) throw InputError("partner_refused_request", *tx->refusal);
  if (tx->context == nullptr) {
    auto ctx = credentials_->newContext();
    ossl::check(OSSL_CMP_CTX_set1_p10CSR(ctx.get(), csr.get()), "OSSL_CMP_CTX_set1_p10CSR");
    const auto id = ossl::own(ASN1_OCTET_STRING_new(), "ASN1_OCTET_STRING_new");
    ossl::check(ASN1_OCTET_STRING_set(id.get(), tx->transactionId.data(), checkedCast<int>(tx->transactionId.size())),
                "ASN1_OCTET_STRING_set");
    ossl::check(OSSL_CMP_CTX_set1_transactionID(ctx.get(), id.get()), "OSSL_CMP_CTX_set1_transactionID");
    ossl::check(OSSL_CMP_CTX_set_certConf_cb(ctx.get(), &Transaction::confirm), "OSSL_CMP_CTX_set_certConf_cb");
    ossl::check(OSSL_CMP_CTX_set_certConf_cb_arg(ctx.get(), tx.get()), "OSSL_CMP_CTX_set_certConf_cb_arg");
    ossl::check(EVP_PKEY_up_ref(checked.publicKey()), "EVP_PKEY_up_ref");
    tx->requestKey.reset(checked.publicKey());  // the reference taken just above
    tx->received.clear();
    tx->foreignKey = false;
    tx->context = std::move(ctx);
  }
  return advance(*tx);
}

EnrollmentStatus CmpConnector::poll(const std::string& transactionId, const std::string& /*partnerReference*/) {
  const auto tx = transaction(transactionId, false);
  const auto unknown = [] {
    return NotFoundError("partner_transaction_unknown",
                         "this CMP transaction is not pending here (kyso restarted?); submit the request again");
  };
  if (tx == nullptr) throw unknown();
  std::lock_guard lock(tx->mutex);
  if (tx->outcome) return *tx->outcome;
  if (tx->refusal) throw InputError("partner_refused_request", *tx->refusal);
  if (tx->context == nullptr) throw unknown();
  return advance(*tx);
}

// One step of the p10cr transaction (the request, or one pollReq), under the transaction's lock.
EnrollmentStatus CmpConnector::advance(Transaction& tx) {
  ossl::clearErrors();
  cmpLog.clear();
  OSSL_CMP_CTX* ctx = tx.context.get();
  int checkAfter = 0;
  const int rc = OSSL_CMP_try_certreq(ctx, OSSL_CMP_P10CR, nullptr, &checkAfter);

  EnrollmentStatus status;
  status.partnerReference = tx.reference;
  if (rc == -1) {  // "waiting" (RFC 9483 §4.4): the next poll() sends a pollReq
    ossl::clearErrors();
    status.state = EnrollmentState::Submitted;
    return status;
  }
  if (rc == 1) {
    X509* issued = OSSL_CMP_CTX_get0_newCert(ctx);  // borrowed from the context
    if (issued == nullptr || X509_up_ref(issued) != 1) ossl::fail("OSSL_CMP_CTX_get0_newCert");
    const Certificate leaf(issued);  // owns the reference taken just above
    ossl::clearErrors();             // warnings of a successful exchange
    status.state = EnrollmentState::Issued;
    status.chain = orderChain(leaf, tx.received);
    tx.outcome = status;
    tx.context.reset();
    return status;
  }

  const Drained failure = drainCmpErrors("CMP p10cr transaction " + tx.reference + " failed");
  const std::string detail = credentials_->detail(failure);
  const int pkiStatus = OSSL_CMP_CTX_get_status(ctx);
  if (tx.foreignKey) {
    status.state = EnrollmentState::Rejected;
    status.reason = "the CA issued a certificate for another public key; kyso refused it";
    tx.outcome = status;
    tx.context.reset();
    return status;
  }
  if (pkiStatus == OSSL_CMP_PKISTATUS_rejection) {
    const int failInfo = OSSL_CMP_CTX_get_failInfoCode(ctx);
    const std::string words = partnerWords(ctx);
    tx.context.reset();  // the transaction is over at the CA
    switch (classify(failInfo)) {
      case Refusal::TransactionInUse:
        throw ConflictError("partner_transaction_in_use",
                            "the CMP certificate authority already has a transaction with this id and CMP cannot "
                            "look up its outcome: look the certificate up at the CA (transactionID " +
                                tx.reference + ")");
      case Refusal::Authentication:
        throw UnavailableError("partner_unauthorized", kUnauthorizedMessage, detail + " [CA: " + words + "]");
      case Refusal::Transient:
        throw UnavailableError("partner_unavailable", kUnavailableMessage, detail + " [CA: " + words + "]");
      case Refusal::Request:
        tx.refusal = "the CMP certificate authority refused the request: " + words;
        throw InputError("partner_refused_request", *tx.refusal);
      case Refusal::Other:
        break;
    }
    status.state = EnrollmentState::Rejected;
    status.reason = words;
    tx.outcome = status;
    return status;
  }
  // No verdict from the CA: unreachable, timed out, garbage, or protection that does not verify.
  // While polling, the context stays for the next poll(); before, the next submit() starts the
  // transaction again with the same transactionID.
  if (pkiStatus != OSSL_CMP_PKISTATUS_waiting) tx.context.reset();
  if (protectionFailed(failure)) throw UnavailableError("partner_unauthorized", kUnauthorizedMessage, detail);
  throw UnavailableError("partner_unavailable", kUnavailableMessage, detail);
}

void CmpConnector::revoke(const Certificate& certificate, RevocationReason reason) {
  auto ctx = credentials_->newContext();
  ossl::check(OSSL_CMP_CTX_set1_oldCert(ctx.get(), certificate.get()), "OSSL_CMP_CTX_set1_oldCert");
  ossl::check(OSSL_CMP_CTX_set_option(ctx.get(), OSSL_CMP_OPT_REVOCATION_REASON, static_cast<int>(reason)),
              "CMP revocation reason");
  ossl::clearErrors();
  cmpLog.clear();
  if (OSSL_CMP_exec_RR_ses(ctx.get()) == 1) return;

  const Drained failure = drainCmpErrors("CMP rr for serial " + certificate.serialHex() + " failed");
  const std::string detail = credentials_->detail(failure);
  if (OSSL_CMP_CTX_get_status(ctx.get()) == OSSL_CMP_PKISTATUS_rejection) {
    const int failInfo = OSSL_CMP_CTX_get_failInfoCode(ctx.get());
    const std::string words = partnerWords(ctx.get());
    // Revoking a revoked certificate is not an error (CaConnector::revoke).
    if ((failInfo & bit(OSSL_CMP_PKIFAILUREINFO_certRevoked)) != 0) return;
    if ((failInfo & bit(OSSL_CMP_PKIFAILUREINFO_badCertId)) != 0) {
      throw NotFoundError("certificate_not_found", "the CMP certificate authority does not know this certificate");
    }
    switch (classify(failInfo)) {
      case Refusal::Authentication:
        throw UnavailableError("partner_unauthorized", kUnauthorizedMessage, detail + " [CA: " + words + "]");
      case Refusal::Transient:
        throw UnavailableError("partner_unavailable", kUnavailableMessage, detail + " [CA: " + words + "]");
      case Refusal::TransactionInUse:  // a fresh random transactionID each time: the CA's problem
      case Refusal::Request:
      case Refusal::Other:
        break;
    }
    throw InputError("partner_refused_request", "the CMP certificate authority refused the revocation: " + words);
  }
  if (protectionFailed(failure)) throw UnavailableError("partner_unauthorized", kUnauthorizedMessage, detail);
  throw UnavailableError("partner_unavailable", kUnavailableMessage, detail);
}

}  // namespace kyso::pki
