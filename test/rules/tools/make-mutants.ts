// Writes the first batch of mutant recipes (test/fixtures/validation/mutants.recipes.json) and
// materializes them into a scratch folder for one `oracle validate --json` run over the batch.
// Usage: node <compiled>/test/rules/tools/make-mutants.js <out dir for mutated XML>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sdkPath } from '../../helpers/sdk.js';
import { applyEdits, type Edit, type MutantRecipe } from '../mutate.js';

const T = 'sdk:Data/Samples/Standard/Invoice/Standard_Invoice.xml';
const S = 'sdk:Data/Samples/Simplified/Invoice/Simplified_Invoice.xml';
const C = 'sdk:Data/Samples/Standard/Credit/Standard_Credit_Note.xml';
const X = 'sdk:Data/Samples/Standard/Invoice/Exempt Tax Invoice.xml';
const CH = 'sdk:Data/Samples/Standard/Invoice/Standard Invoice with Document Level Charge.xml';
const A = 'sdk:Data/Samples/Standard/Invoice/Advance Payment adjustments.xml';
const SU = 'sdk:Data/Samples/Standard/Invoice/Summary Invoice.xml';
const EX = 'sdk:Data/Samples/Standard/Invoice/Export invoice.xml';

const LMT = 'cac:LegalMonetaryTotal';
const SUP = 'cac:AccountingSupplierParty/cac:Party';
const BUY = 'cac:AccountingCustomerParty/cac:Party';
const LINE = 'cac:InvoiceLine';
const BT = 'cac:TaxTotal[2]/cac:TaxSubtotal';

