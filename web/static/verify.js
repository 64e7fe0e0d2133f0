// The citizens' verification page: look a receipt up by its code (typed, or from the QR link
// /v/{code} → /verify?code=...), or check a signed PDF/XML file with POST /v1/verify. Vietnamese
// first, English on request (?lang=en). Every text from the server is put in with textContent,
// never as markup (the page's CSP requires Trusted Types for DOM sinks).
(function () {
  'use strict';

  var TEXT = {
    vi: {
      title: 'Xác minh biên lai điện tử và văn bản ký số',
      skip: 'Chuyển đến nội dung chính',
      agency: 'Trung tâm Phục vụ hành chính công',
      heading: 'Xác minh biên lai điện tử và văn bản ký số',
      toggle: 'English',
      intro: 'Kiểm tra một biên lai thu phí, lệ phí bằng mã tra cứu in trên biên lai (hoặc quét mã QR), ' +
        'hoặc kiểm tra chữ ký số của một tệp PDF, XML mà bạn nhận được.',
      lookupHeading: 'Tra cứu bằng mã',
      codeLabel: 'Mã tra cứu in trên biên lai',
      codeHint: 'Gồm 12 chữ và số, ví dụ 1B3A-VS6J-3XT5; không phân biệt chữ hoa, chữ thường.',
      lookupButton: 'Tra cứu',
      codeMissing: 'Hãy nhập mã tra cứu.',
      fileHeading: 'Kiểm tra tệp đã ký',
      fileHint: 'Tệp PDF hoặc XML (bản biên lai, văn bản ký số). Tệp chỉ được dùng để kiểm tra và không được lưu lại.',
      fileLabel: 'Chọn tệp PDF hoặc XML để kiểm tra',
      dropZone: 'Kéo thả tệp vào đây, hoặc nhấn để chọn tệp',
      resultHeading: 'Kết quả',
      footer: 'Kết quả dựa trên sổ biên lai điện tử và chữ ký số theo ETSI EN 319 102-1. Trang này không dùng cookie.',
      busyLookup: 'Đang tra cứu…',
      busyFile: 'Đang kiểm tra tệp {name}…',
      receiptValid: 'Biên lai hợp lệ',
      receiptValidText: 'Biên lai này có trong sổ biên lai điện tử của đơn vị thu và đã được ký số khi lập. ' +
        'Hãy so các thông tin dưới đây với biên lai bạn có.',
      receiptReplaced: 'Biên lai đã bị thay thế',
      receiptReplacedText: 'Biên lai này đã được thay thế và không còn giá trị. Biên lai thay thế: ',
      replacedByLink: 'biên lai số {number} (ký hiệu {symbol})',
      notFound: 'Không tìm thấy biên lai',
      notFoundText: 'Không có biên lai nào với mã tra cứu “{code}”. Hãy kiểm tra lại mã in trên biên lai. ' +
        'Nếu mã đúng mà vẫn không tìm thấy, biên lai có thể không do đơn vị thu phát hành.',
      registerNote: 'Tra cứu bằng mã cho biết nội dung biên lai trong sổ. Để kiểm tra chính tệp biên lai bạn có, ' +
        'hãy chọn tệp ở phần “Kiểm tra tệp đã ký”.',
      receiptHeading: 'Thông tin trên biên lai',
      organization: 'Đơn vị thu',
      taxCode: 'Mã số thuế',
      address: 'Địa chỉ',
      template: 'Mẫu số',
      symbol: 'Ký hiệu',
      number: 'Số biên lai',
      issuedAt: 'Ngày lập và ký số',
      signedBy: 'Ký số bởi',
      payer: 'Người nộp',
      payerId: 'Mã định danh người nộp (đã che)',
      itemName: 'Nội dung thu',
      itemKind: 'Loại',
      itemAmount: 'Số tiền',
      total: 'Tổng cộng',
      totalWords: 'Số tiền bằng chữ',
      paymentMethod: 'Hình thức thanh toán',
      lookupCode: 'Mã tra cứu',
      status: 'Tình trạng',
      statusIssued: 'Hợp lệ',
      statusReplaced: 'Đã bị thay thế',
      kind_phi: 'Phí',
      kind_le_phi: 'Lệ phí',
      method_cash: 'Tiền mặt',
      method_transfer: 'Chuyển khoản',
      method_online: 'Thanh toán trực tuyến',
      currency: 'đồng',
      passed: 'Chữ ký số hợp lệ',
      passedText: 'Tệp “{name}” còn nguyên vẹn từ khi được ký, và chữ ký thuộc về chứng thư số tin cậy, chưa bị thu hồi.',
      failed: 'Chữ ký số không hợp lệ',
      failedText: 'Không nên tin vào nội dung của tệp “{name}”.',
      indeterminate: 'Chưa thể kết luận',
      indeterminateText: 'Chưa xác nhận được chữ ký của tệp “{name}”.',
      noSignature: 'Tệp không có chữ ký số nào.',
      signaturesHeading: 'Chữ ký trong tệp',
      signatureN: 'Chữ ký {n}',
      signer: 'Người ký',
      signingTime: 'Thời điểm ký (do người ký ghi)',
      timestampTime: 'Thời điểm ký (theo dấu thời gian)',
      level: 'Mức chữ ký',
      result: 'Kết quả',
      issuer: 'Tổ chức cấp chứng thư',
      receiptInFile: 'Biên lai trong tệp',
      openInRegister: 'Xem biên lai này trong sổ',
      fileInRegister: 'Tệp là biên lai có trong sổ',
      fileInRegisterText: 'Tệp này đúng là biên lai được ghi trong sổ biên lai điện tử của đơn vị thu. ' +
        'Thông tin dưới đây là của biên lai trong sổ (mã định danh người nộp đã được che).',
      fileReplaced: 'Biên lai trong tệp đã bị thay thế',
      fileReplacedText: 'Tệp này đúng là biên lai được ghi trong sổ, nhưng biên lai đã được thay thế và không còn giá trị.',
      fileReplacedBy: ' Biên lai thay thế: ',
      fileNotInRegister: 'Tệp này không phải là biên lai được ghi trong sổ',
      fileNotInRegisterKnown: 'Sổ biên lai có biên lai ký hiệu {symbol} số {number}, nhưng tệp này khác với biên lai đó.',
      fileNotInRegisterUnknown: 'Sổ biên lai không có biên lai ký hiệu {symbol} số {number}.',
      fileNotReadable: 'Không đọc được biên lai trong tệp.',
      fileNotInRegisterAdvice: ' Đừng dùng tệp này làm bằng chứng đã nộp tiền: hãy tra cứu bằng mã in trên biên lai, ' +
        'hoặc đề nghị đơn vị thu gửi lại tệp biên lai.',
      receiptInFileClaim: 'Tệp tự ghi là biên lai',
      technicalNotes: 'Ghi chú kỹ thuật',
      reason_HASH_FAILURE: 'Nội dung tệp đã bị thay đổi sau khi ký.',
      reason_SIG_CRYPTO_FAILURE: 'Giá trị chữ ký không khớp với chứng thư số của người ký.',
      reason_FORMAT_FAILURE: 'Chữ ký hoặc tệp không đúng định dạng, hoặc tệp đã bị sửa theo cách có thể che giấu nội dung đã ký.',
      reason_REVOKED: 'Chứng thư số của người ký đã bị thu hồi.',
      reason_REVOKED_NO_POE: 'Chứng thư số của người ký đã bị thu hồi, và không có bằng chứng rằng tệp được ký trước đó.',
      reason_REVOKED_CA_NO_POE: 'Chứng thư của tổ chức cấp đã bị thu hồi.',
      reason_EXPIRED: 'Chứng thư số của người ký đã hết hạn.',
      reason_NOT_YET_VALID: 'Chứng thư số của người ký chưa có hiệu lực vào thời điểm ký.',
      reason_NO_CERTIFICATE_CHAIN_FOUND: 'Chứng thư số của người ký không do một tổ chức cấp tin cậy phát hành.',
      reason_NO_SIGNING_CERTIFICATE_FOUND: 'Không tìm thấy chứng thư số của người ký trong tệp.',
      reason_CERTIFICATE_CHAIN_GENERAL_FAILURE: 'Chuỗi chứng thư số của người ký không hợp lệ.',
      reason_CHAIN_CONSTRAINTS_FAILURE: 'Chuỗi chứng thư số không thỏa các ràng buộc.',
      reason_OUT_OF_BOUNDS_NO_POE: 'Chứng thư số đã hết hạn và không có dấu thời gian chứng minh tệp được ký khi chứng thư còn hiệu lực.',
      reason_OUT_OF_BOUNDS_NOT_REVOKED: 'Chứng thư số đã hết hạn (không bị thu hồi) và không có bằng chứng về thời điểm ký.',
      reason_REVOCATION_OUT_OF_BOUNDS_NO_POE: 'Thông tin thu hồi chứng thư không còn hiệu lực và không có bằng chứng về thời điểm ký.',
      reason_TRY_LATER: 'Chưa kiểm tra được tình trạng thu hồi của chứng thư số; hãy thử lại sau.',
      reason_SIG_CONSTRAINTS_FAILURE: 'Chữ ký không đáp ứng chính sách kiểm tra.',
      reason_CRYPTO_CONSTRAINTS_FAILURE_NO_POE: 'Thuật toán của chữ ký không còn được coi là an toàn.',
      reasonOther: 'Lý do: {code}.',
      errorUnsupported: 'Máy chủ này chưa kiểm tra được loại tệp này.',
      errorNotPdf: 'Tệp không đọc được như một tệp PDF đã ký.',
      errorNotXml: 'Tệp không đọc được như một tệp XML đã ký.',
      errorTooLarge: 'Tệp quá lớn để kiểm tra tại đây.',
      errorRateLimited: 'Bạn đã kiểm tra quá nhiều tệp trong thời gian ngắn; hãy thử lại sau {seconds} giây.',
      errorBusy: 'Máy chủ đang bận; hãy thử lại sau ít phút.',
      errorNetwork: 'Không kết nối được với máy chủ; hãy kiểm tra kết nối mạng và thử lại.',
      errorOther: 'Không kiểm tra được.',
      errorTitle: 'Chưa kiểm tra được',
      errorFileType: 'Hãy chọn một tệp PDF (.pdf) hoặc XML (.xml).',
      serverSaid: 'Máy chủ trả lời: ',
      vnTime: '(giờ Việt Nam)'
    },
    en: {
      title: 'Verify e-receipts and signed documents',
      skip: 'Skip to main content',
      agency: 'Public Administration Service Center',
      heading: 'Verify e-receipts and signed documents',
      toggle: 'Tiếng Việt',
      intro: 'Check a fee or charge receipt with the lookup code printed on it (or by scanning its QR code), ' +
        'or check the digital signature of a PDF or XML file you received.',
      lookupHeading: 'Look up by code',
      codeLabel: 'Lookup code printed on the receipt',
      codeHint: '12 letters and digits, for example 1B3A-VS6J-3XT5; upper or lower case.',
      lookupButton: 'Look up',
      codeMissing: 'Enter the lookup code.',
      fileHeading: 'Check a signed file',
      fileHint: 'A PDF or XML file (a receipt copy, a signed document). The file is only checked, never stored.',
      fileLabel: 'Choose a PDF or XML file to check',
      dropZone: 'Drop a file here, or press to choose a file',
      resultHeading: 'Result',
      footer: 'Results come from the e-receipt register and the digital signatures, checked as ETSI EN 319 102-1 ' +
        'describes. This page uses no cookies.',
      busyLookup: 'Looking up…',
      busyFile: 'Checking the file {name}…',
      receiptValid: 'Valid receipt',
      receiptValidText: 'This receipt is in the issuing office\'s e-receipt register and was digitally signed when ' +
        'it was issued. Compare the details below with the receipt you have.',
      receiptReplaced: 'This receipt has been replaced',
      receiptReplacedText: 'This receipt was replaced and is no longer valid. The replacement is ',
      replacedByLink: 'receipt no. {number} (series {symbol})',
      notFound: 'No receipt found',
      notFoundText: 'No receipt has the lookup code “{code}”. Check the code printed on the receipt. If the code ' +
        'is right and still not found, the receipt may not have been issued by the office.',
      registerNote: 'A lookup by code shows the receipt as recorded in the register. To check the receipt file ' +
        'you have, choose it under “Check a signed file”.',
      receiptHeading: 'Printed on the receipt',
      organization: 'Issuing office',
      taxCode: 'Tax code',
      address: 'Address',
      template: 'Template',
      symbol: 'Series',
      number: 'Receipt number',
      issuedAt: 'Issued and signed at',
      signedBy: 'Signed by',
      payer: 'Payer',
      payerId: 'Payer\'s identifier (masked)',
      itemName: 'Item',
      itemKind: 'Kind',
      itemAmount: 'Amount',
      total: 'Total',
      totalWords: 'Amount in words',
      paymentMethod: 'Payment method',
      lookupCode: 'Lookup code',
      status: 'Status',
      statusIssued: 'Valid',
      statusReplaced: 'Replaced',
      kind_phi: 'Fee',
      kind_le_phi: 'Charge',
      method_cash: 'Cash',
      method_transfer: 'Bank transfer',
      method_online: 'Online payment',
      currency: 'VND',
      passed: 'Signature valid',
      passedText: 'The file “{name}” is unchanged since it was signed, and the signature belongs to a trusted, ' +
        'unrevoked certificate.',
      failed: 'Signature not valid',
      failedText: 'Do not rely on the content of the file “{name}”.',
      indeterminate: 'Cannot be confirmed',
      indeterminateText: 'The signature of the file “{name}” could not be confirmed.',
      noSignature: 'The file has no digital signature.',
      signaturesHeading: 'Signatures in the file',
      signatureN: 'Signature {n}',
      signer: 'Signer',
      signingTime: 'Signing time (as the signer stated)',
      timestampTime: 'Signing time (time-stamped)',
      level: 'Signature level',
      result: 'Result',
      issuer: 'Certificate issuer',
      receiptInFile: 'Receipt in the file',
      openInRegister: 'See this receipt in the register',
      fileInRegister: 'The file is a receipt in the register',
      fileInRegisterText: 'This file is the receipt recorded in the issuing office\'s e-receipt register. The ' +
        'details below are the register\'s (the payer\'s identifier masked).',
      fileReplaced: 'The receipt in this file has been replaced',
      fileReplacedText: 'This file is the receipt recorded in the register, but the receipt was replaced and is no ' +
        'longer valid.',
      fileReplacedBy: ' The replacement is ',
      fileNotInRegister: 'This file is not the receipt recorded in the register',
      fileNotInRegisterKnown: 'The register has a receipt no. {number} in series {symbol}, but this file differs from it.',
      fileNotInRegisterUnknown: 'The register has no receipt no. {number} in series {symbol}.',
      fileNotReadable: 'The receipt in the file cannot be read.',
      fileNotInRegisterAdvice: ' Do not use this file as proof of payment: look the receipt up with the code printed ' +
        'on it, or ask the issuing office to send the receipt file again.',
      receiptInFileClaim: 'The file claims to be the receipt',
      technicalNotes: 'Technical notes',
      reason_HASH_FAILURE: 'The file was changed after it was signed.',
      reason_SIG_CRYPTO_FAILURE: 'The signature value does not match the signer\'s certificate.',
      reason_FORMAT_FAILURE: 'The signature or the file is malformed, or the file was changed in a way that can ' +
        'hide what was signed.',
      reason_REVOKED: 'The signer\'s certificate has been revoked.',
      reason_REVOKED_NO_POE: 'The signer\'s certificate has been revoked, and nothing proves the file was signed before.',
      reason_REVOKED_CA_NO_POE: 'The certificate of the issuing authority has been revoked.',
      reason_EXPIRED: 'The signer\'s certificate has expired.',
      reason_NOT_YET_VALID: 'The signer\'s certificate was not yet valid at the signing time.',
      reason_NO_CERTIFICATE_CHAIN_FOUND: 'The signer\'s certificate was not issued by a trusted authority.',
      reason_NO_SIGNING_CERTIFICATE_FOUND: 'The signer\'s certificate is not in the file.',
      reason_CERTIFICATE_CHAIN_GENERAL_FAILURE: 'The signer\'s certificate chain is not valid.',
      reason_CHAIN_CONSTRAINTS_FAILURE: 'The certificate chain does not meet its constraints.',
      reason_OUT_OF_BOUNDS_NO_POE: 'The certificate has expired and no time-stamp proves the file was signed while it ' +
        'was valid.',
      reason_OUT_OF_BOUNDS_NOT_REVOKED: 'The certificate has expired (not revoked) and nothing proves the signing time.',
      reason_REVOCATION_OUT_OF_BOUNDS_NO_POE: 'The revocation information is out of date and nothing proves the ' +
        'signing time.',
      reason_TRY_LATER: 'Whether the certificate is revoked could not be checked yet; try again later.',
      reason_SIG_CONSTRAINTS_FAILURE: 'The signature does not meet the validation policy.',
      reason_CRYPTO_CONSTRAINTS_FAILURE_NO_POE: 'The signature\'s algorithm is no longer considered secure.',
      reasonOther: 'Reason: {code}.',
      errorUnsupported: 'This server cannot check this kind of file yet.',
      errorNotPdf: 'The file cannot be read as a signed PDF.',
      errorNotXml: 'The file cannot be read as a signed XML document.',
      errorTooLarge: 'The file is too large to be checked here.',
      errorRateLimited: 'Too many files were checked from your address; try again in {seconds} seconds.',
      errorBusy: 'The server is busy; try again in a few minutes.',
      errorNetwork: 'The server could not be reached; check your connection and try again.',
      errorOther: 'The check could not be done.',
      errorTitle: 'Could not be checked',
      errorFileType: 'Choose a PDF (.pdf) or XML (.xml) file.',
      serverSaid: 'The server said: ',
      vnTime: '(Vietnam time)'
    }
  };

  var lang = 'vi';
  var shown = null;  // what the result area shows, to render again in the other language
  var sequence = 0;  // a newer request makes the answer of an older one irrelevant

  function t(key, values) {
    var text = TEXT[lang][key];
    if (text === undefined) text = TEXT.vi[key] || key;
    if (values) {
      Object.keys(values).forEach(function (name) {
        text = text.split('{' + name + '}').join(String(values[name]));
      });
    }
    return text;
  }

  function $(id) {
    return document.getElementById(id);
  }

  // el('p', {className: 'x'}, ['text', child]): elements from data, text always as text.
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (name) {
        if (name === 'className' || name === 'href' || name === 'id') {
          node[name] = props[name];
        } else {
          node.setAttribute(name, props[name]);
        }
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  var ICONS = {
    passed: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1.5 14.6L6 12.1l1.6-1.6 2.9 2.9 6-6L18 9z',
    failed: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm4.2 12.8-1.4 1.4L12 13.4l-2.8 2.8-1.4-1.4 2.8-2.8-2.8-2.8 ' +
      '1.4-1.4 2.8 2.8 2.8-2.8 1.4 1.4-2.8 2.8z',
    indeterminate: 'M12 2 1 21h22zm1 15h-2v-2h2zm0-4h-2V9h2z'
  };

  function icon(kind) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'verdict-icon');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[kind]);
    svg.appendChild(path);
    return svg;
  }

  // The verdict box: icon and words, never colour alone. `kind` is passed, failed or indeterminate;
  // `elementId` is "verdict" (the answer's verdict) unless given ("receipt-verdict": the register's).
  function verdict(kind, id, title, textNodes, elementId) {
    return el('div', {className: 'verdict verdict-' + kind, id: elementId || 'verdict', 'data-verdict': id}, [
      icon(kind),
      el('div', null, [el('p', {className: 'verdict-title'}, [title]), el('p', {className: 'verdict-text'}, textNodes)])
    ]);
  }

  // "2026-11-27T15:48:22+07:00" → "15:48:22 27/11/2026 (giờ Việt Nam)": always in Vietnam time.
  function formatTime(iso) {
    var ms = Date.parse(iso);
    if (!iso || isNaN(ms)) return iso || '';
    var d = new Date(ms + 7 * 3600 * 1000);
    function two(n) {
      return (n < 10 ? '0' : '') + n;
    }
    var day = two(d.getUTCDate()) + '/' + two(d.getUTCMonth() + 1) + '/' + d.getUTCFullYear();
    var time = two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ':' + two(d.getUTCSeconds());
    return (lang === 'vi' ? time + ' ' + day : day + ' ' + time) + ' ' + t('vnTime');
  }

  function formatAmount(amount) {
    var digits = String(Math.abs(Math.trunc(Number(amount) || 0)));
    var separator = lang === 'vi' ? '.' : ',';
    var out = '';
    for (var i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += separator;
      out += digits[i];
    }
    return (Number(amount) < 0 ? '-' : '') + out + ' ' + t('currency');
  }

  function fieldList(rows) {
    var dl = el('dl', {className: 'fields'});
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === '') return;
      dl.appendChild(el('dt', null, [t(row[0])]));
      dl.appendChild(el('dd', row[2] ? {className: row[2], 'data-field': row[0]} : {'data-field': row[0]}, [row[1]]));
    });
    return dl;
  }

  function verifyLink(code, text) {
    var href = '/verify?code=' + encodeURIComponent(code) + (lang === 'en' ? '&lang=en' : '');
    return el('a', {href: href}, [text]);
  }

  // --- Rendering -------------------------------------------------------------------------------

  function replacedByLink(by) {
    return verifyLink(by.lookup_code, t('replacedByLink', {number: by.number, symbol: by.symbol}));
  }

  // The printed fields of a receipt as the register has them (the API masks the payer's identifier).
  function receiptDetails(r, id) {
    var organization = r.organization || {};
    var payer = r.payer || {};
    var details = el('div', {className: 'details', id: id}, [el('h3', null, [t('receiptHeading')])]);
    details.appendChild(fieldList([
      ['organization', organization.name],
      ['taxCode', organization.tax_code, 'mono'],
      ['address', organization.address],
      ['template', r.template],
      ['symbol', r.symbol, 'mono'],
      ['number', r.number, 'mono'],
      ['signedBy', organization.name],
      ['issuedAt', formatTime(r.issued_at)],
      ['payer', payer.name],
      ['payerId', payer.id, 'mono'],
      ['paymentMethod', r.payment_method ? t('method_' + r.payment_method) : ''],
      ['lookupCode', r.lookup_code, 'mono'],
      ['status', r.status === 'replaced' ? t('statusReplaced') : t('statusIssued')]
    ]));
    var items = el('table', {className: 'items'}, [
      el('thead', null, [el('tr', null, [
        el('th', {scope: 'col'}, [t('itemName')]), el('th', {scope: 'col'}, [t('itemKind')]),
        el('th', {scope: 'col', className: 'amount'}, [t('itemAmount')])
      ])])
    ]);
    var body = el('tbody');
    (r.items || []).forEach(function (item) {
      body.appendChild(el('tr', null, [
        el('td', null, [item.name]), el('td', null, [t('kind_' + item.kind)]),
        el('td', {className: 'amount'}, [formatAmount(item.amount)])
      ]));
    });
    items.appendChild(body);
    items.appendChild(el('tfoot', null, [el('tr', null, [
      el('td', {colspan: '2'}, [t('total')]), el('td', {className: 'amount', 'data-field': 'total'}, [formatAmount(r.total)])
    ])]));
    details.appendChild(items);
    if (r.total_in_words) details.appendChild(fieldList([['totalWords', r.total_in_words]]));
    return details;
  }

  function renderReceipt(r) {
    var nodes = [];
    if (r.status === 'replaced' && r.replaced_by) {
      var link = replacedByLink(r.replaced_by);
      link.id = 'replaced-by';
      nodes.push(verdict('indeterminate', 'replaced', t('receiptReplaced'), [t('receiptReplacedText'), link, '.']));
    } else {
      nodes.push(verdict('passed', 'valid', t('receiptValid'), [t('receiptValidText')]));
    }
    nodes.push(receiptDetails(r, 'receipt'));
    nodes.push(el('p', {className: 'hint'}, [t('registerNote')]));
    return {state: r.status === 'replaced' ? 'replaced' : 'valid', nodes: nodes};
  }

  // A kyso receipt in an uploaded file (XML or PDF copy), checked against the register. Only a file
  // that is the register's receipt shows the register's fields; any other is red: the register is
  // the record of what was paid, and a file that differs from it must not serve as proof of
  // payment, however it was signed (docs/architecture.md, "The verification page").
  function fileReceipt(receipt) {
    var out = {details: null};
    if (receipt.matches_register) {
      var replaced = receipt.status === 'replaced';
      if (replaced) {
        var text = [t('fileReplacedText')];
        if (receipt.replaced_by && receipt.replaced_by.lookup_code) {
          var link = replacedByLink(receipt.replaced_by);
          link.id = 'replaced-by';
          text.push(t('fileReplacedBy'), link, '.');
        }
        out.verdict = verdict('indeterminate', 'file-replaced', t('fileReplaced'), text, 'receipt-verdict');
      } else {
        out.verdict = verdict('passed', 'file-in-register', t('fileInRegister'), [t('fileInRegisterText')],
                              'receipt-verdict');
      }
      out.details = receiptDetails(receipt, 'file-receipt');
      if (receipt.lookup_code) {
        out.details.appendChild(el('p', null, [verifyLink(receipt.lookup_code, t('openInRegister'))]));
      }
      out.state = replaced ? 'replaced' : 'passed';
    } else {
      var why = !receipt.number ? t('fileNotReadable')
        : t(receipt.known ? 'fileNotInRegisterKnown' : 'fileNotInRegisterUnknown',
            {symbol: receipt.symbol, number: receipt.number});
      out.verdict = verdict('failed', 'file-not-in-register', t('fileNotInRegister'),
                            [why, t('fileNotInRegisterAdvice')], 'receipt-verdict');
      if (receipt.number) {
        // What the file says it is, in its own words: nothing of the register's receipt.
        out.details = el('div', {className: 'details', id: 'file-receipt-claim'},
                         [el('h3', null, [t('receiptInFileClaim')])]);
        out.details.appendChild(fieldList([['template', receipt.template], ['symbol', receipt.symbol, 'mono'],
                                           ['number', receipt.number, 'mono']]));
      }
      out.state = 'mismatch';
    }
    return out;
  }

  function renderNotFound(code) {
    return {
      state: 'notfound',
      nodes: [verdict('failed', 'notfound', t('notFound'), [t('notFoundText', {code: code})])]
    };
  }

  function reasonText(sub) {
    if (!sub) return '';
    var key = 'reason_' + sub;
    return TEXT[lang][key] !== undefined ? t(key) : t('reasonOther', {code: sub});
  }

  function signerName(signer) {
    if (!signer) return '';
    return signer.common_name || signer.subject || '';
  }

  function renderReport(report, fileName) {
    var kinds = {TOTAL_PASSED: 'passed', TOTAL_FAILED: 'failed', INDETERMINATE: 'indeterminate'};
    var kind = kinds[report.indication] || 'indeterminate';
    var signatures = report.signatures || [];
    var text = [t(kind + 'Text', {name: fileName})];
    if (signatures.length === 0) text.push(' ' + t('noSignature'));
    if (kind !== 'passed' && report.sub_indication) text.push(' ' + reasonText(report.sub_indication));
    var nodes = [verdict(kind, kind, t(kind), text)];
    var state = kind;

    // A kyso receipt in the file: the register's verdict comes first (it answers "is my receipt
    // valid?"), then the signature's; the result's state is the worse of the two.
    if (report.receipt && typeof report.receipt === 'object') {
      var checked = fileReceipt(report.receipt);
      nodes.unshift(checked.verdict);
      if (checked.details) nodes.push(checked.details);
      var order = ['passed', 'replaced', 'indeterminate', 'mismatch', 'failed'];
      if (order.indexOf(checked.state) > order.indexOf(state)) state = checked.state;
    }

    if (signatures.length > 0) {
      var details = el('div', {className: 'details', id: 'signatures'}, [el('h3', null, [t('signaturesHeading')])]);
      signatures.forEach(function (s, i) {
        var sKind = kinds[s.indication] || 'indeterminate';
        var chain = s.chain || [];
        if (signatures.length > 1) details.appendChild(el('h3', null, [t('signatureN', {n: i + 1})]));
        details.appendChild(fieldList([
          ['signer', signerName(s.signer)],
          ['issuer', chain.length > 1 ? chain[1].subject : ''],
          ['timestampTime', s.timestamp_time ? formatTime(s.timestamp_time) : ''],
          ['signingTime', s.signing_time ? formatTime(s.signing_time) : ''],
          ['level', s.level && s.level !== 'none' ? s.level : ''],
          ['result', t(sKind) + (sKind !== 'passed' && s.sub_indication ? ' — ' + reasonText(s.sub_indication) : '')]
        ]));
      });
      nodes.push(details);
    }

    var notes = (report.warnings || []).slice();
    signatures.forEach(function (s) {
      if (s.detail) notes.push(s.detail);
      (s.warnings || []).forEach(function (w) { notes.push(w); });
    });
    if (notes.length > 0) {
      var list = el('ul', {className: 'notes'});
      notes.forEach(function (n) { list.appendChild(el('li', {lang: 'en'}, [n])); });
      nodes.push(el('details', {className: 'details'}, [el('summary', null, [t('technicalNotes')]), list]));
    }
    return {state: state, nodes: nodes};
  }

  // An answer that is not a verdict: 415, 413, 422, 429, 503, network.
  function renderError(info) {
    var text = [];
    var keys = {
      unsupported_media_type: 'errorUnsupported', not_a_pdf: 'errorNotPdf', pdf_malformed: 'errorNotPdf',
      pdf_damaged: 'errorNotPdf', pdf_encrypted: 'errorNotPdf', xml_malformed: 'errorNotXml',
      xml_dtd_refused: 'errorNotXml', xml_too_deep: 'errorNotXml', xml_too_large: 'errorTooLarge',
      body_too_large: 'errorTooLarge',
      rate_limited: 'errorRateLimited', server_busy: 'errorBusy', network: 'errorNetwork', file_type: 'errorFileType'
    };
    text.push(t(keys[info.code] || 'errorOther', {seconds: info.retryAfter || '60'}));
    if (info.message) {
      text.push(' ');
      text.push(el('span', {className: 'server-message', lang: 'en'}, [t('serverSaid') + info.message]));
    }
    return {
      state: 'error',
      nodes: [verdict('failed', 'error-' + (info.code || 'unknown'), t('errorTitle'), text)]
    };
  }

  // The verdict at the top of the screen, and keyboard focus on the result (its region is also
  // aria-live, so it is read out without moving focus too).
  function bringResultIntoView() {
    var result = $('result');
    result.focus({preventScroll: true});
    result.scrollIntoView({block: 'start'});
  }

  function show(what) {
    shown = what;
    paint();
  }

  function paint() {
    var result = $('result');
    var body = $('result-body');
    while (body.firstChild) body.removeChild(body.firstChild);
    if (!shown) {
      result.setAttribute('data-state', 'idle');
      return;
    }
    var rendered;
    if (shown.kind === 'busy') {
      rendered = {state: 'busy', nodes: [el('p', {className: 'busy'}, [shown.text()])]};
      result.setAttribute('aria-busy', 'true');
    } else {
      result.removeAttribute('aria-busy');
      if (shown.kind === 'receipt') rendered = renderReceipt(shown.data);
      else if (shown.kind === 'notfound') rendered = renderNotFound(shown.code);
      else if (shown.kind === 'report') rendered = renderReport(shown.data, shown.fileName);
      else rendered = renderError(shown.data);
    }
    rendered.nodes.forEach(function (n) { body.appendChild(n); });
    result.setAttribute('data-state', rendered.state);
  }

  // --- Language --------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t('title');
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (node) {
      node.textContent = t(node.getAttribute('data-i18n'));
    });
    var toggle = $('lang-toggle');
    toggle.textContent = t('toggle');
    toggle.lang = lang === 'vi' ? 'en' : 'vi';
    var error = $('code-error');
    if (!error.hidden) error.textContent = t('codeMissing');
    paint();
  }

  function updateUrl(code) {
    var params = new URLSearchParams(window.location.search);
    if (code !== undefined) {
      if (code) params.set('code', code);
      else params.delete('code');
    }
    if (lang === 'en') params.set('lang', 'en');
    else params.delete('lang');
    var query = params.toString();
    window.history.replaceState(null, '', '/verify' + (query ? '?' + query : ''));
  }

  // --- Lookup ----------------------------------------------------------------------------------

  function lookUp(code) {
    var mine = ++sequence;
    show({kind: 'busy', text: function () { return t('busyLookup'); }});
    fetch('/v1/public/receipts/' + encodeURIComponent(code), {headers: {Accept: 'application/json'}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return {status: response.status, body: body, retryAfter: response.headers.get('Retry-After')};
        });
      })
      .then(function (answer) {
        if (mine !== sequence) return;
        if (answer.status === 200) show({kind: 'receipt', data: answer.body});
        else if (answer.status === 404 || answer.status === 400) show({kind: 'notfound', code: code});
        else show({kind: 'error', data: errorInfo(answer)});
        bringResultIntoView();
      }, function () {
        if (mine !== sequence) return;
        show({kind: 'error', data: {code: 'network'}});
      });
  }

  function errorInfo(answer) {
    var error = (answer.body && answer.body.error) || {};
    return {code: error.code, message: error.message, retryAfter: answer.retryAfter};
  }

  function onSubmit(event) {
    event.preventDefault();
    var input = $('code');
    var code = input.value.trim();
    var error = $('code-error');
    if (!code) {
      error.textContent = t('codeMissing');
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    updateUrl(code);
    lookUp(code);
  }

  // --- File ------------------------------------------------------------------------------------

  function mediaTypeOf(file) {
    var name = file.name.toLowerCase();
    if (file.type === 'application/pdf' || /\.pdf$/.test(name)) return 'application/pdf';
    if (file.type === 'application/xml' || file.type === 'text/xml' || /\.xml$/.test(name)) return 'application/xml';
    return '';
  }

  function checkFile(file) {
    if (!file) return;
    var mine = ++sequence;
    var type = mediaTypeOf(file);
    if (!type) {
      show({kind: 'error', data: {code: 'file_type'}});
      return;
    }
    show({kind: 'busy', text: function () { return t('busyFile', {name: file.name}); }});
    fetch('/v1/verify', {method: 'POST', headers: {'Content-Type': type, Accept: 'application/json'}, body: file})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return {status: response.status, body: body, retryAfter: response.headers.get('Retry-After')};
        });
      })
      .then(function (answer) {
        if (mine !== sequence) return;
        if (answer.status === 200) show({kind: 'report', data: answer.body, fileName: file.name});
        else show({kind: 'error', data: errorInfo(answer)});
        bringResultIntoView();
      }, function () {
        if (mine !== sequence) return;
        show({kind: 'error', data: {code: 'network'}});
      });
  }

  function setUpDropZone() {
    var zone = $('drop-zone');
    var input = $('file');
    zone.addEventListener('click', function () { input.click(); });
    zone.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        input.click();
      }
    });
    input.addEventListener('change', function () {
      if (input.files && input.files.length > 0) checkFile(input.files[0]);
      input.value = '';
    });
    zone.addEventListener('dragover', function (event) {
      event.preventDefault();
      zone.classList.add('dragging');
    });
    zone.addEventListener('dragleave', function () { zone.classList.remove('dragging'); });
    zone.addEventListener('drop', function (event) {
      event.preventDefault();
      zone.classList.remove('dragging');
      if (event.dataTransfer && event.dataTransfer.files.length > 0) checkFile(event.dataTransfer.files[0]);
    });
    // A file dropped beside the zone must not replace the page.
    window.addEventListener('dragover', function (event) { event.preventDefault(); });
    window.addEventListener('drop', function (event) { event.preventDefault(); });
  }

  // --- Start -----------------------------------------------------------------------------------

  function start() {
    var params = new URLSearchParams(window.location.search);
    lang = params.get('lang') === 'en' ? 'en' : 'vi';
    applyLanguage();
    $('lang-toggle').addEventListener('click', function () {
      lang = lang === 'vi' ? 'en' : 'vi';
      applyLanguage();
      updateUrl();
    });
    $('lookup-form').addEventListener('submit', onSubmit);
    setUpDropZone();
    var code = (params.get('code') || '').trim();
    if (code) {
      $('code').value = code;
      lookUp(code);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
