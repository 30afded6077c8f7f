// Printouts without external tools (issue 13): what the layout model says for each kind of document
// (titles by type and kind, notes' original invoice and reason, exemption texts, SAR VAT, prepayment),
// the validity band for bad input, Arabic shaping and bidi order, pagination, HTML, reproducible PDFs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFawtaraError } from '../../src/errors.js';
import { renderInvoice } from '../../src/render/index.js';
import { buildLayout, type InvoiceLayout } from '../../src/render/model.js';
import { planA4 } from '../../src/render/pdf/a4.js';
import type { DrawOp } from '../../src/render/pdf/canvas.js';
import { shape } from '../../src/render/pdf/fonts.js';
import { layoutParagraph } from '../../src/render/pdf/text.js';
import { problemsOf } from '../../src/render/validity.js';
import { readDocumentContent } from '../../src/stamp/read.js';
import { unsignedXml } from '../../src/ubl/document.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { parseXml } from '../../src/xml/parse.js';
import { repoRoot } from '../helpers/sdk.js';
import { type FixtureName, fixture } from './helpers.js';

function layoutOf(xml: Buffer | string, options: Partial<Parameters<typeof buildLayout>[2]> = {}): InvoiceLayout {
  const doc = parseXml(xml, { readOnly: true });
  const content = readDocumentContent(doc);
  return buildLayout(content, problemsOf(doc, content), { format: 'a4', lang: 'both', digits: 'latin', ...options });
}

const scenario = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'scenarios', `${name}.json`), 'utf8'));
const ratesOf = (l: InvoiceLayout) => Object.fromEntries(l.totals.map((t) => [t.label.en, t.value]));
const textOfLine = (op: DrawOp): string => (op.kind === 'text' ? op.line.pieces.map((p) => p.text).join('') : '');

describe('what the printout says (ZATCA e-invoicing guideline, printed form)', () => {
  it.each<[FixtureName, string, string]>([
    ['simplified', 'Simplified Tax Invoice', 'فاتورة ضريبية مبسطة'],
    ['standard', 'Tax Invoice', 'فاتورة ضريبية'],
    ['credit', 'Credit Note', 'إشعار دائن'],
    ['debit', 'Simplified Debit Note', 'إشعار مدين مبسط'],
  ])('%s is titled "%s / %s" by InvoiceTypeCode and KSA-2 kind', (name, en, ar) => {
    const l = layoutOf(fixture(name));
    expect(l.title).toEqual({ en, ar });
    expect(l.invalid).toEqual([]);
  });

  it('a credit note names the original invoice and the reason (KSA-10 InstructionNote), in both languages', () => {
    const l = layoutOf(fixture('credit'));
    const facts = Object.fromEntries(l.facts.map((f) => [f.label.en, f.value]));
    expect(facts['Note number']).toBe('SME00015');
    expect(facts['Original invoice']).toMatch(/^SME00/);
    expect(facts.Reason).toBe('عند ترجيع السلع أو الخدمات\nIn case of goods or services refund');
  });

  it('the VAT breakdown gives category, rate and the exemption reason for E (BR-KSA-CL-04 code)', () => {
    const l = layoutOf(fixture('exempt'));
    const exempt = l.breakdown.find((r) => r.code.startsWith('E'))!;
    expect(exempt.category.en).toBe('Exempt');
    expect(exempt.code).toBe('E · VATEX-SA-29-7');
    expect(exempt.exemption.join(' ')).toMatch(/Life insurance|عقد تأمين/);
  });

  it('an export in USD: zero-rated Z with its reason, totals in USD and the VAT in SAR (the SAR TaxTotal)', () => {
    const l = layoutOf(fixture('export-usd'));
    expect(l.badges.map((b) => b.en)).toEqual(['Export invoice']);
    expect(l.breakdown[0]!.code).toBe('Z · VATEX-SA-32');
    const totals = ratesOf(l);
    expect(totals['Amount payable']).toMatch(/ USD$/);
    expect(totals['VAT in SAR']).toMatch(/^0\.00 SAR$/);
  });

  it('a prepayment adjustment shows the prepaid amount and the prepayment invoice on its line', () => {
    const l = layoutOf(fixture('prepayment-adjustment'));
    expect(ratesOf(l)['Prepaid amount']).toBe('1,150.00 SAR');
    expect(ratesOf(l)['Amount payable']).toBe('1,035.00 SAR');
    expect(l.lines[1]!.details.join(' ')).toContain('46531');
  });

  it('amounts, quantities and dates take Arabic-Indic digits on request; identifiers stay as written', () => {
    const l = layoutOf(fixture('standard'), { lang: 'ar', digits: 'arabic' });
    expect(l.rtl).toBe(true);
    expect(ratesOf(l)['Amount payable']).toMatch(/^[٠-٩٬٫]+ SAR$/);
    expect(l.facts.find((f) => f.label.en === 'Issue date')!.value).toBe('٢٠٢٢-٠٩-٠٧');
    expect(l.seller.fields[0]!.value).toBe('399999999900003');
  });
});

