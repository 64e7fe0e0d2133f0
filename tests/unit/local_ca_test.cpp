// The local CA (pki/include/kyso/pki/local_ca.h) and its OCSP responder, over the development PKI's
// issuing CA with the register kept in a fresh SQLite store. The same behaviour seen by the real
// openssl tools over HTTP is in tests/interop/ocsp_crl_test.cpp.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "kyso/error.h"
#include "kyso/pki/asn1_time.h"
#include "kyso/pki/local_ca.h"
#include "kyso/pki/ocsp_responder.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/trust_store.h"
#include "kyso/store/store.h"
#include "test_support.h"

namespace kyso::pki {
namespace {

using std::chrono::hours;

Bytes derOf(X509_REQ* request) {
  unsigned char* out = nullptr;
  const int size = i2d_X509_REQ(request, &out);
  ossl::check(size, "i2d_X509_REQ");
  ossl::Buffer owned(out);
  return Bytes(out, out + size);
}

// A PKCS#10 request for `key`'s public half, signed by `signer` (the same key unless a test wants
// a request whose signature does not verify), with `commonName` as its (ignored) subject.
Bytes csr(EVP_PKEY* key, EVP_PKEY* signer = nullptr, const std::string& commonName = "Ignored Name") {
  auto request = ossl::own(X509_REQ_new(), "X509_REQ_new");
  ossl::check(X509_REQ_set_version(request.get(), 0), "X509_REQ_set_version");
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  ossl::check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0),
              "X509_NAME_add_entry_by_txt");
  ossl::check(X509_REQ_set_pubkey(request.get(), key), "X509_REQ_set_pubkey");
  ossl::check(X509_REQ_sign(request.get(), signer != nullptr ? signer : key, EVP_sha256()), "X509_REQ_sign");
  return derOf(request.get());
}

std::string extensionText(const Certificate& cert, int nid) {
  const int index = X509_get_ext_by_NID(cert.get(), nid, -1);
  if (index < 0) return {};
  X509_EXTENSION* ext = X509_get_ext(cert.get(), index);
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  X509V3_EXT_print(bio.get(), ext, 0, 0);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return (X509_EXTENSION_get_critical(ext) ? "critical:" : "") + std::string(data, static_cast<std::size_t>(n));
}

CertificateSubject citizen() {
  return {"Nguyễn Văn An", {"CCCD:001085012345"}, "Tỉnh Tuyên Quang", ""};
}

template <typename Fn>
std::string errorCodeOf(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return "(no error)";
}

// --- OCSP requests and answers as a client makes and reads them ---------------------------------

ossl::Ptr<OCSP_CERTID> certId(const Certificate& cert, const Certificate& issuer, const EVP_MD* md = EVP_sha1()) {
  return ossl::own(OCSP_cert_to_id(md, cert.get(), issuer.get()), "OCSP_cert_to_id");
}

ossl::Ptr<OCSP_CERTID> certIdForSerial(const Certificate& issuer, long serial) {
  auto number = ossl::own(ASN1_INTEGER_new(), "ASN1_INTEGER_new");
  ossl::check(ASN1_INTEGER_set(number.get(), serial), "ASN1_INTEGER_set");
  return ossl::own(OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuer.get()),
                                    X509_get0_pubkey_bitstr(issuer.get()), number.get()),
                   "OCSP_cert_id_new");
}

ossl::Ptr<OCSP_REQUEST> ocspRequest(const std::vector<const OCSP_CERTID*>& ids, int nonceLength = 16) {
  auto request = ossl::own(OCSP_REQUEST_new(), "OCSP_REQUEST_new");
  for (const OCSP_CERTID* id : ids) {
    ossl::Ptr<OCSP_CERTID> copy(ossl::check(OCSP_CERTID_dup(id), "OCSP_CERTID_dup"));
    ossl::check(OCSP_request_add0_id(request.get(), copy.get()) != nullptr ? 1 : 0, "OCSP_request_add0_id");
    copy.release();  // the request owns it now
  }
  if (nonceLength > 0) ossl::check(OCSP_request_add1_nonce(request.get(), nullptr, nonceLength), "nonce");
  return request;
}

