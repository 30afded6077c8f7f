// Screenshots of the console for docs/console/ and the README (issue 14): the overview, a rejected
// document and the VAT report, in English and Arabic, from the demo head office in chromium.
// Run: node --import tsx scripts/console-screenshots.ts   (needs Debian's chromium)
import { mkdirSync } from 'node:fs';
import { BROWSER_MISSING, consoleFixture, VAT } from '../test/console/browser.js';

const OUT = new URL('../docs/console/', import.meta.url);

async function main(): Promise<void> {
  if (BROWSER_MISSING) throw new Error(BROWSER_MISSING);
  mkdirSync(OUT, { recursive: true });
  const f = await consoleFixture();
  try {
    const rejected = await f.rejectedSale();
    const page = await (await f.context()).newPage();
    await page.setViewportSize({ width: 1280, height: 860 });
    await f.login(page, f.h.adminUsername, f.h.adminPassword!);
    const base = `${f.h.url}/console/taxpayers/${VAT}`;
    for (const lang of ['en', 'ar'] as const) {
      if (lang === 'ar') {
        await page.locator('#switch-language').click();
        await page.waitForLoadState('load');
      }
      const shots: Array<[string, string]> = [
        ['overview', `${base}/overview`],
        ['document', `${base}/units/RUH-POS-1/documents/${encodeURIComponent(rejected)}`],
        ['vat-report', `${base}/vat-report`],
      ];
      for (const [name, url] of shots) {
        await page.goto(url);
        await page.waitForLoadState('networkidle');
        const file = new URL(`${name}-${lang}.png`, OUT);
        await page.screenshot({ path: file.pathname, fullPage: false });
        process.stdout.write(`${file.pathname}\n`);
      }
    }
  } finally {
    await f.close();
  }
}

await main();
