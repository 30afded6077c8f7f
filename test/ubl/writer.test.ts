// The UBL writer: canonical text (hash of the text = hash of its C14N), ZATCA's element order,
// escaping that survives any name, both TaxTotals, and the head/tail split the stamper relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unsignedXml, XML_DECLARATION, type UnsignedInvoice } from '../../src/ubl/document.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { canonicalize } from '../../src/xml/c14n.js';
import { childElements, findPath, NS, parseXml, textOf } from '../../src/xml/parse.js';
import { baseInvoice, seller } from '../model/fixtures.js';

function bodyOf(doc: UnsignedInvoice): string {
  return doc.rootStart + doc.head + doc.tail;
}

function expectCanonical(doc: UnsignedInvoice): void {
  const xml = unsignedXml(doc);
  expect(xml.startsWith(XML_DECLARATION)).toBe(true);
  const body = xml.slice(XML_DECLARATION.length);
  expect(canonicalize(parseXml(xml))).toBe(body);
}

describe('writer: canonical form (docs/zatca-notes.md §5 shortcut: hash the text = hash the C14N)', () => {
  it('the standard invoice text is its own C14N 1.1 form', () => {
    expectCanonical(buildInvoice(baseInvoice()));
  });

  it('a seller named `A <B> & $& Co` survives, with C14N escaping (no String.replace `$&` trap)', () => {
    const name = 'A <B> & $& Co "quoted" \'single\' $1 $$';
    const doc = buildInvoice({ ...baseInvoice(), seller: { ...seller, name }, lines: [{ name: 'Item\r\nwith CR > & <', quantity: '1', unitPrice: '1.00' }] });
    const xml = unsignedXml(doc);
    expect(xml).toContain('<cbc:RegistrationName>A &lt;B&gt; &amp; $&amp; Co "quoted" \'single\' $1 $$</cbc:RegistrationName>');
    expect(xml).toContain('<cbc:Name>Item&#xD;\nwith CR &gt; &amp; &lt;</cbc:Name>');
    const dom = parseXml(xml);
    const reg = findPath(dom.documentElement!, 'cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName');
    expect(textOf(reg)).toBe(name);
    expect(doc.facts.sellerName).toBe(name);
    expectCanonical(doc);
  });

  it('random texts (markup characters, $-patterns, Arabic, CR/tab) always give canonical text', () => {
    const text = fc
      .string({ unit: fc.constantFrom('a', 'ب', '<', '>', '&', '"', "'", '$', '$&', '\r', '\t', '\n', ' ', '|'), minLength: 3, maxLength: 20 })
      .filter((s) => s.trim().length >= 3 && !/^\d+$/.test(s.trim()));
    fc.assert(
      fc.property(text, text, (sellerName, itemName) => {
        const doc = buildInvoice({
          ...baseInvoice('simplified'),
          seller: { ...seller, name: sellerName },
          notes: [{ text: itemName }],
          lines: [{ name: itemName, quantity: '1', unitPrice: '1.00' }],
        });
        expectCanonical(doc);
        expect(
          textOf(findPath(parseXml(unsignedXml(doc)).documentElement!, 'cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName')),
        ).toBe(sellerName);
      }),
      { numRuns: 200 },
    );
  });
});