Bytes derOf(OCSP_REQUEST* request) {
  unsigned char* out = nullptr;
  const int size = i2d_OCSP_REQUEST(request, &out);
  ossl::check(size, "i2d_OCSP_REQUEST");
  ossl::Buffer owned(out);
  return Bytes(out, out + size);
}

struct OcspAnswer {
  int status = -1;
  ossl::Ptr<OCSP_BASICRESP> basic;
};

OcspAnswer parse(const Bytes& der) {
  const unsigned char* p = der.data();
  ossl::Ptr<OCSP_RESPONSE> response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_TRUE(response);
  if (!response) return {};
  OcspAnswer answer;
  answer.status = OCSP_response_status(response.get());
  answer.basic.reset(OCSP_response_get1_basic(response.get()));
  ossl::clearErrors();
  return answer;
}

struct SingleStatus {
  int status = -1;
  int reason = -2;
  std::optional<TimePoint> revokedAt;
  TimePoint thisUpdate;
  std::optional<TimePoint> nextUpdate;
};

SingleStatus find(OCSP_BASICRESP* basic, OCSP_CERTID* id) {
  SingleStatus s;
  ASN1_GENERALIZEDTIME *revoked = nullptr, *thisUpdate = nullptr, *nextUpdate = nullptr;
  if (OCSP_resp_find_status(basic, id, &s.status, &s.reason, &revoked, &thisUpdate, &nextUpdate) != 1) return {};
  if (revoked != nullptr) s.revokedAt = fromAsn1Time(revoked);
  s.thisUpdate = fromAsn1Time(thisUpdate);
  if (nextUpdate != nullptr) s.nextUpdate = fromAsn1Time(nextUpdate);
  return s;
}

class LocalCa : public ::testing::Test {
 protected:
  static LocalCaOptions options() {
    LocalCaOptions o;
    o.crlUrl = "http://kyso.example.gov.vn/pki/crl";
    o.ocspUrl = "http://kyso.example.gov.vn/pki/ocsp";
    o.caIssuersUrl = "http://kyso.example.gov.vn/pki/ca/issuing.crt";
    return o;
  }

  test::TempDir dir;
  std::unique_ptr<store::Store> db = store::openSqliteStore(dir / "kyso.db");
  std::unique_ptr<CertificateRegister> index = store::certificateRegister(db->certificates());
  const DevPki& pki = test::devPki();
  FixedClock clock{std::chrono::floor<std::chrono::seconds>(SystemClock::instance().now())};
  LocalCertificateAuthority ca{pki.issuingCa(), [this] { return pki.issuingCaKey(); }, *index, clock, options()};
  OcspResponder responder{
      ca, {pki.ocspResponder().certificate(), pki.issuingCa()}, [this] { return pki.ocspKey(); }, clock};

  Certificate issueFresh(KeyAlgorithm algorithm = KeyAlgorithm::Rsa) {
    const auto key = SoftwareKey::generate(algorithm);
    return ca.issue(CertificateRequest::parse(csr(key->get())), citizen());
  }

  bool chainsToRoot(const Certificate& leaf) const {
    auto store = newX509Store({pki.rootCa()});
    auto untrusted = newX509Stack({pki.issuingCa()});
    auto ctx = ossl::own(X509_STORE_CTX_new(), "X509_STORE_CTX_new");
    ossl::check(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()), "X509_STORE_CTX_init");
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SMIME_SIGN);
    const bool ok = X509_verify_cert(ctx.get()) == 1;
    ossl::clearErrors();
    return ok;
  }

  // Whether the response's signature and responder chain verify against the dev root, as a relying
  // party checks them (RFC 6960 §3.2: a responder the CA delegated, with OCSPSigning).
  bool verifies(OCSP_BASICRESP* basic) const {
    auto store = newX509Store({pki.rootCa()});
    const bool ok = OCSP_basic_verify(basic, nullptr, store.get(), 0) == 1;
    ossl::clearErrors();
    return ok;
  }
};

