// The e-receipt as signed XML, in the tax authority's e-invoice pattern (names in xml_names.h,
// described by docs/receipt.xsd):
//
//   <BLai>
//     <DLBLai Id="<receipt id>">
//       <TTChung> PBan, THBLai, KHMSBLai, KHBLai, SBLai, NLap, DVTTe, HTTToan, [MGDTToan], [MHSo],
//                 [MTTHC], MTCuu, [DCTCuu], [TTBLLQuan{TCBLai, KHMSBLLQuan, KHBLLQuan,
//                 SBLLQuan, NLBLLQuan, MBLGoc}] </TTChung>
//       <NDBLai> NThu{Ten, MST, [DChi]}, NNop{Ten, [MDDanh], [DChi]},
//                DSKhoan{Khoan{STT, [MKhoan], TKhoan, LKhoan, STien}+}, TToan{TgTien, TgTienBChu} </NDBLai>
//     </DLBLai>
//     <DSCKS><NBan><Signature Id="NBan"> enveloped XMLDSig over DLBLai (kyso/signer/xml_signature.h)
//   </BLai>
//
// Optional elements are left out when the receipt has no value for them. The status and the
// replacing receipt are not in the XML: they change after signing.
#pragma once

#include <string>

#include "kyso/pki/signing_key.h"
#include "kyso/receipts/receipt.h"

namespace kyso::receipts::detail {

// The signed receipt XML (UTF-8, with an XML declaration), signed by `credential` with the signing
// time `receipt.issuedAt` (Decree 254/2026 Art. 24(1): issued when the fee is collected).
// Throws InputError("xml_invalid_text") for text XML cannot carry, the signer's errors
// (certificate_expired...), InternalError for a receipt whose total is not the sum of its items.
std::string buildReceiptXml(const Receipt& receipt, const pki::SigningCredential& credential);

}  // namespace kyso::receipts::detail
