#include "kyso/pki/time_stamp.h"

#include <openssl/rand.h>

#include "kyso/numeric.h"
#include "kyso/pki/asn1_time.h"
#include "kyso/pki/http_client.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"

namespace kyso::pki {

namespace {

ossl::Ptr<ASN1_INTEGER> randomInteger(std::size_t bytes) {
  Bytes random(bytes);
  ossl::check(RAND_bytes(random.data(), checkedCast<int>(random.size())), "RAND_bytes");
  random[0] &= 0x7f;
  auto bn = ossl::own(BN_bin2bn(random.data(), checkedCast<int>(random.size()), nullptr), "BN_bin2bn");
  return ossl::own(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER");
}

// RFC 3161 §2.4.2: serial numbers must be unique per TSA; 128 random bits make that certain
// without shared state between processes or nodes.
ASN1_INTEGER* serialCallback(TS_RESP_CTX* ctx, void*) {
  try {
    return randomInteger(16).release();  // OpenSSL takes ownership
  } catch (...) {
    TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Error during serial number generation.");
    TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
    return nullptr;
  }
}

int timeCallback(TS_RESP_CTX*, void* data, long* seconds, long* micros) {
  const auto* clock = static_cast<const Clock*>(data);
  const auto since = clock->now().time_since_epoch();
  const auto whole = std::chrono::duration_cast<std::chrono::seconds>(since);
  *seconds = static_cast<long>(whole.count());
  *micros = static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(since - whole).count());
  return 1;
}

template <typename T, typename Encoder>
Bytes encode(const T* object, Encoder i2d, std::string_view what) {
  unsigned char* out = nullptr;
  const int size = i2d(object, &out);
  ossl::check(size, what);
  ossl::Buffer owned(out);
  return Bytes(out, out + size);
}

DigestAlgorithm digestFromNid(int nid) {
  switch (nid) {
    case NID_sha256:
      return DigestAlgorithm::Sha256;
    case NID_sha384:
      return DigestAlgorithm::Sha384;
    case NID_sha512:
      return DigestAlgorithm::Sha512;
    default:
      throw InputError("unsupported_digest", std::string("unsupported digest in time-stamp: ") + OBJ_nid2sn(nid));
  }
}

std::string objectText(const ASN1_OBJECT* object) {
  char buffer[128];
  const int size = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
  ossl::check(size, "OBJ_obj2txt");
  return std::string(buffer, checkedCast<std::size_t>(size));
}

}  // namespace

TimeStampAuthority::TimeStampAuthority(std::shared_ptr<const SoftwareKey> key, CertificateChain chain,
                                       std::string policyOid, const Clock& clock)
    : key_(std::move(key)), chain_(std::move(chain)), policyOid_(std::move(policyOid)), clock_(clock) {
  if (!key_ || chain_.empty()) throw InternalError("time-stamping authority needs a key and a certificate");
  requireKeyMatchesCertificate(*key_, chain_.front());
}

Bytes TimeStampAuthority::respond(ByteView requestDer) const {
  auto ctx = ossl::own(TS_RESP_CTX_new(), "TS_RESP_CTX_new");
  ossl::check(TS_RESP_CTX_set_signer_cert(ctx.get(), chain_.front().get()), "TS_RESP_CTX_set_signer_cert");
  ossl::check(TS_RESP_CTX_set_signer_key(ctx.get(), key_->get()), "TS_RESP_CTX_set_signer_key");
  ossl::check(TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()), "TS_RESP_CTX_set_signer_digest");
  // ESS signing-certificate-v2 with SHA-256 (RFC 5816) rather than the SHA-1 v1 attribute.
  ossl::check(TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()), "TS_RESP_CTX_set_ess_cert_id_digest");
  auto policy = ossl::own(OBJ_txt2obj(policyOid_.c_str(), 1), "OBJ_txt2obj");
  ossl::check(TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()), "TS_RESP_CTX_set_def_policy");
  if (chain_.size() > 1) {
    auto others = newX509Stack({chain_.begin() + 1, chain_.end()});
    ossl::check(TS_RESP_CTX_set_certs(ctx.get(), others.get()), "TS_RESP_CTX_set_certs");  // copies
  }
  for (const EVP_MD* md : {EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
    ossl::check(TS_RESP_CTX_add_md(ctx.get(), md), "TS_RESP_CTX_add_md");
  }
  ossl::check(TS_RESP_CTX_set_accuracy(ctx.get(), 1, 0, 0), "TS_RESP_CTX_set_accuracy");
  TS_RESP_CTX_set_serial_cb(ctx.get(), serialCallback, nullptr);
  TS_RESP_CTX_set_time_cb(ctx.get(), timeCallback, const_cast<Clock*>(&clock_));

  auto in = ossl::own(BIO_new_mem_buf(requestDer.data(), checkedCast<int>(requestDer.size())), "BIO_new_mem_buf");
  // Malformed requests come back as a rejection response, not as a null.
  auto response = ossl::own(TS_RESP_create_response(ctx.get(), in.get()), "TS_RESP_create_response");
  ossl::clearErrors();
  return encode(response.get(), i2d_TS_RESP, "i2d_TS_RESP");
}

