// The issuer's off-thread stamper on a worker pool: a batch's documents, already hashed in chain
// order, split into one contiguous share per thread; the stamps come back in the same order.
import { FawtaraError } from '../errors.js';
import { useOffThreadStamper, type OffThreadStamper, type StampResult, type StampWork } from '../issuing/index.js';
import type { Store } from '../store/index.js';
import { WorkerPool } from './pool.js';
import type { StampInput } from './tasks.js';

/**
 * FAWTARA_STAMP_THREADS: worker threads that sign issued documents; 0 (the default, chosen by
 * measurement on 2 cores — docs/server.md) signs on the event loop.
 */
export function stampThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.FAWTARA_STAMP_THREADS?.trim();
  if (!text) return 0;
  if (!/^\d{1,3}$/.test(text)) {
    throw new FawtaraError('USAGE', `FAWTARA_STAMP_THREADS must be a whole number of threads (0: sign on the event loop), not "${text}"`, {
      field: 'FAWTARA_STAMP_THREADS',
      messageAr: 'يجب أن يكون FAWTARA_STAMP_THREADS عدداً صحيحاً من الخيوط (0: التوقيع في الخيط الرئيسي)',
    });
  }
  return Number(text);
}

/** Sign this store's issued documents on `threads` worker threads (started now, kept while the server runs); 0: none. */
export function startStampPool(store: Store, threads: number): { close(): Promise<void>; readonly tasks: number } | undefined {
  if (threads === 0) return undefined;
  // A pool of its own: a long chain audit on the shared pool must never hold up a sale's signature.
  const pool = new WorkerPool({ minThreads: threads, maxThreads: threads, maxQueue: 4_096, idleTimeoutMs: 2 ** 31 - 1 });
  useOffThreadStamper(store, poolStamper(pool, threads));
  return {
    /** Stamp tasks the threads have finished (each a share of one batch). */
    get tasks() {
      return pool.completed;
    },
    async close() {
      useOffThreadStamper(store, undefined);
      await pool.close();
    },
  };
}

/** Fewer documents than this per share: one message costs more than the signatures it would spread. */
const MIN_SHARE = 4;

function poolStamper(pool: WorkerPool, threads: number): OffThreadStamper {
  return {
    async stamp(work: StampWork[]): Promise<StampResult[]> {
      const shares = Math.max(1, Math.min(threads, Math.floor(work.length / MIN_SHARE)));
      const size = Math.ceil(work.length / shares);
      const tasks: Promise<StampResult[]>[] = [];
      for (let at = 0; at < work.length; at += size) tasks.push(pool.run('stamp', stampInput(work.slice(at, at + size))));
      return (await Promise.all(tasks)).flat();
    },
  };
}

function stampInput(work: StampWork[]): StampInput {
  const identities: StampInput['identities'] = [];
  const index = new Map<string, number>();
  const items = work.map((w) => {
    let identity = index.get(w.csidId);
    if (identity === undefined) {
      // Only in-memory signers reach here (the issuer checks threadKey); the KeyObject is cloned, not exported.
      identities.push({ csidId: w.csidId, certificate: w.certificate.base64, key: w.signer.threadKey! });
      index.set(w.csidId, (identity = identities.length - 1));
    }
    return { identity, doc: w.doc, hash: w.hash.base64, signingTime: w.signingTime.toISOString() };
  });
  return { identities, items };
}
