// `fawtara serve`: the head-office API on 127.0.0.1 (another address only when asked, with a
// warning); on a first start with no administrator it prints a one-time setup token.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { FawtaraError } from '../../errors.js';
import { adminExists, issueSetupToken } from '../../server/access/sessions.js';
import { createServer } from '../../server/index.js';
import { startOutboxWorker } from '../../server/outbox-worker.js';
import { startExpiryMonitor } from '../../server/expiry-monitor.js';
import { startBranchNode } from '../../sync/index.js';
import { EXIT, type Io } from '../output.js';
import { withFleet, type FleetCliOptions, type FleetSession } from './fleet-session.js';

export interface ServeOptions extends FleetCliOptions {
  port: string;
  host: string;
  trustProxy?: boolean;
  /** `branch`: a branch node that stamps locally and syncs to head office (docs/branch-node.md). */
  role?: string;
  hq?: string;
  hqToken?: string;
  reporting?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function serveCommand(opts: ServeOptions, rawIo: Io): Promise<number> {
  if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) {
    throw new FawtaraError('USAGE', `--port must be a whole number from 0 to 65535 (got "${opts.port}")`, {
      field: '--port',
      messageAr: '--port يجب أن يكون رقماً صحيحاً',
    });
  }
  const port = Number(opts.port);
  const [branch, outbox] = [branchRole(opts), outboxOptions()]; // both refused before anything starts
  const host = opts.host.trim();
  return withFleet(opts, rawIo, (s) => serve(s, rawIo, { opts, port, host, branch, outbox }), { create: true });
}

type BranchRole = NonNullable<ReturnType<typeof branchRole>>;

/** Runs the server in an open fleet session until SIGINT or SIGTERM, then stops its workers and closes. */
async function serve(
  s: FleetSession,
  rawIo: Io,
  args: { opts: ServeOptions; port: number; host: string; branch: BranchRole | undefined; outbox: ReturnType<typeof outboxOptions> },
): Promise<number> {
  const { opts, port, host, branch, outbox } = args;
  if (!LOOPBACK.has(host)) {
    s.io.err(
      `warning: listening on ${host}, reachable from other machines. Put a TLS-terminating reverse proxy in front (the API carries passwords and tokens) and firewall the port.\n` +
        `تحذير: الخادم متاح من أجهزة أخرى على ${host}؛ استخدم وكيلاً عكسياً بتشفير TLS وقيّد المنفذ بجدار حماية.`,
    );
  }
  const log = createWriteStream(join(s.dataDir, 'server.log'), { flags: 'a' });
  const app = await createServer({
    fleet: s.ctx,
    store: s.storeOptions,
    log: (line) => void log.write(line),
    logLevel: process.env.FAWTARA_LOG_LEVEL ?? 'info', // One hop: the address your proxy saw. `true` would take the client-controlled leftmost
    // X-Forwarded-For entry and let anyone pick the address throttling and the audit log record.
    ...(opts.trustProxy && { trustProxy: 1 }),
    // GET /metrics answers only with this token (docs/deploy.md, "Metrics"); unset: 404.
    ...(process.env.FAWTARA_METRICS_TOKEN && { metrics: { token: process.env.FAWTARA_METRICS_TOKEN } }),
  });
  let setup: SetupToken | undefined;
  if (!(await adminExists(app.fawtara.access))) setup = await issueSetupToken(app.fawtara.access, 'serve');
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    log.end();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new FawtaraError('USAGE', `port ${port} on ${host} is in use; choose another with --port (0 picks a free one)`, {
        field: '--port',
        messageAr: `المنفذ ${port} مستخدم؛ اختر منفذاً آخر`,
      });
    }
    throw error;
  }
  // Simplified documents issued through the API are reported by this process (docs/issuing.md).
  // A branch node runs its own sync loop, whose outbox only runs in direct mode (relay: head office submits).
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  // The node's name (shown in head office's sync status) carries the port actually bound, not `0`.
  const worker = branch
    ? startBranchNode(s.ctx, await s.taxpayer(), { ...branch, node: `${opts.taxpayer ?? 'branch'}@${host}:${boundPort}` })
    : startOutboxWorker(s.ctx, outbox);
  // Head office watches every unit's certificate: warns 30 days ahead, marks the expired (hourly).
  const expiry = branch ? undefined : startExpiryMonitor(s.ctx);
  // The setup token goes to this terminal only (rawIo: not through the log file).
  rawIo.out(s.json ? startedJson(url, s.dataDir, setup) : startedText(url, s.ctx.store.location, branch, setup));
  await untilStopSignal();
  await worker.stop();
  await expiry?.stop();
  await app.close();
  log.end();
  return EXIT.ok;
}

type SetupToken = { token: string; expiresAt: string };

function startedJson(url: string, dataDir: string, setup: SetupToken | undefined): string {
  return JSON.stringify({
    ok: true,
    url,
    console: `${url}/`,
    docs: `${url}/docs`,
    openapi: `${url}/openapi.json`,
    dataDir,
    ...(setup && { setupToken: setup.token, setupTokenExpiresAt: setup.expiresAt }),
  });
}

