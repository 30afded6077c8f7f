// `fawtara users …` in-process and `fawtara serve` as a child process on 127.0.0.1: the first
// start prints a setup token that creates the first admin once; users and device tokens from the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, scratch } from '../cli/helpers.js';

const env = { FAWTARA_MASTER_KEY: randomBytes(32).toString('hex') };

describe('users and serve commands (SQLite)', () => {
  const tmp = scratch();
  const data = tmp.path('data');
  let child: ChildProcess | undefined;
  const saved = process.env.FAWTARA_MASTER_KEY;

  beforeAll(async () => {
    process.env.FAWTARA_MASTER_KEY = env.FAWTARA_MASTER_KEY;
    expect((await cli('taxpayers', 'add', '--vat', '310122393500003', '--name-ar', 'مطاعم', '--data', data)).code).toBe(0);
    expect(
      (
        await cli(
          'branches',
          'add',
          '--name',
          'Riyadh',
          '--crn',
          '1010010001',
          '--street',
          'S',
          '--building',
          '2322',
          '--district',
          'D',
          '--city',
          'Riyadh',
          '--postal',
          '23333',
          '--data',
          data,
        )
      ).code,
    ).toBe(0);
    expect((await cli('units', 'add', '--branch', 'Riyadh', '--serial', '1-Fawtara|2-POS|3-RUH-001', '--name', 'RUH-POS-1', '--data', data)).code).toBe(0);
  });
  afterAll(() => {
    if (child?.pid && child.exitCode === null) child.kill('SIGTERM');
    if (saved === undefined) delete process.env.FAWTARA_MASTER_KEY;
    else process.env.FAWTARA_MASTER_KEY = saved;
    tmp.cleanup();
  });

  it('serve binds 127.0.0.1, prints a one-time setup token, and the API needs login', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data', data, '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${buf}`)), 20_000);
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) {
          clearTimeout(timer);
          resolve(buf.split('\n')[0]!);
        }
      });
      child!.on('exit', (code) => reject(new Error(`serve exited ${code}: ${buf}`)));
    });
    const started = JSON.parse(first) as { url: string; setupToken: string };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.setupToken).toMatch(/^fwsetup_/);
    expect((await fetch(`${started.url}/health`)).status).toBe(200);
    expect((await fetch(`${started.url}/api/v1/taxpayers`)).status).toBe(401);
    const setup = (username: string) =>
      fetch(`${started.url}/api/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ setupToken: started.setupToken, username, password: 'the first admin password' }),
      });
    expect((await setup('boss')).status).toBe(201);
    expect((await setup('boss2')).status).toBe(401);
    const login = await fetch(`${started.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'boss', password: 'the first admin password' }),
    });
    const { token } = (await login.json()) as { token: string };
    const units = await fetch(`${started.url}/api/v1/taxpayers/310122393500003/units`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await units.json()) as { units: unknown[] }).units).toHaveLength(1);
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    // The logs saw the requests but never the setup token, the session token or the password.
    const logs = ['server.log', 'fawtara.log'].map((f) => (existsSync(join(data, f)) ? readFileSync(join(data, f), 'utf8') : '')).join('\n');
    expect(logs).toMatch(/api\/v1\/setup/);
    for (const secret of [started.setupToken, token, 'the first admin password']) expect(logs).not.toContain(secret);
    // With an administrator in place, setup is closed.
    const again = await cli('users', 'setup', '--data', data, '--json');
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout).error.reason).toBe('SETUP_DONE');
  });

  it('users add generates a password shown once; token prints a device token bound to the unit', async () => {
    const add = await cli('users', 'add', '--username', 'ruh.manager', '--role', 'branch-manager', '--branch', 'Riyadh', '--data', data, '--json');
    expect(add.code).toBe(0);
    const added = JSON.parse(add.stdout);
    expect(added.user).toMatchObject({ username: 'ruh.manager', role: 'branch-manager' });
    expect(added.password).toHaveLength(24);
    expect((await cli('users', 'add', '--username', 'till', '--role', 'cashier', '--data', data)).stderr).toMatch(/unit/);
    const list = await cli('users', 'list', '--data', data, '--json');
    expect(JSON.parse(list.stdout).users.map((u: { username: string }) => u.username)).toEqual(['boss', 'ruh.manager']);
    expect(list.stdout).not.toMatch(/scrypt|password/i);
    const token = await cli('users', 'token', '--unit', 'RUH-POS-1', '--name', 'till 1', '--data', data, '--json');
    expect(JSON.parse(token.stdout).token).toMatch(/^fwd_/);
    expect((await cli('users', 'disable', 'ruh.manager', '--data', data)).code).toBe(0);
  });
});
