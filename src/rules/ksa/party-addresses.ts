// KSA rules on the seller's and buyer's addresses, names and contact details, including those that
// apply only to standard (01) or simplified (02) documents; identifiers are in ksa/parties.ts.
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { len, nonEmpty, norm, s1, str } from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';
import { buyerSaCountries, hasTypeCode0102 } from './document.js';
import { buyer, buyerTaxIdsRoot, seller } from './parties.js';

export const partyAddressRules: Rule[] = [
  ksa(
    'BR-KSA-09',
    'warning',
    "The seller's address needs street, building number, postal code, city, district and country.",
    'يجب أن يحتوي عنوان البائع على الشارع ورقم المبنى والرمز البريدي والمدينة والحي والدولة.',
    (c) =>
      sellerAddresses(c).some(
        (a) =>
          !['cbc:StreetName', 'cbc:BuildingNumber', 'cbc:CityName', 'cbc:PostalZone', 'cbc:CitySubdivisionName'].every((n) => c.kids(a, n).length > 0) ||
          c.path(a, 'cac:Country/cbc:IdentificationCode').length === 0,
      ),
  ),
  ksa(
    'BR-KSA-F-06-C4',
    'warning',
    "The seller's street name (BT-35) must have 1 to 1000 characters.",
    'يجب أن يتكون اسم شارع البائع (BT-35) من 1 إلى 1000 حرف.',
    (c) =>
      sellerAddresses(c).some((a) => {
        const s = c.kids(a, 'cbc:StreetName');
        return s.length > 0 && (len(s1(s)) > 1000 || len(s1(s)) < 1);
      }),
  ),
  ksa(
    'BR-KSA-F-06-C6',
    'warning',
    "The seller's additional street name (BT-36) is longer than 127 characters.",
    'اسم الشارع الإضافي للبائع (BT-36) أطول من 127 حرفًا.',
    (c) => sellerAddresses(c).some((a) => c.kids(a, 'cbc:AdditionalStreetName').length > 0 && len(s1(c.kids(a, 'cbc:AdditionalStreetName'))) > 127),
  ),
  ksa(
    'BR-KSA-F-06-C7',
    'warning',
    "The seller's city (BT-37) must have 1 to 127 characters.",
    'يجب أن يتكون اسم مدينة البائع (BT-37) من 1 إلى 127 حرفًا.',
    (c) =>
      sellerAddresses(c).some((a) => {
        const s = c.kids(a, 'cbc:CityName');
        return s.length > 0 && (len(s1(s)) > 127 || len(s1(s)) < 1);
      }),
  ),
  ksa(
    'BR-KSA-F-06-C11',
    'warning',
    "The buyer's additional street name (BT-51) is longer than 127 characters.",
    'اسم الشارع الإضافي للمشتري (BT-51) أطول من 127 حرفًا.',
    (c) => {
      const s = buyer(c, 'cac:PostalAddress/cbc:AdditionalStreetName');
      return sellerAddresses(c).length > 0 && s.length > 0 && len(s1(s)) > 127;
    },
  ),
  ksa('BR-KSA-66', 'warning', "The seller's postal code (BT-38) must be 5 digits.", 'يجب أن يتكون الرمز البريدي للبائع (BT-38) من 5 أرقام.', (c) =>
    sellerAddresses(c).some((a) => !/^[0-9]{5}$/.test(s1(c.kids(a, 'cbc:PostalZone'))) || c.kids(a, 'cbc:PostalZone').length === 0),
  ),
  ksa('BR-KSA-37', 'warning', "The seller's building number (KSA-17) must be 4 digits.", 'يجب أن يتكون رقم مبنى البائع (KSA-17) من 4 أرقام.', (c) =>
    c.path(c.all('cac:AccountingSupplierParty'), 'cac:Party').some((p) => !/^[0-9]{4}$/.test(s1(c.path(p, 'cac:PostalAddress/cbc:BuildingNumber')))),
  ),
  ksa(
    'BR-KSA-42',
    'warning',
    "A standard invoice needs the buyer's name (BT-44).",
    'الفاتورة الضريبية تتطلب اسم المشتري (BT-44).',
    (c) =>
      c.isStandard && c.path(c.all('cac:AccountingCustomerParty'), 'cac:Party').some((p) => !nonEmpty(c.path(p, 'cac:PartyLegalEntity/cbc:RegistrationName'))),
  ),
  ksa(
    'BR-KSA-63',
    'warning',
    'For a Saudi buyer of a standard invoice the address needs street, building number, postal code, city, district and country.',
    'للمشتري السعودي في الفاتورة الضريبية يجب أن يحتوي العنوان على الشارع ورقم المبنى والرمز البريدي والمدينة والحي والدولة.',
    (c) =>
      buyerSaCountries(c).length > 0 &&
      c.isStandard &&
      !['cbc:StreetName', 'cbc:BuildingNumber', 'cbc:PostalZone', 'cbc:CityName', 'cbc:CitySubdivisionName', 'cac:Country/cbc:IdentificationCode'].every(
        (n) => {
          const v = buyer(c, `cac:PostalAddress/${n}`);
          return v.length > 0 && norm(s1(v)) !== '';
        },
      ),
  ),
  ksa(
    'BR-KSA-67',
    'warning',
    'For a Saudi buyer of a standard invoice the postal code (BT-53) must be 5 digits.',
    'للمشتري السعودي في الفاتورة الضريبية يجب أن يتكون الرمز البريدي (BT-53) من 5 أرقام.',
    (c) =>
      buyerSaCountries(c).length > 0 &&
      c.isStandard &&
      buyer(c, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode').some((e) => str(e) === 'SA') &&
      !/^[0-9]{5}$/.test(s1(buyer(c, 'cac:PostalAddress/cbc:PostalZone'))),
  ),
  ksa(
    'BR-KSA-F-06-C28',
    'warning',
    'For a Saudi buyer of a standard invoice the district (KSA-4) is required.',
    'للمشتري السعودي في الفاتورة الضريبية يجب ذكر الحي (KSA-4).',
    (c) => {
      const d = buyer(c, 'cac:PostalAddress/cbc:CitySubdivisionName');
      return buyerSaCountries(c).length > 0 && c.isStandard && (d.length === 0 || len(s1(d)) < 1);
    },
  ),
  ksa('BR-KSA-F-06-C29', 'warning', "The buyer's district (KSA-4) is longer than 127 characters.", 'اسم حي المشتري (KSA-4) أطول من 127 حرفًا.', (c) => {
    const d = buyer(c, 'cac:PostalAddress/cbc:CitySubdivisionName');
    return buyerSaCountries(c).length > 0 && c.isStandard && d.length > 0 && len(s1(d)) > 127;
  }),
  ksa(
    'BR-KSA-F-06-C9',
    'warning',
    "The seller's district (KSA-3) must have 1 to 127 characters.",
    'يجب أن يتكون اسم حي البائع (KSA-3) من 1 إلى 127 حرفًا.',
    (c) => {
      const d = seller(c, 'cac:PostalAddress/cbc:CitySubdivisionName');
      return buyerSaCountries(c).length > 0 && d.length > 0 && (len(s1(d)) > 127 || len(s1(d)) < 1);
    },
  ),
  ksa(
    'BR-KSA-10',
    'warning',
    "A standard invoice needs the buyer's street, city and country.",
    'الفاتورة الضريبية تتطلب شارع المشتري ومدينته ودولته.',
    (c) =>
      hasTypeCode0102(c) &&
      c.isStandard &&
      !(
        len(s1(buyer(c, 'cac:PostalAddress/cac:Country/cbc:IdentificationCode'))) > 0 &&
        len(s1(buyer(c, 'cac:PostalAddress/cbc:StreetName'))) > 0 &&
        len(s1(buyer(c, 'cac:PostalAddress/cbc:CityName'))) > 0
      ),
  ),
  ksa(
    'BR-KSA-F-06-C23',
    'warning',
    "A standard invoice needs the buyer's street name (BT-50) with 1 to 1000 characters.",
    'الفاتورة الضريبية تتطلب اسم شارع المشتري (BT-50) من 1 إلى 1000 حرف.',
    (c) => {
      const s = buyer(c, 'cac:PostalAddress/cbc:StreetName');
      return hasTypeCode0102(c) && c.isStandard && (s.length === 0 || len(s1(s)) > 1000 || len(s1(s)) < 1);
    },
  ),
  ksa('BR-KSA-F-06-C25', 'warning', "A standard invoice needs the buyer's city (BT-52).", 'الفاتورة الضريبية تتطلب مدينة المشتري (BT-52).', (c) => {
    const s = buyer(c, 'cac:PostalAddress/cbc:CityName');
    return hasTypeCode0102(c) && c.isStandard && (s.length === 0 || len(s1(s)) < 1);
  }),
  ksa('BR-KSA-F-06-C26', 'warning', "The buyer's city (BT-52) is longer than 127 characters.", 'اسم مدينة المشتري (BT-52) أطول من 127 حرفًا.', (c) => {
    const s = buyer(c, 'cac:PostalAddress/cbc:CityName');
    return hasTypeCode0102(c) && s.length > 0 && len(s1(s)) > 127;
  }),
  ksa('BR-KSA-F-06-C24', 'warning', "The buyer's street name (BT-50) is longer than 1000 characters.", 'اسم شارع المشتري (BT-50) أطول من 1000 حرف.', (c) => {
    const s = buyer(c, 'cac:PostalAddress/cbc:StreetName');
    return hasTypeCode0102(c) && c.all('cbc:InvoiceTypeCode').some((e) => /02\d{5}/.test(e.getAttribute('name') ?? '')) && s.length > 0 && len(s1(s)) > 1000;
  }),
  ksa(
    'BR-KSA-F-06-C12',
    'warning',
    "The buyer's name (BT-44) of a standard invoice must have 1 to 1000 characters.",
    'يجب أن يتكون اسم المشتري (BT-44) في الفاتورة الضريبية من 1 إلى 1000 حرف.',
    (c) => {
      const n = buyer(c, 'cac:PartyLegalEntity/cbc:RegistrationName');
      return hasTypeCode0102(c) && c.isStandard && n.length > 0 && (len(s1(n)) > 1000 || len(s1(n)) < 1);
    },
  ),
  ksa('BR-KSA-F-06-C32', 'warning', "The buyer's name (BT-44) is longer than 1000 characters.", 'اسم المشتري (BT-44) أطول من 1000 حرف.', (c) => {
    const n = buyer(c, 'cac:PartyLegalEntity/cbc:RegistrationName');
    return hasTypeCode0102(c) && c.all('cbc:InvoiceTypeCode').some((e) => /02\d{5}/.test(e.getAttribute('name') ?? '')) && n.length > 0 && len(s1(n)) > 1000;
  }),
  ksa(
    'BR-KSA-25',
    'warning',
    "A simplified invoice for private education or healthcare (VATEX-SA-EDU/HEA) needs the buyer's name.",
    'الفاتورة المبسطة للتعليم أو الصحة الخاصة (VATEX-SA-EDU/HEA) تتطلب اسم المشتري.',
    (c) => {
      if (!c.all('cbc:InvoiceTypeCode').some((e) => (e.getAttribute('name') ?? '').startsWith('02'))) return false;
      const codes = c.path(c.all('cac:TaxTotal'), 'cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode');
      // `every` over no codes is true, but then the first branch (also `every`) holds: no finding
      const allEduHea = codes.length > 0 && codes.every((e) => ' VATEX-SA-HEA VATEX-SA-EDU '.includes(str(e)));
      return allEduHea && !nonEmpty(buyer(c, 'cac:PartyLegalEntity/cbc:RegistrationName'));
    },
  ),
  ksa('BR-KSA-71', 'warning', "A simplified summary invoice needs the buyer's name.", 'الفاتورة المبسطة الملخصة تتطلب اسم المشتري.', (c) => {
    if (!c.all('cbc:InvoiceTypeCode').some((e) => (e.getAttribute('name') ?? '').startsWith('02'))) return false;
    if (!c.anyName(/02\d{3}1\d/)) return false;
    const names = c
      .all('cac:AccountingCustomerParty')
      .flatMap((h) => c.kids(h, 'cac:Party'))
      .flatMap((p) => descendants(c, p, 'cac:PartyLegalEntity'))
      .flatMap((e) => c.kids(e, 'cbc:RegistrationName'));
    return !(names.length > 0 && norm(s1(names)) !== '');
  }),
  ksa(
    'BR-KSA-81',
    'warning',
    'A standard invoice whose buyer has no VAT number needs another buyer identifier (BT-46).',
    'الفاتورة الضريبية لمشترٍ بلا رقم ضريبي تتطلب معرّفًا آخر للمشتري (BT-46).',
    (c) =>
      c.isStandard &&
      buyerTaxIdsRoot(c).length === 0 &&
      !c.at('cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID').some((e) => norm(str(e)) !== ''),
  ),
  ksa(
    'BR-KSA-49',
    'error',
    "Private education or healthcare exemptions (VATEX-SA-EDU/HEA) need the buyer's national ID (scheme NAT).",
    'إعفاء التعليم أو الصحة الخاصة (VATEX-SA-EDU/HEA) يتطلب الهوية الوطنية للمشتري (NAT).',
    (c) => {
      const edu = c
        .path(c.all('cac:TaxTotal'), 'cac:TaxSubtotal/cac:TaxCategory')
        .some((cat) => c.kids(cat, 'cbc:TaxExemptionReasonCode').some((e) => str(e) === 'VATEX-SA-EDU' || str(e) === 'VATEX-SA-HEA'));
      if (!edu) return false;
      const ids = buyer(c, 'cac:PartyIdentification/cbc:ID');
      return !(ids.length > 0 && ids.some((e) => e.getAttribute('schemeID') === 'NAT' && e.hasAttribute('schemeID')));
    },
  ),
  ksa(
    'BR-KSA-85',
    'warning',
    "The buyer's contact phone (BT-57) must be 0 or + followed by 4 to 15 digits.",
    'يجب أن يبدأ هاتف جهة اتصال المشتري (BT-57) بـ 0 أو + متبوعًا بـ 4 إلى 15 رقمًا.',
    (c) => {
      const t = buyer(c, 'cac:Contact/cbc:Telephone');
      return buyer(c, 'cac:Contact').length > 0 && len(s1(t)) > 0 && !/^(?:0|\+)[0-9]{4,15}$/.test(s1(t));
    },
  ),
  ksa(
    'BR-KSA-F-06-C37',
    'warning',
    "The buyer's contact name (BT-56) is longer than 1000 characters.",
    'اسم جهة اتصال المشتري (BT-56) أطول من 1000 حرف.',
    (c) => {
      const t = buyer(c, 'cac:Contact/cbc:Name');
      return t.length > 0 && len(s1(t)) > 1000;
    },
  ),
  ksa(
    'BR-KSA-F-06-C38',
    'warning',
    "The buyer's contact note (KSA-35) is longer than 1000 characters.",
    'ملاحظة جهة اتصال المشتري (KSA-35) أطول من 1000 حرف.',
    (c) => {
      const t = buyer(c, 'cac:Contact/cbc:Note');
      return t.length > 0 && len(s1(t)) > 1000;
    },
  ),
];
/** The context `cac:AccountingSupplierParty/cac:Party/cac:PostalAddress` at any depth. */
function sellerAddresses(c: InvoiceContext): Element[] {
  return c.path(c.all('cac:AccountingSupplierParty'), 'cac:Party/cac:PostalAddress') as Element[];
}

/** `p//name` */
function descendants(c: InvoiceContext, p: Element, name: string): Element[] {
  return c.all(name).filter((e) => {
    for (let n = e.parentNode; n; n = n.parentNode) if (n === p) return true;
    return false;
  });
}
