// The signed XML of a notice (form 04/SS-CTĐT) and of the daily summary (form 01/TH-BLĐT), in
// the same pattern as the receipt (names in xml_names.h, described by docs/receipt.xsd):
//
//   <TBSSot><DLTBao Id="nt_…"> MSo, Ten, PBan, NTBao, NThu{Ten, MST},
//            DSBLai{BLai{MBLai, KHMSBLai, KHBLai, SBLai, NLap, LDo, DSDChinh{DChinh{TTruong, GTCu, GTMoi}+}}}
//   </DLTBao><DSCKS><NBan><Signature Id="NBan">…</TBSSot>
//
//   <BTHDLieu><DLBTHop Id="bt_…"> TTChung{PBan, MSo, Ten, KDLieu, NDLieu, NLap, NThu{Ten, MST}},
//            NDBTHop{DSDLieu{DLieu{STT, KHMSBLai, KHBLai, SBLai, NLap, TKhoan, STien, TGia, TThai,
//            [TTBLLQuan{…}]}*}, SLuong, TgTien}
//   </DLBTHop><DSCKS><NBan><Signature Id="NBan">…</BTHDLieu>
#pragma once

#include <string>

#include "kyso/pki/signing_key.h"
#include "kyso/receipts/reports.h"

namespace kyso::receipts::detail {

// Signed by `credential` at notice.issuedAt.
std::string buildNoticeXml(const Notice& notice, const pki::SigningCredential& credential);

// Signed by `credential` at `signedAt`; the data element's Id is `id`.
std::string buildSummaryXml(const DailySummary& summary, const std::string& id, pki::TimePoint signedAt,
                            const pki::SigningCredential& credential);

}  // namespace kyso::receipts::detail
