// What the access layer works with: the fleet (store, clock, redactor, tenant lookups) and the
// policy numbers (session lifetimes, throttling, scrypt cost), all injectable for tests.
import type { FleetContext } from '../../egs/index.js';
import { DEFAULT_SCRYPT, type ScryptCost } from './passwords.js';

export interface ThrottlePolicy {
  /** Failed logins of one username before it is locked. */
  userThreshold: number;
  /** Failed logins from one address (any usernames) before it is locked. */
  ipThreshold: number;
  /** First lock; each further failure doubles it (exponential lockout). */
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** A counter with no failure for this long starts again from zero. */
  forgetAfterHours: number;
}

export interface AccessPolicy {
  /** A session ends this long after login, however active (absolute lifetime). */
  sessionTtlMinutes: number;
  /** …or after this long without a request (idle timeout). */
  sessionIdleMinutes: number;
  setupTokenTtlMinutes: number;
  /** Default lifetime of a device token; revocable at any time. */
  deviceTokenDays: number;
  scrypt: ScryptCost;
  throttle: ThrottlePolicy;
}

export const DEFAULT_POLICY: AccessPolicy = {
  sessionTtlMinutes: 8 * 60,
  sessionIdleMinutes: 30,
  setupTokenTtlMinutes: 60,
  deviceTokenDays: 365,
  scrypt: DEFAULT_SCRYPT,
  throttle: { userThreshold: 5, ipThreshold: 20, baseLockSeconds: 30, maxLockSeconds: 3600, forgetAfterHours: 24 },
};

export interface AccessContext {
  fleet: FleetContext;
  policy: AccessPolicy;
}

export function accessContext(fleet: FleetContext, policy: Partial<AccessPolicy> = {}): AccessContext {
  return {
    fleet,
    policy: { ...DEFAULT_POLICY, ...policy, throttle: { ...DEFAULT_POLICY.throttle, ...policy.throttle } },
  };
}

export const plusMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000).toISOString();
