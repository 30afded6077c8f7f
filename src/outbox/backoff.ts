// When a job that ZATCA did not receive goes again: exponential backoff with jitter (so a fleet
// coming back online does not stampede), at least ZATCA's Retry-After, bounded by a cap.

export interface BackoffPolicy {
  /** First delay, ms. */
  baseMs: number;
  /** Longest delay, ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 10 * 60_000 };

/** Delay before attempt `attempts + 1`, after `attempts` failed ones: half fixed, half random. */
export function backoffDelay(attempts: number, policy: BackoffPolicy, retryAfterSeconds: number | null = null, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(30, attempts - 1)));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(jittered, retryAfterSeconds ? Math.min(policy.capMs, retryAfterSeconds * 1000) : 0);
}
