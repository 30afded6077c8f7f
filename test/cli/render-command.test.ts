// `fawtara render` (issue 13): PDF or HTML by the output's extension, format and language options,
// the README's exit codes (0 printed; 1 printed with the band; 2 usage; 3 bad input), bilingual errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/sdk.js';
import { cli, scratch } from './helpers.js';

const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'render', `${name}.xml`);

describe('fawtara render', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());

  it('writes a PDF/A-3b receipt for a simplified invoice, and A4 on request', async () => {
    const r = await cli('render', '--invoice', fixture('simplified'), '--out', tmp.path('r.pdf'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: 'receipt', pages: 1, number: 'SME00010', valid: true });
    expect(readFileSync(tmp.path('r.pdf')).subarray(0, 8).toString()).toBe('%PDF-1.7');
    const a4 = await cli('render', '--invoice', fixture('simplified'), '--out', tmp.path('a4.pdf'), '--format', 'a4', '--lang', 'ar', '--digits', 'arabic');
    expect(a4.code).toBe(0);
    expect(a4.stdout).toContain('A4, 1 page, document SME00010');
  });

  it('writes print HTML when the output is .html', async () => {
    const r = await cli('render', '--invoice', fixture('credit'), '--out', tmp.path('credit.html'), '--lang', 'en');
    expect(r.code).toBe(0);
    const html = readFileSync(tmp.path('credit.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Credit Note');
  });

  it('prints a document that fails verification with the band and exits 1 with a bilingual warning', async () => {
    writeFileSync(tmp.path('bad.xml'), readFileSync(fixture('simplified'), 'utf8').replace('>3.00</cbc:PriceAmount>', '>2.00</cbc:PriceAmount>'));
    const r = await cli('render', '--invoice', tmp.path('bad.xml'), '--out', tmp.path('bad.pdf'));
    expect(r.code).toBe(1);
    expect(existsSync(tmp.path('bad.pdf'))).toBe(true);
    expect(r.stderr).toContain('NOT A VALID TAX INVOICE');
    expect(r.stderr).toContain('ليست فاتورة ضريبية صالحة');
  });

  it('usage and input errors: exit 2 for a wrong extension or format, 3 for a missing file or non-XML', async () => {
    expect((await cli('render', '--invoice', fixture('simplified'), '--out', tmp.path('x.txt'))).code).toBe(2);
    expect((await cli('render', '--invoice', fixture('simplified'), '--out', tmp.path('x.pdf'), '--format', 'a5')).code).toBe(2);
    const missing = await cli('render', '--invoice', tmp.path('nope.xml'), '--out', tmp.path('x.pdf'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/does not exist[\s\S]*غير موجود/);
    writeFileSync(tmp.path('junk.xml'), 'this is not xml');
    const junk = await cli('render', '--invoice', tmp.path('junk.xml'), '--out', tmp.path('x.pdf'));
    expect(junk.code).toBe(3);
    expect(existsSync(tmp.path('x.pdf'))).toBe(false);
  });
});