describe('bad input still prints, never silently', () => {
  it('a document changed after signing carries the band with the failed checks', () => {
    const tampered = fixture('simplified').toString('utf8').replace('>3.00</cbc:PriceAmount>', '>2.00</cbc:PriceAmount>');
    const r = renderInvoice(tampered, { output: 'html' });
    expect(r.valid).toBe(false);
    expect(r.problems[0]!.en).toMatch(/^verification failed: .*invalid-invoice-hash/);
    expect(r.body.toString()).toContain('NOT A VALID TAX INVOICE');
  });

  it('an unsigned standard invoice: "not signed" and the missing QR is stated on the page', () => {
    const r = renderInvoice(unsignedXml(buildInvoice(scenario('standard-invoice'))), { output: 'html' });
    expect(r.problems.map((p) => p.en)).toEqual(['not signed (no cryptographic stamp)']);
    const l = layoutOf(unsignedXml(buildInvoice(scenario('standard-invoice'))));
    expect(l.qr).toEqual({ missing: { en: 'No QR code: not cleared by ZATCA', ar: 'لا يوجد رمز استجابة سريعة: لم تعتمده الهيئة' } });
    expect(r.body.toString()).toContain('No QR code: not cleared by ZATCA');
  });

  it('XML that is not a ZATCA invoice renders with the band; a PDF too', () => {
    for (const xml of ['<Order xmlns="urn:x"><ID>1</ID></Order>', '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>']) {
      const r = renderInvoice(xml);
      expect(r.valid).toBe(false);
      expect(r.problems[0]!.en).toMatch(/^not a ZATCA e-invoice/);
      expect(r.body.subarray(0, 8).toString()).toBe('%PDF-1.7');
    }
  });

  it('input that is not XML, or a wrong option, is a bilingual error naming it', () => {
    const errors: unknown[] = [];
    for (const call of [() => renderInvoice('not xml at all'), () => renderInvoice(fixture('simplified'), { format: 'a5' as 'a4' })]) {
      try {
        call();
      } catch (error) {
        errors.push(error);
      }
    }
    expect(errors.map((e) => isFawtaraError(e) && e.code)).toEqual(['INVALID_XML', 'INVALID_INPUT']);
    expect(errors.every((e) => isFawtaraError(e) && !!e.messageAr)).toBe(true);
  });

  it('names are escaped in HTML and wrap in the PDF', () => {
    const json = scenario('simplified-invoice');
    const long = `<script>alert(1)</script> ${'مضخة مياه صناعية عالية الضغط '.repeat(8)}| Industrial high-pressure water pump ${'with fittings '.repeat(8)}`;
    json.lines = [{ name: long, quantity: '1', unitPrice: '10.00' }];
    const xml = unsignedXml(buildInvoice(json));
    const html = renderInvoice(xml, { output: 'html' }).body.toString();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    const para = layoutParagraph(long, { font: 'regular', size: 8 }, 200);
    expect(para.lines.length).toBeGreaterThan(4);
    expect(para.lines.every((l) => l.width <= 200 + 1e-6)).toBe(true);
  });
});

describe('Arabic text: shaping and bidi order', () => {
  it('contextual forms and lam-alef come from the font’s GSUB, not isolated letters', () => {
    // the base glyphs (the ones that carry the letter; Noto places the dots as marks)
    const bases = (text: string): number[] => {
      const run = shape('regular', text, true);
      return run.glyphs.filter((_, i) => run.codePoints[i]!.length > 0);
    };
    const isolated = bases('ب')[0];
    const joined = bases('ببب');
    expect(new Set(joined).size).toBe(3); // final, medial, initial
    expect(joined).not.toContain(isolated);
    const lamAlef = shape('regular', 'لا', true).glyphs;
    expect(lamAlef).not.toEqual([shape('regular', 'ا', true).glyphs[0], shape('regular', 'ل', true).glyphs[0]]);
  });

  it('an Arabic paragraph reads right to left with Latin and numbers kept left to right, brackets mirrored', () => {
    const para = layoutParagraph('فاتورة رقم INV-7 (نسخة)', { font: 'regular', size: 10 }, 1000);
    expect(para.rtl).toBe(true);
    const visual = para.lines[0]!.pieces.map((p) => p.text).filter((t) => t.trim());
    // left to right on the page: the bracketed word, the number, then رقم and فاتورة at the right edge
    expect(visual).toEqual([')نسخة(', 'INV-7', 'رقم', 'فاتورة']);
    expect(para.lines[0]!.pieces.find((p) => p.text === 'INV-7')!.rtl).toBe(false);
  });
});

describe('pages and files', () => {
  it('1,000 lines paginate with the table header on every page and "n/N" page numbers', () => {
    const l = layoutOf(fixture('lines-1000'));
    const pages = planA4(l);
    expect(pages.length).toBeGreaterThan(12);
    pages.forEach((page, i) => {
      const texts = page.ops.map(textOfLine);
      expect(texts, `page ${i + 1}`).toContain(`${i + 1}/${pages.length}`);
      expect(texts, `page ${i + 1}`).toContain('Description');
    });
  });

  it('the same XML gives the same PDF bytes (dates and ids from the document), PDF/A-3b with the XML associated', () => {
    const a = renderInvoice(fixture('standard'));
    const b = renderInvoice(fixture('standard'));
    expect(a.body.equals(b.body)).toBe(true);
    const text = a.body.toString('latin1');
    for (const s of ['%PDF-1.7', '/AFRelationship /Data', '/Subtype /application#2Fxml', '/S /GTS_PDFA1', '/OutputIntents', '/AF [']) expect(text).toContain(s);
    expect(a.fileName).toBe('399999999900003_20220907T122128_SME00023.pdf');
  });

  it('HTML is one page with print CSS for the format, the QR inline and each language marked', () => {
    const receipt = renderInvoice(fixture('simplified'), { output: 'html' }).body.toString();
    expect(receipt).toContain('size: 80mm auto');
    expect(receipt).toMatch(/<svg class="qr"/);
    expect(receipt).toContain('<span lang="ar" dir="rtl">فاتورة ضريبية مبسطة</span>');
    const a4 = renderInvoice(fixture('standard'), { output: 'html', lang: 'ar' }).body.toString();
    expect(a4).toContain('<html lang="ar" dir="rtl">');
    expect(a4).toContain('size: A4');
    expect(a4).toContain('display: table-header-group');
  });
});
