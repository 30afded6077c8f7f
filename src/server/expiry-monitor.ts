// The certificate expiry monitor inside a server process: on a schedule, every taxpayer's units whose
// production CSID ends soon are warned about, and units past their end are moved to `expired`.
import { expiringUnits, type FleetContext } from '../egs/index.js';
import { tenants } from '../store/index.js';

/** Warn this many days before a production CSID ends (a renewal OTP and the renewal need time). */
export const EXPIRY_WARN_DAYS = 30;
export const EXPIRY_CHECK_EVERY_MS = 3600_000;

export interface ExpiryFinding {
  taxpayer: string;
  unit: string;
  state: string;
  notAfter: string;
  daysLeft: number;
}

export interface ExpiryMonitor {
  /** One check now (also what the schedule runs); returns what it found. */
  check(): Promise<ExpiryFinding[]>;
  stop(): Promise<void>;
}

export function startExpiryMonitor(ctx: FleetContext, options: { everyMs?: number; warnDays?: number } = {}): ExpiryMonitor {
  const monitor = { ...ctx, actor: 'system:expiry' };
  const warnDays = options.warnDays ?? EXPIRY_WARN_DAYS;
  let running: Promise<ExpiryFinding[]> | undefined;
  const check = async (): Promise<ExpiryFinding[]> => {
    const found: ExpiryFinding[] = [];
    for (const taxpayer of await tenants.listTaxpayers(ctx.store.db)) {
      for (const e of await expiringUnits(monitor, taxpayer, warnDays)) {
        const finding = { taxpayer: taxpayer.vat_number, unit: e.unit.name, state: e.unit.state, notAfter: e.notAfter, daysLeft: e.daysLeft };
        found.push(finding);
        if (e.unit.state === 'expired')
          ctx.logger.error(finding, 'unit expired: its production CSID ended; it cannot issue — onboard the device again as a new unit');
        else ctx.logger.warn(finding, `production CSID ends in ${e.daysLeft} day(s): renew it ("fawtara units renew" with a renewal OTP)`);
      }
    }
    return found;
  };
  // One check at a time; a failed one (database hiccup) is logged and the schedule goes on.
  const tick = () => {
    if (running) return running;
    running = check()
      .catch((error: unknown) => {
        ctx.logger.error({ err: { message: (error as Error).message } }, 'expiry check failed; next one on schedule');
        return [];
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void tick(), options.everyMs ?? EXPIRY_CHECK_EVERY_MS);
  timer.unref();
  void tick();
  return {
    check: tick,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