TEST_F(LocalCa, Issue_FromACsr_CarriesTheVietnameseSubjectAndTheCaProfile) {
  const auto key = SoftwareKey::generate(KeyAlgorithm::Rsa);
  const Certificate cert = ca.issue(CertificateRequest::parse(csr(key->get())), citizen());

  EXPECT_EQ(cert.subjectAttribute("C"), "VN");
  EXPECT_EQ(cert.subjectAttribute("ST"), "Tỉnh Tuyên Quang");
  EXPECT_EQ(cert.commonName(), "Nguyễn Văn An");
  EXPECT_EQ(cert.subjectAttribute("UID"), "CCCD:001085012345");
  EXPECT_FALSE(cert.subjectAttribute("O").has_value());
  const X509_NAME* name = X509_get_subject_name(cert.get());
  const auto typeOf = [&](int nid) {
    return ASN1_STRING_type(
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, X509_NAME_get_index_by_NID(name, nid, -1))));
  };
  EXPECT_EQ(typeOf(NID_countryName), V_ASN1_PRINTABLESTRING);
  EXPECT_EQ(typeOf(NID_commonName), V_ASN1_UTF8STRING);

  EXPECT_EQ(extensionText(cert, NID_key_usage), "critical:Digital Signature, Non Repudiation");
  const std::string eku = extensionText(cert, NID_ext_key_usage);
  EXPECT_NE(eku.find("TLS Web Client Authentication"), std::string::npos) << eku;
  EXPECT_NE(eku.find("E-mail Protection"), std::string::npos) << eku;
  EXPECT_NE(extensionText(cert, NID_crl_distribution_points).find("URI:http://kyso.example.gov.vn/pki/crl"),
            std::string::npos);
  const std::string aia = extensionText(cert, NID_info_access);
  EXPECT_NE(aia.find("OCSP - URI:http://kyso.example.gov.vn/pki/ocsp"), std::string::npos) << aia;
  EXPECT_NE(aia.find("CA Issuers - URI:http://kyso.example.gov.vn/pki/ca/issuing.crt"), std::string::npos) << aia;
  EXPECT_FALSE(cert.isCa());

  EXPECT_EQ(EVP_PKEY_eq(cert.publicKey(), key->get()), 1);
  EXPECT_EQ(cert.serialHex().size(), 32u);  // 16 bytes
  EXPECT_EQ(cert.notBefore(), clock.now());
  EXPECT_EQ(cert.notAfter(), clock.now() + hours(24 * 365));
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_sha256WithRSAEncryption);
  EXPECT_TRUE(chainsToRoot(cert));

  const auto status = ca.status(cert.serialHex());
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->revoked);
  EXPECT_EQ(db->certificates().find(ca.keyId(), cert.serialHex())->der, cert.der());
}

TEST_F(LocalCa, Issue_SubjectComesFromTheCallerNotTheRequest) {
  const auto key = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
  CertificateSubject employee{
      "Trần Thị Bình", {"CCCD:079190001234", "MST:0101234565-001"}, "Thành phố Hồ Chí Minh", "Công ty TNHH Mẫu"};
  const Certificate cert = ca.issue(CertificateRequest::parse(csr(key->get(), nullptr, "Somebody Else")), employee);
  EXPECT_EQ(cert.commonName(), "Trần Thị Bình");
  EXPECT_EQ(cert.subjectAttribute("O"), "Công ty TNHH Mẫu");
  const X509_NAME* name = X509_get_subject_name(cert.get());
  std::vector<std::string> uids;
  for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_userId, i)) >= 0;) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    uids.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                      static_cast<std::size_t>(ASN1_STRING_length(value)));
  }
  EXPECT_EQ(uids, (std::vector<std::string>{"CCCD:079190001234", "MST:0101234565-001"}));
  EXPECT_TRUE(chainsToRoot(cert));
}

