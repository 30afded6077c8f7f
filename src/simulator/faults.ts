// Injected failures for retry testing (docs/zatca-notes.md §A12.2 step 3): a queue of exact faults plus seeded
// rates of 5xx, 429, slow answers and dropped connections; a fault never changes any state.
import type { ZatcaEndpoint } from '../zatca/types.js';
import { MAX_INJECTED_DELAY_MS } from './config.js';
import type { SeededRandom } from './random.js';

export type FaultStatus = 413 | 429 | 500 | 503 | 504;

export interface QueuedFault {
  /** Endpoint it applies to, or `*` for any of the six. */
  endpoint: ZatcaEndpoint | '*';
  /** Status to answer with; absent with `delayMs` = a slow but otherwise normal answer. */
  status?: FaultStatus;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Process the request (state changes, history), then close the connection instead of answering: a lost answer. */
  dropAnswer?: boolean;
  delayMs?: number;
  /** How many requests it applies to. */
  count: number;
}

export interface FaultRates {
  /** Probability of a 5xx (500/503/504 chosen evenly). */
  serverError: number;
  rateLimited: number;
  slow: number;
  dropped: number;
  /** Probability of a lost answer: processed, then the connection closed (the caller retries; 208/409 follow). */
  lostAnswer: number;
  /** Delay of a slow answer. */
  slowMs: number;
}

export const NO_FAULT_RATES: FaultRates = { serverError: 0, rateLimited: 0, slow: 0, dropped: 0, lostAnswer: 0, slowMs: 0 };

/** What to do to one request. */
export interface FaultDecision {
  status?: FaultStatus;
  drop?: boolean;
  dropAnswer?: boolean;
  delayMs?: number;
}

const SERVER_ERRORS: FaultStatus[] = [500, 503, 504];

export class FaultPlan {
  private queue: QueuedFault[] = [];
  private rates: FaultRates = { ...NO_FAULT_RATES };
  /** Every decision taken, for tests to compare runs. */
  readonly log: Array<{ endpoint: ZatcaEndpoint; decision: FaultDecision | null }> = [];

  constructor(private readonly random: SeededRandom) {}

  enqueue(fault: QueuedFault): void {
    const count = Math.max(1, Math.min(10_000, Math.floor(fault.count)));
    this.queue.push({ ...fault, count, ...(fault.delayMs !== undefined && { delayMs: clampDelay(fault.delayMs) }) });
  }

  setRates(rates: Partial<FaultRates>): FaultRates {
    const p = (v: number | undefined, d: number): number => Math.min(1, Math.max(0, v ?? d));
    this.rates = {
      serverError: p(rates.serverError, this.rates.serverError),
      rateLimited: p(rates.rateLimited, this.rates.rateLimited),
      slow: p(rates.slow, this.rates.slow),
      dropped: p(rates.dropped, this.rates.dropped),
      lostAnswer: p(rates.lostAnswer, this.rates.lostAnswer),
      slowMs: clampDelay(rates.slowMs ?? this.rates.slowMs),
    };
    return this.rates;
  }

  clear(): void {
    this.queue = [];
    this.rates = { ...NO_FAULT_RATES };
  }

  snapshot(): { queue: QueuedFault[]; rates: FaultRates } {
    return { queue: this.queue.map((f) => ({ ...f })), rates: { ...this.rates } };
  }

  /** Decide the fate of one request to `endpoint`: queued faults first, then the seeded rates. */
  decide(endpoint: ZatcaEndpoint): FaultDecision | null {
    const decision = this.decideInner(endpoint);
    if (this.log.length < 10_000) this.log.push({ endpoint, decision });
    return decision;
  }

  private decideInner(endpoint: ZatcaEndpoint): FaultDecision | null {
    const index = this.queue.findIndex((f) => f.endpoint === '*' || f.endpoint === endpoint);
    if (index >= 0) {
      const fault = this.queue[index]!;
      fault.count -= 1;
      if (fault.count <= 0) this.queue.splice(index, 1);
      return {
        ...(fault.status !== undefined && { status: fault.status }),
        ...(fault.drop && { drop: true }),
        ...(fault.dropAnswer && { dropAnswer: true }),
        ...(fault.delayMs !== undefined && { delayMs: fault.delayMs }),
      };
    }
    const r = this.rates;
    if (r.serverError + r.rateLimited + r.slow + r.dropped + r.lostAnswer === 0) return null;
    // Two draws per request whatever the outcome, so the sequence depends only on the seed and
    // the number of requests.
    const roll = this.random.float();
    const pick = this.random.float();
    let edge = r.dropped;
    if (roll < edge) return { drop: true };
    edge += r.serverError;
    if (roll < edge) return { status: SERVER_ERRORS[Math.floor(pick * SERVER_ERRORS.length)]! };
    edge += r.rateLimited;
    if (roll < edge) return { status: 429 };
    edge += r.slow;
    if (roll < edge) return { delayMs: r.slowMs };
    edge += r.lostAnswer;
    if (roll < edge) return { dropAnswer: true };
    return null;
  }
}

function clampDelay(ms: number): number {
  return Math.max(0, Math.min(MAX_INJECTED_DELAY_MS, Math.floor(ms)));
}
