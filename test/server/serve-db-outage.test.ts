// Issue 15: `fawtara serve` as a child process on PostgreSQL survives its sessions being ended
// (pg_terminate_backend from another connection, several times): it stays up, /health answers, and
// requests that read and write the store succeed again — no "Unhandled 'error' event" exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPgSchema, PG_URL, pgEnv, pgSchemaName } from '../egs/helpers.js';
import { terminateBackends } from '../helpers/pg-outage.js';

describe.skipIf(!PG_URL)('fawtara serve when its PostgreSQL sessions are ended', () => {
  const schema = pgSchemaName();
  const data = mkdtempSync(join(tmpdir(), 'fawtara-serve-pg-'));
  let child: ChildProcess | undefined;
  let stderr = '';
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) child.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
    await dropPgSchema(schema);
  });

  it('stays up, answers 503 or 200 meanwhile, and serves logins and reads again without a restart', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data', data, '--json'], {
      env: { ...process.env, ...pgEnv(schema), FAWTARA_MASTER_KEY: randomBytes(32).toString('hex') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
    const first = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${buf} ${stderr}`)), 30_000);
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) {
          clearTimeout(timer);
          resolve(buf.split('\n')[0]!);
        }
      });
      child!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${buf} ${stderr}`)));
    });
    const { url, setupToken } = JSON.parse(first) as { url: string; setupToken: string };
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers, signal: AbortSignal.timeout(15_000) });
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    expect((await get('/health')).status).toBe(200);
    const setup = await post('/api/v1/setup', { setupToken, username: 'boss', password: 'the first admin password' });
    expect(setup.status).toBe(201);

    const session = (await (await post('/api/v1/auth/login', { username: 'boss', password: 'the first admin password' })).json()) as { token: string };
    // Requests in flight while the sessions are ended (connections checked out mid-request), bounded.
    let done = false;
    const statuses: number[] = [];
    const lanes = Array.from({ length: 3 }, async () => {
      for (let i = 0; i < 200 && !done; i++) statuses.push((await get('/api/v1/taxpayers', { authorization: `Bearer ${session.token}` })).status);
    });
    let ended = 0;
    for (let round = 0; round < 4; round++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      ended += await terminateBackends(PG_URL!, schema);
    }
    done = true;
    await Promise.all(lanes);
    expect(ended).toBeGreaterThan(0);
    // Whichever request met a dropped connection heard 503; none heard 500 or hung.
    expect(statuses.filter((st) => st !== 200 && st !== 503)).toEqual([]);
    expect(child.exitCode).toBeNull();

    // Bounded: the pool replaces its connections on the next query.
    let health = 0;
    for (let i = 0; i < 20 && health !== 200; i++) {
      health = (await get('/health')).status;
      if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health).toBe(200);
    const login = await post('/api/v1/auth/login', { username: 'boss', password: 'the first admin password' });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect((await get('/api/v1/taxpayers', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(child.exitCode).toBeNull();
    expect(stderr).not.toMatch(/Unhandled|EPIPE/);
  }, 120_000);
});
