// KSA rules on the shape of the stamp-related references: ICV, PIH, QR attachments, the
// cac:Signature block and attachment MIME types (the cryptographic checks live in src/stamp).
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { len, nonEmpty, norm, s1, str } from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';

const MIME_TYPES = new Set([
  'text/csv',
  'text/plain',
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'application/acad',
  'application/dwg',
  'drawing/dwg',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

/** Root AdditionalDocumentReferences whose normalized ID is `id`. */
const refs = (c: InvoiceContext, id: string) =>
  c.kids(c.root, 'cac:AdditionalDocumentReference').filter((r) => c.kids(r, 'cbc:ID').some((e) => norm(str(e)) === id));
/** Same with the exact (not normalized) ID, as some tests compare it. */
const refsExact = (c: InvoiceContext, id: string) =>
  c.kids(c.root, 'cac:AdditionalDocumentReference').filter((r) => c.kids(r, 'cbc:ID').some((e) => str(e) === id));
const objects = (c: InvoiceContext, rs: readonly Element[]) => c.path(rs, 'cac:Attachment/cbc:EmbeddedDocumentBinaryObject');
const textPlain = (els: readonly Element[]) => els.some((e) => norm(e.getAttribute('mimeCode') ?? '') === 'text/plain');

const SIG_INFO_PATH = 'ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures/sac:SignatureInformation';

/** Attachments the BR-KSA-28/29/30 rule reads: every one except the PIH's (a higher rule takes it). */
function nonPihAttachments(c: InvoiceContext): Element[] {
  return c.path(c.all('cac:AdditionalDocumentReference'), 'cac:Attachment').filter((a) => {
    const ref = a.parentNode as Element;
    return !c.kids(ref, 'cbc:ID').some((e) => norm(str(e)) === 'PIH');
  });
}

export const signatureShapeRules: Rule[] = [
  ksa(
    'BR-KSA-33',
    'error',
    'The invoice counter value (KSA-16, AdditionalDocumentReference ICV) is missing.',
    'قيمة عداد الفاتورة (KSA-16، المرجع ICV) مفقودة.',
    (c) => !(refs(c, 'ICV').length > 0 && nonEmpty(c.at('cac:AdditionalDocumentReference/cbc:UUID'))),
  ),
  ksa(
    'BR-KSA-34',
    'error',
    'The invoice counter value (KSA-16) must contain digits only.',
    'يجب أن تحتوي قيمة عداد الفاتورة (KSA-16) على أرقام فقط.',
    (c) => !/^[0-9]*$/.test(s1(c.at('cac:AdditionalDocumentReference/cbc:UUID'))),
  ),
  ksa(
    'BR-KSA-61',
    'warning',
    'The previous invoice hash (KSA-13, AdditionalDocumentReference PIH) is missing, empty or not text/plain.',
    'تجزئة الفاتورة السابقة (KSA-13، المرجع PIH) مفقودة أو فارغة أو ليست text/plain.',
    (c) => {
      const o = objects(c, refs(c, 'PIH'));
      return !(o.length > 0 && nonEmpty(o) && textPlain(o));
    },
  ),
  ksa(
    'BR-KSA-26',
    'warning',
    'The previous invoice hash attachment (KSA-13) must be non-empty base64 text with mimeCode text/plain.',
    'يجب أن يكون مرفق تجزئة الفاتورة السابقة (KSA-13) نصًا غير فارغ بنوع text/plain.',
    (c) =>
      c
        .path(
          c.all('cac:AdditionalDocumentReference').filter((r) => c.kids(r, 'cbc:ID').some((e) => norm(str(e)) === 'PIH')),
          'cac:Attachment',
        )
        .some((a) => {
          const o = c.kids(a, 'cbc:EmbeddedDocumentBinaryObject');
          return !(o.length > 0 && nonEmpty(o) && textPlain(o));
        }),
  ),
  ksa(
    'BR-KSA-27',
    'warning',
    'A simplified invoice must carry the QR code (KSA-14) as non-empty text/plain base64.',
    'يجب أن تحتوي الفاتورة المبسطة على رمز الاستجابة السريعة (KSA-14) نصًا غير فارغ بنوع text/plain.',
    (c) => {
      if (!c.isSimplified) return false;
      const qr = refs(c, 'QR');
      const exact = objects(c, refsExact(c, 'QR'));
      return !(qr.length > 0 && objects(c, qr).length > 0 && norm(s1(exact)) !== '' && textPlain(exact));
    },
  ),
  ksa(
    'BR-CL-KSA-14',
    'error',
    'The QR code (KSA-14) must have 1 to 1000 characters.',
    'يجب أن يتكون رمز الاستجابة السريعة (KSA-14) من 1 إلى 1000 حرف.',
    (c) => {
      const o = objects(c, refs(c, 'QR'));
      return o.length > 0 && (len(s1(o)) > 1000 || len(s1(o)) < 1);
    },
  ),
  ksa(
    'BR-KSA-28',
    'error',
    'A simplified invoice with attachments needs the signature information ID urn:oasis:names:specification:ubl:signature:1.',
    'الفاتورة المبسطة ذات المرفقات تتطلب معرّف معلومات التوقيع urn:oasis:names:specification:ubl:signature:1.',
    (c) => {
      if (!c.isSimplified) return false;
      const sigIds = c.path(c.all('ext:UBLExtensions'), `${SIG_INFO_PATH}/cbc:ID`);
      const ok = sigIds.some((e) => str(e) === 'urn:oasis:names:specification:ubl:signature:1');
      return nonPihAttachments(c).some((a) => !(nonEmpty(c.kids(a, 'cbc:EmbeddedDocumentBinaryObject')) && ok));
    },
  ),
  ksa(
    'BR-KSA-29',
    'warning',
    'A simplified invoice needs signature ID and referenced signature ID urn:oasis:names:specification:ubl:signature:Invoice.',
    'الفاتورة المبسطة تتطلب معرّف التوقيع والمعرّف المرجعي urn:oasis:names:specification:ubl:signature:Invoice.',
    (c) => {
      if (!c.isSimplified || nonPihAttachments(c).length === 0) return false;
      const urn = 'urn:oasis:names:specification:ubl:signature:Invoice';
      const sigId = c.path(c.all('cac:Signature'), 'cbc:ID').some((e) => str(e) === urn);
      const referenced = c.path(c.all('ext:UBLExtensions'), `${SIG_INFO_PATH}/sbc:ReferencedSignatureID`);
      return !(sigId && norm(s1(referenced)) === urn);
    },
  ),
  ksa(
    'BR-KSA-30',
    'error',
    'A simplified invoice needs cac:Signature/cbc:SignatureMethod urn:oasis:names:specification:ubl:dsig:enveloped:xades.',
    'الفاتورة المبسطة تتطلب طريقة التوقيع urn:oasis:names:specification:ubl:dsig:enveloped:xades.',
    (c) => {
      if (!c.isSimplified) return false;
      const method = c.path(c.all('cac:Signature'), 'cbc:SignatureMethod').some((e) => str(e) === 'urn:oasis:names:specification:ubl:dsig:enveloped:xades');
      return nonPihAttachments(c).some((a) => !(nonEmpty(c.kids(a, 'cbc:EmbeddedDocumentBinaryObject')) && method));
    },
  ),
  ksa(
    'BR-KSA-60',
    'warning',
    'A simplified invoice must carry the cryptographic stamp (cac:Signature).',
    'يجب أن تحمل الفاتورة المبسطة الختم التشفيري (cac:Signature).',
    (c) => c.all('cbc:InvoiceTypeCode').some((e) => (e.getAttribute('name') ?? '').startsWith('02')) && !c.all('cac:Signature').some((s) => str(s) !== ''),
  ),
  ksa(
    'BR-KSA-CL-03',
    'error',
    'An attachment mimeCode must be one of text/plain, text/csv, application/pdf, image/png, image/jpeg, image/tiff, CAD, xlsx or ods types.',
    'يجب أن يكون نوع المرفق (mimeCode) من الأنواع المسموح بها.',
    (c) =>
      c.path(c.all('cac:AdditionalDocumentReference'), 'cac:Attachment/cbc:EmbeddedDocumentBinaryObject').some((o) => {
        const m = norm(o.getAttribute('mimeCode') ?? '');
        return m.includes(' ') || !MIME_TYPES.has(m);
      }),
  ),
];
