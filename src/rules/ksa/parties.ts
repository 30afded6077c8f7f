// KSA rules on the seller's and buyer's identifiers: VAT numbers, other identifiers and their formats;
// addresses, names and contact are in ksa/party-addresses.ts (the index runs them right after these).
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { len, nonEmpty, norm, s1, str } from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';
import { VAT_NUMBER } from '../../model/identifiers.js';

const sellerTaxIds = (c: InvoiceContext) => c.at('cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID');
export const buyerTaxIdsRoot = (c: InvoiceContext) => c.at('cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID');
/** `//cac:AccountingCustomerParty/cac:Party/…` */
export const buyer = (c: InvoiceContext, path: string) => c.path(c.all('cac:AccountingCustomerParty'), `cac:Party/${path}`);
export const seller = (c: InvoiceContext, path: string) => c.path(c.all('cac:AccountingSupplierParty'), `cac:Party/${path}`);

const validVat = (v: string) => VAT_NUMBER.test(v);
const digitsOnly = (v: string) => v.replace(/[0-9]/g, '') === '';

/** The rule context `cac:AccountingSupplierParty | cac:AccountingCustomerParty` (any depth). */
const partyHolders = (c: InvoiceContext) => [...c.all('cac:AccountingSupplierParty'), ...c.all('cac:AccountingCustomerParty')];

/** BR-KSA-F-08/F-09 look at the first identifier's scheme and value of each party. */
function firstPartyId(c: InvoiceContext, holder: Element): { scheme: string; value: string } | undefined {
  const ids = c.path(holder, 'cac:Party/cac:PartyIdentification/cbc:ID');
  if (!ids.length) return undefined;
  return { scheme: norm(ids[0]!.getAttribute('schemeID') ?? ''), value: str(ids[0]) };
}

export const SELLER_SCHEMES = ['CRN', 'MOM', 'MLS', '700', 'SAG', 'OTH'];
export const BUYER_SCHEMES = ['TIN', 'CRN', 'MOM', 'MLS', '700', 'SAG', 'NAT', 'GCC', 'IQA', 'OTH', 'PAS'];
const TRIVIAL_RUN =
  /(01234567|12345678|23456789|76543210|87654321|98765432|00000000|11111111|22222222|33333333|44444444|55555555|66666666|77777777|88888888|99999999)/;

