// `npm start`: head office on an embedded SQLite in ./.fawtara with the built-in simulator, the
// demo chain seeded on first start, one live POS sale signed and validated, then serve until Ctrl+C.
import { readFileSync } from 'node:fs';
import { DEMO_TAXPAYER_VAT, startHeadOffice, type HeadOffice, type HeadOfficeOptions } from '../../demo/head-office.js';
import { FawtaraError } from '../../errors.js';
import { validateInvoice } from '../../rules/index.js';
import { EXIT, type Io } from '../output.js';

export interface StartOptions {
  data?: string;
  port?: string;
  simulatorPort?: string;
  json?: boolean;
}

function port(value: string | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new FawtaraError('USAGE', `${field} must be a whole number from 0 to 65535 (got "${value}")`, {
      field,
      messageAr: `${field} يجب أن يكون رقماً من 0 إلى 65535`,
    });
  return Number(value);
}

/** One sale through the real POS endpoint over loopback, then ZATCA's checks on the answer. */
async function liveSale(h: HeadOffice): Promise<{ number: string; hash: string; payable: string; valid: boolean; passed: number; layers: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${h.url}/api/v1/taxpayers/${DEMO_TAXPAYER_VAT}/units/RUH-POS-1/sales`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.deviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      lines: [
        { name: 'قهوة عربية | Arabic coffee', quantity: '2', unitPrice: '11.50' },
        { name: 'كنافة | Kunafa', quantity: '1', unitPrice: '18.75' },
      ],
    }),
  });
  const r = (await res.json()) as { number: string; invoiceHash: string; xml: string; totals: { payable: string } };
  const ms = performance.now() - started;
  if (res.status !== 201) throw new FawtaraError('INTERNAL', `the demo sale was refused: ${JSON.stringify(r)}`, { messageAr: 'رُفضت عملية البيع التجريبية' });
  const report = validateInvoice(r.xml);
  return {
    number: r.number,
    hash: r.invoiceHash,
    payable: r.totals.payable,
    valid: report.valid,
    passed: report.layers.filter((l) => l.status === 'PASSED').length,
    layers: report.layers.length,
    ms,
  };
}

/** Start, print, wait for `signal` (Ctrl+C in the CLI), stop cleanly. Tests pass their own signal. */
export async function runStart(opts: StartOptions, io: Io, signal: AbortSignal, extra: Partial<HeadOfficeOptions> = {}): Promise<number> {
  const dataDir = opts.data ?? process.env.FAWTARA_DATA_DIR ?? '.fawtara';
  const options: HeadOfficeOptions = { dataDir, port: port(opts.port, 8080, '--port'), ...extra };
  if (opts.simulatorPort !== undefined) options.simulatorPort = port(opts.simulatorPort, 0, '--simulator-port');
  if (!opts.json) io.err(`Starting Fawtara head office (data: ${dataDir})…`);
  const h = await startHeadOffice({ ...options, seed: { ...extra.seed, onProgress: (m) => !opts.json && io.err(`  ${m}`) } });
  try {
    const sale = await liveSale(h);
    const vat = DEMO_TAXPAYER_VAT;
    if (opts.json) {
      io.out(
        JSON.stringify({
          ok: sale.valid,
          url: h.url,
          console: `${h.url}/`,
          docs: `${h.url}/docs`,
          dataDir: h.dataDir,
          firstStart: h.firstStart,
          issued: h.issuedNow,
          admin: h.adminUsername,
          ...(h.adminPassword && { adminPassword: h.adminPassword }),
          deviceToken: h.deviceToken,
          sale,
        }),
      );
    } else {
      const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
      const keyLine =
        h.key.source === 'environment'
          ? 'Key store: protected by FAWTARA_MASTER_KEY / FAWTARA_KEY_PASSPHRASE from the environment.'
          : h.key.source === 'file-created'
            ? `Key store: FAWTARA_MASTER_KEY is not set, so a random master key was created in ${h.key.file} (permissions 0600).\n  It protects the units' private keys: keep it, and keep it apart from backups of the database. In production set FAWTARA_MASTER_KEY instead.`
            : `Key store: master key from ${h.key.file} (FAWTARA_MASTER_KEY is not set).`;
      io.out(
        [
          `Console: ${h.url}/   — open it in a browser and log in as ${h.adminUsername}${h.adminPassword ? ' (password below)' : ''}`,
          '',
          `Fawtara ${version} — ZATCA e-invoicing (FATOORA Phase 2), head office`,
          '',
          h.firstStart
            ? `Demo created: Chain Restaurants LTD (VAT ${vat}), 3 branches (Riyadh, Jeddah, Dammam), 6 POS units onboarded against the built-in simulator, ${h.issuedNow} sales issued.\n  Sales are stamped now: issuing always uses the clock at stamping (it never back-dates), so "3 days of sales" is 3 days' volume issued today.`
            : `Data directory reused: same taxpayer, units and chains (the demo is created only once).`,
          keyLine,
          '',
          `Live check — one sale posted to the POS endpoint, signed with RUH-POS-1's key, validated like fatoora -validate:`,
          `  invoice ${sale.number}: ${sale.valid ? 'VALID' : 'INVALID'} — hash ${sale.hash}, payable ${sale.payable} SAR, ${sale.passed}/${sale.layers} layers passed (XSD, EN16931, KSA, QR, signature, PIH), ${sale.ms.toFixed(0)} ms`,
          '',
          `Head office:  ${h.url}     (simulator: ${h.simulatorUrl}; data: ${h.dataDir})`,
          ...(h.portNote ? [`  (${h.portNote})`] : []),
          `  API page:   ${h.url}/docs   (log in there)    OpenAPI: ${h.url}/openapi.json`,
          h.adminPassword
            ? `  Login:      ${h.adminUsername} / ${h.adminPassword}\n              (random, shown this once; stored only as a scrypt hash — change it with POST /api/v1/auth/password)`
            : `  Login:      ${h.adminUsername} (its password was printed at the first start; only its hash is stored — a new one: npx fawtara users passwd ${h.adminUsername})`,
          '',
          'Try:',
          `  # a POS sale with RUH-POS-1's device token (valid 1 day; a new one is printed at each start)`,
          `  curl -s -X POST ${h.url}/api/v1/taxpayers/${vat}/units/RUH-POS-1/sales \\`,
          `    -H 'authorization: Bearer ${h.deviceToken}' -H 'content-type: application/json' \\`,
          `    -d '{"lines":[{"name":"شاورما دجاج | Chicken shawarma","quantity":"2","unitPrice":"14.50"}]}'`,
          `  # as the admin: log in, then list documents, the outbox, the chain audit`,
          `  TOKEN=$(curl -s -X POST ${h.url}/api/v1/auth/login -H 'content-type: application/json' -d '{"username":"${h.adminUsername}","password":"…"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')`,
          `  curl -s -H "authorization: Bearer $TOKEN" '${h.url}/api/v1/taxpayers/${vat}/documents?branch=Jeddah&limit=5'`,
          `  curl -s -H "authorization: Bearer $TOKEN" ${h.url}/api/v1/taxpayers/${vat}/outbox`,
          `  curl -s -H "authorization: Bearer $TOKEN" ${h.url}/api/v1/taxpayers/${vat}/chain-audit`,
          '',
          'The outbox worker reports simplified invoices to the simulator in this process. Press Ctrl+C to stop.',
        ].join('\n'),
      );
    }
    if (!signal.aborted) await new Promise<void>((resolveStop) => signal.addEventListener('abort', () => resolveStop(), { once: true }));
    if (!opts.json) io.err('Stopping…');
    return sale.valid ? EXIT.ok : EXIT.invalid;
  } finally {
    await h.stop();
  }
}

export async function startCommand(opts: StartOptions, io: Io): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runStart(opts, io, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
