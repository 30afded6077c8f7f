// Browser-test harness for the console: Debian's chromium driven by playwright-core (no browser
// download), and the demo head office (`npm start`'s, on a temporary data directory) with extra users.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startHeadOffice, DEMO_TAXPAYER_VAT, type HeadOffice } from '../../src/demo/head-office.js';
import { createUser } from '../../src/server/access/users.js';
import { tenants, units } from '../../src/store/index.js';
import { TEST_SCRYPT } from '../server/helpers.js';

export const VAT = DEMO_TAXPAYER_VAT;
export const CHROMIUM = process.env.FAWTARA_CHROMIUM ?? '/usr/bin/chromium';
/** Why the browser tests do not run here, or undefined when they can. */
export const BROWSER_MISSING = existsSync(CHROMIUM)
  ? undefined
  : `chromium not found at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set FAWTARA_CHROMIUM`;

export const USER_PASSWORD = 'console test password 4821';

export interface ConsoleFixture {
  h: HeadOffice;
  dir: string;
  /** A fresh browser profile (its own cookies): one per person in a test. */
  context(): Promise<BrowserContext>;
  login(page: Page, username: string, password: string): Promise<void>;
  /** The simulator's control API (loopback only). */
  sim(path: string, body?: unknown): Promise<unknown>;
  /** An API call with the demo admin's Bearer session. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** One POS sale on RUH-POS-1 that ZATCA (the simulator) rejects; its number once it is rejected. */
  rejectedSale(): Promise<string>;
  close(): Promise<void>;
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function consoleFixture(): Promise<ConsoleFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-console-'));
  const h = await startHeadOffice({ dataDir: join(dir, 'data'), port: 0, env: {}, policy: { scrypt: TEST_SCRYPT }, seed: { days: 1, salesPerUnitPerDay: 2 } });
  const ax = h.app.fawtara.access;
  const db = h.fleet.store.db;
  const taxpayer = (await tenants.findTaxpayerByVat(db, VAT))!;
  const ruh1 = (await units.findUnit(db, taxpayer.id, 'RUH-POS-1'))!;
  const riyadh = (await tenants.findBranch(db, taxpayer.id, ruh1.branch_id))!;
  const cli = { kind: 'cli', actor: 'cli:test' } as const;
  await createUser(ax, cli, { username: 'cashier1', password: USER_PASSWORD, role: 'cashier', taxpayer, branch: riyadh, unit: ruh1 });
  await createUser(ax, cli, { username: 'auditor1', password: USER_PASSWORD, role: 'auditor', taxpayer, branch: null, unit: null });
  const login = await fetch(`${h.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: h.adminUsername, password: h.adminPassword }),
  });
  const bearer = `Bearer ${((await login.json()) as { token: string }).token}`;
  const contexts: BrowserContext[] = [];
  const fixture: ConsoleFixture = {
    h,
    dir,
    async context() {
      const profile = mkdtempSync(join(dir, 'profile-'));
      const c = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1280, height: 900 },
      });
      contexts.push(c);
      return c;
    },
    async login(page, username, password) {
      await page.goto(`${h.url}/`);
      await page.getByLabel(/Username|اسم المستخدم/).fill(username);
      await page.getByLabel(/Password|كلمة المرور/).fill(password);
      await page.getByRole('button', { name: /Log in|تسجيل الدخول/ }).click();
      await page.waitForURL(/\/console\/taxpayers\//);
    },
    async sim(path, body) {
      const r = await fetch(`${h.simulatorUrl}/__sim/simulation${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return r.json();
    },
    async api(method, path, body) {
      const r = await fetch(`${h.url}${path}`, {
        method,
        headers: { authorization: bearer, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: r.status, json: await r.json().catch(() => undefined) };
    },
    async rejectedSale() {
      // The simulator's clock runs 25 hours ahead, so the sale is reported past the 24 hours of
      // BR-KSA-98 (a warning), which the simulator treats as an error — as the reconciliation tests do.
      const { now } = (await fixture.sim('/clock')) as { now: string };
      await fixture.sim('/clock', { advanceSeconds: 25 * 3600 });
      await fixture.sim('/mode', { severityOverrides: { 'BR-KSA-98': 'ERROR' } });
      try {
        const sale = await fetch(`${h.url}/api/v1/taxpayers/${VAT}/units/RUH-POS-1/sales`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.deviceToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ lines: [{ name: 'قهوة | Coffee', quantity: '1', unitPrice: '10.00' }] }),
        });
        if (sale.status !== 201) throw new Error(`the sale was refused: ${await sale.text()}`);
        const { number } = (await sale.json()) as { number: string };
        // Bounded wait for the outbox worker to report it: 300 tries.
        for (let i = 0; i < 300; i++) {
          const r = await fixture.api('GET', `/api/v1/taxpayers/${VAT}/documents?state=rejected&number=${encodeURIComponent(number)}`);
          if (r.json.documents.length > 0) return number;
          await new Promise((done) => setTimeout(done, 200));
        }
        throw new Error(`${number} was not rejected`);
      } finally {
        await fixture.sim('/mode', { severityOverrides: {} });
        await fixture.sim('/clock', { now });
      }
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