/** What a person sees on start: where to go, and the one-time setup token when no administrator exists. */
function startedText(url: string, location: string, branch: BranchRole | undefined, setup: SetupToken | undefined): string {
  return [
    branch
      ? `Fawtara branch node listening on ${url}, syncing to ${branch.hqUrl}  (data: ${location})`
      : `Fawtara head office listening on ${url}  (data: ${location})`,
    `  Console:  ${url}/   (open it in a browser and log in)`,
    `  API page: ${url}/docs    OpenAPI: ${url}/openapi.json    health: ${url}/health`,
    '  Outbox worker running in this process: documents are submitted to ZATCA as they are issued.',
    ...(setup
      ? [
          '',
          'No administrator exists yet. Create the first one with this one-time setup token',
          `(valid once, until ${setup.expiresAt}; "fawtara users setup" prints a new one):`,
          '',
          `  ${setup.token}`,
          '',
          `  curl -X POST ${url}/api/v1/setup -H 'content-type: application/json' \\`,
          `    -d '{"setupToken":"<token above>","username":"admin","password":"<12+ characters>"}'`,
        ]
      : []),
    'Press Ctrl+C to stop.',
  ].join('\n');
}

function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `--role branch --hq URL [--hq-token T]` (token also from FAWTARA_HQ_TOKEN, so it stays out of `ps`). */
function branchRole(opts: ServeOptions): { hqUrl: string; token: string; reporting: 'direct' | 'relay'; syncIntervalMs?: number } | undefined {
  const role = opts.role ?? 'hq';
  if (role === 'hq') return undefined;
  if (role !== 'branch')
    throw new FawtaraError('USAGE', `--role must be "hq" or "branch" (got "${role}")`, { field: '--role', messageAr: '--role يجب أن يكون hq أو branch' });
  const token = opts.hqToken ?? process.env.FAWTARA_HQ_TOKEN;
  if (!opts.hq || !/^https?:\/\//.test(opts.hq))
    throw new FawtaraError('USAGE', '--role branch needs --hq URL (head office, e.g. https://hq.example:8080)', {
      field: '--hq',
      messageAr: 'يتطلب دور الفرع تحديد عنوان المقر --hq',
    });
  if (!token)
    throw new FawtaraError('USAGE', "--role branch needs the branch's sync token: --hq-token T or FAWTARA_HQ_TOKEN", {
      field: '--hq-token',
      messageAr: 'يتطلب دور الفرع رمز المزامنة --hq-token',
    });
  const reporting = opts.reporting ?? 'direct';
  if (reporting !== 'direct' && reporting !== 'relay')
    throw new FawtaraError('USAGE', '--reporting must be "direct" or "relay"', { field: '--reporting', messageAr: '--reporting يجب أن يكون direct أو relay' });
  // How often the node syncs (default 30 s); 1 s to 1 h. A node waiting for its enrolment's approval retries at this pace.
  const interval = Number(process.env.FAWTARA_SYNC_INTERVAL_MS ?? '30000');
  if (!Number.isInteger(interval) || interval < 1000 || interval > 3_600_000)
    throw new FawtaraError('USAGE', 'FAWTARA_SYNC_INTERVAL_MS must be a whole number of milliseconds from 1000 to 3600000', {
      field: 'FAWTARA_SYNC_INTERVAL_MS',
      messageAr: 'FAWTARA_SYNC_INTERVAL_MS يجب أن يكون من 1000 إلى 3600000 مللي ثانية',
    });
  return { hqUrl: opts.hq, token, reporting, syncIntervalMs: interval };
}

/** A whole number from the environment within [min, max], or undefined when unset; refused before anything starts. */
function envInteger(name: string, min: number, max: number, unit: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new FawtaraError('USAGE', `${name} must be a whole number ${unit} from ${min} to ${max}`, {
      field: name,
      messageAr: `${name} يجب أن يكون عدداً صحيحاً من ${min} إلى ${max}`,
    });
  return n;
}

/**
 * This instance's outbox: how long it holds a claimed job (FAWTARA_OUTBOX_LEASE_MS, default the
 * outbox's own — with several instances, the jobs a killed one held wait this long before another
 * takes them) and how many submissions it keeps in flight (FAWTARA_OUTBOX_CONCURRENCY, default 8:
 * at ~0.5 s per ZATCA answer one instance reports ~16 documents/s; see docs/deploy.md).
 */
function outboxOptions(): { leaseMs?: number; concurrency?: number } {
  const leaseMs = envInteger('FAWTARA_OUTBOX_LEASE_MS', 5000, 3_600_000, 'of milliseconds');
  const concurrency = envInteger('FAWTARA_OUTBOX_CONCURRENCY', 1, 256, '');
  return { ...(leaseMs !== undefined && { leaseMs }), ...(concurrency !== undefined && { concurrency }) };
}
