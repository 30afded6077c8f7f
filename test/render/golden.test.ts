// Golden printouts (issue 13): each document kind of the scenario set is rendered to PDF, rasterised
// by pdftoppm and compared with the committed image in docs/render/ within a small pixel tolerance.
// After a deliberate change of the printout: FAWTARA_UPDATE_GOLDENS=1 npx vitest run test/render/golden.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RenderOptions, renderInvoice } from '../../src/render/index.js';
import { FIXTURES, type FixtureName, fixture, GOLDEN_DIR, pixelDifference, POPPLER, POPPLER_MISSING, rasterize, scratch } from './helpers.js';

/** At most this share of pixels may differ (anti-aliasing across poppler builds), never the size. */
const TOLERANCE = 0.002;
const UPDATE = process.env.FAWTARA_UPDATE_GOLDENS === '1';

interface Golden {
  image: string;
  xml: () => Buffer;
  options?: RenderOptions;
  /** Pages to compare; 'last' is the document's final page. */
  pages: Array<number | 'last'>;
}

const tampered = (): Buffer =>
  Buffer.from(
    fixture('simplified')
      .toString('utf8')
      .replace('<cbc:PriceAmount currencyID="SAR">3.00</cbc:PriceAmount>', '<cbc:PriceAmount currencyID="SAR">2.00</cbc:PriceAmount>'),
  );

const GOLDENS: Golden[] = [
  ...FIXTURES.map((name: FixtureName): Golden => ({ image: name, xml: () => fixture(name), pages: name === 'lines-1000' ? [1, 2, 'last'] : [1] })),
  { image: 'standard-ar-arabic-digits', xml: () => fixture('standard'), options: { lang: 'ar', digits: 'arabic' }, pages: [1] },
  { image: 'simplified-a4', xml: () => fixture('simplified'), options: { format: 'a4' }, pages: [1] },
  { image: 'invalid-receipt', xml: tampered, pages: [1] },
];

describe.skipIf(!POPPLER)('golden printouts (docs/render)', () => {
  if (!POPPLER) console.warn(POPPLER_MISSING);
  const tmp = scratch();
  afterAll(() => tmp.cleanup());

  it.each(GOLDENS)('$image', (g) => {
    const r = renderInvoice(g.xml(), g.options);
    const pdf = tmp.write(`${g.image}.pdf`, r.body);
    const dpi = r.format === 'receipt' ? 144 : 96;
    for (const p of g.pages) {
      const page = p === 'last' ? r.pages : p;
      const [png] = rasterize(pdf, dpi, page);
      const name = `${g.image}${g.pages.length > 1 ? `-p${p === 'last' ? 'last' : p}` : ''}.png`;
      const golden = join(GOLDEN_DIR, name);
      const actual = readFileSync(png!);
      if (UPDATE) writeFileSync(golden, actual);
      expect(existsSync(golden), `${name} is missing: run FAWTARA_UPDATE_GOLDENS=1 npx vitest run test/render/golden.test.ts`).toBe(true);
      const { differing, total } = pixelDifference(actual, readFileSync(golden));
      expect(differing, `${name}: the page size changed`).toBeGreaterThanOrEqual(0);
      expect(differing / total, `${name}: ${differing} of ${total} pixels differ (see ${png})`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
