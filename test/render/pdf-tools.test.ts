// The PDF/A-3b printout as other tools see it (issue 13): zbarimg decodes the printed QR to exactly the
// document's QR text, pdfdetach finds one embedded file equal to the signed XML byte for byte, the XMP
// declares PDF/A-3B, pdffonts shows every font embedded, pdftotext finds the number and seller VAT.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInvoice } from '../../src/render/index.js';
import { readDocumentContent } from '../../src/stamp/read.js';
import { parseInvoiceXml } from '../../src/xml/parse.js';
import { FIXTURES, type FixtureName, fixture, POPPLER, POPPLER_MISSING, rasterize, run, scratch, ZBAR, ZBAR_MISSING } from './helpers.js';

describe.skipIf(!POPPLER)('printouts under poppler and zbar', () => {
  if (!POPPLER) console.warn(POPPLER_MISSING);
  const tmp = scratch();
  const pdfs = new Map<FixtureName, { path: string; xml: Buffer; qr: string; number: string; sellerVat: string; name: string }>();
  beforeAll(() => {
    for (const name of FIXTURES) {
      const xml = fixture(name);
      const c = readDocumentContent(parseInvoiceXml(xml));
      const r = renderInvoice(xml);
      expect(r.valid, `${name}: ${JSON.stringify(r.problems)}`).toBe(true);
      pdfs.set(name, {
        path: tmp.write(`${name}.pdf`, r.body),
        xml,
        qr: c.qr!,
        number: c.id!,
        sellerVat: c.seller.vatNumber!,
        name: r.fileName.replace(/\.pdf$/, '.xml'),
      });
    }
  });
  afterAll(() => tmp.cleanup());

  it.each(FIXTURES)('%s: one embedded file, byte-identical to the signed XML', (name) => {
    const p = pdfs.get(name)!;
    const list = run('pdfdetach', ['-list', p.path]);
    expect(list).toContain('1 embedded files');
    expect(list).toContain(`1: ${p.name}`);
    const out = join(tmp.dir, `${name}.detached.xml`);
    run('pdfdetach', ['-save', '1', '-o', out, p.path]);
    expect(readFileSync(out).equals(p.xml)).toBe(true);
  });

  it.each(FIXTURES)('%s: XMP declares PDF/A-3B; every font is embedded; PDF 1.7', (name) => {
    const p = pdfs.get(name)!;
    const meta = run('pdfinfo', ['-meta', p.path]);
    expect(meta).toMatch(/<pdfaid:part>3<\/pdfaid:part>/);
    expect(meta).toMatch(/<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(run('pdfinfo', [p.path])).toMatch(/PDF version:\s+1\.7/);
    const rows = run('pdffonts', [p.path]).trim().split('\n').slice(2);
    expect(rows.length).toBeGreaterThan(0);
    // columns: name type encoding emb sub uni object ID — "emb" is the fourth from the end
    for (const row of rows) expect(row.trim().split(/\s+/).at(-5), row).toBe('yes');
  });

  it.each(FIXTURES)('%s: pdftotext finds the invoice number and the seller VAT number', (name) => {
    const p = pdfs.get(name)!;
    const text = run('pdftotext', ['-f', '1', '-l', '1', p.path, '-']);
    expect(text).toContain(p.number);
    expect(text).toContain(p.sellerVat);
  });

  it.skipIf(!ZBAR).each(FIXTURES)('%s: the printed QR decodes to exactly the document QR text', (name) => {
    if (!ZBAR) console.warn(ZBAR_MISSING);
    const p = pdfs.get(name)!;
    const [png] = rasterize(p.path, 200, 1);
    const decoded = run('zbarimg', ['--raw', '-q', png!]).replace(/\n$/, '');
    expect(decoded).toBe(p.qr);
  });
});
