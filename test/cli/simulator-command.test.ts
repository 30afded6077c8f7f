// `fawtara simulator` (issue 4): starts the local ZATCA platform on 127.0.0.1, prints its gateway
// URLs, answers a real client, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createZatcaClient } from '../../src/zatca/index.js';
import { repoRoot } from '../helpers/sdk.js';

describe('fawtara simulator', () => {
  it('listens on 127.0.0.1, serves the gateway paths, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'simulator', '--port', '0', '--seed', '3', '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no output in 20 s: ${out}`)), 20_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.split('\n')[0]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const started = JSON.parse(first) as { ok: boolean; url: string; gateways: Record<string, string> };
      expect(started.ok).toBe(true);
      expect(new URL(started.url).hostname).toBe('127.0.0.1');
      expect(started.gateways.simulation).toBe(`${started.url}/e-invoicing/simulation`);
      // A wrong OTP on a real request is answered as ZATCA does: a typed rejection, not a crash.
      const client = createZatcaClient({ baseUrl: started.gateways.simulation!, timeoutMs: 5000 });
      const outcome = await client.requestComplianceCsid({
        otp: '000000',
        csrPem: '-----BEGIN CERTIFICATE REQUEST-----\nMA==\n-----END CERTIFICATE REQUEST-----\n',
      });
      expect(outcome.httpStatus).toBe(400);
      expect(outcome.kind).toBe('rejected');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('an invalid --port gives a clear usage error (exit 2)', async () => {
    const { cli } = await import('./helpers.js');
    const r = await cli('simulator', '--port', 'abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be a whole number');
  });
});