TimeStampTransport inProcessTransport(std::shared_ptr<const TimeStampAuthority> authority) {
  return [authority](const Bytes& request) { return authority->respond(request); };
}

TimeStampTransport httpTransport(std::string url, std::chrono::milliseconds timeout) {
  return [url, timeout](const Bytes& request) {
    HttpRequestSpec spec;
    spec.method = "POST";
    spec.url = url;
    spec.contentType = "application/timestamp-query";
    spec.body.assign(request.begin(), request.end());
    spec.timeout = timeout;
    spec.maxResponseBytes = 1u << 20;
    const HttpResult result = httpExchange(spec, "tsa_unavailable", "the time-stamping authority");
    if (result.status != 200) {
      throw UnavailableError("tsa_unavailable", "the time-stamping authority refused the request",
                             "time-stamping authority answered HTTP " + std::to_string(result.status));
    }
    return toBytes(result.body);
  };
}

TimeStampClient::TimeStampClient(TimeStampTransport transport, std::vector<Certificate> trustAnchors,
                                 const Clock& clock, std::chrono::seconds maxClockSkew, std::size_t maxTokenSize)
    : transport_(std::move(transport)),
      trustAnchors_(std::move(trustAnchors)),
      clock_(clock),
      maxClockSkew_(maxClockSkew),
      maxTokenSize_(maxTokenSize) {}

