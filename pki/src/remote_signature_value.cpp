#include <openssl/cms.h>
#include <openssl/x509.h>

#include "kyso/error.h"
#include "kyso/numeric.h"
#include "kyso/pki/ossl.h"
#include "kyso/pki/remote_signer.h"

namespace kyso::pki {

RemoteAnswerForm parseRemoteAnswerForm(std::string_view text, const std::string& setting) {
  if (text == "signature") return RemoteAnswerForm::Signature;
  if (text == "cms") return RemoteAnswerForm::Cms;
  throw InputError("config_invalid", setting + " must be signature or cms, not '" + std::string(text) + "'");
}

Bytes signatureValueFromCms(ByteView cmsDer, const Certificate& credential) {
  const auto invalid = [](const std::string& why) {
    return InputError("partner_signature_invalid", "the partner's CMS answer cannot be used: " + why,
                      ErrorKind::UnprocessableContent);
  };
  const unsigned char* p = cmsDer.data();
  ossl::Ptr<CMS_ContentInfo> cms(d2i_CMS_ContentInfo(nullptr, &p, checkedCast<long>(cmsDer.size())));
  ossl::clearErrors();
  if (!cms || p != cmsDer.data() + cmsDer.size() || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    throw invalid("it is not a DER CMS SignedData");
  }
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());  // borrowed
  if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1) throw invalid("it has not exactly one SignerInfo");
  CMS_SignerInfo* signer = sk_CMS_SignerInfo_value(signers, 0);

  // The signer's certificate, among those the CMS carries, must be the credential's.
  ossl::Ptr<STACK_OF(X509)> certificates(CMS_get1_certs(cms.get()));
  bool found = false;
  for (int i = 0; certificates && i < sk_X509_num(certificates.get()); ++i) {
    X509* candidate = sk_X509_value(certificates.get(), i);
    if (CMS_SignerInfo_cert_cmp(signer, candidate) == 0) {
      if (X509_cmp(candidate, credential.get()) != 0) {
        throw InputError("partner_certificate_mismatch",
                         "the partner's CMS is signed with another certificate than the credential's",
                         ErrorKind::UnprocessableContent);
      }
      found = true;
    }
  }
  ossl::clearErrors();
  if (!found) {
    throw InputError("partner_certificate_mismatch", "the partner's CMS does not carry its signer's certificate",
                     ErrorKind::UnprocessableContent);
  }
  if (CMS_signed_get_attr_count(signer) > 0) {
    throw invalid("its SignerInfo signs the partner's own signed attributes, not the digest kyso sent");
  }
  const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(signer);  // borrowed
  if (value == nullptr || ASN1_STRING_length(value) <= 0) throw invalid("its SignerInfo has no signature value");
  const unsigned char* data = ASN1_STRING_get0_data(value);
  return Bytes(data, data + ASN1_STRING_length(value));
}

}  // namespace kyso::pki