describe('writer: structure (docs/zatca-notes.md §2.2, §2.7, §2.9; SDK samples)', () => {
  const doc = buildInvoice({
    ...baseInvoice(),
    notes: [{ text: 'ABC', language: 'ar' }],
    orderReference: 'PO-1',
    allowanceCharges: [{ kind: 'allowance', amount: '0.10', reason: 'discount', taxCategory: { code: 'S', rate: '15' } }],
    currency: 'USD',
    exchangeRate: '3.75',
    writeTaxExchangeRate: true,
  });
  const root = parseXml(unsignedXml(doc)).documentElement!;

  it('root children in ZATCA/XSD order (docs/zatca-notes.md §2.2)', () => {
    expect(childElements(root).map((e) => e.localName)).toEqual([
      'ProfileID',
      'ID',
      'UUID',
      'IssueDate',
      'IssueTime',
      'InvoiceTypeCode',
      'Note',
      'DocumentCurrencyCode',
      'TaxCurrencyCode',
      'OrderReference',
      'AdditionalDocumentReference',
      'AdditionalDocumentReference',
      'AccountingSupplierParty',
      'AccountingCustomerParty',
      'Delivery',
      'PaymentMeans',
      'AllowanceCharge',
      'TaxExchangeRate',
      'TaxTotal',
      'TaxTotal',
      'LegalMonetaryTotal',
      'InvoiceLine',
    ]);
  });

  it('always two TaxTotals: the first in SAR without subtotals, the second in the document currency with them (docs/zatca-notes.md §2.7, BR-KSA-EN16931-08/09)', () => {
    const [sar, doccur] = childElements(root, NS.cac, 'TaxTotal');
    expect(childElements(sar!).map((e) => e.localName)).toEqual(['TaxAmount']);
    expect(childElements(sar!)[0]!.getAttribute('currencyID')).toBe('SAR');
    expect(childElements(doccur!, NS.cac, 'TaxSubtotal')).toHaveLength(1);
    expect(childElements(doccur!)[0]!.getAttribute('currencyID')).toBe('USD');
    expect(doc.facts.taxTotalSar).toBe('2.21'); // (4.00 − 0.10) × 15 % = 0.59 USD VAT × 3.75
  });

  it('head runs from ProfileID to the PIH reference, tail from the supplier to </Invoice> (src/ubl/document.ts contract)', () => {
    expect(doc.head.startsWith('\n    <cbc:ProfileID>reporting:1.0</cbc:ProfileID>')).toBe(true);
    expect(
      doc.head.endsWith(
        `<cbc:EmbeddedDocumentBinaryObject mimeCode="text/plain">${INITIAL_PIH}</cbc:EmbeddedDocumentBinaryObject>\n        </cac:Attachment>\n    </cac:AdditionalDocumentReference>`,
      ),
    ).toBe(true);
    expect(doc.tail.startsWith('\n    <cac:AccountingSupplierParty>')).toBe(true);
    expect(doc.tail.endsWith('\n</Invoice>')).toBe(true);
    expect(doc.indent).toBe('    ');
    expect(bodyOf(doc)).not.toMatch(/\/>/); // no self-closing tags
  });

  it('facts are the texts written (QR tags 1–5, docs/zatca-notes.md §7)', () => {
    expect(doc.facts).toMatchObject({
      id: 'INV-1',
      simplified: false,
      issueDate: '2022-09-07',
      issueTime: '12:21:28',
      sellerVatNumber: '399999999900003',
      icv: 1,
      pih: INITIAL_PIH,
    });
    expect(textOf(findPath(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount'))).toBe(doc.facts.payableAmount);
  });

  it('a simplified document without buyer keeps an empty AccountingCustomerParty (SDK Simplified_Invoice)', () => {
    const s = buildInvoice(baseInvoice('simplified'));
    expect(s.tail).toContain('<cac:AccountingCustomerParty>\n    </cac:AccountingCustomerParty>');
    expect(s.facts.simplified).toBe(true);
  });

  it('line children in order ID, InvoicedQuantity, LineExtensionAmount, AllowanceCharge, TaxTotal, Item, Price (docs/zatca-notes.md §2.9)', () => {
    const d = buildInvoice({
      ...baseInvoice(),
      lines: [
        {
          name: 'Pencil',
          quantity: '2',
          unitPrice: '2.00',
          priceDiscount: '0.50',
          allowanceCharges: [{ kind: 'charge', amount: '1.00', reasonCode: 'ZZZ', reason: 'Wrap' }],
        },
      ],
    });
    const line = childElements(parseXml(unsignedXml(d)).documentElement!, NS.cac, 'InvoiceLine')[0]!;
    expect(childElements(line).map((e) => e.localName)).toEqual([
      'ID',
      'InvoicedQuantity',
      'LineExtensionAmount',
      'AllowanceCharge',
      'TaxTotal',
      'Item',
      'Price',
    ]);
    expect(childElements(findPath(line, 'cac:Price')!).map((e) => e.localName)).toEqual(['PriceAmount', 'AllowanceCharge']);
    expect(textOf(findPath(line, 'cbc:LineExtensionAmount'))).toBe('4.00'); // 2 × 1.50 + 1.00
  });

  it('prepayment adjustment lines: quantity 0.00 (never "0", BR-22), DocumentReference 386 and the prepaid subtotal (docs/zatca-notes.md §1.4)', () => {
    const d = buildInvoice({
      ...baseInvoice(),
      lines: [{ name: 'Laptop', quantity: '1', unitPrice: '2000.00' }],
      prepaymentAdjustments: [
        {
          name: 'Advance received',
          invoiceId: '46531',
          invoiceUuid: 'a79760f7-2f48-4da9-85a5-40459a147c80',
          issueDate: '2022-08-15',
          issueTime: '12:28:17',
          taxableAmount: '1000.00',
          taxCategory: { code: 'S', rate: '5' },
        },
      ],
    });
    const line = childElements(parseXml(unsignedXml(d)).documentElement!, NS.cac, 'InvoiceLine')[1]!;
    expect(childElements(line).map((e) => e.localName)).toEqual([
      'ID',
      'InvoicedQuantity',
      'LineExtensionAmount',
      'DocumentReference',
      'TaxTotal',
      'Item',
      'Price',
    ]);
    expect(textOf(findPath(line, 'cbc:InvoicedQuantity'))).toBe('0.00');
    expect(textOf(findPath(line, 'cac:DocumentReference/cbc:DocumentTypeCode'))).toBe('386');
    expect(textOf(findPath(line, 'cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount'))).toBe('50.00');
    expect(d.facts.payableAmount).toBe('1250.00'); // 2300 − 1050
  });

  it('attributes in C14N order: namespace declarations first (docs/zatca-notes.md §5)', () => {
    expect(doc.rootStart).toBe(`<Invoice xmlns="${NS.invoice}" xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}" xmlns:ext="${NS.ext}">`);
  });
});
