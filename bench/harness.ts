// Shared benchmark harness: S (one node:crypto secp256k1 signature) measured in the same run as
// the work, interleaved rounds, and median / min–max ratios — these machines are noisy.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** Operations per second of `fn`, run for about `ms` milliseconds after a short warm-up. */
export function opsPerSecond(fn: () => void, ms = 250): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

/** One S: a node:crypto ECDSA secp256k1 signature over 32 bytes. */
export function makeReferenceSignature(): () => void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const digest = randomBytes(32);
  return () => void sign('sha256', digest, { key: privateKey, dsaEncoding: 'der' });
}

export interface RatioStats {
  median: number;
  min: number;
  max: number;
  /** Throughput of the work, operations per second (median round). */
  opsMedian: number;
  /** Throughput of S, signatures per second (median round). */
  sMedian: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Interleave S and `work` for `rounds`; ratio = work ops/s ÷ S ops/s per round. */
export function ratioToS(work: () => void, rounds = 7, ms = 250): RatioStats {
  const s = makeReferenceSignature();
  const ratios: number[] = [];
  const sOps: number[] = [];
  const wOps: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = opsPerSecond(s, ms);
    const b = opsPerSecond(work, ms);
    sOps.push(a);
    wOps.push(b);
    ratios.push(b / a);
  }
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), opsMedian: median(wOps), sMedian: median(sOps) };
}

export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

export { median };
