// The console in a real browser (issue 14's "done when"): Debian's chromium through playwright-core
// against the demo head office started here — log in, overview, onboarding with a simulator OTP,
// a rejected document with ZATCA's message, the VAT report and its drill-down, Arabic, roles, CSRF.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_MISSING, consoleFixture, USER_PASSWORD, VAT, type ConsoleFixture } from './browser.js';

describe.skipIf(BROWSER_MISSING !== undefined)('the console in chromium', () => {
  let f: ConsoleFixture;
  let rejectedNumber: string;
  const base = () => `${f.h.url}/console/taxpayers/${VAT}`;

  beforeAll(async () => {
    f = await consoleFixture();
    rejectedNumber = await f.rejectedSale();
  }, 180_000);
  afterAll(async () => f?.close());

  it('/ shows the login page (not JSON); logging in opens the overview with the demo figures', async () => {
    const page = await (await f.context()).newPage();
    const first = await page.goto(`${f.h.url}/`);
    expect(first?.headers()['content-type']).toMatch(/^text\/html/);
    await expect(page.getByRole('button', { name: 'Log in' }).isVisible()).resolves.toBe(true);
    await f.login(page, f.h.adminUsername, f.h.adminPassword!);
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
    // The demo: 6 POS units, all active (docs/server.md, "The demo"); one rejection today (above).
    const units = page.locator('.card', { hasText: 'Units by state' });
    await expect(units.locator('.figure').textContent()).resolves.toBe('6');
    await expect(units.textContent()).resolves.toContain('active: 6');
    await expect(page.locator('.card', { hasText: 'Rejections today' }).locator('.figure').textContent()).resolves.toBe('1');
    // The console's own script ran (no CSP violation): the live region is wired.
    await expect(page.locator('#live').getAttribute('data-live')).resolves.toContain('/overview/live');
  });

  it('onboards a new unit with an OTP from the simulator, from the unit page', async () => {
    const reg = await f.api('POST', `/api/v1/taxpayers/${VAT}/units`, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-009', name: 'RUH-POS-9' });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const page = await (await f.context()).newPage();
    await f.login(page, f.h.adminUsername, f.h.adminPassword!);
    await page.goto(`${base()}/units/RUH-POS-9`);
    await expect(page.locator('h2 .badge').first().textContent()).resolves.toBe('new');
    const { otps } = (await f.sim('/otps', { vat: VAT, count: 1 })) as { otps: Array<{ otp: string }> };
    await page.getByLabel('OTP from the FATOORA portal').fill(otps[0]!.otp);
    await page.getByRole('button', { name: 'Onboard with an OTP' }).click();
    await page.locator('#onboard-form .result.ok').waitFor({ timeout: 60_000 });
    // The form reloads the page: the unit is active, with its production certificate.
    await page.waitForLoadState('load');
    await page.goto(`${base()}/units/RUH-POS-9`);
    await expect(page.locator('h2 .badge').first().textContent()).resolves.toBe('active');
    await expect(page.locator('table', { hasText: 'production' }).count()).resolves.toBeGreaterThan(0);
  });

  it("opens the rejected document and reads ZATCA's message and what to fix", async () => {
    const page = await (await f.context()).newPage();
    await f.login(page, f.h.adminUsername, f.h.adminPassword!);
    await page.goto(`${base()}/documents?state=rejected`);
    await page.getByRole('link', { name: rejectedNumber }).click();
    await page.waitForURL(/\/documents\/[^/?]+$/);
    await expect(page.locator('h2').first().textContent()).resolves.toContain('rejected');
    const attempts = page.locator('#attempts');
    await expect(attempts.textContent()).resolves.toContain('BR-KSA-98');
    await expect(page.getByRole('heading', { name: 'What to fix' }).isVisible()).resolves.toBe(true);
  });

  it('runs the VAT report with its charts and drills down to documents', async () => {
    const page = await (await f.context()).newPage();
    await f.login(page, f.h.adminUsername, f.h.adminPassword!);
    await page.goto(`${base()}/vat-report`);
    // Chart.js drew on every canvas (a canvas it owns gets its size set by the script).
    for (const id of ['by-branch', 'by-category', 'by-month']) {
      await expect(page.locator(`canvas#${id}`).evaluate((c) => (c as { width: number }).width > 0 && (c as { height: number }).height > 0)).resolves.toBe(
        true,
      );
    }
    await expect(page.locator('#vat-total').textContent()).resolves.toMatch(/^\d[\d,]*\.\d{2}$/);
    await page.getByRole('link', { name: 'S:15.00' }).first().click();
    await page.locator('#drill-documents tbody tr').first().waitFor();
    const rows = await page.locator('#drill-documents tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    await page.locator('#drill-documents tbody tr a').first().click();
    await page.waitForURL(/\/documents\/[^/?]+$/);
    await expect(page.locator('#attempts').count()).resolves.toBe(1);
  });

  it('switches to Arabic: dir="rtl", Arabic words, and the choice is remembered for the user', async () => {
    const context = await f.context();
    const page = await context.newPage();
    await f.login(page, 'auditor1', USER_PASSWORD);
    await page.locator('#switch-language').click();
    await page.waitForLoadState('load');
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ar');
    await expect(page.locator('h1').textContent()).resolves.toBe('نظرة عامة');
    // Another browser, same user: Arabic again (stored for the user, not only in this browser).
    const other = await (await f.context()).newPage();
    await f.login(other, 'auditor1', USER_PASSWORD);
    await expect(other.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await other.locator('#switch-language').click();
    await other.waitForLoadState('load');
    await expect(other.locator('html').getAttribute('dir')).resolves.toBe('ltr');
  });

  it('a cashier sees only their unit', async () => {
    const page = await (await f.context()).newPage();
    await f.login(page, 'cashier1', USER_PASSWORD);
    await page.goto(`${base()}/units`);
    const names = await page.locator('tbody tr td:first-child a').allTextContents();
    expect(names).toEqual(['RUH-POS-1']);
    await page.goto(`${base()}/documents`);
    const units = new Set(await page.locator('#documents tbody tr td:nth-child(2)').allTextContents());
    expect([...units]).toEqual(['RUH-POS-1']);
    // Another unit's page is refused, in words, not with a stack trace.
    const other = await page.goto(`${base()}/units/JED-POS-1`);
    expect(other?.status()).toBe(403);
    await expect(page.locator('.notice.error').textContent()).resolves.toContain('outside your access');
  });

  it('an auditor sees no action buttons', async () => {
    const page = await (await f.context()).newPage();
    await f.login(page, 'auditor1', USER_PASSWORD);
    await page.goto(`${base()}/units/RUH-POS-1`);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/Units|الوحدات/);
    expect(await page.locator('form[data-api]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Onboard|Renew|Retire|Issue a device token/ }).count()).toBe(0);
  });

  it('CSRF: a POST from another site is refused and the session survives; a same-site POST without the token is refused', async () => {
    const context = await f.context();
    const page = await context.newPage();
    await f.login(page, f.h.adminUsername, f.h.adminPassword!);
    // Another origin (same host, another port: same-site for cookies, so only the Origin check and
    // the token stand in the way) auto-submits a form that would log the admin out.
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<form id="f" method="post" action="${f.h.url}/console/logout"><input name="_csrf" value="guess"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const attack = await context.newPage();
      const answer = attack.waitForResponse((r) => r.url() === `${f.h.url}/console/logout`);
      await attack.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      expect((await answer).status()).toBe(403);
    } finally {
      evil.close();
    }
    // Still logged in.
    const after = await page.goto(`${base()}/overview`);
    expect(after?.status()).toBe(200);
    expect(page.url()).toContain('/overview');
    // From the console's own page, a script POST without the CSRF token is refused too.
    const status = await page.evaluate(
      async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
      `${f.h.url}/api/v1/users/nobody/disable`,
    );
    expect(status).toBe(403);
  });
});
