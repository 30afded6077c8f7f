// Input validation: every schema problem is reported by JSON path with English and Arabic text,
// and every forbidden combination names the ZATCA rule it breaks (docs/zatca-notes.md §1.2, §1.3, §2.2–§2.4).
import { describe, expect, it } from 'vitest';
import { FawtaraError } from '../../src/errors.js';
import { computeInvoice, parseInvoiceInput, type InvoiceInputJson } from '../../src/model/index.js';
import { baseInvoice, buyer } from './fixtures.js';

function errorOf(json: unknown): FawtaraError {
  try {
    parseInvoiceInput(json);
  } catch (error) {
    expect(error).toBeInstanceOf(FawtaraError);
    return error as FawtaraError;
  }
  throw new Error('expected parseInvoiceInput to throw');
}

const fields = (e: FawtaraError) => (e.issues ?? []).map((i) => i.field);
const rules = (e: FawtaraError) => (e.issues ?? []).map((i) => i.rule);

describe('parseInvoiceInput: schema errors name the JSON path', () => {
  it('a bad quantity on the third line is reported as lines[2].quantity, in English and Arabic', () => {
    const json = baseInvoice();
    json.lines = [json.lines[0]!, json.lines[0]!, { ...json.lines[0]!, quantity: 'two' }];
    const e = errorOf(json);
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.field).toBe('lines[2].quantity');
    expect(e.message).toMatch(/^lines\[2\]\.quantity: write a plain decimal/);
    expect(e.messageAr).toMatch(/^lines\[2\]\.quantity: /);
  });

  it('missing required fields and unknown fields are listed, each with its path', () => {
    const { seller: _s, ...json } = baseInvoice();
    const e = errorOf({ ...json, colour: 'blue', lines: [{ name: 'Pencil', unitPrice: '1' }] });
    expect(fields(e)).toEqual(expect.arrayContaining(['seller', 'colour', 'lines[0].quantity']));
    const missing = e.issues!.find((i) => i.field === 'lines[0].quantity')!;
    expect(missing.message).toContain('required');
    expect(missing.messageAr).toContain('مطلوب');
  });

  it('VAT number format (BR-KSA-40), IssueTime format (BR-KSA-70), category code (BR-KSA-18)', () => {
    const json = baseInvoice();
    const e = errorOf({
      ...json,
      issueTime: '12:21:28.000',
      seller: { ...(json.seller as object), vatNumber: '123' },
      lines: [{ ...json.lines[0]!, taxCategory: { code: 'AE' } }],
    });
    expect(fields(e)).toEqual(expect.arrayContaining(['issueTime', 'seller.vatNumber', 'lines[0].taxCategory.code']));
    expect(e.issues!.find((i) => i.field === 'issueTime')!.message).toContain('BR-KSA-70');
    expect(e.issues!.find((i) => i.field === 'lines[0].taxCategory.code')!.message).toContain('BR-KSA-18');
  });

  it('line IDs longer than 6 characters are rejected (BR-KSA-F-06-C17)', () => {
    const json = baseInvoice();
    const e = errorOf({ ...json, lines: [{ ...json.lines[0]!, id: '1234567' }] });
    expect(e.field).toBe('lines[0].id');
    expect(e.message).toContain('BR-KSA-F-06-C17');
  });

  it('a non-object input gets a clear message', () => {
    expect(errorOf('[]').message).toContain('JSON object');
  });
});

