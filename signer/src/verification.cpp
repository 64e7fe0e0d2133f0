#include "kyso/signer/verification.h"

namespace kyso::signer {

std::string_view indicationName(Indication indication) {
  switch (indication) {
    case Indication::TotalPassed:
      return "TOTAL_PASSED";
    case Indication::TotalFailed:
      return "TOTAL_FAILED";
    case Indication::Indeterminate:
      return "INDETERMINATE";
  }
  return "INDETERMINATE";
}

std::string_view subIndicationName(SubIndication subIndication) {
  switch (subIndication) {
    case SubIndication::None:
      return "";
    case SubIndication::FormatFailure:
      return "FORMAT_FAILURE";
    case SubIndication::HashFailure:
      return "HASH_FAILURE";
    case SubIndication::SigCryptoFailure:
      return "SIG_CRYPTO_FAILURE";
    case SubIndication::Revoked:
      return "REVOKED";
    case SubIndication::Expired:
      return "EXPIRED";
    case SubIndication::NotYetValid:
      return "NOT_YET_VALID";
    case SubIndication::SigConstraintsFailure:
      return "SIG_CONSTRAINTS_FAILURE";
    case SubIndication::ChainConstraintsFailure:
      return "CHAIN_CONSTRAINTS_FAILURE";
    case SubIndication::CertificateChainGeneralFailure:
      return "CERTIFICATE_CHAIN_GENERAL_FAILURE";
    case SubIndication::CryptoConstraintsFailureNoPoe:
      return "CRYPTO_CONSTRAINTS_FAILURE_NO_POE";
    case SubIndication::NoSigningCertificateFound:
      return "NO_SIGNING_CERTIFICATE_FOUND";
    case SubIndication::NoCertificateChainFound:
      return "NO_CERTIFICATE_CHAIN_FOUND";
    case SubIndication::RevokedNoPoe:
      return "REVOKED_NO_POE";
    case SubIndication::RevokedCaNoPoe:
      return "REVOKED_CA_NO_POE";
    case SubIndication::OutOfBoundsNoPoe:
      return "OUT_OF_BOUNDS_NO_POE";
    case SubIndication::OutOfBoundsNotRevoked:
      return "OUT_OF_BOUNDS_NOT_REVOKED";
    case SubIndication::RevocationOutOfBoundsNoPoe:
      return "REVOCATION_OUT_OF_BOUNDS_NO_POE";
    case SubIndication::TryLater:
      return "TRY_LATER";
    case SubIndication::SignedDataNotFound:
      return "SIGNED_DATA_NOT_FOUND";
  }
  return "";
}

std::string_view signatureLevelName(SignatureLevel level) {
  switch (level) {
    case SignatureLevel::None:
      return "none";
    case SignatureLevel::B_B:
      return "B-B";
    case SignatureLevel::B_T:
      return "B-T";
    case SignatureLevel::B_LT:
      return "B-LT";
    case SignatureLevel::B_LTA:
      return "B-LTA";
  }
  return "none";
}

std::string_view revocationStatusName(RevocationStatus status) {
  switch (status) {
    case RevocationStatus::NotChecked:
      return "not_checked";
    case RevocationStatus::Good:
      return "good";
    case RevocationStatus::Revoked:
      return "revoked";
    case RevocationStatus::Unknown:
      return "unknown";
  }
  return "not_checked";
}

void summarize(VerificationReport& report) {
  report.indication = Indication::Indeterminate;
  report.subIndication = SubIndication::None;
  if (report.signatures.empty()) return;
  // The worst indication wins; within it, the first signature's sub-indication.
  for (const Indication worst : {Indication::TotalFailed, Indication::Indeterminate}) {
    for (const SignatureResult& signature : report.signatures) {
      if (signature.indication == worst) {
        report.indication = worst;
        report.subIndication = signature.subIndication;
        return;
      }
    }
  }
  report.indication = Indication::TotalPassed;
}

}  // namespace kyso::signer
