// What every fleet service receives: the store, a clock, ZATCA clients per environment, key custody,
// the redactor and a logger. Tests pass in-memory SQLite, a fixed clock and a simulator here.
import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import type { FatooraEnv, OutcomeKind, ZatcaClient, ZatcaEndpoint } from '../zatca/index.js';
import { openStore, submissions, type Store, type StoreOptions } from '../store/index.js';
import { kekSourceFromEnv, openKeyVault, softwareKeyProvider, type KekSource, type KeyProvider, type KeyVault } from './key-custody.js';
import { fleetKeyProvider, pkcs11SettingsFromEnv } from './pkcs11-keys.js';
import { processRedactor, type Redactor } from './redact.js';

export interface Clock {
  now(): Date;
}

export interface FleetContext {
  store: Store;
  clock: Clock;
  /**
   * The ZATCA client for a unit's environment (simulator or a real gateway); `baseUrl` is the unit's
   * recorded target (egs/units.ts `unitZatca`), absent for units registered before targets were kept.
   */
  zatca: (environment: FatooraEnv, baseUrl?: string) => ZatcaClient;
  keys: KeyProvider;
  vault: KeyVault;
  redactor: Redactor;
  logger: Logger;
  /** Who acts, recorded on every transition (`cli:<user>`, `api:<token>`, `test`). */
  actor: string;
  /**
   * How many documents of a unit ZATCA does not hold yet (the outbox's to-submit and held jobs).
   * Defaults to the store's outbox; a test or a relay may answer instead.
   */
  pendingDocuments?: (taxpayerId: string, unitId: string) => Promise<number>;
  /** What the fleet reports as it works (the server's /metrics listens); no service waits on a listener. */
  events?: EventEmitter<FleetEvents>;
}

/** One ZATCA call as `egs/exchange.ts` logged it: no unit, no body (bounded labels for metrics). */
export interface ZatcaExchangeEvent {
  endpoint: ZatcaEndpoint;
  outcome: OutcomeKind;
  httpStatus: number | null;
  seconds: number;
}

export interface FleetEvents {
  zatcaExchange: [ZatcaExchangeEvent];
}

/** A pino logger whose every line passes the redactor before reaching `sink`. */
export function createFleetLogger(sink: (line: string) => void, redactor: Redactor = processRedactor, level = 'info'): Logger {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['secret', 'otp', '*.secret', '*.otp', 'privateKey'], censor: '[REDACTED]' },
    },
    { write: (line: string) => sink(redactor.redact(line)) },
  );
}

export interface OpenFleetOptions {
  store: StoreOptions;
  zatca: FleetContext['zatca'];
  clock?: Clock;
  /** Default: from FAWTARA_MASTER_KEY / FAWTARA_KEY_PASSPHRASE (refusing an unprotected store). */
  kek?: KekSource;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  redactor?: Redactor;
  actor?: string;
  /** Default: sealed keys, and units registered with `pkcs11` in the token FAWTARA_PKCS11_* names. */
  keys?: (vault: KeyVault, redactor: Redactor) => KeyProvider;
  pendingDocuments?: FleetContext['pendingDocuments'];
}

/** Open the store and its key vault and assemble a context. Refuses an unprotected key store unless asked by name. */
export async function openFleet(options: OpenFleetOptions): Promise<FleetContext> {
  const clock = options.clock ?? { now: () => new Date() };
  const kek = options.kek ?? kekSourceFromEnv(options.env ?? process.env);
  const redactor = options.redactor ?? processRedactor;
  const logger = options.logger ?? createFleetLogger(() => undefined, redactor);
  const store = await openStore({
    onIntegrityFailure: (integrity) =>
      logger.error(
        { problems: integrity.problems },
        'the store failed its integrity check: writes are refused until a backup is restored (docs/operations.md)',
      ),
    onConnectionLost: (message) => logger.warn(message),
    ...options.store,
  });
  try {
    const vault = await openKeyVault(store.db, kek, clock.now());
    return {
      store,
      clock,
      zatca: options.zatca,
      keys: options.keys
        ? options.keys(vault, redactor)
        : fleetKeyProvider(softwareKeyProvider(vault, redactor), pkcs11SettingsFromEnv(options.env ?? process.env, redactor)),
      vault,
      redactor,
      logger,
      actor: options.actor ?? 'system',
      pendingDocuments: options.pendingDocuments ?? ((taxpayerId, unitId) => submissions.pendingCount(store.db, taxpayerId, unitId)),
      events: new EventEmitter<FleetEvents>(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