TEST_F(LocalCa, CertificateRequest_BadOrWeakRequests_AreRefusedWithTheirCode) {
  const auto rsa = SoftwareKey::generate(KeyAlgorithm::Rsa);
  const auto other = SoftwareKey::generate(KeyAlgorithm::Rsa);
  const Bytes good = csr(rsa->get());
  EXPECT_EQ(errorCodeOf([] { CertificateRequest::parse(asBytes("not a request")); }), "invalid_csr");
  EXPECT_EQ(errorCodeOf([] { CertificateRequest::parse({}); }), "invalid_csr");
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(errorCodeOf([&] { CertificateRequest::parse(trailing); }), "invalid_csr");
  EXPECT_EQ(errorCodeOf([&] { CertificateRequest::parse(csr(rsa->get(), other->get())); }), "csr_signature_invalid");
  const auto weak = SoftwareKey::generate(KeyAlgorithm::Rsa, 1024);
  EXPECT_EQ(errorCodeOf([&] { CertificateRequest::parse(csr(weak->get())); }), "csr_key_unsupported");
  ossl::Ptr<EVP_PKEY> p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_TRUE(p384);
  EXPECT_EQ(errorCodeOf([&] { CertificateRequest::parse(csr(p384.get())); }), "csr_key_unsupported");

  // PEM is accepted as well as DER.
  auto bio = ossl::own(BIO_new(BIO_s_mem()), "BIO_new");
  const unsigned char* p = good.data();
  ossl::Ptr<X509_REQ> request(d2i_X509_REQ(nullptr, &p, static_cast<long>(good.size())));
  ASSERT_TRUE(request);
  ASSERT_EQ(PEM_write_bio_X509_REQ(bio.get(), request.get()), 1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  const auto fromPem = CertificateRequest::parse(asBytes(std::string_view(data, static_cast<std::size_t>(n))));
  EXPECT_EQ(EVP_PKEY_eq(fromPem.publicKey(), rsa->get()), 1);
}

TEST_F(LocalCa, Subject_FormIsChecked) {
  const auto bad = [](CertificateSubject s) { return errorCodeOf([&] { vietnameseSubjectName(s); }); };
  CertificateSubject s = citizen();
  EXPECT_EQ(vietnameseSubjectName(s).size(), 4u);
  s.uids = {};
  EXPECT_EQ(bad(s), "invalid_subject");
  for (const char* uid : {"CCCD:00108501234", "CCCD:0010850123456", "CCCD:00108501234x", "MST:010123456",
                          "MST:0101234565-01", "MST:0101234565_001", "CMND:012345678", "cccd:001085012345"}) {
    s = citizen();
    s.uids = {uid};
    EXPECT_EQ(bad(s), "invalid_subject") << uid;
  }
  s = citizen();
  s.commonName = "";
  EXPECT_EQ(bad(s), "invalid_subject");
  s.commonName = std::string(65, 'a');
  EXPECT_EQ(bad(s), "invalid_subject");
  s.commonName = std::string(64, 'a');
  EXPECT_EQ(bad(s), "(no error)");
  s.commonName = "Nguy\xe1\xbb";  // cut off in the middle of "ễ"
  EXPECT_EQ(bad(s), "invalid_subject");
  s.commonName = "Nguyễn\nVăn An";
  EXPECT_EQ(bad(s), "invalid_subject");
  s = citizen();
  s.province = "";
  EXPECT_EQ(bad(s), "invalid_subject");
}

TEST_F(LocalCa, Issue_NeverOutlivesTheCa) {
  LocalCaOptions longLived = options();
  longLived.certificateLifetime = hours(24 * 365 * 100);
  LocalCertificateAuthority generous(
      pki.issuingCa(), [this] { return pki.issuingCaKey(); }, *index, clock, longLived);
  const auto key = SoftwareKey::generate(KeyAlgorithm::Ecdsa);
  const Certificate cert = generous.issue(CertificateRequest::parse(csr(key->get())), citizen());
  EXPECT_EQ(cert.notAfter(), pki.issuingCa().notAfter());
}

TEST_F(LocalCa, Record_FilesOnlyCertificatesOfThisCa) {
  EXPECT_TRUE(ca.record(pki.seal().certificate()));
  EXPECT_FALSE(ca.record(pki.seal().certificate()));
  EXPECT_EQ(errorCodeOf([&] { ca.record(pki.issuingCa()); }), "not_issued_here");
  EXPECT_EQ(errorCodeOf([&] { ca.record(test::devPki(KeyAlgorithm::Ecdsa).seal().certificate()); }), "not_issued_here");
}

TEST_F(LocalCa, Revoke_IsFinalAndIdempotent) {
  const Certificate cert = issueFresh();
  EXPECT_EQ(errorCodeOf([&] { ca.revoke(cert.serialHex(), RevocationReason::CertificateHold); }),
            "invalid_revocation_reason");
  EXPECT_EQ(errorCodeOf([&] { ca.revoke("not hex", RevocationReason::KeyCompromise); }), "invalid_serial");
  EXPECT_EQ(errorCodeOf([&] { ca.revoke("0123", RevocationReason::KeyCompromise); }), "certificate_not_found");
  // Lower case and leading zeros name the same serial.
  std::string lower = "00" + cert.serialHex();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(ca.revoke(lower, RevocationReason::KeyCompromise));
  clock.set(clock.now() + hours(1));
  EXPECT_FALSE(ca.revoke(cert.serialHex(), RevocationReason::Superseded));
  const auto status = ca.status(cert.serialHex());
  EXPECT_TRUE(status->revoked);
  EXPECT_EQ(status->reason, RevocationReason::KeyCompromise);
  EXPECT_EQ(status->revokedAt, clock.now() - hours(1));
}

TEST_F(LocalCa, Crl_IsReusedUntilARevocationOrTheRefreshInterval) {
  const Certificate cert = issueFresh();
  const SignedCrl first = ca.currentCrl();
  EXPECT_EQ(first.number, 1u);
  EXPECT_EQ(first.revokedCount, 0u);
  EXPECT_EQ(first.nextUpdate - first.thisUpdate, hours(24));
  clock.set(clock.now() + std::chrono::minutes(30));
  const SignedCrl again = ca.currentCrl();
  EXPECT_EQ(again.number, 1u);
  EXPECT_EQ(again.der, first.der);

  ca.revoke(cert.serialHex(), RevocationReason::KeyCompromise);
  const SignedCrl revoked = ca.currentCrl();
  EXPECT_EQ(revoked.number, 2u);
  EXPECT_EQ(revoked.revokedCount, 1u);
  const unsigned char* p = revoked.der.data();
  ossl::Ptr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(revoked.der.size())));
  ASSERT_TRUE(crl);
  EXPECT_EQ(X509_CRL_verify(crl.get(), pki.issuingCa().publicKey()), 1);
  X509_REVOKED* entry = nullptr;
  ASSERT_EQ(X509_CRL_get0_by_serial(crl.get(), &entry, X509_get0_serialNumber(cert.get())), 1);
  ossl::Ptr<ASN1_STRING> reason(
      static_cast<ASN1_STRING*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
  ASSERT_TRUE(reason);
  EXPECT_EQ(ASN1_ENUMERATED_get(reason.get()), 1);  // keyCompromise
  EXPECT_EQ(fromAsn1Time(X509_REVOKED_get0_revocationDate(entry)), clock.now());

  clock.set(clock.now() + hours(1));  // the refresh interval
  EXPECT_EQ(ca.currentCrl().number, 3u);
  // A CA that restarts (a new object over the same register) goes on counting.
  LocalCertificateAuthority restarted(
      pki.issuingCa(), [this] { return pki.issuingCaKey(); }, *index, clock, options());
  EXPECT_EQ(restarted.currentCrl().number, 4u);
}

