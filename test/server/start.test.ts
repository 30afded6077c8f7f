// `npm start` (issue 7 part 8), in-process with a stop signal: first start creates the demo chain,
// onboards it against the simulator, issues sales and a demo admin; a restart reuses everything.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStart } from '../../src/cli/commands/start-command.js';
import type { Io } from '../../src/cli/output.js';
import { TEST_SCRYPT } from './helpers.js';

interface Run {
  code: number;
  out: string;
  err: string;
  json: Record<string, any>;
  probe: Record<string, any>;
}

/** Run `start --json` until it has printed, probe the live server, then stop it with the signal. */
async function startOnce(dataDir: string): Promise<Run> {
  const stop = new AbortController();
  let out = '';
  let err = '';
  let probe: Record<string, any> = {};
  const io: Io = {
    out: (t) => {
      out += t;
      const j = JSON.parse(t);
      void (async () => {
        try {
          const login = await fetch(`${j.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: j.admin, password: j.adminPassword ?? 'x' }),
          });
          const units = await fetch(`${j.url}/api/v1/taxpayers/310122393500003/units`, { headers: { authorization: `Bearer ${j.deviceToken}` } });
          probe = { loginStatus: login.status, units: ((await units.json()) as { units: Array<{ name: string; icv: number; state: string }> }).units };
        } finally {
          stop.abort();
        }
      })();
    },
    err: (t) => void (err += `${t}\n`),
  };
  const code = await runStart({ data: dataDir, port: '0', json: true }, io, stop.signal, {
    env: {},
    policy: { scrypt: TEST_SCRYPT },
    seed: { days: 1, salesPerUnitPerDay: 2 },
  });
  return { code, out, err, json: JSON.parse(out), probe };
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('first start: demo chain onboarded, sales issued, a random admin password once, a 0600 master key; a restart reuses all of it', async () => {
    const first = await startOnce(dir);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ ok: true, firstStart: true, issued: 12, admin: 'demo-admin' });
    expect(first.json.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.json.sale.valid).toBe(true);
    expect(first.json.adminPassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(first.probe.loginStatus).toBe(200);
    expect(first.probe.units.map((u: { name: string }) => u.name)).toEqual(['RUH-POS-1']);
    expect(first.probe.units[0].state).toBe('active');
    // 2 seeded sales + the live one.
    expect(first.probe.units[0].icv).toBe(3);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    // The password is nowhere in the data directory in clear.
    expect(readFileSync(join(dir, 'fawtara.db')).includes(Buffer.from(first.json.adminPassword))).toBe(false);

    const second = await startOnce(dir);
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ ok: true, firstStart: false, issued: 0 });
    expect(second.json.adminPassword).toBeUndefined();
    expect(second.probe.units[0].icv).toBe(4); // the chain continues
    expect(second.json.deviceToken).not.toBe(first.json.deviceToken);
  }, 40_000);

  it('refuses a master key file that others can read', async () => {
    const other = mkdtempSync(join(tmpdir(), 'fawtara-start-key-'));
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(other, 'master.key'), `${'ab'.repeat(32)}\n`, { mode: 0o644 });
      const stop = new AbortController();
      await expect(runStart({ data: other, port: '0', json: true }, { out: () => undefined, err: () => undefined }, stop.signal, { env: {} })).rejects.toThrow(
        /chmod 600/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