export const partyRules: Rule[] = [
  ksa(
    'BR-KSA-39',
    'error',
    "The seller's VAT number (BT-31) with tax scheme VAT is missing.",
    'الرقم الضريبي للبائع (BT-31) مع نظام الضريبة VAT مفقود.',
    (c) =>
      !(
        nonEmpty(sellerTaxIds(c)) &&
        c.at('cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cac:TaxScheme').some((t) => c.kids(t, 'cbc:ID').some((e) => norm(str(e)) === 'VAT'))
      ),
  ),
  ksa(
    'BR-KSA-40',
    'error',
    "The seller's VAT number (BT-31) must have 15 digits and start and end with 3.",
    'يجب أن يتكون الرقم الضريبي للبائع (BT-31) من 15 رقمًا يبدأ وينتهي بالرقم 3.',
    (c) => {
      const fired = seller(c, 'cac:PartyTaxScheme/cac:TaxScheme').some((t) => c.kids(t, 'cbc:ID').some((e) => str(e) === 'VAT'));
      const ids = seller(c, 'cac:PartyTaxScheme/cbc:CompanyID');
      return fired && ids.length > 0 && !validVat(s1(ids));
    },
  ),
  ksa(
    'BR-KSA-44',
    'error',
    "The buyer's VAT number (BT-48), when given, must have 15 digits and start and end with 3.",
    'يجب أن يتكون الرقم الضريبي للمشتري (BT-48) عند ذكره من 15 رقمًا يبدأ وينتهي بالرقم 3.',
    (c) => {
      const ids = buyer(c, 'cac:PartyTaxScheme/cbc:CompanyID');
      return ids.length > 0 && len(s1(ids)) > 0 && !validVat(s1(ids));
    },
  ),
  ksa('BR-KSA-99', 'warning', "The buyer's VAT number element (BT-48) is present but empty.", 'عنصر الرقم الضريبي للمشتري (BT-48) موجود لكنه فارغ.', (c) => {
    const ids = buyer(c, 'cac:PartyTaxScheme/cbc:CompanyID');
    return ids.length > 0 && c.isStandard && norm(s1(ids)) === '';
  }),
  ksa(
    'BR-CUSTOM-VALIDATION-01',
    'error',
    "The seller's VAT number (BT-31) must differ from the buyer's (BT-48).",
    'يجب أن يختلف الرقم الضريبي للبائع (BT-31) عن الرقم الضريبي للمشتري (BT-48).',
    (c) => {
      const s = sellerTaxIds(c).map(str);
      const b = buyerTaxIdsRoot(c).map(str);
      return s.some((v) => v !== '') && b.some((v) => v !== '') && b.some((v) => s.includes(v));
    },
  ),
  ksa(
    'BR-KSA-08',
    'warning',
    'The seller needs one other identifier (BT-29) with scheme CRN, MOM, MLS, SAG, OTH or 700.',
    'يجب أن يكون للبائع معرّف آخر (BT-29) بأحد الأنظمة CRN أو MOM أو MLS أو SAG أو OTH أو 700.',
    (c) => {
      const ids = c.at('cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID');
      if (!ids.length) return true;
      const scheme = norm(ids[0]!.getAttribute('schemeID') ?? '');
      return !(len(scheme) > 2 && 'CRN MOM MLS SAG OTH 700'.includes(scheme));
    },
  ),
  ksa(
    'BR-KSA-14',
    'error',
    "The buyer's identifier scheme (BT-46-1) must be TIN, CRN, MOM, MLS, 700, SAG, NAT, GCC, IQA, PAS or OTH.",
    'يجب أن يكون نظام معرّف المشتري (BT-46-1) أحد القيم TIN أو CRN أو MOM أو MLS أو 700 أو SAG أو NAT أو GCC أو IQA أو PAS أو OTH.',
    (c) =>
      buyerIds(c).some((id) => {
        const scheme = norm(id.getAttribute('schemeID') ?? '');
        return !(len(scheme) > 2 && 'TIN NAT IQA PAS CRN MOM MLS 700 SAG GCC OTH'.includes(scheme));
      }),
  ),
  ksa(
    'BR-KSA-F-07',
    'warning',
    'A buyer TIN (BT-46) should be 10 digits starting with 3.',
    'يجب أن يتكون الرقم المميز للمشتري TIN (BT-46) من 10 أرقام يبدأ بالرقم 3.',
    (c) =>
      buyerIds(c).some(
        (id) => norm(id.getAttribute('schemeID') ?? '') === 'TIN' && !(len(norm(str(id))) === 10 && digitsOnly(str(id)) && norm(str(id)).startsWith('3')),
      ),
  ),
  ksa(
    'BR-KSA-F-10',
    'warning',
    'A buyer national ID (NAT, BT-46) should be 10 digits starting with 1.',
    'يجب أن تتكون الهوية الوطنية للمشتري NAT (BT-46) من 10 أرقام تبدأ بالرقم 1.',
    (c) =>
      buyerIds(c).some(
        (id) => norm(id.getAttribute('schemeID') ?? '') === 'NAT' && !(norm(str(id)).startsWith('1') && len(norm(str(id))) === 10 && digitsOnly(str(id))),
      ),
  ),
  ksa(
    'BR-KSA-F-11',
    'warning',
    'A buyer Iqama number (IQA, BT-46) should be 10 digits starting with 2.',
    'يجب أن يتكون رقم الإقامة للمشتري IQA (BT-46) من 10 أرقام يبدأ بالرقم 2.',
    (c) =>
      buyerIds(c).some(
        (id) => norm(id.getAttribute('schemeID') ?? '') === 'IQA' && !(len(norm(str(id))) === 10 && digitsOnly(str(id)) && norm(str(id)).startsWith('2')),
      ),
  ),
  ksa(
    'BR-KSA-F-08',
    'warning',
    'A commercial registration number (CRN, BT-29/BT-46) should be 10 digits.',
    'يجب أن يتكون رقم السجل التجاري CRN (BT-29/BT-46) من 10 أرقام.',
    (c) =>
      partyHolders(c).some((h) => {
        const id = firstPartyId(c, h);
        return !!id && id.scheme === 'CRN' && !(len(norm(id.value)) === 10 && digitsOnly(id.value));
      }),
  ),
  ksa(
    'BR-KSA-F-09',
    'warning',
    'A 700 number (BT-29/BT-46) should be 10 digits starting with 7.',
    'يجب أن يتكون الرقم الموحد 700 (BT-29/BT-46) من 10 أرقام يبدأ بالرقم 7.',
    (c) =>
      partyHolders(c).some((h) => {
        const id = firstPartyId(c, h);
        return !!id && id.scheme === '700' && !(norm(id.value).startsWith('7') && len(norm(id.value)) === 10 && digitsOnly(id.value));
      }),
  ),
  ksa(
    'BR-KSA-F-12',
    'warning',
    'A party identifier scheme (BT-29-1/BT-46-1) contains surrounding spaces.',
    'نظام معرّف الطرف (BT-29-1/BT-46-1) يحتوي على مسافات زائدة.',
    (c) =>
      partyHolders(c).some((h) => {
        const ids = c.path(h, 'cac:Party/cac:PartyIdentification/cbc:ID');
        if (!ids.length) return false;
        const raw = ids[0]!.getAttribute('schemeID') ?? '';
        const allowed = qname(h) === 'cac:AccountingSupplierParty' ? SELLER_SCHEMES : BUYER_SCHEMES;
        return raw !== '' && allowed.includes(norm(raw).toUpperCase()) && raw !== norm(raw);
      }),
  ),
  ksa(
    'BR-KSA-F-13',
    'warning',
    'A party identifier (BT-29/BT-46) looks invalid (a run of 8 repeated or consecutive digits).',
    'معرّف الطرف (BT-29/BT-46) يبدو غير صحيح (ثمانية أرقام متكررة أو متتالية).',
    (c) =>
      partyHolders(c).some((h) => {
        const allowed = qname(h) === 'cac:AccountingSupplierParty' ? SELLER_SCHEMES : BUYER_SCHEMES;
        return c
          .path(h, 'cac:Party/cac:PartyIdentification/cbc:ID')
          .some(
            (id) =>
              allowed.includes(norm(id.getAttribute('schemeID') ?? '').toUpperCase()) && /^\p{Nd}+$/u.test(norm(str(id))) && TRIVIAL_RUN.test(norm(str(id))),
          );
      }),
  ),
];

function qname(el: Element): string {
  return `cac:${el.localName}`;
}

/** `cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID` at any depth. */
function buyerIds(c: InvoiceContext): Element[] {
  return c.path(c.all('cac:AccountingCustomerParty'), 'cac:Party/cac:PartyIdentification/cbc:ID') as Element[];
}
