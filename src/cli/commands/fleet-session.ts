// How a fleet command opens its world: data directory, database (SQLite or FAWTARA_DATABASE_URL),
// key vault, ZATCA target, a redacted log file and redacted output — and closes it again.
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createFleetLogger, dataDirKek, openFleet, processRedactor, resolveTaxpayer, setUnitTarget, type FleetContext } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { storeOptionsFromEnv, type EgsUnit, type StoreOptions, type Taxpayer } from '../../store/index.js';
import { createZatcaClient, ENVIRONMENT_SEGMENT, FATOORA_BASE_URL, isFatooraEnv, simulatorBaseUrl, type FatooraEnv } from '../../zatca/index.js';
import { processIo, reportError, type Io } from '../output.js';

export interface FleetCliOptions {
  data?: string;
  taxpayer?: string;
  zatca?: string;
  json?: boolean;
}

/** A string option as given, or undefined (commander leaves absent options undefined). */
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8443';

const targetError = (message: string, messageAr: string) => new FawtaraError('USAGE', message, { field: '--zatca', messageAr });

/** A `--zatca` value as written: refused at once when it is none of the accepted forms. */
function checkTarget(target: string): string {
  const t = target.trim();
  if (t === 'simulator' || isFatooraEnv(t) || /^https?:\/\/\S+$/.test(t)) return t;
  throw targetError(
    `--zatca must be simulator, sandbox, simulation, production or an http(s) URL; got "${t}"`,
    '--zatca يجب أن يكون simulator أو sandbox أو simulation أو production أو عنوان URL',
  );
}

/**
 * The base URL a `--zatca` target gives for one environment: the local simulator's, a real
 * environment's gateway (which must be the unit's), or a base URL (a simulator root or one environment).
 */
export function targetBaseUrl(target: string, environment: FatooraEnv, env: NodeJS.ProcessEnv = process.env): string {
  const t = checkTarget(target);
  if (t === 'simulator') return simulatorBaseUrl(env.FAWTARA_SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL, environment);
  if (isFatooraEnv(t)) {
    if (environment !== t)
      throw targetError(
        `--zatca ${t} cannot serve a unit registered for ${environment}; use --zatca ${environment}`,
        `لا يخدم الهدف ${t} وحدة مسجلة للبيئة ${environment}`,
      );
    return FATOORA_BASE_URL[environment];
  }
  const segment = /\/e-invoicing\/([^/]+)\/?$/.exec(t)?.[1];
  if (segment === undefined) return simulatorBaseUrl(t, environment);
  if (segment !== ENVIRONMENT_SEGMENT[environment])
    throw targetError(`--zatca ${t} is the ${segment} environment, but the unit is registered for ${environment}`, 'بيئة العنوان لا تطابق بيئة الوحدة');
  return t.replace(/\/+$/, '');
}

/**
 * The client factory of a CLI or server process: a unit's recorded target when it has one (migration
 * 0008), else the `--zatca` target. `npm start`'s head office passes its own simulator the same way.
 */
export function zatcaTarget(target: string, env: NodeJS.ProcessEnv = process.env): FleetContext['zatca'] {
  const t = checkTarget(target);
  return (environment, baseUrl) => createZatcaClient({ baseUrl: baseUrl ?? targetBaseUrl(t, environment, env) });
}

/**
 * Before onboarding or renewing: a unit with no recorded target, or a command given --zatca (or
 * FAWTARA_ZATCA) explicitly, records that target — the place the unit's CSIDs come from is where its
 * documents go, from the CLI and the server alike.
 */
export async function recordTarget(ctx: FleetContext, unit: EgsUnit, opts: { zatca?: string }, env: NodeJS.ProcessEnv = process.env): Promise<EgsUnit> {
  const explicit = opts.zatca ?? (env.FAWTARA_ZATCA || undefined);
  if (unit.zatca_base_url && explicit === undefined) return unit;
  return setUnitTarget(ctx, unit, targetBaseUrl(commandTarget(opts, env), unit.environment as FatooraEnv, env));
}

/** The `--zatca` target of this command: the option, else FAWTARA_ZATCA, else the local simulator. */
export function commandTarget(opts: { zatca?: string }, env: NodeJS.ProcessEnv = process.env): string {
  return opts.zatca ?? (env.FAWTARA_ZATCA || undefined) ?? 'simulator';
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

/** The commands that may create a store where there is none; every other one refuses (a mistyped --data must not make an empty store). */
export const CREATES_STORE = ['fawtara init', 'fawtara taxpayers add', 'fawtara serve'] as const;

function noStoreYet(dataDir: string): FawtaraError {
  return new FawtaraError(
    'NOT_FOUND',
    `there is no Fawtara store in ${dataDir}: check --data (or FAWTARA_DATA_DIR); a store is created only by ${CREATES_STORE.join(', ')}`,
    {
      field: '--data',
      messageAr: `لا يوجد مخزن Fawtara في ${dataDir}: تحقق من --data أو FAWTARA_DATA_DIR؛ لا يُنشأ المخزن إلا بالأمر fawtara init أو fawtara taxpayers add أو fawtara serve`,
    },
  );
}

export async function withFleet(
  opts: FleetCliOptions,
  rawIo: Io,
  body: (session: FleetSession) => Promise<number>,
  options: { create?: boolean } = {},
): Promise<number> {
  const redactor = processRedactor;
  const io: Io = { out: (t) => rawIo.out(redactor.redact(t)), err: (t) => rawIo.err(redactor.redact(t)) };
  const json = Boolean(opts.json);
  const fail = (error: unknown) => reportError(redactError(error), io, json);
  const dataDir = opts.data ?? process.env.FAWTARA_DATA_DIR ?? '.fawtara';
  let ctx: FleetContext;
  const storeOptions: StoreOptions = { ...storeOptionsFromEnv(dataDir), ...(!options.create && { create: false }) };
  try {
    // The key first: a missing key-encryption key is named even before a missing store.
    const kek = dataDirKek(dataDir).kek;
    if (!options.create && !storeOptions.databaseUrl && !existsSync(dataDir)) throw noStoreYet(dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const logFile = join(dataDir, 'fawtara.log');
    ctx = await openFleet({
      store: storeOptions,
      zatca: zatcaTarget(commandTarget(opts)),
      // The key the server finds for this data directory: the environment's, else its master.key file.
      kek,
      redactor,
      logger: createFleetLogger((line) => appendFileSync(logFile, line, { mode: 0o600 }), redactor, process.env.FAWTARA_LOG_LEVEL ?? 'info'),
      actor: `cli:${safeUser()}`,
    });
  } catch (error) {
    return fail((error as { reason?: string }).reason === 'NO_STORE' ? noStoreYet(dataDir) : error);
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