describe('parseInvoiceInput: forbidden combinations name the rule (docs/zatca-notes.md §1.2)', () => {
  const cases: Array<[string, InvoiceInputJson, string, string]> = [
    ['simplified self-billed → BR-KSA-31', { ...baseInvoice('simplified'), flags: { selfBilled: true } }, 'BR-KSA-31', 'INVALID_COMBINATION'],
    ['export + self-billed → BR-KSA-07', { ...baseInvoice(), flags: { export: true, selfBilled: true } }, 'BR-KSA-07', 'INVALID_COMBINATION'],
    [
      'simplified export → never emitted (policy, VAT Regulations Art. 53(1))',
      { ...baseInvoice('simplified'), flags: { export: true } },
      'VAT Regulations Art. 53(1), docs/zatca-notes.md §1.2',
      'INVALID_COMBINATION',
    ],
    ['B2G without contract → BR-KSA-92', { ...baseInvoice(), flags: { b2g: true } }, 'BR-KSA-92', 'INVALID_INPUT'],
    [
      'credit note without reason → BR-KSA-17',
      { ...baseInvoice(), documentType: 'creditNote', billingReference: { invoiceId: 'SME00002' } },
      'BR-KSA-17',
      'INVALID_INPUT',
    ],
    ['debit note without billing reference → BR-KSA-56', { ...baseInvoice(), documentType: 'debitNote', reason: 'Price change' }, 'BR-KSA-56', 'INVALID_INPUT'],
    ['standard 388 without supply date → BR-KSA-15', { ...baseInvoice(), delivery: {} }, 'BR-KSA-15', 'INVALID_INPUT'],
    [
      'simplified summary without period → BR-KSA-72',
      { ...baseInvoice('simplified'), flags: { summary: true }, buyer: { name: 'Ali' } },
      'BR-KSA-72',
      'INVALID_INPUT',
    ],
    [
      'S rate 10 → BR-KSA-84',
      { ...baseInvoice(), lines: [{ name: 'Pencil', quantity: '1', unitPrice: '1', taxCategory: { code: 'S', rate: '10' } }] },
      'BR-KSA-84',
      'INVALID_INPUT',
    ],
    [
      'Z without exemption code → BR-KSA-69',
      { ...baseInvoice(), lines: [{ name: 'Medicine', quantity: '1', unitPrice: '1', taxCategory: { code: 'Z' } }] },
      'BR-KSA-69',
      'INVALID_INPUT',
    ],
    [
      'two Z exemption codes → BR-Z-08 (one Z subtotal)',
      {
        ...baseInvoice(),
        lines: [
          { name: 'Medicine', quantity: '1', unitPrice: '1', taxCategory: { code: 'Z', exemptionCode: 'VATEX-SA-35' } },
          { name: 'Gold bar', quantity: '1', unitPrice: '1', taxCategory: { code: 'Z', exemptionCode: 'VATEX-SA-36' } },
        ],
      },
      'BR-Z-08',
      'INVALID_COMBINATION',
    ],
    [
      'EDU exemption without buyer NAT → BR-KSA-49',
      { ...baseInvoice(), lines: [{ name: 'Tuition', quantity: '1', unitPrice: '1', taxCategory: { code: 'Z', exemptionCode: 'VATEX-SA-EDU' } }] },
      'BR-KSA-49',
      'INVALID_INPUT',
    ],
    ['foreign currency without rate → SAR TaxTotal impossible', { ...baseInvoice(), currency: 'USD' }, 'BR-KSA-68 / BR-53', 'INVALID_INPUT'],
    [
      'same buyer and seller VAT → BR-CUSTOM-VALIDATION-01',
      { ...baseInvoice(), buyer: { ...(baseInvoice().buyer as object), vatNumber: '399999999900003' } },
      'BR-CUSTOM-VALIDATION-01',
      'INVALID_INPUT',
    ],
    ['standard without buyer ID or VAT → BR-KSA-81', { ...baseInvoice(), buyer: { name: 'X', address: buyer.address } }, 'BR-KSA-81', 'INVALID_INPUT'],
    [
      'prepayment adjustment on a credit note → docs/zatca-notes.md §1.4',
      {
        ...baseInvoice(),
        documentType: 'creditNote',
        reason: 'Refund',
        billingReference: { invoiceId: 'A1' },
        prepaymentAdjustments: [
          { name: 'Advance', invoiceId: 'P1', invoiceUuid: 'u-1', issueDate: '2022-08-15', issueTime: '12:00:00', taxableAmount: '10.00' },
        ],
      },
      'BR-KSA-80, docs/zatca-notes.md §1.4',
      'INVALID_COMBINATION',
    ],
  ];
  for (const [name, json, rule, code] of cases) {
    it(name, () => {
      const e = errorOf(json);
      expect(rules(e)).toContain(rule);
      const issue = e.issues!.find((i) => i.rule === rule)!;
      expect(issue.message.length).toBeGreaterThan(10);
      expect(issue.messageAr).toMatch(/[\u0600-\u06FF]/);
      if (e.rule === rule) expect(e.code).toBe(code);
    });
  }

  it('allowed: third-party, nominal and summary on both kinds; self-billed standard; export standard (SDK samples)', () => {
    for (const flags of [{ thirdParty: true }, { nominal: true }]) {
      expect(() => parseInvoiceInput({ ...baseInvoice('simplified'), flags })).not.toThrow();
      expect(() => parseInvoiceInput({ ...baseInvoice(), flags })).not.toThrow();
    }
    expect(() => parseInvoiceInput({ ...baseInvoice(), flags: { selfBilled: true } })).not.toThrow();
  });
});

