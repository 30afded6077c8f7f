// Harness for several head-office instances on one PostgreSQL schema: `fawtara serve` child processes
// (tsx) sharing the database and master key, started, SIGKILLed and restarted by the test.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Instance {
  /** Position in the round-robin front (stable across a restart). */
  index: number;
  url: string;
  child: ChildProcess;
  stderr(): string;
}

export interface InstanceConfig {
  dataDir: string;
  zatcaUrl: string;
  env: Record<string, string>;
}

/** Start one `fawtara serve` and wait (bounded) for its first JSON line with the URL it bound. */
export async function startInstance(index: number, config: InstanceConfig): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data', config.dataDir, '--zatca', config.zatcaUrl, '--json'],
    { env: { ...process.env, ...config.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`instance ${index} did not start within 120 s: ${buf} ${err}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) {
        clearTimeout(timer);
        resolve(buf.split('\n')[0]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${index} exited ${code} before it listened: ${buf} ${err}`));
    });
  });
  const started = JSON.parse(first) as { ok: boolean; url: string };
  if (!started.ok) throw new Error(`instance ${index} did not start: ${first}`);
  return { index, url: started.url, child, stderr: () => err };
}

/** SIGKILL: no shutdown hook runs, leases stay held, transactions in flight are cut. */
export async function killInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null || i.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => i.child.once('exit', () => resolve()));
  i.child.kill('SIGKILL');
  await exited;
}

/** SIGTERM and wait (bounded); SIGKILL if it does not stop. */
export async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null || i.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => i.child.once('exit', () => resolve()));
  i.child.kill('SIGTERM');
  const timer = setTimeout(() => i.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, read field by field by the test
  body: any;
}

/** One HTTP call; a connection cut (a killed instance) is status 0, never a throw. */
export async function call(url: string, method: string, path: string, authorization: string, body?: unknown, timeoutMs = 30_000): Promise<Answer> {
  try {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the failure message
    }
    return { status: res.status, body: parsed };
  } catch (error) {
    return { status: 0, body: String((error as Error).message) };
  }
}

/** Poll `check` until it returns a value (bounded); fail with `what` and the last state seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, tries = 240, everyMs = 250): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what} after ${tries} tries`);
}
