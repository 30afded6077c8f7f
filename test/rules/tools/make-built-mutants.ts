// Mutants of invoices our own engine builds (issue 3 "Done when" #1): writes the recipes
// (test/fixtures/validation/built-mutants.recipes.json), materializes them into a scratch folder
// outside the repository, runs the oracle ONCE over the batch and records its verdicts
// (built-mutants.oracle.json). Nothing of ZATCA is written here: built invoices are ours.
// Usage: node --import tsx test/rules/tools/make-built-mutants.ts [path/to/oracle]   (default ../shared/oracle/oracle)
//        add --no-oracle to only rewrite the recipes and print the scratch folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sdkSigning } from '../../helpers/scenarios.js';
import { repoRoot } from '../../helpers/sdk.js';
import { fullVerdictFromOracle, materializeBuilt } from '../built.js';
import type { Edit, MutantRecipe } from '../mutate.js';

type Form = Pick<MutantRecipe, 'base' | 'form' | 'restamp'>;
/** Unsigned writer output (standard documents: allowed unsigned; runs without the SDK data). */
const U = (s: string): Form => ({ base: `built:${s}`, form: 'unsigned' });
/** Signed, edited, then re-signed: only the business rule should fail. */
const R = (s: string): Form => ({ base: `built:${s}`, form: 'signed', restamp: true });
/** Signed, edited after signing (crypto/QR mutants). */
const S = (s: string): Form => ({ base: `built:${s}`, form: 'signed' });

const LMT = 'cac:LegalMonetaryTotal';
const SUP = 'cac:AccountingSupplierParty/cac:Party';
const BUY = 'cac:AccountingCustomerParty/cac:Party';
const LINE = 'cac:InvoiceLine';
const BT = 'cac:TaxTotal[2]/cac:TaxSubtotal';
const SIG = 'ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/sig:UBLDocumentSignatures/sac:SignatureInformation/ds:Signature';
const SP = `${SIG}/ds:Object/xades:QualifyingProperties/xades:SignedProperties`;
const CERT = `${SP}/xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert`;
const QR = 'cac:AdditionalDocumentReference[3]/cac:Attachment/cbc:EmbeddedDocumentBinaryObject';
const PIH = 'cac:AdditionalDocumentReference[2]/cac:Attachment/cbc:EmbeddedDocumentBinaryObject';
const ICV = 'cac:AdditionalDocumentReference[1]/cbc:UUID';

const SPEC = 'ZATCA XML Implementation Standard / 20210819_ZATCA_E-invoice_Validation_Rules';
const EN = 'EN16931 (CEN-EN16931-UBL.xsl, ZATCA trimmed)';
const KSA = `KSA (${SPEC})`;
const XSD = 'UBL 2.1 XSD (ZATCA schemas)';
const SEC = 'ZATCA Security Features Implementation Standard';

const out: Array<Omit<MutantRecipe, 'id'>> = [];
let category = '';
const add = (f: Form, rule: string, source: string, intent: string, edits: Edit[]): void => void out.push({ ...f, category, edits, intent, rule, source });