Bytes TimeStampClient::timeStamp(DigestAlgorithm algorithm, ByteView digest) {
  if (digest.size() != digestSize(algorithm)) throw InternalError("time-stamp digest has the wrong length");

  auto request = ossl::own(TS_REQ_new(), "TS_REQ_new");
  ossl::check(TS_REQ_set_version(request.get(), 1), "TS_REQ_set_version");
  auto imprint = ossl::own(TS_MSG_IMPRINT_new(), "TS_MSG_IMPRINT_new");
  auto algor = ossl::own(X509_ALGOR_new(), "X509_ALGOR_new");
  X509_ALGOR_set_md(algor.get(), evpMd(algorithm));
  ossl::check(TS_MSG_IMPRINT_set_algo(imprint.get(), algor.get()), "TS_MSG_IMPRINT_set_algo");  // copies
  ossl::check(
      TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(digest.data()), checkedCast<int>(digest.size())),
      "TS_MSG_IMPRINT_set_msg");
  ossl::check(TS_REQ_set_msg_imprint(request.get(), imprint.get()), "TS_REQ_set_msg_imprint");  // copies
  auto nonce = randomInteger(8);
  ossl::check(TS_REQ_set_nonce(request.get(), nonce.get()), "TS_REQ_set_nonce");  // copies
  ossl::check(TS_REQ_set_cert_req(request.get(), 1), "TS_REQ_set_cert_req");
  const Bytes requestDer = encode(request.get(), i2d_TS_REQ, "i2d_TS_REQ");

  const Bytes responseDer = transport_(requestDer);

  const unsigned char* p = responseDer.data();
  ossl::Ptr<TS_RESP> response(d2i_TS_RESP(nullptr, &p, checkedCast<long>(responseDer.size())));
  if (!response) {
    throw UnavailableError("tsa_invalid_response", "the time-stamping authority sent an unusable answer",
                           ossl::drainErrors("time-stamping authority sent no TimeStampResp"));
  }
  const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(response.get())));
  if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS) {
    throw UnavailableError("tsa_refused", "the time-stamping authority refused the request",
                           "PKIStatus " + std::to_string(status));
  }

  // Check imprint, nonce, version, signature and the TSA's certificate path (with its critical
  // timeStamping EKU) before the token goes anywhere near a document.
  auto verify = ossl::own(TS_REQ_to_TS_VERIFY_CTX(request.get(), nullptr), "TS_REQ_to_TS_VERIFY_CTX");
  TS_VERIFY_CTX_add_flags(verify.get(), TS_VFY_SIGNATURE);
  TS_VERIFY_CTX_set_store(verify.get(), newX509Store(trustAnchors_).release());  // the context owns the store
  if (TS_RESP_verify_response(verify.get(), response.get()) != 1) {
    throw UnavailableError("tsa_invalid_response", "the time-stamping authority sent an unusable answer",
                           ossl::drainErrors("time-stamp response does not verify"));
  }
  const TS_TST_INFO* info = TS_RESP_get_tst_info(response.get());
  const TimePoint tokenTime = fromAsn1Time(TS_TST_INFO_get_time(info));
  const auto skew = tokenTime > clock_.now() ? tokenTime - clock_.now() : clock_.now() - tokenTime;
  if (skew > maxClockSkew_) {
    throw UnavailableError("tsa_clock_skew", "the time-stamping authority's clock disagrees with ours",
                           "time-stamp time " + formatIso8601Utc(tokenTime) + " is too far from the local clock");
  }

  Bytes token = encode(TS_RESP_get_token(response.get()), i2d_PKCS7, "i2d_PKCS7");
  if (token.size() > maxTokenSize_) {
    throw UnavailableError("tsa_token_too_large", "the time-stamp token is larger than the space reserved for it",
                           std::to_string(token.size()) + " bytes, " + std::to_string(maxTokenSize_) + " reserved");
  }
  return token;
}

TimeStampInfo parseTimeStampToken(ByteView tokenDer) {
  const unsigned char* p = tokenDer.data();
  ossl::Ptr<PKCS7> token(d2i_PKCS7(nullptr, &p, checkedCast<long>(tokenDer.size())));
  if (!token) throw InputError("invalid_timestamp", ossl::drainErrors("not a time-stamp token"));
  return parseTimeStampToken(token.get());
}

TimeStampInfo parseTimeStampToken(PKCS7* token) {
  ossl::Ptr<TS_TST_INFO> info(PKCS7_to_TS_TST_INFO(token));
  if (!info) throw InputError("invalid_timestamp", ossl::drainErrors("time-stamp token has no TSTInfo"));

  TimeStampInfo out;
  out.time = fromAsn1Time(TS_TST_INFO_get_time(info.get()));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  out.digestAlgorithm = digestFromNid(OBJ_obj2nid(algorithm));
  const ASN1_OCTET_STRING* message = TS_MSG_IMPRINT_get_msg(imprint);
  out.messageImprint.assign(ASN1_STRING_get0_data(message),
                            ASN1_STRING_get0_data(message) + ASN1_STRING_length(message));
  out.policyOid = objectText(TS_TST_INFO_get_policy_id(info.get()));
  auto bn = ossl::own(ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(info.get()), nullptr), "ASN1_INTEGER_to_BN");
  ossl::CString hex(ossl::check(BN_bn2hex(bn.get()), "BN_bn2hex"));
  out.serialHex = hex.get();
  STACK_OF(X509)* certs = PKCS7_get0_signers(token, nullptr, 0);
  if (certs != nullptr) {
    if (sk_X509_num(certs) > 0) {
      X509* signer = sk_X509_value(certs, 0);
      ossl::check(X509_up_ref(signer), "X509_up_ref");
      out.tsaSubject = Certificate(signer).subject();
    }
    sk_X509_free(certs);  // the signers are borrowed from the token
  }
  ossl::clearErrors();
  return out;
}

}  // namespace kyso::pki
