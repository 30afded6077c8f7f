// How a fleet command opens its world: data directory, database (SQLite or FAWTARA_DATABASE_URL),
// key vault, ZATCA target, a redacted log file and redacted output — and closes it again.
import { appendFileSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createFleetLogger, openFleet, processRedactor, resolveTaxpayer, type FleetContext } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { storeOptionsFromEnv, type StoreOptions, type Taxpayer } from '../../store/index.js';
import { createZatcaClient, ENVIRONMENT_SEGMENT, isFatooraEnv, simulatorBaseUrl, type FatooraEnv, type ZatcaClient } from '../../zatca/index.js';
import { processIo, reportError, type Io } from '../output.js';

export interface FleetCliOptions {
  data?: string;
  taxpayer?: string;
  zatca?: string;
  json?: boolean;
}

export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8443';

/** `--zatca`: the local simulator, a real environment, or a base URL (a simulator root or one environment). */
export function zatcaTarget(target: string, env: NodeJS.ProcessEnv = process.env): (environment: FatooraEnv) => ZatcaClient {
  const usage = (message: string, messageAr: string) => new FawtaraError('USAGE', message, { field: '--zatca', messageAr });
  const t = target.trim();
  if (t === 'simulator') {
    const root = env.FAWTARA_SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL;
    return (e) => createZatcaClient({ baseUrl: simulatorBaseUrl(root, e) });
  }
  if (isFatooraEnv(t)) {
    return (e) => {
      if (e !== t) throw usage(`--zatca ${t} cannot serve a unit registered for ${e}; use --zatca ${e}`, `لا يخدم الهدف ${t} وحدة مسجلة للبيئة ${e}`);
      return createZatcaClient({ environment: e });
    };
  }
  if (/^https?:\/\//.test(t)) {
    const segment = /\/e-invoicing\/([^/]+)\/?$/.exec(t)?.[1];
    return (e) => {
      if (segment === undefined) return createZatcaClient({ baseUrl: simulatorBaseUrl(t, e) });
      if (segment !== ENVIRONMENT_SEGMENT[e])
        throw usage(`--zatca ${t} is the ${segment} environment, but the unit is registered for ${e}`, 'بيئة العنوان لا تطابق بيئة الوحدة');
      return createZatcaClient({ baseUrl: t });
    };
  }
  throw usage(
    `--zatca must be simulator, sandbox, simulation, production or an http(s) URL; got "${t}"`,
    '--zatca يجب أن يكون simulator أو sandbox أو simulation أو production أو عنوان URL',
  );
}

export interface FleetSession {
  ctx: FleetContext;
  /** Output that passes the redactor: nothing secret reaches a terminal or a pipe. */
  io: Io;
  json: boolean;
  /** stderr is a terminal of this process (draw a progress bar instead of lines). */
  tty: boolean;
  dataDir: string;
  /** How the store was opened (the server's worker threads open their own connection with it). */
  storeOptions: StoreOptions;
  taxpayer(): Promise<Taxpayer>;
  fail(error: unknown): number;
}

export async function withFleet(opts: FleetCliOptions, rawIo: Io, body: (session: FleetSession) => Promise<number>): Promise<number> {
  const redactor = processRedactor;
  const io: Io = { out: (t) => rawIo.out(redactor.redact(t)), err: (t) => rawIo.err(redactor.redact(t)) };
  const json = Boolean(opts.json);
  const fail = (error: unknown) => reportError(redactError(error), io, json);
  const dataDir = opts.data ?? process.env.FAWTARA_DATA_DIR ?? '.fawtara';
  let ctx: FleetContext;
  const storeOptions: StoreOptions = storeOptionsFromEnv(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const logFile = join(dataDir, 'fawtara.log');
    ctx = await openFleet({
      store: storeOptions,
      zatca: zatcaTarget(opts.zatca ?? process.env.FAWTARA_ZATCA ?? 'simulator'),
      redactor,
      logger: createFleetLogger((line) => appendFileSync(logFile, line, { mode: 0o600 }), redactor, process.env.FAWTARA_LOG_LEVEL ?? 'info'),
      actor: `cli:${safeUser()}`,
    });
  } catch (error) {
    return fail(error);
  }
  try {
    return await body({
      ctx,
      io,
      json,
      tty: rawIo === processIo && Boolean(process.stderr.isTTY),
      dataDir,
      storeOptions,
      taxpayer: () => resolveTaxpayer(ctx, opts.taxpayer),
      fail,
    });
  } catch (error) {
    return fail(error);
  } finally {
    await ctx.store.close();
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Errors carry user input in their messages (an OTP typed in the wrong option): mask before printing. */
function redactError(error: unknown): unknown {
  if (error instanceof FawtaraError) {
    const r = processRedactor;
    Object.defineProperty(error, 'message', { value: r.redact(error.message) });
    if (error.messageAr) Object.defineProperty(error, 'messageAr', { value: r.redact(error.messageAr) });
    return error;
  }
  if (error instanceof Error) error.message = processRedactor.redact(error.message);
  return error;
}
