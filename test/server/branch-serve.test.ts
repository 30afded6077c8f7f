// `fawtara serve --role branch` as a child process on 127.0.0.1 against a head office started in
// this process (port 0): it starts, syncs at once, and stops cleanly on SIGTERM; sync CLI commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFleet, type FleetContext } from '../../src/egs/index.js';
import { createServer } from '../../src/server/index.js';
import { approveEnrolment, branchSyncStatus, listEnrolments } from '../../src/sync/index.js';
import { tenants } from '../../src/store/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';
import { cli, scratch } from '../cli/helpers.js';
import { saleJson } from '../issuing/helpers.js';
import { TEST_SCRYPT } from './helpers.js';

const VAT = '310122393500003';
const masterKey = randomBytes(32).toString('hex');
const jeddah = [
  '--name',
  'Jeddah',
  '--crn',
  '4030010002',
  '--street',
  'Tahlia',
  '--building',
  '4411',
  '--district',
  'Al-Andalus',
  '--city',
  'Jeddah',
  '--postal',
  '23326',
];

describe('a branch node from the command line (SQLite)', () => {
  const tmp = scratch();
  const hqData = tmp.path('hq');
  const branchData = tmp.path('branch');
  let hq: FleetContext;
  let app: FastifyInstance;
  let url = '';
  let token = '';
  let child: ChildProcess | undefined;
  let sim: RunningSimulator;
  const saved = process.env.FAWTARA_MASTER_KEY;

  beforeAll(async () => {
    process.env.FAWTARA_MASTER_KEY = masterKey;
    for (const data of [hqData, branchData]) {
      expect((await cli('taxpayers', 'add', '--vat', VAT, '--name-ar', 'مطاعم', '--data', data)).code).toBe(0);
      expect((await cli('branches', 'add', ...jeddah, '--data', data)).code).toBe(0);
    }
    // The branch onboards its own unit (its key never leaves the branch) and sells before it syncs.
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 21 });
    const branchCli = (...args: string[]) => cli(...args, '--data', branchData, '--zatca', sim.url);
    expect((await cli('units', 'add', '--branch', 'Jeddah', '--serial', '1-Fawtara|2-POS|3-JED-001', '--name', 'JED-POS-1', '--data', branchData)).code).toBe(
      0,
    );
    const otp = sim.control.env('simulation').generateOtps({ vat: VAT, count: 1, purpose: 'onboard' })[0]!.otp;
    expect((await branchCli('units', 'onboard', 'JED-POS-1', '--otp', otp)).code).toBe(0);
    const taxpayer = { vat_number: VAT, name_ar: 'مطاعم', name_en: null } as never;
    const branch = { crn: '4030010002', street: 'Tahlia', building_number: '4411', district: 'Al-Andalus', city: 'Jeddah', postal_code: '23326' } as never;
    for (const n of [1, 2]) {
      const input = tmp.path(`sale-${n}.json`);
      writeFileSync(input, JSON.stringify(saleJson(taxpayer, branch, { number: `JED-${n}` })));
      const issued = await branchCli('issue', '--unit', 'JED-POS-1', '--input', input);
      expect(issued.code, issued.stdout + issued.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    await app?.close();
    await hq?.store.close();
    await sim?.close();
    if (saved === undefined) delete process.env.FAWTARA_MASTER_KEY;
    else process.env.FAWTARA_MASTER_KEY = saved;
    tmp.cleanup();
  });

  it('branches sync-token prints a branch-node token once; branches sync sets the reporting mode', async () => {
    const created = await cli('branches', 'sync-token', '--branch', 'Jeddah', '--name', 'jeddah node', '--data', hqData, '--json');
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const parsed = JSON.parse(created.stdout) as { token: string; branch: string; expiresAt: string };
    expect(parsed.token).toMatch(/^fwb_/);
    expect(parsed.branch).toBe('Jeddah');
    token = parsed.token;
    // Never in the log file.
    if (existsSync(join(hqData, 'fawtara.log'))) expect(readFileSync(join(hqData, 'fawtara.log'), 'utf8')).not.toContain(token);
    expect((await cli('branches', 'sync-token', '--branch', 'Mecca', '--data', hqData)).code).toBe(3);
    expect((await cli('branches', 'sync-token', '--branch', 'Jeddah', '--days', '0', '--data', hqData)).code).toBe(3);

    expect((await cli('branches', 'sync', '--branch', 'Jeddah', '--reporting', 'sideways', '--data', hqData)).code).toBe(2);
    const noRelay = await cli('branches', 'sync', '--branch', 'Jeddah', '--reporting', 'relay', '--data', hqData, '--json');
    expect(noRelay.code).toBe(3);
    expect(JSON.parse(noRelay.stdout).error.field).toBe('relayUnit');
    const set = await cli('branches', 'sync', '--branch', 'Jeddah', '--reporting', 'direct', '--data', hqData, '--json');
    expect(set.code, set.stdout + set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ ok: true, branch: 'Jeddah', reporting: 'direct', relayUnit: null });
  });

  it('serve --role branch starts, syncs to head office, and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    expect(token).toMatch(/^fwb_/);
    hq = await openFleet({
      store: { dataDir: hqData },
      zatca: () => createZatcaClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 }),
      env: { FAWTARA_MASTER_KEY: masterKey },
      actor: 'test',
    });
    const hqLines: string[] = [];
    app = await createServer({ fleet: hq, policy: { scrypt: TEST_SCRYPT }, log: (l) => void hqLines.push(l), logLevel: 'info' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        '--role',
        'branch',
        '--hq',
        url,
        '--hq-token',
        token,
        '--port',
        '0',
        '--data',
        branchData,
        '--zatca',
        sim.url,
        '--json',
      ],
      {
        env: { ...process.env, FAWTARA_MASTER_KEY: masterKey, FAWTARA_SYNC_INTERVAL_MS: '1000' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
    const first = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`branch node did not start: ${buf} ${stderr}`)), 20_000);
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) {
          clearTimeout(timer);
          resolve(buf.split('\n')[0]!);
        }
      });
      child!.once('exit', (code) => reject(new Error(`branch node exited ${code}: ${buf} ${stderr}`)));
    });
    const started = JSON.parse(first) as { ok: boolean; url: string };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${started.url}/health`)).status).toBe(200);

    // The node offers its unit for enrolment at start; once an administrator approves it (issue 10),
    // the next sync stores its documents and records its node name and heads.
    const taxpayer = (await tenants.findTaxpayerByVat(hq.store.db, VAT))!;
    let pending = await listEnrolments(hq, taxpayer, { state: 'pending' });
    for (let i = 0; i < 100 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pending = await listEnrolments(hq, taxpayer, { state: 'pending' });
    }
    expect(
      pending.map((e) => e.name),
      stderr,
    ).toEqual(['JED-POS-1']);
    await approveEnrolment(hq, taxpayer, pending[0]!.id);
    let status = await branchSyncStatus(hq, taxpayer);
    for (let i = 0; i < 100 && !status[0]?.lastSyncAt; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await branchSyncStatus(hq, taxpayer);
    }
    expect(status, stderr).toHaveLength(1);
    expect(status[0]).toMatchObject({ branch: 'Jeddah', reporting: 'direct' });
    const branchLog = () =>
      ['server.log', 'fawtara.log'].map((f) => (existsSync(join(branchData, f)) ? readFileSync(join(branchData, f), 'utf8') : '')).join('\n');
    expect(status[0]!.lastSyncAt, `${stderr}\n${branchLog()}\nHQ:${hqLines.join('')}`).not.toBeNull();
    expect(status[0]!.node).toBe(`branch@127.0.0.1:${new URL(started.url).port}`);
    expect(status[0]!.units.map((u) => [u.name, u.icv, u.branchIcv])).toEqual([['JED-POS-1', 2, 2]]);
    expect((await hq.store.db.selectFrom('documents').select('number').orderBy('number').execute()).map((d) => d.number)).toEqual(['JED-1', 'JED-2']);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The token never reached the branch's logs.
    for (const f of ['server.log', 'fawtara.log']) if (existsSync(join(branchData, f))) expect(readFileSync(join(branchData, f), 'utf8')).not.toContain(token);
  });
});