// --- totals -------------------------------------------------------------------------------------
category = 'totals';
const totalsBases: Form[] = [
  U('standard-invoice'),
  R('simplified-invoice'),
  U('document-level-charge'),
  U('exempt'),
  U('advance-payment-adjustments'),
  U('export-usd'),
  R('simplified-zero-rated'),
  U('out-of-scope'),
  U('summary'),
  R('service-charge-10-percent'),
  U('advance-payment-foreign-currency'),
  U('returnable-deposit'),
];
for (const b of totalsBases) {
  const n = b.base.slice(6);
  add(b, 'BR-CO-16', EN, `${n}: payable amount off by 1`, [{ op: 'add', path: `${LMT}/cbc:PayableAmount`, delta: '1' }]);
  add(b, 'BR-CO-13', EN, `${n}: tax exclusive amount off by 1`, [{ op: 'add', path: `${LMT}/cbc:TaxExclusiveAmount`, delta: '1' }]);
  add(b, 'BR-CO-15', EN, `${n}: tax inclusive amount off by 1`, [{ op: 'add', path: `${LMT}/cbc:TaxInclusiveAmount`, delta: '1' }]);
  add(b, 'BR-CO-10', EN, `${n}: sum of line net amounts off by 1`, [{ op: 'add', path: `${LMT}/cbc:LineExtensionAmount`, delta: '1' }]);
  add(b, 'BR-CO-14', EN, `${n}: VAT total (with breakdown) off by 1`, [{ op: 'add', path: 'cac:TaxTotal[2]/cbc:TaxAmount', delta: '1' }]);
  add(b, 'BR-CO-17/BR-S|Z|E|O-09', EN, `${n}: breakdown VAT amount off by 0.5`, [{ op: 'add', path: `${BT}/cbc:TaxAmount`, delta: '0.5' }]);
  add(b, 'BR-S|Z|E|O-08', EN, `${n}: breakdown taxable amount off by 1`, [{ op: 'add', path: `${BT}/cbc:TaxableAmount`, delta: '1' }]);
  add(b, 'BR-KSA-EN16931-11', KSA, `${n}: line net amount off by 1`, [{ op: 'add', path: `${LINE}/cbc:LineExtensionAmount`, delta: '1' }]);
  add(b, 'BR-KSA-51', KSA, `${n}: line amount with VAT off by 1`, [{ op: 'add', path: `${LINE}/cac:TaxTotal/cbc:RoundingAmount`, delta: '1' }]);
  add(b, 'BR-KSA-50', KSA, `${n}: line VAT amount off by 1`, [{ op: 'add', path: `${LINE}/cac:TaxTotal/cbc:TaxAmount`, delta: '1' }]);
  add(b, 'BR-CO-11', EN, `${n}: allowance total off by 1`, [{ op: 'add', path: `${LMT}/cbc:AllowanceTotalAmount`, delta: '1' }]);
  add(b, 'BR-CO-12', EN, `${n}: charge total off by 1`, [{ op: 'add', path: `${LMT}/cbc:ChargeTotalAmount`, delta: '1' }]);
  add(b, 'BR-KSA-80', KSA, `${n}: prepaid amount off by 1`, [{ op: 'add', path: `${LMT}/cbc:PrepaidAmount`, delta: '1' }]);
  add(b, 'BR-KSA-EN16931-08', KSA, `${n}: SAR VAT total (no breakdown) off by 1`, [{ op: 'add', path: 'cac:TaxTotal[1]/cbc:TaxAmount', delta: '1' }]);
}
add(U('exempt'), 'BR-E-08', EN, 'exempt: E breakdown taxable amount off', [{ op: 'add', path: `${BT}[2]/cbc:TaxableAmount`, delta: '1' }]);
add(U('exempt'), 'BR-E-09', EN, 'exempt: E breakdown VAT amount not 0', [{ op: 'add', path: `${BT}[2]/cbc:TaxAmount`, delta: '1' }]);
add(U('out-of-scope'), 'BR-O-09', EN, 'out of scope: O breakdown VAT amount not 0', [{ op: 'add', path: `${BT}/cbc:TaxAmount`, delta: '1' }]);
add(U('returnable-deposit'), 'BR-O-08', EN, 'returnable deposit: O breakdown taxable amount off', [
  { op: 'add', path: `${BT}[2]/cbc:TaxableAmount`, delta: '1' },
]);
add(U('document-level-charge'), 'BR-CO-12', EN, 'document charge amount not in charge total', [
  { op: 'add', path: 'cac:AllowanceCharge/cbc:Amount', delta: '1' },
]);
add(U('advance-payment-adjustments'), 'BR-CO-11', EN, 'document allowance amount not in allowance total', [
  { op: 'add', path: 'cac:AllowanceCharge/cbc:Amount', delta: '1' },
]);
add(R('service-charge-10-percent'), 'BR-KSA-EN16931-03', KSA, 'charge amount not base × factor', [
  { op: 'add', path: 'cac:AllowanceCharge/cbc:Amount', delta: '0.05' },
]);
add(R('service-charge-10-percent'), 'BR-KSA-EN16931-03 (line)', KSA, 'line allowance amount not base × factor', [
  { op: 'add', path: `${LINE}[2]/cac:AllowanceCharge/cbc:Amount`, delta: '0.05' },
]);
add(U('standard-invoice'), 'BR-KSA-EN16931-11', KSA, 'price changed (net ≠ qty × price)', [
  { op: 'add', path: `${LINE}/cac:Price/cbc:PriceAmount`, delta: '1' },
]);
add(U('standard-invoice'), 'BR-KSA-EN16931-11', KSA, 'quantity changed (net ≠ qty × price)', [
  { op: 'setText', path: `${LINE}/cbc:InvoicedQuantity`, value: '3.000000' },
]);
add(U('standard-invoice'), 'BR-KSA-EN16931-05', KSA, 'standard invoice without the SAR TaxTotal', [{ op: 'remove', path: 'cac:TaxTotal[1]' }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-09', KSA, 'breakdown TaxTotal removed', [{ op: 'remove', path: 'cac:TaxTotal[2]' }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-06', KSA, 'a third TaxTotal', [{ op: 'duplicate', path: 'cac:TaxTotal[1]' }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-07', KSA, 'SAR TaxTotal with a subtotal', [
  {
    op: 'insert',
    path: 'cac:TaxTotal[1]/cbc:TaxAmount',
    where: 'after',
    xml: '<cac:TaxSubtotal><cbc:TaxableAmount currencyID="SAR">4.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="SAR">0.60</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>15.00</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>',
  },
]);
add(U('standard-invoice'), 'BR-KSA-EN16931-10', KSA, 'line VAT rounding amount removed', [{ op: 'remove', path: `${LINE}/cac:TaxTotal/cbc:RoundingAmount` }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-12', KSA, 'price base quantity 0', [
  { op: 'insert', path: `${LINE}/cac:Price/cbc:PriceAmount`, where: 'after', xml: '<cbc:BaseQuantity unitCode="PCE">0</cbc:BaseQuantity>' },
]);
add(U('standard-invoice'), 'BR-KSA-F-04', KSA, 'negative price', [{ op: 'setText', path: `${LINE}/cac:Price/cbc:PriceAmount`, value: '-2.00' }]);
add(U('standard-invoice'), 'BR-DEC-18', EN, 'payable amount with 3 decimals', [{ op: 'setText', path: `${LMT}/cbc:PayableAmount`, value: '4.600' }]);
add(U('standard-invoice'), 'BR-KSA-DEC-03', KSA, 'line VAT with 3 decimals', [{ op: 'setText', path: `${LINE}/cac:TaxTotal/cbc:TaxAmount`, value: '0.600' }]);
add(U('standard-invoice'), 'BR-22', EN, 'quantity 0', [{ op: 'setText', path: `${LINE}/cbc:InvoicedQuantity`, value: '0' }]);

// --- VAT numbers ----------------------------------------------------------------------------------
category = 'VAT numbers';
const vatBases: Form[] = [U('standard-invoice'), R('simplified-invoice'), U('standard-credit-note')];
for (const b of vatBases) {
  const n = b.base.slice(6);
  const sv = `${SUP}/cac:PartyTaxScheme/cbc:CompanyID`;
  add(b, 'BR-KSA-40', KSA, `${n}: seller VAT 14 digits`, [{ op: 'setText', path: sv, value: '39999999990003' }]);
  add(b, 'BR-KSA-40', KSA, `${n}: seller VAT 16 digits`, [{ op: 'setText', path: sv, value: '3999999999000033' }]);
  add(b, 'BR-KSA-40', KSA, `${n}: seller VAT starts with 4`, [{ op: 'setText', path: sv, value: '499999999900003' }]);
  add(b, 'BR-KSA-40', KSA, `${n}: seller VAT ends with 4`, [{ op: 'setText', path: sv, value: '399999999900004' }]);
  add(b, 'BR-KSA-40', KSA, `${n}: seller VAT with a letter`, [{ op: 'setText', path: sv, value: '39999999990000A' }]);
  add(b, 'BR-KSA-39', KSA, `${n}: seller VAT removed`, [{ op: 'remove', path: `${SUP}/cac:PartyTaxScheme/cbc:CompanyID` }]);
  add(b, 'BR-KSA-39', KSA, `${n}: seller tax scheme GST`, [{ op: 'setText', path: `${SUP}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID`, value: 'GST' }]);
}
for (const b of [U('standard-invoice'), U('standard-credit-note'), U('document-level-charge')]) {
  const n = b.base.slice(6);
  const bv = `${BUY}/cac:PartyTaxScheme/cbc:CompanyID`;
  add(b, 'BR-CUSTOM-VALIDATION-01', KSA, `${n}: buyer VAT equals seller VAT`, [{ op: 'setText', path: bv, value: '399999999900003' }]);
  add(b, 'BR-KSA-44', KSA, `${n}: buyer VAT 5 digits`, [{ op: 'setText', path: bv, value: '12345' }]);
  add(b, 'BR-KSA-44', KSA, `${n}: buyer VAT starts with 1`, [{ op: 'setText', path: bv, value: '199999999800003' }]);
  add(b, 'BR-KSA-44', KSA, `${n}: buyer VAT ends with 0`, [{ op: 'setText', path: bv, value: '399999999800000' }]);
  add(b, 'BR-KSA-99', KSA, `${n}: buyer VAT empty`, [{ op: 'setText', path: bv, value: '' }]);
  add(b, 'BR-KSA-81', KSA, `${n}: buyer without VAT and without other id`, [{ op: 'remove', path: `${BUY}/cac:PartyTaxScheme` }]);
}

// --- party identification ------------------------------------------------------------------------
category = 'party IDs';
for (const b of [U('standard-invoice'), R('simplified-invoice')]) {
  const n = b.base.slice(6);
  const sid = `${SUP}/cac:PartyIdentification/cbc:ID`;
  add(b, 'BR-KSA-08', KSA, `${n}: seller id scheme ABC`, [{ op: 'setAttr', path: sid, name: 'schemeID', value: 'ABC' }]);
  add(b, 'BR-KSA-08', KSA, `${n}: seller id scheme NAT (buyer-only scheme)`, [{ op: 'setAttr', path: sid, name: 'schemeID', value: 'NAT' }]);
  add(b, 'BR-KSA-08', KSA, `${n}: seller identification removed`, [{ op: 'remove', path: `${SUP}/cac:PartyIdentification` }]);
  add(b, 'BR-KSA-F-08', KSA, `${n}: seller CRN 8 digits`, [{ op: 'setText', path: sid, value: '10100100' }]);
  add(b, 'BR-KSA-F-08', KSA, `${n}: seller CRN with letters`, [{ op: 'setText', path: sid, value: '10100A0000' }]);
  add(b, 'BR-KSA-F-13', KSA, `${n}: seller CRN trivial run`, [{ op: 'setText', path: sid, value: '1234567890' }]);
  add(b, 'BR-KSA-F-09', KSA, `${n}: seller 700 number not 7…`, [{ op: 'setAttr', path: sid, name: 'schemeID', value: '700' }]);
  add(b, 'BR-KSA-F-12', KSA, `${n}: seller scheme with spaces`, [{ op: 'setAttr', path: sid, name: 'schemeID', value: ' CRN ' }]);
  add(b, 'BR-KSA-F-08', KSA, `${n}: seller id empty`, [{ op: 'setText', path: sid, value: '' }]);
}
const buyerId = (scheme: string, value: string): Edit => ({
  op: 'insert',
  path: `${BUY}/cac:PostalAddress`,
  where: 'before',
  xml: `<cac:PartyIdentification><cbc:ID schemeID="${scheme}">${value}</cbc:ID></cac:PartyIdentification>`,
});
for (const b of [U('standard-invoice'), U('standard-debit-note')]) {
  const n = b.base.slice(6);
  add(b, 'BR-KSA-F-10', KSA, `${n}: buyer NAT not 1…`, [buyerId('NAT', '2000000001')]);
  add(b, 'BR-KSA-F-10', KSA, `${n}: buyer NAT 9 digits`, [buyerId('NAT', '100000001')]);
  add(b, 'BR-KSA-F-11', KSA, `${n}: buyer IQA not 2…`, [buyerId('IQA', '1000000001')]);
  add(b, 'BR-KSA-F-07', KSA, `${n}: buyer TIN not 3…`, [buyerId('TIN', '1000000001')]);
  add(b, 'BR-KSA-14', KSA, `${n}: buyer id scheme XYZ`, [buyerId('XYZ', '2000000001')]);
  add(b, 'BR-KSA-F-09', KSA, `${n}: buyer 700 number wrong`, [buyerId('700', '1234567891')]);
  add(b, 'BR-KSA-F-08', KSA, `${n}: buyer CRN 9 digits`, [buyerId('CRN', '101001000')]);
  add(b, 'BR-KSA-F-12', KSA, `${n}: buyer scheme with spaces`, [buyerId(' NAT ', '1000000001')]);
}
add(U('export-usd'), 'BR-KSA-14', KSA, 'export buyer scheme lower-case oth', [
  { op: 'setAttr', path: `${BUY}/cac:PartyIdentification/cbc:ID`, name: 'schemeID', value: 'oth' },
]);
add(U('export-usd'), 'BR-KSA-81', KSA, 'export buyer identification removed', [{ op: 'remove', path: `${BUY}/cac:PartyIdentification` }]);
add(U('standard-invoice'), 'BR-KSA-85', KSA, 'buyer phone too short', [
  { op: 'insert', path: `${BUY}/cac:PartyLegalEntity`, where: 'after', xml: '<cac:Contact><cbc:Telephone>12</cbc:Telephone></cac:Contact>' },
]);
add(U('standard-invoice'), 'BR-KSA-42', KSA, 'buyer name removed', [{ op: 'remove', path: `${BUY}/cac:PartyLegalEntity` }]);
add(R('simplified-invoice'), 'BR-KSA-42', KSA, 'simplified: seller name removed (restamp impossible: QR tag 1)', [
  { op: 'setText', path: `${SUP}/cac:PartyLegalEntity/cbc:RegistrationName`, value: '' },
]);

// --- addresses ------------------------------------------------------------------------------------
category = 'addresses';
for (const b of [U('standard-invoice'), R('simplified-invoice'), U('exempt')]) {
  const n = b.base.slice(6);
  const sa = `${SUP}/cac:PostalAddress`;
  add(b, 'BR-KSA-37', KSA, `${n}: seller building number 2 digits`, [{ op: 'setText', path: `${sa}/cbc:BuildingNumber`, value: '12' }]);
  add(b, 'BR-KSA-37', KSA, `${n}: seller building number 5 digits`, [{ op: 'setText', path: `${sa}/cbc:BuildingNumber`, value: '12345' }]);
  add(b, 'BR-KSA-37', KSA, `${n}: seller building number with letters`, [{ op: 'setText', path: `${sa}/cbc:BuildingNumber`, value: '12AB' }]);
  add(b, 'BR-KSA-66', KSA, `${n}: seller postal code 4 digits`, [{ op: 'setText', path: `${sa}/cbc:PostalZone`, value: '1234' }]);
  add(b, 'BR-KSA-66', KSA, `${n}: seller postal code with a letter`, [{ op: 'setText', path: `${sa}/cbc:PostalZone`, value: '1234A' }]);
  add(b, 'BR-KSA-09', KSA, `${n}: seller district removed`, [{ op: 'remove', path: `${sa}/cbc:CitySubdivisionName` }]);
  add(b, 'BR-KSA-09', KSA, `${n}: seller street removed`, [{ op: 'remove', path: `${sa}/cbc:StreetName` }]);
  add(b, 'BR-KSA-09', KSA, `${n}: seller city removed`, [{ op: 'remove', path: `${sa}/cbc:CityName` }]);
  add(b, 'BR-KSA-09', KSA, `${n}: seller postal code removed`, [{ op: 'remove', path: `${sa}/cbc:PostalZone` }]);
  add(b, 'BR-KSA-F-06-C7', KSA, `${n}: seller city empty`, [{ op: 'setText', path: `${sa}/cbc:CityName`, value: '' }]);
  add(b, 'BR-KSA-F-06-C4', KSA, `${n}: seller street 1001 characters`, [{ op: 'setText', path: `${sa}/cbc:StreetName`, value: 'ش'.repeat(1001) }]);
  add(b, 'BR-CL-14', EN, `${n}: seller country XX`, [{ op: 'setText', path: `${sa}/cac:Country/cbc:IdentificationCode`, value: 'XX' }]);
  add(b, 'BR-KSA-09', KSA, `${n}: seller country removed`, [{ op: 'remove', path: `${sa}/cac:Country` }]);
}
for (const b of [U('standard-invoice'), U('standard-credit-note'), U('document-level-charge')]) {
  const n = b.base.slice(6);
  const ba = `${BUY}/cac:PostalAddress`;
  add(b, 'BR-KSA-63', KSA, `${n}: buyer street removed`, [{ op: 'remove', path: `${ba}/cbc:StreetName` }]);
  add(b, 'BR-KSA-67', KSA, `${n}: buyer postal code 2 digits`, [{ op: 'setText', path: `${ba}/cbc:PostalZone`, value: '12' }]);
  add(b, 'BR-KSA-F-06-C28', KSA, `${n}: buyer district removed`, [{ op: 'remove', path: `${ba}/cbc:CitySubdivisionName` }]);
  add(b, 'BR-KSA-63', KSA, `${n}: buyer building number removed`, [{ op: 'remove', path: `${ba}/cbc:BuildingNumber` }]);
  add(b, 'BR-KSA-63', KSA, `${n}: buyer city removed`, [{ op: 'remove', path: `${ba}/cbc:CityName` }]);
  add(b, 'BR-KSA-10', KSA, `${n}: buyer abroad without city`, [
    { op: 'setText', path: `${ba}/cac:Country/cbc:IdentificationCode`, value: 'US' },
    { op: 'remove', path: `${ba}/cbc:CityName` },
  ]);
  add(b, 'BR-CL-14', EN, `${n}: buyer country lower-case sa`, [{ op: 'setText', path: `${ba}/cac:Country/cbc:IdentificationCode`, value: 'sa' }]);
}
add(U('export-usd'), 'BR-KSA-10', KSA, 'export buyer without street', [{ op: 'remove', path: `${BUY}/cac:PostalAddress/cbc:StreetName` }]);
add(U('export-usd'), 'BR-KSA-10', KSA, 'export buyer without country', [{ op: 'remove', path: `${BUY}/cac:PostalAddress/cac:Country` }]);

// --- codes ----------------------------------------------------------------------------------------
category = 'codes';
const TC = 'cbc:InvoiceTypeCode';
for (const b of [U('standard-invoice'), R('simplified-invoice')]) {
  const n = b.base.slice(6);
  add(b, 'BR-KSA-05', KSA, `${n}: type code 389`, [{ op: 'setText', path: TC, value: '389' }]);
  add(b, 'BR-CL-01', EN, `${n}: type code 999`, [{ op: 'setText', path: TC, value: '999' }]);
  add(b, 'BR-KSA-05', KSA, `${n}: type code 380`, [{ op: 'setText', path: TC, value: '380' }]);
  add(b, 'BR-KSA-56', KSA, `${n}: type code 383 without billing reference`, [{ op: 'setText', path: TC, value: '383' }]);
  add(b, 'BR-KSA-06', KSA, `${n}: KSA-2 name 5 characters`, [{ op: 'setAttr', path: TC, name: 'name', value: '01000' }]);
  add(b, 'BR-KSA-06', KSA, `${n}: KSA-2 name 03…`, [{ op: 'setAttr', path: TC, name: 'name', value: '0300000' }]);
  add(b, 'BR-KSA-06', KSA, `${n}: KSA-2 name with a 2`, [{ op: 'setAttr', path: TC, name: 'name', value: '0120000' }]);
  add(b, 'BR-KSA-06', KSA, `${n}: KSA-2 name removed`, [{ op: 'removeAttr', path: TC, name: 'name' }]);
}
add(U('standard-invoice'), 'BR-KSA-07', KSA, 'self-billed export 0100101', [{ op: 'setAttr', path: TC, name: 'name', value: '0100101' }]);
add(U('self-billing'), 'BR-KSA-07', KSA, 'self-billed third party 0110001', [{ op: 'setAttr', path: TC, name: 'name', value: '0110001' }]);
add(R('simplified-invoice'), 'BR-KSA-31', KSA, 'simplified self-billed 0200001', [{ op: 'setAttr', path: TC, name: 'name', value: '0200001' }]);
add(R('simplified-invoice'), 'BR-KSA-31', KSA, 'simplified export 0200100', [{ op: 'setAttr', path: TC, name: 'name', value: '0200100' }]);
add(U('standard-invoice'), 'BR-KSA-92', KSA, 'B2G 9-char without contract 010000001', [{ op: 'setAttr', path: TC, name: 'name', value: '010000001' }]);
add(R('simplified-invoice'), 'docs/zatca-notes.md §1.2 regex trap', KSA, 'simplified 9-char nominal code 020100000', [
  { op: 'setAttr', path: TC, name: 'name', value: '020100000' },
]);
add(R('simplified-invoice'), 'docs/zatca-notes.md §1.2 regex trap', KSA, 'simplified 9-char code embedding 01 + 5 digits (0201000001)', [
  { op: 'setAttr', path: TC, name: 'name', value: '020100001' },
]);
add(U('standard-invoice'), 'BR-KSA-06', KSA, '8-char name 01000000', [{ op: 'setAttr', path: TC, name: 'name', value: '01000000' }]);
add(U('export-usd'), 'BR-KSA-07', KSA, 'export + summary 0100110', [{ op: 'setAttr', path: TC, name: 'name', value: '0100110' }]);
add(U('summary'), 'BR-KSA-72', KSA, 'summary without end date', [{ op: 'remove', path: 'cac:Delivery/cbc:LatestDeliveryDate' }]);
add(U('summary'), 'BR-KSA-72', KSA, 'summary without delivery', [{ op: 'remove', path: 'cac:Delivery' }]);
for (const [code, rule] of [
  ['AE', 'BR-KSA-18'],
  ['K', 'BR-KSA-18'],
  ['G', 'BR-KSA-18'],
  ['L', 'BR-KSA-18'],
  ['X', 'BR-CL-18'],
] as const) {
  add(U('standard-invoice'), rule, KSA, `breakdown category ${code}`, [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:ID`, value: code }]);
  add(U('standard-invoice'), rule, KSA, `line category ${code}`, [{ op: 'setText', path: `${LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:ID`, value: code }]);
}
add(U('standard-invoice'), 'BR-KSA-84', KSA, 'standard rate 10', [
  { op: 'setText', path: `${LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent`, value: '10.00' },
]);
add(U('standard-invoice'), 'BR-KSA-DEC-02', KSA, 'rate with 3 decimals', [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:Percent`, value: '15.000' }]);
add(U('standard-invoice'), 'BR-S-05', EN, 'line S rate 0', [{ op: 'setText', path: `${LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent`, value: '0.00' }]);
add(U('standard-invoice'), 'BR-CO-04', EN, 'tax scheme not VAT on the line', [
  { op: 'setText', path: `${LINE}/cac:Item/cac:ClassifiedTaxCategory/cac:TaxScheme/cbc:ID`, value: 'GST' },
]);
const EXB = `${BT}[2]/cac:TaxCategory`;
add(U('exempt'), 'BR-KSA-CL-04', KSA, 'exemption code VATEX-SA-99', [{ op: 'setText', path: `${EXB}/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-99' }]);
add(U('exempt'), 'BR-KSA-CL-04', KSA, 'exemption code lower-case', [{ op: 'setText', path: `${EXB}/cbc:TaxExemptionReasonCode`, value: 'vatex-sa-29-7' }]);
add(U('exempt'), 'BR-KSA-83', KSA, 'exemption text removed', [{ op: 'remove', path: `${EXB}/cbc:TaxExemptionReason` }]);
add(U('exempt'), 'BR-KSA-23', KSA, 'exemption code removed', [{ op: 'remove', path: `${EXB}/cbc:TaxExemptionReasonCode` }]);
add(U('exempt'), 'BR-KSA-49', KSA, 'EDU exemption without NAT buyer', [{ op: 'setText', path: `${EXB}/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-EDU' }]);
add(U('exempt'), 'BR-KSA-49', KSA, 'HEA exemption without NAT buyer', [{ op: 'setText', path: `${EXB}/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-HEA' }]);
add(U('exempt'), 'BR-KSA-24', KSA, 'E category with zero-rated code VATEX-SA-32', [
  { op: 'setText', path: `${EXB}/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-32' },
]);
add(U('exempt'), 'BR-E-05', EN, 'E line rate 5', [{ op: 'setText', path: `${LINE}[2]/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent`, value: '5.00' }]);
add(U('exempt'), 'BR-E-06', EN, 'E breakdown rate 5', [{ op: 'setText', path: `${EXB}/cbc:Percent`, value: '5.00' }]);
add(U('export-usd'), 'BR-KSA-CL-04', KSA, 'zero-rated code VATEX-SA-29 (exempt code)', [
  { op: 'setText', path: `${BT}/cac:TaxCategory/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-29' },
]);
add(U('export-usd'), 'BR-KSA-23', KSA, 'zero-rated code removed', [{ op: 'remove', path: `${BT}/cac:TaxCategory/cbc:TaxExemptionReasonCode` }]);
add(U('returnable-deposit'), 'BR-KSA-CL-04', KSA, 'out-of-scope code VATEX-SA-30', [
  { op: 'setText', path: `${BT}[2]/cac:TaxCategory/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-30' },
]);
add(U('document-level-charge'), 'BR-KSA-CL-06', KSA, 'charge reason code QQ', [
  { op: 'setText', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReasonCode', value: 'QQ' },
]);
add(U('document-level-charge'), 'BR-KSA-19', KSA, 'charge reason code removed', [{ op: 'remove', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReasonCode' }]);
add(U('document-level-charge'), 'BR-KSA-19', KSA, 'charge reason code and text removed', [
  { op: 'remove', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReasonCode' },
  { op: 'remove', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReason' },
]);
add(U('document-level-charge'), 'BR-KSA-CL-06', KSA, 'charge reason code of allowances (95)', [
  { op: 'setText', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReasonCode', value: '95' },
]);
add(U('standard-invoice'), 'BR-KSA-CL-05', KSA, 'allowance reason code ZZZ (charge code)', [
  {
    op: 'insert',
    path: 'cac:AllowanceCharge/cbc:AllowanceChargeReason',
    where: 'before',
    xml: '<cbc:AllowanceChargeReasonCode>ZZZ</cbc:AllowanceChargeReasonCode>',
  },
]);
add(U('standard-invoice'), 'BR-KSA-20', KSA, 'allowance without reason', [{ op: 'remove', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReason' }]);
add(U('standard-invoice'), 'BR-KSA-16/BR-CL-16', KSA, 'payment means 99', [{ op: 'setText', path: 'cac:PaymentMeans/cbc:PaymentMeansCode', value: '99' }]);
add(U('standard-invoice'), 'BR-CL-16', EN, 'payment means 1', [{ op: 'setText', path: 'cac:PaymentMeans/cbc:PaymentMeansCode', value: '1' }]);
add(U('standard-invoice'), 'BR-KSA-16', KSA, 'payment means code removed', [{ op: 'remove', path: 'cac:PaymentMeans/cbc:PaymentMeansCode' }]);
add(R('simplified-invoice'), 'BR-CL-16', EN, 'simplified payment means ZZ', [{ op: 'setText', path: 'cac:PaymentMeans/cbc:PaymentMeansCode', value: 'ZZ' }]);
add(U('standard-invoice'), 'unit code (UN/ECE Rec 20)', EN, 'unit code XXX', [
  { op: 'setAttr', path: `${LINE}/cbc:InvoicedQuantity`, name: 'unitCode', value: 'XXX' },
]);
add(U('standard-invoice'), 'unit code (XSD)', XSD, 'unit code removed', [{ op: 'removeAttr', path: `${LINE}/cbc:InvoicedQuantity`, name: 'unitCode' }]);
add(U('standard-invoice'), 'BR-KSA-CL-03', KSA, 'PIH mime code text/html', [{ op: 'setAttr', path: PIH, name: 'mimeCode', value: 'text/html' }]);
add(U('standard-invoice'), 'BR-KSA-CL-03', KSA, 'PIH mime code application/pdf', [{ op: 'setAttr', path: PIH, name: 'mimeCode', value: 'application/pdf' }]);
add(U('standard-invoice'), 'BR-KSA-CL-03 (XSD)', XSD, 'PIH mime code removed', [{ op: 'removeAttr', path: PIH, name: 'mimeCode' }]);
add(S('simplified-invoice'), 'BR-KSA-CL-03', KSA, 'QR mime code image/png', [{ op: 'setAttr', path: QR, name: 'mimeCode', value: 'image/png' }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-01', KSA, 'profile id reporting:2.0', [{ op: 'setText', path: 'cbc:ProfileID', value: 'reporting:2.0' }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-01', KSA, 'profile id removed', [{ op: 'remove', path: 'cbc:ProfileID' }]);

// --- currencies -----------------------------------------------------------------------------------
category = 'currencies';
add(U('standard-invoice'), 'BR-CL-04/BR-KSA-CL-01', KSA, 'document currency XYZ', [{ op: 'setText', path: 'cbc:DocumentCurrencyCode', value: 'XYZ' }]);
add(U('standard-invoice'), 'BR-KSA-EN16931-02', KSA, 'tax currency USD', [{ op: 'setText', path: 'cbc:TaxCurrencyCode', value: 'USD' }]);
add(U('standard-invoice'), 'BR-KSA-CL-02', KSA, 'payable amount in USD', [
  { op: 'setAttr', path: `${LMT}/cbc:PayableAmount`, name: 'currencyID', value: 'USD' },
]);
add(U('standard-invoice'), 'BR-KSA-CL-02', KSA, 'line amount in EUR', [
  { op: 'setAttr', path: `${LINE}/cbc:LineExtensionAmount`, name: 'currencyID', value: 'EUR' },
]);
add(U('standard-invoice'), 'BR-KSA-68', KSA, 'tax currency removed', [{ op: 'remove', path: 'cbc:TaxCurrencyCode' }]);
add(U('standard-invoice'), 'BR-KSA-97', KSA, 'SAR document with a VAT total in USD', [
  { op: 'setAttr', path: 'cac:TaxTotal[1]/cbc:TaxAmount', name: 'currencyID', value: 'USD' },
]);
add(U('export-usd'), 'BR-KSA-EN16931-02', KSA, 'USD document, tax currency EUR', [{ op: 'setText', path: 'cbc:TaxCurrencyCode', value: 'EUR' }]);
add(U('export-usd'), 'BR-KSA-68', KSA, 'USD document without tax currency', [{ op: 'remove', path: 'cbc:TaxCurrencyCode' }]);
add(U('export-usd'), 'BR-KSA-97', KSA, 'USD document without the SAR TaxTotal', [{ op: 'remove', path: 'cac:TaxTotal[1]' }]);
add(U('export-usd'), 'BR-KSA-CL-02', KSA, 'USD document, SAR VAT total written in USD', [
  { op: 'setAttr', path: 'cac:TaxTotal[1]/cbc:TaxAmount', name: 'currencyID', value: 'USD' },
]);
add(U('advance-payment-foreign-currency'), 'BR-KSA-EN16931-08', KSA, 'USD document, SAR VAT total off', [
  { op: 'add', path: 'cac:TaxTotal[1]/cbc:TaxAmount', delta: '10' },
]);
add(U('advance-payment-foreign-currency'), 'BR-KSA-CL-02', KSA, 'USD document, allowance in SAR', [
  { op: 'setAttr', path: 'cac:AllowanceCharge/cbc:Amount', name: 'currencyID', value: 'SAR' },
]);
add(U('advance-payment-foreign-currency'), 'BR-KSA-88', KSA, 'exchange rate with wrong source', [
  {
    op: 'insert',
    path: 'cac:TaxTotal[1]',
    where: 'before',
    xml: '<cac:TaxExchangeRate><cbc:SourceCurrencyCode>EUR</cbc:SourceCurrencyCode><cbc:TargetCurrencyCode>SAR</cbc:TargetCurrencyCode><cbc:CalculationRate>3.75</cbc:CalculationRate></cac:TaxExchangeRate>',
  },
]);

// --- dates and times ------------------------------------------------------------------------------
category = 'dates and times';
for (const b of [U('standard-invoice'), R('simplified-invoice')]) {
  const n = b.base.slice(6);
  add(b, 'BR-KSA-04', KSA, `${n}: issue date 2099-01-01 (future)`, [{ op: 'setText', path: 'cbc:IssueDate', value: '2099-01-01' }]);
  add(b, 'BR-KSA-70', KSA, `${n}: issue time with fraction`, [{ op: 'setText', path: 'cbc:IssueTime', value: '12:21:28.000' }]);
  add(b, 'BR-KSA-70', KSA, `${n}: issue time with Z`, [{ op: 'setText', path: 'cbc:IssueTime', value: '12:21:28Z' }]);
  add(b, 'BR-KSA-70', KSA, `${n}: issue time with +03:00`, [{ op: 'setText', path: 'cbc:IssueTime', value: '12:21:28+03:00' }]);
}
add(U('standard-invoice'), 'BR-KSA-F-01', KSA, 'issue date 30 February', [{ op: 'setText', path: 'cbc:IssueDate', value: '2022-02-30' }]);
add(U('standard-invoice'), 'BR-KSA-F-01', KSA, 'issue date 2022/09/07', [{ op: 'setText', path: 'cbc:IssueDate', value: '2022/09/07' }]);
add(U('standard-invoice'), 'BR-KSA-70 (XSD)', XSD, 'issue time 25:00:00', [{ op: 'setText', path: 'cbc:IssueTime', value: '25:00:00' }]);
add(U('standard-invoice'), 'BR-KSA-70', KSA, 'issue time removed', [{ op: 'remove', path: 'cbc:IssueTime' }]);
add(U('standard-invoice'), 'BR-KSA-15', KSA, 'supply date removed', [{ op: 'remove', path: 'cac:Delivery' }]);
add(U('standard-invoice'), 'BR-KSA-36', KSA, 'supply end before start', [
  { op: 'insert', path: 'cac:Delivery/cbc:ActualDeliveryDate', where: 'after', xml: '<cbc:LatestDeliveryDate>2022-01-01</cbc:LatestDeliveryDate>' },
]);
add(U('exempt'), 'BR-KSA-35', KSA, 'supply end date without start date', [{ op: 'remove', path: 'cac:Delivery/cbc:ActualDeliveryDate' }]);
add(U('exempt'), 'BR-KSA-36', KSA, 'supply end equals… before start', [{ op: 'setText', path: 'cac:Delivery/cbc:LatestDeliveryDate', value: '2022-08-31' }]);
add(U('summary'), 'BR-KSA-F-01', KSA, 'supply date 2022-13-01', [{ op: 'setText', path: 'cac:Delivery/cbc:ActualDeliveryDate', value: '2022-13-01' }]);
add(R('simplified-invoice'), 'BR-KSA-98', KSA, 'simplified issued more than 24 h before now (issue date 2024-01-01)', [
  { op: 'setText', path: 'cbc:IssueDate', value: '2024-01-01' },
]);
add(S('simplified-invoice'), 'BR-KSA-98 + hash', KSA, 'issue date changed after signing', [{ op: 'setText', path: 'cbc:IssueDate', value: '2022-08-18' }]);

// --- notes and lengths ----------------------------------------------------------------------------
category = 'notes and lengths';
add(U('standard-invoice'), 'BR-KSA-F-06-C2', KSA, 'note over 1000 characters', [
  { op: 'insert', path: TC, where: 'after', xml: `<cbc:Note>${'x'.repeat(1001)}</cbc:Note>` },
]);
add(R('simplified-invoice'), 'BR-KSA-F-06-C2', KSA, 'simplified note over 1000 characters', [{ op: 'setText', path: 'cbc:Note', value: 'ن'.repeat(1001) }]);
add(U('standard-invoice'), 'BR-KSA-F-06-C17', KSA, 'line id 7 characters', [{ op: 'setText', path: `${LINE}/cbc:ID`, value: '1234567' }]);
add(U('standard-invoice'), 'BR-KSA-F-C-01/F-06-C19', KSA, 'item name digits only', [{ op: 'setText', path: `${LINE}/cac:Item/cbc:Name`, value: '12' }]);
add(U('standard-invoice'), 'BR-KSA-F-06-C19', EN, 'item name 1001 characters', [{ op: 'setText', path: `${LINE}/cac:Item/cbc:Name`, value: 'y'.repeat(1001) }]);
add(U('standard-invoice'), 'BR-KSA-F-06-C12', KSA, 'buyer name 1001 characters', [
  { op: 'setText', path: `${BUY}/cac:PartyLegalEntity/cbc:RegistrationName`, value: 'b'.repeat(1001) },
]);
add(U('standard-invoice'), 'BR-KSA-F-06-C10', EN, 'seller name 1001 characters', [
  { op: 'setText', path: `${SUP}/cac:PartyLegalEntity/cbc:RegistrationName`, value: 's'.repeat(1001) },
]);
add(U('standard-invoice'), 'BR-KSA-F-06-C35', KSA, 'allowance reason 1001 characters', [
  { op: 'setText', path: 'cac:AllowanceCharge/cbc:AllowanceChargeReason', value: 'r'.repeat(1001) },
]);
add(U('standard-invoice'), 'BR-02', EN, 'invoice number empty', [{ op: 'setText', path: 'cbc:ID', value: '' }]);
add(U('standard-invoice'), 'BR-KSA-F-06-C1', EN, 'invoice number 128 characters', [{ op: 'setText', path: 'cbc:ID', value: 'N'.repeat(128) }]);
add(U('standard-invoice'), 'BR-KSA-03', KSA, 'UUID not a UUID', [{ op: 'setText', path: 'cbc:UUID', value: 'not-a-uuid' }]);
add(U('standard-credit-note'), 'BR-KSA-F-06-C13', KSA, 'credit reason 1001 characters', [
  { op: 'setText', path: 'cac:PaymentMeans/cbc:InstructionNote', value: 'c'.repeat(1001) },
]);
add(U('standard-invoice'), 'BR-KSA-F-06-C9', KSA, 'seller district 128 characters', [
  { op: 'setText', path: `${SUP}/cac:PostalAddress/cbc:CitySubdivisionName`, value: 'd'.repeat(128) },
]);

// --- billing reference / reason ------------------------------------------------------------------
category = 'billing reference';
for (const b of [U('standard-credit-note'), U('standard-debit-note'), R('simplified-credit-note'), R('simplified-debit-note')]) {
  const n = b.base.slice(6);
  add(b, 'BR-KSA-17', KSA, `${n}: reason (InstructionNote) removed`, [{ op: 'remove', path: 'cac:PaymentMeans/cbc:InstructionNote' }]);
  add(b, 'BR-KSA-56', KSA, `${n}: billing reference removed`, [{ op: 'remove', path: 'cac:BillingReference' }]);
  add(b, 'BR-55', EN, `${n}: preceding invoice reference empty`, [
    { op: 'setText', path: 'cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID', value: '' },
  ]);
  add(b, 'BR-KSA-17', KSA, `${n}: reason empty`, [{ op: 'setText', path: 'cac:PaymentMeans/cbc:InstructionNote', value: '' }]);
}
add(U('standard-credit-note'), 'BR-KSA-17', KSA, 'credit note payment means removed', [{ op: 'remove', path: 'cac:PaymentMeans' }]);

// --- prepayment lines (BR-KSA-73..82, 93..96) ----------------------------------------------------
category = 'prepayment lines';
const PL = `${LINE}[2]`;
const PD = `${PL}/cac:DocumentReference`;
const PT = `${PL}/cac:TaxTotal`;
for (const b of [U('advance-payment-adjustments'), U('advance-payment-foreign-currency'), U('advance-payment-rate-change')]) {
  const n = b.base.slice(6);
  add(b, 'BR-KSA-74', KSA, `${n}: prepayment document type 388`, [{ op: 'setText', path: `${PD}/cbc:DocumentTypeCode`, value: '388' }]);
  add(b, 'BR-KSA-73', KSA, `${n}: prepayment reference id removed`, [{ op: 'remove', path: `${PD}/cbc:ID` }]);
  add(b, 'BR-KSA-75', KSA, `${n}: prepayment issue date removed`, [{ op: 'remove', path: `${PD}/cbc:IssueDate` }]);
  add(b, 'BR-KSA-76', KSA, `${n}: prepayment issue time removed`, [{ op: 'remove', path: `${PD}/cbc:IssueTime` }]);
  add(b, 'BR-KSA-77', KSA, `${n}: prepayment document type removed`, [{ op: 'remove', path: `${PD}/cbc:DocumentTypeCode` }]);
  add(b, 'BR-KSA-78', KSA, `${n}: prepayment taxable amount off`, [{ op: 'add', path: `${PT}/cac:TaxSubtotal/cbc:TaxableAmount`, delta: '1' }]);
  add(b, 'BR-KSA-79', KSA, `${n}: prepayment VAT amount off`, [{ op: 'add', path: `${PT}/cac:TaxSubtotal/cbc:TaxAmount`, delta: '1' }]);
  add(b, 'BR-KSA-82', KSA, `${n}: prepayment subtotal category Z`, [{ op: 'setText', path: `${PT}/cac:TaxSubtotal/cac:TaxCategory/cbc:ID`, value: 'Z' }]);
  add(b, 'BR-KSA-82', KSA, `${n}: prepayment subtotal rate 5`, [{ op: 'setText', path: `${PT}/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent`, value: '5.00' }]);
  add(b, 'BR-KSA-93', KSA, `${n}: prepayment line net amount not 0`, [{ op: 'setText', path: `${PL}/cbc:LineExtensionAmount`, value: '1.00' }]);
  add(b, 'BR-KSA-94', KSA, `${n}: prepayment line VAT amount not 0`, [{ op: 'setText', path: `${PT}/cbc:TaxAmount`, value: '1.00' }]);
  add(b, 'BR-KSA-95', KSA, `${n}: prepayment line quantity 1`, [{ op: 'setText', path: `${PL}/cbc:InvoicedQuantity`, value: '1.00' }]);
  add(b, 'BR-KSA-96', KSA, `${n}: prepayment line price not 0`, [{ op: 'setText', path: `${PL}/cac:Price/cbc:PriceAmount`, value: '5.00' }]);
  add(b, 'BR-KSA-80', KSA, `${n}: prepaid amount 0`, [{ op: 'setText', path: `${LMT}/cbc:PrepaidAmount`, value: '0.00' }]);
  add(b, 'BR-KSA-75/80', KSA, `${n}: prepayment subtotal removed`, [{ op: 'remove', path: `${PT}/cac:TaxSubtotal` }]);
  add(b, 'KSA-28 time format (no rule: accepted)', KSA, `${n}: prepayment issue time with fraction`, [
    { op: 'setText', path: `${PD}/cbc:IssueTime`, value: '12:28:17.5' },
  ]);
}

// --- QR -------------------------------------------------------------------------------------------
category = 'QR';
for (const b of [S('simplified-invoice'), S('simplified-credit-note'), S('standard-invoice')]) {
  const n = b.base.slice(6);
  const simplified = !n.startsWith('standard');
  const tags = simplified ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : [1, 2, 3, 4, 5, 6, 7, 8];
  const qr = simplified ? QR : 'cac:AdditionalDocumentReference[3]/cac:Attachment/cbc:EmbeddedDocumentBinaryObject';
  const alt: Record<number, Edit> = {
    1: { op: 'tlvSet', path: qr, tag: 1, value: 'Another Seller LTD' },
    2: { op: 'tlvSet', path: qr, tag: 2, value: '399999999800003' },
    3: { op: 'tlvSet', path: qr, tag: 3, value: '2022-08-17T17:41:09' },
    4: { op: 'tlvSet', path: qr, tag: 4, value: '231.16' },
    5: { op: 'tlvSet', path: qr, tag: 5, value: '30.16' },
    6: { op: 'tlvSet', path: qr, tag: 6, value: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
    7: { op: 'tlvSet', path: qr, tag: 7, value: 'MEQCIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAiAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==' },
    8: {
      op: 'tlvSet',
      path: qr,
      tag: 8,
      hex: '3056301006072a8648ce3d020106052b8104000a034200040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001',
    },
    9: { op: 'tlvSet', path: qr, tag: 9, hex: `30440220${'11'.repeat(32)}0220${'22'.repeat(32)}` },
  };
  for (const t of tags) {
    add(b, `QR tag ${t}`, `${SEC} §QR`, `${n}: QR tag ${t} altered`, [alt[t]!]);
    add(b, `QR tag ${t}`, `${SEC} §QR`, `${n}: QR tag ${t} removed`, [{ op: 'tlvRemove', path: qr, tag: t }]);
  }
  add(b, 'QR format', `${SEC} §QR`, `${n}: QR TLV truncated by 5 bytes`, [{ op: 'tlvTruncate', path: qr, bytes: 5 }]);
  add(b, 'QR format', `${SEC} §QR`, `${n}: QR not base64`, [{ op: 'setText', path: qr, value: '@@not base64@@' }]);
  add(b, 'QR format', `${SEC} §QR`, `${n}: QR empty`, [{ op: 'setText', path: qr, value: '' }]);
  add(b, 'QR tag order', `${SEC} §QR`, `${n}: QR tags 1 and 2 swapped`, [{ op: 'tlvSwap', path: qr, a: 1, b: 2 }]);
  add(b, 'QR duplicate tag', `${SEC} §QR`, `${n}: QR tag 4 repeated`, [{ op: 'tlvRepeat', path: qr, tag: 4 }]);
  add(b, 'QR unknown tag', `${SEC} §QR`, `${n}: QR tag 10 added`, [{ op: 'tlvSet', path: qr, tag: 10, value: 'x' }]);
}
add(S('simplified-invoice'), 'QR tag 4', `${SEC} §QR`, 'QR tag 4 numerically equal but not verbatim (231.150)', [
  { op: 'tlvSet', path: QR, tag: 4, value: '231.150' },
]);
add(S('simplified-invoice'), 'QR tag 3', `${SEC} §QR`, 'QR tag 3 with the 238-R3.2.7 Z suffix', [
  { op: 'tlvSet', path: QR, tag: 3, value: '2022-08-17T17:41:08Z' },
]);
add(S('simplified-invoice'), 'QR (KSA-14)', KSA, 'QR reference removed', [{ op: 'remove', path: 'cac:AdditionalDocumentReference[3]' }]);
add(S('simplified-invoice'), 'BR-KSA-27', KSA, 'QR reference id renamed', [{ op: 'setText', path: 'cac:AdditionalDocumentReference[3]/cbc:ID', value: 'QRX' }]);
add(
  S('advance-payment-adjustments'),
  'QR tag 4 (oracle doubt: warning)',
  `${SEC} §QR`,
  'QR tag 4 holds TaxInclusiveAmount (2185.00), the SDK 238-R3.2.7 convention, instead of PayableAmount',
  [{ op: 'tlvSet', path: 'cac:AdditionalDocumentReference[3]/cac:Attachment/cbc:EmbeddedDocumentBinaryObject', tag: 4, value: '2185.00' }],
);

// --- signature parts ------------------------------------------------------------------------------
category = 'signature';
for (const b of [S('simplified-invoice'), S('standard-invoice'), S('simplified-debit-note')]) {
  const n = b.base.slice(6);
  add(b, 'invoice-hash', `${SEC} §hash`, `${n}: DigestValue one byte changed`, [
    { op: 'flipBase64', path: `${SIG}/ds:SignedInfo/ds:Reference[1]/ds:DigestValue`, index: 5 },
  ]);
  add(b, 'signature', `${SEC} §signature`, `${n}: SignatureValue one byte changed`, [{ op: 'flipBase64', path: `${SIG}/ds:SignatureValue`, index: -3 }]);
  add(b, 'signed-properties-hashing', `${SEC} §XAdES`, `${n}: SignedProperties DigestValue changed`, [
    { op: 'flipBase64', path: `${SIG}/ds:SignedInfo/ds:Reference[2]/ds:DigestValue`, index: 4 },
  ]);
  add(b, 'certificate-hashing', `${SEC} §XAdES`, `${n}: CertDigest changed`, [{ op: 'flipBase64', path: `${CERT}/xades:CertDigest/ds:DigestValue`, index: 4 }]);
  add(b, 'signed-properties-hashing', `${SEC} §XAdES`, `${n}: SigningTime changed`, [
    { op: 'setText', path: `${SP}/xades:SignedSignatureProperties/xades:SigningTime`, value: '2026-01-01T00:00:01' },
  ]);
  add(b, 'certificate-issuer', `${SEC} §XAdES`, `${n}: issuer name of another CA`, [
    { op: 'replace', path: `${CERT}/xades:IssuerSerial/ds:X509IssuerName`, pattern: 'PRZEINVOICESCA4', replacement: 'PRZEINVOICESCA5' },
  ]);
  add(b, 'certificate-issuer', `${SEC} §XAdES`, `${n}: issuer name written without spaces`, [
    { op: 'replace', path: `${CERT}/xades:IssuerSerial/ds:X509IssuerName`, pattern: ', ', replacement: ',' },
  ]);
  add(b, 'certificate-serial', `${SEC} §XAdES`, `${n}: serial number + 1`, [
    { op: 'replace', path: `${CERT}/xades:IssuerSerial/ds:X509SerialNumber`, pattern: '7$', replacement: '8' },
  ]);
  add(b, 'certificate-serial', `${SEC} §XAdES`, `${n}: serial number in hex`, [
    { op: 'setText', path: `${CERT}/xades:IssuerSerial/ds:X509SerialNumber`, value: '1100003803c5f74023b3fc5c5f0001000038 03' },
  ]);
  add(b, 'certificate', `${SEC} §certificate`, `${n}: certificate one byte changed`, [
    { op: 'flipBase64', path: `${SIG}/ds:KeyInfo/ds:X509Data/ds:X509Certificate`, index: 200 },
  ]);
  add(b, 'certificate', `${SEC} §certificate`, `${n}: certificate truncated`, [
    { op: 'replace', path: `${SIG}/ds:KeyInfo/ds:X509Data/ds:X509Certificate`, pattern: '.{40}$', replacement: '' },
  ]);
  add(b, 'signed-properties-hashing', `${SEC} §XAdES`, `${n}: whitespace inside SignedProperties`, [
    { op: 'insertText', path: `${SP}/xades:SignedSignatureProperties/xades:SigningTime`, where: 'after', text: ' ' },
  ]);
  add(b, 'signature-structure', `${SEC} §signature`, `${n}: SignatureMethod rsa-sha256`, [
    { op: 'setAttr', path: `${SIG}/ds:SignedInfo/ds:SignatureMethod`, name: 'Algorithm', value: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
  ]);
  add(b, 'invoice-hash', `${SEC} §hash`, `${n}: body whitespace added after signing`, [{ op: 'insertText', path: 'cbc:ID', where: 'after', text: ' ' }]);
  add(b, 'invoice-hash', `${SEC} §hash`, `${n}: payable amount changed after signing`, [{ op: 'add', path: `${LMT}/cbc:PayableAmount`, delta: '0.01' }]);
  add(b, 'invoice-hash (whitespace in UBLExtensions ignored)', `${SEC} §hash`, `${n}: whitespace inside UBLExtensions (still valid)`, [
    { op: 'insertText', path: 'ext:UBLExtensions/ext:UBLExtension', where: 'append', text: '\n' },
  ]);
  add(b, 'BR-KSA-60', KSA, `${n}: cac:Signature removed`, [{ op: 'remove', path: 'cac:Signature' }]);
  add(b, 'signature-present', `${SEC} §signature`, `${n}: UBLExtensions removed`, [{ op: 'remove', path: 'ext:UBLExtensions' }]);
}
add(S('simplified-invoice'), 'signature-count', `${SEC} §signature`, 'two ds:Signature elements', [{ op: 'duplicate', path: SIG }]);
add(S('simplified-invoice'), 'signature (XSD)', XSD, 'SignatureValue not base64', [{ op: 'setText', path: `${SIG}/ds:SignatureValue`, value: 'not*base64' }]);

// --- PIH ------------------------------------------------------------------------------------------
category = 'PIH';
for (const b of [U('standard-invoice'), R('simplified-invoice')]) {
  const n = b.base.slice(6);
  add(b, 'PIH format', KSA, `${n}: PIH not base64`, [{ op: 'setText', path: PIH, value: 'not a hash!' }]);
  add(b, 'PIH format', KSA, `${n}: PIH base64 of 16 bytes`, [{ op: 'setText', path: PIH, value: 'AAAAAAAAAAAAAAAAAAAAAA==' }]);
  add(b, 'PIH format', KSA, `${n}: PIH base64 of 32 bytes (a previous hash)`, [
    { op: 'setText', path: PIH, value: 'z5F9qsS6oWyDhehD8u8S0DaxV+2CUiUz9Y+UsR61JgQ=' },
  ]);
  add(b, 'BR-KSA-26', KSA, `${n}: PIH empty`, [{ op: 'setText', path: PIH, value: '' }]);
  add(b, 'BR-KSA-61', KSA, `${n}: PIH reference removed`, [{ op: 'remove', path: 'cac:AdditionalDocumentReference[2]' }]);
}
add(U('standard-invoice'), 'BR-KSA-26', KSA, 'PIH missing its padding', [{ op: 'replace', path: PIH, pattern: '==$', replacement: '' }]);

// --- ICV ------------------------------------------------------------------------------------------
category = 'ICV';
for (const b of [U('standard-invoice'), R('simplified-invoice')]) {
  const n = b.base.slice(6);
  add(b, 'BR-KSA-34', KSA, `${n}: ICV not digits`, [{ op: 'setText', path: ICV, value: '12a' }]);
  add(b, 'BR-KSA-34', KSA, `${n}: ICV negative`, [{ op: 'setText', path: ICV, value: '-5' }]);
  add(b, 'BR-KSA-33', KSA, `${n}: ICV reference removed`, [{ op: 'remove', path: 'cac:AdditionalDocumentReference[1]' }]);
  add(b, 'BR-KSA-34', KSA, `${n}: ICV empty`, [{ op: 'setText', path: ICV, value: '' }]);
}

// --- structure: unknown elements, order, duplicates ----------------------------------------------
category = 'structure (XSD)';
for (const b of [U('standard-invoice'), R('simplified-invoice')]) {
  const n = b.base.slice(6);
  add(b, 'XSD unknown element', XSD, `${n}: cbc:Foo after cbc:ID`, [{ op: 'insert', path: 'cbc:ID', where: 'after', xml: '<cbc:Foo>1</cbc:Foo>' }]);
  add(b, 'XSD unknown element', XSD, `${n}: element in a foreign namespace`, [
    { op: 'insert', path: 'cbc:ID', where: 'after', xml: '<x:Extra xmlns:x="urn:example:x">1</x:Extra>' },
  ]);
  add(b, 'XSD unknown element', XSD, `${n}: cbc:Name in the seller address`, [
    { op: 'insert', path: `${SUP}/cac:PostalAddress/cbc:StreetName`, where: 'after', xml: '<cbc:Name>x</cbc:Name>' },
  ]);
  add(b, 'XSD element order', XSD, `${n}: IssueTime before IssueDate`, [{ op: 'moveBefore', path: 'cbc:IssueTime', target: 'cbc:IssueDate' }]);
  add(b, 'XSD element order', XSD, `${n}: LegalMonetaryTotal before TaxTotal`, [{ op: 'moveBefore', path: LMT, target: 'cac:TaxTotal[1]' }]);
  add(b, 'XSD element order', XSD, `${n}: customer before supplier`, [
    { op: 'moveBefore', path: 'cac:AccountingCustomerParty', target: 'cac:AccountingSupplierParty' },
  ]);
  add(b, 'XSD element order', XSD, `${n}: line Price before Item`, [{ op: 'moveBefore', path: `${LINE}/cac:Price`, target: `${LINE}/cac:Item` }]);
  add(b, 'XSD cardinality', XSD, `${n}: UUID twice`, [{ op: 'duplicate', path: 'cbc:UUID' }]);
  add(b, 'XSD cardinality', XSD, `${n}: IssueDate twice`, [{ op: 'duplicate', path: 'cbc:IssueDate' }]);
  add(b, 'XSD cardinality', XSD, `${n}: LegalMonetaryTotal twice`, [{ op: 'duplicate', path: LMT }]);
  add(b, 'XSD cardinality', XSD, `${n}: PayableAmount twice`, [{ op: 'duplicate', path: `${LMT}/cbc:PayableAmount` }]);
  add(b, 'XSD unknown attribute', XSD, `${n}: attribute foo on cbc:ID`, [{ op: 'setAttr', path: 'cbc:ID', name: 'foo', value: 'bar' }]);
  add(b, 'XSD required attribute', XSD, `${n}: PayableAmount without currencyID`, [{ op: 'removeAttr', path: `${LMT}/cbc:PayableAmount`, name: 'currencyID' }]);
  add(b, 'XSD type', XSD, `${n}: quantity not a number`, [{ op: 'setText', path: `${LINE}/cbc:InvoicedQuantity`, value: 'abc' }]);
}
add(U('standard-invoice'), 'XSD cardinality', XSD, 'TaxCurrencyCode twice', [{ op: 'duplicate', path: 'cbc:TaxCurrencyCode' }]);
add(U('standard-invoice'), 'XSD cardinality', XSD, 'supplier party twice', [{ op: 'duplicate', path: 'cac:AccountingSupplierParty' }]);
add(U('standard-invoice'), 'XSD required element', XSD, 'line Item removed', [{ op: 'remove', path: `${LINE}/cac:Item` }]);
add(U('standard-invoice'), 'XSD required element', XSD, 'invoice line removed', [{ op: 'remove', path: LINE }]);
add(U('standard-invoice'), 'XSD type', XSD, 'percent not a number', [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:Percent`, value: 'fifteen' }]);
add(U('standard-invoice'), 'XSD type', XSD, 'charge indicator "no"', [{ op: 'setText', path: 'cac:AllowanceCharge/cbc:ChargeIndicator', value: 'no' }]);

// XPath dynamic errors (the SDK reports the rule layer as a failed transformation)
category = 'XPath dynamic errors';
add(U('standard-invoice'), 'TRANSFORM (line percent)', XSD, 'line VAT rate not a number', [
  { op: 'setText', path: `${LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent`, value: 'abc' },
]);
add(U('standard-invoice'), 'TRANSFORM (allowance percent)', XSD, 'document allowance VAT rate not a number', [
  { op: 'setText', path: 'cac:AllowanceCharge/cac:TaxCategory/cbc:Percent', value: 'abc' },
]);
add(U('standard-invoice'), 'TRANSFORM (empty percent)', XSD, 'breakdown VAT rate empty', [
  { op: 'setText', path: `${BT}/cac:TaxCategory/cbc:Percent`, value: '' },
]);
add(R('service-charge-10-percent'), 'TRANSFORM (line charge indicator)', XSD, 'line allowance charge indicator "maybe"', [
  { op: 'setText', path: `${LINE}[2]/cac:AllowanceCharge/cbc:ChargeIndicator`, value: 'maybe' },
]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', XSD, 'PrepaidAmount twice', [{ op: 'duplicate', path: `${LMT}/cbc:PrepaidAmount` }]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', XSD, 'TaxInclusiveAmount twice', [{ op: 'duplicate', path: `${LMT}/cbc:TaxInclusiveAmount` }]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', XSD, 'IssueDate twice (standard)', [{ op: 'duplicate', path: 'cbc:IssueDate' }]);
add(R('simplified-invoice'), 'TRANSFORM (cardinality)', XSD, 'IssueTime twice (simplified)', [{ op: 'duplicate', path: 'cbc:IssueTime' }]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', XSD, 'seller PartyLegalEntity twice', [{ op: 'duplicate', path: `${SUP}/cac:PartyLegalEntity` }]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', KSA, 'seller PartyIdentification twice (UBL allows several)', [
  { op: 'duplicate', path: `${SUP}/cac:PartyIdentification` },
]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', XSD, 'buyer party twice', [{ op: 'duplicate', path: 'cac:AccountingCustomerParty' }]);
add(U('standard-invoice'), 'TRANSFORM (cardinality)', XSD, 'line TaxTotal twice', [{ op: 'duplicate', path: `${LINE}/cac:TaxTotal` }]);

function runOracle(oracle: string, dir: string): any {
  try {
    return JSON.parse(execFileSync(oracle, ['validate', '--json', dir], { encoding: 'utf8', maxBuffer: 1 << 30 }));
  } catch (error: any) {
    if (error.stdout) return JSON.parse(error.stdout);
    throw error;
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const oracle = args.find((a) => !a.startsWith('--')) ?? resolve(repoRoot, '..', 'shared', 'oracle', 'oracle');
  const signing = sdkSigning();
  if (!signing) throw new Error('the SDK test certificate and key are needed (set FAWTARA_ZATCA_SDK_DIR)');
  if (!signing.deterministic) throw new Error('record with the native libsecp256k1 signer so the bytes are reproducible');
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-built-mutants-'));
  const recipes: MutantRecipe[] = [];
  let skipped = 0;
  out.forEach((r) => {
    const recipe: MutantRecipe = { id: `built-${String(recipes.length + 1).padStart(3, '0')}`, ...r };
    try {
      writeFileSync(join(dir, `${recipe.id}.xml`), materializeBuilt(recipe));
      recipes.push(recipe);
    } catch (error) {
      skipped++;
      console.error(`skipped: ${r.base} ${r.intent}: ${(error as Error).message}`);
    }
  });
  const fixtures = join(repoRoot, 'test', 'fixtures', 'validation');
  writeFileSync(
    join(fixtures, 'built-mutants.recipes.json'),
    JSON.stringify(
      {
        note: 'Mutants of invoices our engine builds (test/fixtures/scenarios). form: signed = stamped with the SDK test certificate at FIXED_SIGNING_TIME (needs the SDK data), unsigned = the writer output. restamp: re-signed after the edits. Regenerate: node --import tsx test/rules/tools/make-built-mutants.ts',
        recipes,
      },
      null,
      1,
    ) + '\n',
  );
  console.log(`${recipes.length} mutants written to ${dir} (${skipped} skipped)`);
  if (args.includes('--no-oracle')) return;
  const result = runOracle(oracle, dir);
  const verdicts: Record<string, unknown> = {};
  for (const r of result.results) {
    const id = /(built-\d+)\.xml$/.exec(r.file)?.[1];
    if (id) verdicts[id] = fullVerdictFromOracle(r);
  }
  const missing = recipes.filter((r) => !verdicts[r.id]).map((r) => r.id);
  if (missing.length) throw new Error(`no oracle verdict for ${missing.join(', ')}`);
  writeFileSync(
    join(fixtures, 'built-mutants.oracle.json'),
    JSON.stringify(
      {
        note: 'Verdicts of shared/oracle on built-mutants.recipes.json: ok, XSD pass/fail, EN/KSA error and warning rule ids, failing/warning check ids of the crypto, QR and PIH layers.',
        oracle: result.meta?.engine,
        ranAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        verdicts,
      },
      null,
      1,
    ) + '\n',
  );
  console.log(`oracle verdicts recorded for ${Object.keys(verdicts).length} mutants`);
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}

main();