TEST_F(LocalCa, Ocsp_GoodCertificate_IsSignedByTheResponderAndEchoesTheNonce) {
  const Certificate cert = issueFresh();
  auto id = certId(cert, pki.issuingCa());
  auto request = ocspRequest({id.get()});
  const OcspAnswer answer = parse(responder.respond(derOf(request.get())));
  ASSERT_EQ(answer.status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  ASSERT_TRUE(answer.basic);
  EXPECT_TRUE(verifies(answer.basic.get()));
  EXPECT_EQ(OCSP_check_nonce(request.get(), answer.basic.get()), 1);
  const SingleStatus s = find(answer.basic.get(), id.get());
  EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(s.thisUpdate, clock.now());
  EXPECT_EQ(s.nextUpdate, clock.now() + hours(1));
  // ResponderID byKey (RFC 6960 §4.2.2.3), and the responder's certificate and its CA included.
  const ASN1_OCTET_STRING* keyHash = nullptr;
  const X509_NAME* byName = nullptr;
  ASSERT_EQ(OCSP_resp_get0_id(answer.basic.get(), &keyHash, &byName), 1);
  EXPECT_NE(keyHash, nullptr);
  EXPECT_EQ(byName, nullptr);
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(answer.basic.get());
  ASSERT_EQ(sk_X509_num(certs), 2);
  EXPECT_EQ(X509_cmp(sk_X509_value(certs, 0), pki.ocspResponder().certificate().get()), 0);
  EXPECT_EQ(X509_cmp(sk_X509_value(certs, 1), pki.issuingCa().get()), 0);
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, OCSP_resp_get0_tbs_sigalg(answer.basic.get()));
  EXPECT_EQ(OBJ_obj2nid(algorithm), NID_sha256WithRSAEncryption);

  // Without a nonce the answer has none.
  auto plain = ocspRequest({id.get()}, 0);
  const OcspAnswer noNonce = parse(responder.respond(derOf(plain.get())));
  ASSERT_EQ(noNonce.status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_EQ(OCSP_check_nonce(plain.get(), noNonce.basic.get()), 2);  // absent in both
}

TEST_F(LocalCa, Ocsp_RevokedCertificate_GivesTimeAndReason) {
  const Certificate cert = issueFresh(KeyAlgorithm::Ecdsa);
  const TimePoint revokedAt = clock.now();
  ca.revoke(cert.serialHex(), RevocationReason::KeyCompromise);
  const Certificate superseded = issueFresh();
  ca.revoke(superseded.serialHex(), RevocationReason::Unspecified);
  clock.set(clock.now() + std::chrono::minutes(10));

  auto id = certId(cert, pki.issuingCa(), EVP_sha256());  // SHA-256 CertIDs match too
  auto other = certId(superseded, pki.issuingCa());
  auto request = ocspRequest({id.get(), other.get()});
  const OcspAnswer answer = parse(responder.respond(derOf(request.get())));
  ASSERT_EQ(answer.status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_TRUE(verifies(answer.basic.get()));
  const SingleStatus s = find(answer.basic.get(), id.get());
  EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(s.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
  EXPECT_EQ(s.revokedAt, revokedAt);
  EXPECT_EQ(s.thisUpdate, clock.now());
  const SingleStatus unspecified = find(answer.basic.get(), other.get());
  EXPECT_EQ(unspecified.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(unspecified.reason, OCSP_REVOKED_STATUS_NOSTATUS);  // left out, as in the CRL
}

// RFC 5019 §2.2: an answer to a request without a nonce is reused, but only while the register
// says the same and the clock is within its thisUpdate..nextUpdate; the register is read each time,
// so a revocation made through another connection to the database (another kyso process) is in
// the very next answer.
TEST_F(LocalCa, Ocsp_AnswerWithoutNonce_IsReusedOnlyWhileTheRegisterAndTheClockAgree) {
  const Certificate cert = issueFresh();
  auto id = certId(cert, pki.issuingCa());
  auto plain = ocspRequest({id.get()}, 0);
  const TimePoint first = clock.now();
  const Bytes answer = responder.respond(derOf(plain.get()));
  EXPECT_EQ(find(parse(answer).basic.get(), id.get()).thisUpdate, first);

  clock.set(first + std::chrono::minutes(10));
  EXPECT_EQ(responder.respond(derOf(plain.get())), answer);  // the same signed answer
  // An answer to a nonce is made for its request.
  auto withNonce = ocspRequest({id.get()});
  const OcspAnswer fresh = parse(responder.respond(derOf(withNonce.get())));
  EXPECT_EQ(OCSP_check_nonce(withNonce.get(), fresh.basic.get()), 1);
  EXPECT_EQ(find(fresh.basic.get(), id.get()).thisUpdate, clock.now());

  // Revoked through a second connection to the same database, as another process would.
  auto otherDb = store::openSqliteStore(dir / "kyso.db");
  auto otherIndex = store::certificateRegister(otherDb->certificates());
  LocalCertificateAuthority other{pki.issuingCa(), [this] { return pki.issuingCaKey(); }, *otherIndex, clock,
                                  options()};
  ASSERT_TRUE(other.revoke(cert.serialHex(), RevocationReason::KeyCompromise));
  const OcspAnswer revoked = parse(responder.respond(derOf(plain.get())));
  const SingleStatus s = find(revoked.basic.get(), id.get());
  EXPECT_EQ(s.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(s.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
  EXPECT_EQ(s.thisUpdate, clock.now());
  EXPECT_TRUE(verifies(revoked.basic.get()));

  // That answer is reused in turn until its nextUpdate (one hour), then a new one is signed.
  clock.set(clock.now() + std::chrono::minutes(59));
  EXPECT_EQ(find(parse(responder.respond(derOf(plain.get()))).basic.get(), id.get()).thisUpdate, s.thisUpdate);
  clock.set(clock.now() + std::chrono::minutes(1));
  EXPECT_EQ(find(parse(responder.respond(derOf(plain.get()))).basic.get(), id.get()).thisUpdate, clock.now());
}

TEST_F(LocalCa, Ocsp_UnknownSerialAndForeignIssuer_AreUnknownOrUnauthorized) {
  auto unknown = certIdForSerial(pki.issuingCa(), 12345);
  auto foreign = certId(pki.issuingCa(), pki.rootCa());  // the root's certificate: not this responder's
  auto mixed = ocspRequest({unknown.get(), foreign.get()});
  const OcspAnswer answer = parse(responder.respond(derOf(mixed.get())));
  ASSERT_EQ(answer.status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_EQ(find(answer.basic.get(), unknown.get()).status, V_OCSP_CERTSTATUS_UNKNOWN);
  EXPECT_EQ(find(answer.basic.get(), foreign.get()).status, V_OCSP_CERTSTATUS_UNKNOWN);

  auto onlyForeign = ocspRequest({foreign.get()});
  EXPECT_EQ(parse(responder.respond(derOf(onlyForeign.get()))).status, OCSP_RESPONSE_STATUS_UNAUTHORIZED);
}

TEST_F(LocalCa, Ocsp_MalformedRequests_GetMalformedRequestNotAnException) {
  const Certificate cert = issueFresh();
  auto id = certId(cert, pki.issuingCa());
  const auto statusOf = [&](const Bytes& der) { return parse(responder.respond(der)).status; };
  EXPECT_EQ(statusOf({}), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  EXPECT_EQ(statusOf(toBytes("GET / HTTP/1.1\r\n\r\n")), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  auto request = ocspRequest({id.get()});
  Bytes trailing = derOf(request.get());
  trailing.push_back(0);
  EXPECT_EQ(statusOf(trailing), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  Bytes cut = derOf(request.get());
  cut.resize(cut.size() / 2);
  EXPECT_EQ(statusOf(cut), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  auto empty = ocspRequest({});
  EXPECT_EQ(statusOf(derOf(empty.get())), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  // RFC 8954 §2.1: nonces of 1 to 32 octets.
  auto longest = ocspRequest({id.get()}, 32);
  EXPECT_EQ(statusOf(derOf(longest.get())), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  auto tooLong = ocspRequest({id.get()}, 33);
  EXPECT_EQ(statusOf(derOf(tooLong.get())), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  // At most 32 CertIDs in one request.
  const std::vector<const OCSP_CERTID*> many(33, id.get());
  auto tooMany = ocspRequest(many);
  EXPECT_EQ(statusOf(derOf(tooMany.get())), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  const std::vector<const OCSP_CERTID*> enough(32, id.get());
  auto allowed = ocspRequest(enough);
  EXPECT_EQ(statusOf(derOf(allowed.get())), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_EQ(parse(OcspResponder::malformedRequest()).status, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
}

TEST_F(LocalCa, OcspResponder_NeedsAnOcspSigningCertificateOfTheCa) {
  EXPECT_EQ(errorCodeOf([&] {
              OcspResponder wrong(
                  ca, {pki.tsa().certificate(), pki.issuingCa()}, [this] { return pki.tsaKey(); }, clock);
            }),
            "internal");
  LocalCertificateAuthority root(
      pki.rootCa(), [this] { return pki.rootKey(); }, *index, clock);
  EXPECT_EQ(errorCodeOf([&] {
              OcspResponder notDelegated(
                  root, {pki.ocspResponder().certificate(), pki.issuingCa()}, [this] { return pki.ocspKey(); }, clock);
            }),
            "internal");
}

}  // namespace
}  // namespace kyso::pki