describe('computeInvoice: KSA-2 code and defaults (docs/zatca-notes.md §1.2, §9)', () => {
  it('writes 7 characters, 8 with continuous supply, 9 with B2G', () => {
    expect(computeInvoice(parseInvoiceInput({ ...baseInvoice(), flags: { selfBilled: true } })).transactionCode).toBe('0100001');
    expect(computeInvoice(parseInvoiceInput({ ...baseInvoice(), flags: { export: true } })).transactionCode).toBe('0100100');
    expect(computeInvoice(parseInvoiceInput({ ...baseInvoice('simplified'), flags: { nominal: true } })).transactionCode).toBe('0201000');
    expect(computeInvoice(parseInvoiceInput({ ...baseInvoice(), flags: { continuousSupply: true } })).transactionCode).toBe('01000001');
    expect(computeInvoice(parseInvoiceInput({ ...baseInvoice(), contractReference: 'C-1', flags: { b2g: true } })).transactionCode).toBe('010000001');
  });

  it('defaults: ICV 1, the initial PIH, a v4 UUID when absent', () => {
    const { uuid: _u, ...json } = baseInvoice();
    const inv = computeInvoice(parseInvoiceInput(json));
    expect(inv.icv).toBe(1);
    expect(inv.pih).toBe('NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==');
    expect(inv.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('fills the exemption text from the code (docs/zatca-notes.md §3) and O defaults to VATEX-SA-OOS', () => {
    const inv = computeInvoice(
      parseInvoiceInput({
        ...baseInvoice(),
        lines: [
          { name: 'Life cover', quantity: '1', unitPrice: '100', taxCategory: { code: 'E', exemptionCode: 'VATEX-SA-29-7' } },
          { name: 'Deposit', quantity: '1', unitPrice: '10', taxCategory: { code: 'O' } },
        ],
      }),
    );
    expect(inv.subtotals.find((s) => s.category.code === 'E')!.exemptionReason).toBe(
      'Life insurance services mentioned in Article 29 of the VAT Regulations | عقد تأمين على الحياة',
    );
    expect(inv.subtotals.find((s) => s.category.code === 'O')!.exemptionCode).toBe('VATEX-SA-OOS');
  });

  it('a note reason becomes the first payment means instruction note (KSA-10, BR-KSA-17)', () => {
    const inv = computeInvoice(
      parseInvoiceInput({
        ...baseInvoice(),
        documentType: 'creditNote',
        billingReference: { invoiceId: 'SME00002' },
        reason: 'Returned goods',
        paymentMeans: [],
      }),
    );
    expect(inv.typeCode).toBe('381');
    expect(inv.paymentMeans).toEqual([{ code: '1', instructionNote: 'Returned goods' }]);
  });
});