const m: Array<[string, string, Edit[]]> = [
  // totals
  [T, 'payable amount off by 1 (BR-CO-16)', [{ op: 'add', path: `${LMT}/cbc:PayableAmount`, delta: '1' }]],
  [T, 'tax exclusive amount off (BR-CO-13/15)', [{ op: 'add', path: `${LMT}/cbc:TaxExclusiveAmount`, delta: '1' }]],
  [T, 'tax inclusive amount off (BR-CO-15/16)', [{ op: 'add', path: `${LMT}/cbc:TaxInclusiveAmount`, delta: '1' }]],
  [T, 'line extension total off (BR-CO-10/13)', [{ op: 'add', path: `${LMT}/cbc:LineExtensionAmount`, delta: '1' }]],
  [T, 'VAT total off (BR-CO-14)', [{ op: 'add', path: 'cac:TaxTotal[2]/cbc:TaxAmount', delta: '1' }]],
  [T, 'breakdown VAT off (BR-CO-17/BR-S-09)', [{ op: 'add', path: `${BT}/cbc:TaxAmount`, delta: '0.5' }]],
  [T, 'breakdown taxable off (BR-S-08)', [{ op: 'add', path: `${BT}/cbc:TaxableAmount`, delta: '1' }]],
  [T, 'line net amount off (BR-KSA-EN16931-11)', [{ op: 'add', path: `${LINE}/cbc:LineExtensionAmount`, delta: '1' }]],
  [T, 'line amount with VAT off (BR-KSA-51)', [{ op: 'add', path: `${LINE}/cac:TaxTotal/cbc:RoundingAmount`, delta: '1' }]],
  [T, 'allowance amount not in total (BR-CO-11)', [{ op: 'add', path: 'cac:AllowanceCharge/cbc:Amount', delta: '1' }]],
  [
    T,
    'allowance total removed (BR-CO-11)',
    [
      { op: 'add', path: 'cac:AllowanceCharge/cbc:Amount', delta: '1' },
      { op: 'remove', path: `${LMT}/cbc:AllowanceTotalAmount` },
    ],
  ],
  [T, 'payable with 3 decimals (BR-DEC-18)', [{ op: 'setText', path: `${LMT}/cbc:PayableAmount`, value: '4.600' }]],
  [T, 'line VAT with 3 decimals (BR-KSA-DEC-03)', [{ op: 'setText', path: `${LINE}/cac:TaxTotal/cbc:TaxAmount`, value: '0.600' }]],
  [S, 'quantity written 0 (BR-22)', [{ op: 'setText', path: `${LINE}/cbc:InvoicedQuantity`, value: '0' }]],
  [S, 'only one TaxTotal (BR-KSA-EN16931-09)', [{ op: 'remove', path: 'cac:TaxTotal[1]' }]],
  [T, 'negative price (BR-KSA-F-04)', [{ op: 'setText', path: `${LINE}/cac:Price/cbc:PriceAmount`, value: '-2.00' }]],
  [
    T,
    'price base quantity 0 (BR-KSA-EN16931-12)',
    [{ op: 'insert', path: `${LINE}/cac:Price/cbc:PriceAmount`, where: 'after', xml: '<cbc:BaseQuantity unitCode="PCE">0</cbc:BaseQuantity>' }],
  ],
  // VAT numbers and identifiers
  [T, 'seller VAT 14 digits (BR-KSA-40)', [{ op: 'setText', path: `${SUP}/cac:PartyTaxScheme/cbc:CompanyID`, value: '39999999990003' }]],
  [T, 'seller VAT starts with 4 (BR-KSA-40)', [{ op: 'setText', path: `${SUP}/cac:PartyTaxScheme/cbc:CompanyID`, value: '499999999900003' }]],
  [T, 'buyer VAT equals seller VAT (BR-CUSTOM-VALIDATION-01)', [{ op: 'setText', path: `${BUY}/cac:PartyTaxScheme/cbc:CompanyID`, value: '399999999900003' }]],
  [T, 'buyer VAT too short (BR-KSA-44)', [{ op: 'setText', path: `${BUY}/cac:PartyTaxScheme/cbc:CompanyID`, value: '12345' }]],
  [T, 'buyer VAT empty (BR-KSA-99)', [{ op: 'setText', path: `${BUY}/cac:PartyTaxScheme/cbc:CompanyID`, value: '' }]],
  [T, 'seller VAT scheme not VAT (BR-KSA-39)', [{ op: 'setText', path: `${SUP}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID`, value: 'GST' }]],
  [T, 'buyer without VAT and without other id (BR-KSA-81)', [{ op: 'remove', path: `${BUY}/cac:PartyTaxScheme` }]],
  [T, 'seller id scheme unknown (BR-KSA-08)', [{ op: 'setAttr', path: `${SUP}/cac:PartyIdentification/cbc:ID`, name: 'schemeID', value: 'ABC' }]],
  [T, 'seller CRN not 10 digits (BR-KSA-F-08)', [{ op: 'setText', path: `${SUP}/cac:PartyIdentification/cbc:ID`, value: '10100100' }]],
  [T, 'seller CRN trivial run (BR-KSA-F-13)', [{ op: 'setText', path: `${SUP}/cac:PartyIdentification/cbc:ID`, value: '1234567890' }]],
  [T, 'seller 700 number wrong (BR-KSA-F-09)', [{ op: 'setAttr', path: `${SUP}/cac:PartyIdentification/cbc:ID`, name: 'schemeID', value: '700' }]],
  [T, 'seller scheme with spaces (BR-KSA-F-12)', [{ op: 'setAttr', path: `${SUP}/cac:PartyIdentification/cbc:ID`, name: 'schemeID', value: ' CRN ' }]],
  [
    T,
    'buyer NAT id wrong (BR-KSA-F-10)',
    [
      {
        op: 'insert',
        path: `${BUY}/cac:PostalAddress`,
        where: 'before',
        xml: '<cac:PartyIdentification><cbc:ID schemeID="NAT">2000000001</cbc:ID></cac:PartyIdentification>',
      },
    ],
  ],
  [
    T,
    'buyer id scheme unknown (BR-KSA-14)',
    [
      {
        op: 'insert',
        path: `${BUY}/cac:PostalAddress`,
        where: 'before',
        xml: '<cac:PartyIdentification><cbc:ID schemeID="XYZ">2000000001</cbc:ID></cac:PartyIdentification>',
      },
    ],
  ],
  [
    T,
    'buyer TIN wrong (BR-KSA-F-07)',
    [
      {
        op: 'insert',
        path: `${BUY}/cac:PostalAddress`,
        where: 'before',
        xml: '<cac:PartyIdentification><cbc:ID schemeID="TIN">1000000001</cbc:ID></cac:PartyIdentification>',
      },
    ],
  ],
  [
    T,
    'buyer phone wrong (BR-KSA-85)',
    [{ op: 'insert', path: `${BUY}/cac:PartyLegalEntity`, where: 'after', xml: '<cac:Contact><cbc:Telephone>12</cbc:Telephone></cac:Contact>' }],
  ],
  // addresses
  [T, 'seller building number 2 digits (BR-KSA-37)', [{ op: 'setText', path: `${SUP}/cac:PostalAddress/cbc:BuildingNumber`, value: '12' }]],
  [T, 'seller postal code 4 digits (BR-KSA-66)', [{ op: 'setText', path: `${SUP}/cac:PostalAddress/cbc:PostalZone`, value: '1234' }]],
  [T, 'seller district missing (BR-KSA-09)', [{ op: 'remove', path: `${SUP}/cac:PostalAddress/cbc:CitySubdivisionName` }]],
  [T, 'seller city empty (BR-KSA-F-06-C7)', [{ op: 'setText', path: `${SUP}/cac:PostalAddress/cbc:CityName`, value: '' }]],
  [T, 'buyer street missing (BR-KSA-63/F-06-C23/10)', [{ op: 'remove', path: `${BUY}/cac:PostalAddress/cbc:StreetName` }]],
  [T, 'buyer postal code 2 digits (BR-KSA-67)', [{ op: 'setText', path: `${BUY}/cac:PostalAddress/cbc:PostalZone`, value: '12' }]],
  [T, 'buyer district missing (BR-KSA-F-06-C28)', [{ op: 'remove', path: `${BUY}/cac:PostalAddress/cbc:CitySubdivisionName` }]],
  [
    T,
    'buyer abroad without city (BR-KSA-10)',
    [
      { op: 'setText', path: `${BUY}/cac:PostalAddress/cac:Country/cbc:IdentificationCode`, value: 'US' },
      { op: 'remove', path: `${BUY}/cac:PostalAddress/cbc:CityName` },
    ],
  ],
  [T, 'seller country not ISO (BR-CL-14)', [{ op: 'setText', path: `${SUP}/cac:PostalAddress/cac:Country/cbc:IdentificationCode`, value: 'XX' }]],
  [T, 'buyer name missing (BR-KSA-42)', [{ op: 'remove', path: `${BUY}/cac:PartyLegalEntity` }]],
  // codes
  [T, 'type code 389 (BR-KSA-05)', [{ op: 'setText', path: 'cbc:InvoiceTypeCode', value: '389' }]],
  [T, 'type code not UNTDID (BR-CL-01)', [{ op: 'setText', path: 'cbc:InvoiceTypeCode', value: '999' }]],
  [T, 'self-billed export (BR-KSA-07)', [{ op: 'setAttr', path: 'cbc:InvoiceTypeCode', name: 'name', value: '0100101' }]],
  [S, 'simplified self-billed (BR-KSA-31)', [{ op: 'setAttr', path: 'cbc:InvoiceTypeCode', name: 'name', value: '0200001' }]],
  [T, 'KSA-2 too short (BR-KSA-06/F-06-C40)', [{ op: 'setAttr', path: 'cbc:InvoiceTypeCode', name: 'name', value: '01000' }]],
  [T, 'B2G without contract (BR-KSA-92)', [{ op: 'setAttr', path: 'cbc:InvoiceTypeCode', name: 'name', value: '010000001' }]],
  [S, 'simplified 9-char nominal code (regex trap)', [{ op: 'setAttr', path: 'cbc:InvoiceTypeCode', name: 'name', value: '020100000' }]],
  [T, 'category AE (BR-KSA-18)', [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:ID`, value: 'AE' }]],
  [T, 'standard rate 10 (BR-KSA-84)', [{ op: 'setText', path: `${LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent`, value: '10.00' }]],
  [T, 'rate with 3 decimals (BR-KSA-DEC-02)', [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:Percent`, value: '15.000' }]],
  [T, 'payment means 99 (BR-KSA-16/BR-CL-16)', [{ op: 'setText', path: 'cac:PaymentMeans/cbc:PaymentMeansCode', value: '99' }]],
  [X, 'exemption code unknown (BR-KSA-CL-04)', [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-99' }]],
  [X, 'exemption text missing (BR-KSA-83)', [{ op: 'remove', path: `${BT}/cac:TaxCategory/cbc:TaxExemptionReason` }]],
  [X, 'exemption code missing (BR-KSA-23)', [{ op: 'remove', path: `${BT}/cac:TaxCategory/cbc:TaxExemptionReasonCode` }]],
  [X, 'EDU exemption without NAT buyer (BR-KSA-49)', [{ op: 'setText', path: `${BT}/cac:TaxCategory/cbc:TaxExemptionReasonCode`, value: 'VATEX-SA-EDU' }]],
  [T, 'profile id wrong (BR-KSA-EN16931-01)', [{ op: 'setText', path: 'cbc:ProfileID', value: 'reporting:2.0' }]],
  [CH, 'charge reason code not 7161 (BR-KSA-CL-06)', [{ op: 'setText', path: 'cac:AllowanceCharge[2]/cbc:AllowanceChargeReasonCode', value: 'QQ' }]],
  [CH, 'charge without reason code (BR-KSA-19)', [{ op: 'remove', path: 'cac:AllowanceCharge[2]/cbc:AllowanceChargeReasonCode' }]],
  [T, 'ICV not digits (BR-KSA-34)', [{ op: 'setText', path: 'cac:AdditionalDocumentReference[1]/cbc:UUID', value: '12a' }]],
  [
    T,
    'attachment mime type wrong (BR-KSA-CL-03)',
    [{ op: 'setAttr', path: 'cac:AdditionalDocumentReference[2]/cac:Attachment/cbc:EmbeddedDocumentBinaryObject', name: 'mimeCode', value: 'text/html' }],
  ],
  [S, 'QR reference removed (BR-KSA-27)', [{ op: 'remove', path: 'cac:AdditionalDocumentReference[3]' }]],
  [S, 'signature block removed (BR-KSA-60)', [{ op: 'remove', path: 'cac:Signature' }]],
  [S, 'PIH reference removed (BR-KSA-61)', [{ op: 'remove', path: 'cac:AdditionalDocumentReference[2]' }]],
  // currencies
  [T, 'document currency not ISO (BR-CL-04/BR-KSA-CL-01)', [{ op: 'setText', path: 'cbc:DocumentCurrencyCode', value: 'XYZ' }]],
  [T, 'tax currency USD (BR-KSA-EN16931-02)', [{ op: 'setText', path: 'cbc:TaxCurrencyCode', value: 'USD' }]],
  [T, 'payable amount in USD (BR-KSA-CL-02)', [{ op: 'setAttr', path: `${LMT}/cbc:PayableAmount`, name: 'currencyID', value: 'USD' }]],
  [T, 'tax currency removed (BR-KSA-68)', [{ op: 'remove', path: 'cbc:TaxCurrencyCode' }]],
  [
    T,
    'exchange rate with wrong source (BR-KSA-88)',
    [
      {
        op: 'insert',
        path: 'cac:TaxTotal[1]',
        where: 'before',
        xml: '<cac:TaxExchangeRate><cbc:SourceCurrencyCode>USD</cbc:SourceCurrencyCode><cbc:TargetCurrencyCode>SAR</cbc:TargetCurrencyCode><cbc:CalculationRate>3.75</cbc:CalculationRate></cac:TaxExchangeRate>',
      },
    ],
  ],
  // dates and times
  [T, 'issue date 30 February (BR-KSA-F-01, XSD)', [{ op: 'setText', path: 'cbc:IssueDate', value: '2022-02-30' }]],
  [T, 'issue time with fraction (BR-KSA-70)', [{ op: 'setText', path: 'cbc:IssueTime', value: '12:21:28.000' }]],
  [T, 'issue date in the future (BR-KSA-04)', [{ op: 'setText', path: 'cbc:IssueDate', value: '2099-01-01' }]],
  [T, 'supply date removed (BR-KSA-15)', [{ op: 'remove', path: 'cac:Delivery' }]],
  [
    T,
    'supply end before start (BR-KSA-36)',
    [{ op: 'insert', path: 'cac:Delivery/cbc:ActualDeliveryDate', where: 'after', xml: '<cbc:LatestDeliveryDate>2022-01-01</cbc:LatestDeliveryDate>' }],
  ],
  [SU, 'summary end date removed', [{ op: 'remove', path: 'cac:Delivery/cbc:LatestDeliveryDate' }]],
  // notes (credit/debit) and free text
  [C, 'credit note without reason (BR-KSA-17)', [{ op: 'remove', path: 'cac:PaymentMeans/cbc:InstructionNote' }]],
  [C, 'credit note without billing reference (BR-KSA-56)', [{ op: 'remove', path: 'cac:BillingReference' }]],
  [
    T,
    'note over 1000 characters (BR-KSA-F-06-C2)',
    [{ op: 'insert', path: 'cbc:InvoiceTypeCode', where: 'after', xml: `<cbc:Note>${'x'.repeat(1001)}</cbc:Note>` }],
  ],
  [T, 'line id 7 characters (BR-KSA-F-06-C17)', [{ op: 'setText', path: `${LINE}/cbc:ID`, value: '1234567' }]],
  [T, 'item name digits only (BR-KSA-F-C-01/F-06-C19)', [{ op: 'setText', path: `${LINE}/cac:Item/cbc:Name`, value: '12' }]],
  [T, 'invoice number empty (BR-02)', [{ op: 'setText', path: 'cbc:ID', value: '' }]],
  // structure (XSD)
  [T, 'unknown element after cbc:ID', [{ op: 'insert', path: 'cbc:ID', where: 'after', xml: '<cbc:Foo>1</cbc:Foo>' }]],
  [T, 'IssueTime before IssueDate', [{ op: 'moveBefore', path: 'cbc:IssueTime', target: 'cbc:IssueDate' }]],
  [T, 'UUID twice', [{ op: 'duplicate', path: 'cbc:UUID' }]],
  [T, 'unknown attribute on cbc:ID', [{ op: 'setAttr', path: 'cbc:ID', name: 'foo', value: 'bar' }]],
  [T, 'amount without currencyID', [{ op: 'removeAttr', path: `${LMT}/cbc:PayableAmount`, name: 'currencyID' }]],
  [T, 'TaxTotal after LegalMonetaryTotal', [{ op: 'moveBefore', path: LMT, target: 'cac:TaxTotal[1]' }]],
  [T, 'quantity not a number', [{ op: 'setText', path: `${LINE}/cbc:InvoicedQuantity`, value: 'abc' }]],
  [S, 'issue time 25:00:00 (BR-KSA-70, XSD)', [{ op: 'setText', path: 'cbc:IssueTime', value: '25:00:00' }]],
  [A, 'prepaid amount off (BR-KSA-80/BR-CO-16)', [{ op: 'add', path: `${LMT}/cbc:PrepaidAmount`, delta: '1' }]],
  [A, 'prepayment document type 388 (BR-KSA-74)', [{ op: 'setText', path: `${LINE}[2]/cac:DocumentReference/cbc:DocumentTypeCode`, value: '388' }]],
  [EX, 'export buyer without street (BR-KSA-10)', [{ op: 'remove', path: `${BUY}/cac:PostalAddress/cbc:StreetName` }]],
];

function main(): void {
  const out = process.argv[2];
  if (!out) throw new Error('usage: make-mutants <out dir>');
  mkdirSync(out, { recursive: true });
  const recipes: MutantRecipe[] = [];
  m.forEach(([base, intent, edits], i) => {
    const id = `sdk-${String(i + 1).padStart(3, '0')}`;
    const xml = readFileSync(sdkPath(base.slice(4)), 'utf8');
    try {
      writeFileSync(join(out, `${id}.xml`), applyEdits(xml, edits));
      recipes.push({ id, base, edits, intent });
    } catch (error) {
      console.error(`${id} ${intent}: ${(error as Error).message}`);
    }
  });
  writeFileSync(
    join(repoRoot, 'test/fixtures/validation/mutants.recipes.json'),
    JSON.stringify({ note: 'Mutant recipes: base invoice + edits. Bases are read at test time; nothing of ZATCA is stored here.', recipes }, null, 1),
  );
  console.log(`${recipes.length} mutants written to ${out}`);
}

main();
