// The outbox worker inside a server process: `runOutbox` under an AbortSignal, so simplified
// documents get reported while the API runs, and shutdown waits for the attempts in flight.
import type { FleetContext } from '../egs/index.js';
import { runOutbox, workerId } from '../outbox/index.js';

export interface InProcessWorker {
  /** Abort and wait for the attempts in flight to finish (claimed jobs are attempted, none left leased). */
  stop(): Promise<void>;
}

export function startOutboxWorker(ctx: FleetContext, options: { pollMs?: number; leaseMs?: number; concurrency?: number } = {}): InProcessWorker {
  const abort = new AbortController();
  const worker = { ...ctx, actor: 'system:outbox' };
  const run = (async () => {
    // A failed round (database hiccup) must not end reporting for the server's lifetime: log, pause, go on.
    while (!abort.signal.aborted) {
      try {
        await runOutbox(worker, {
          signal: abort.signal,
          owner: `server:${workerId()}`,
          pollMs: options.pollMs ?? 1_000,
          ...(options.leaseMs && { leaseMs: options.leaseMs }),
          ...(options.concurrency && { concurrency: options.concurrency }),
        });
      } catch (error) {
        ctx.logger.error({ err: { message: (error as Error).message } }, 'outbox worker round failed; retrying in 5 s');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5_000);
          const onAbort = () => {
            clearTimeout(t);
            resolve();
          };
          abort.signal.addEventListener('abort', onAbort, { once: true });
        });
      }
    }
  })();
  return {
    stop: async () => {
      abort.abort();
      await run;
    },
  };
}
