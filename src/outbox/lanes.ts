// Continuous lanes for the outbox worker: each free lane takes the next job as soon as it is free,
// so one slow answer holds one lane, never the others. Claims are shared, sized to the idle lanes.

export interface LanesOptions<T> {
  /** Lanes (jobs in flight at once). */
  concurrency: number;
  /** Take up to `n` due jobs now (fewer, or none, when fewer are due). */
  claim: (n: number) => Promise<T[]>;
  work: (job: T) => Promise<void>;
  /** Stop when a claim finds nothing due and no job is in flight. */
  once: boolean;
  /** Wait when nothing is due, ms (a finished job, which may make a retry due, wakes the lanes earlier). */
  pollMs: number;
  signal?: AbortSignal;
}

/**
 * Run jobs on `concurrency` lanes until the signal aborts (or, with `once`, until nothing is due).
 * A failed claim or job stops the taking; the jobs in flight finish, then the first error is thrown.
 */
export async function runLanes<T>(o: LanesOptions<T>): Promise<void> {
  const buffer: T[] = [];
  let running = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let refill: Promise<void> | undefined;
  let idle: Promise<void> | undefined;
  let wake = () => {};
  const halted = () => stopped || failure !== undefined || Boolean(o.signal?.aborted);

  // One wait shared by every idle lane: the poll interval, a finished job, a stop or an abort.
  const idleWait = () => {
    idle ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', done);
        idle = undefined;
        wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, o.pollMs);
      o.signal?.addEventListener('abort', done, { once: true });
      wake = done;
    });
    return idle;
  };

  const take = async (): Promise<T | undefined> => {
    for (;;) {
      // Claimed jobs are attempted even after a stop: left in the buffer they would wait out their lease.
      const job = buffer.shift();
      if (job !== undefined) {
        // Counted from the hand-out: a lane that finds the queue empty must see this job as in flight.
        running++;
        return job;
      }
      if (halted()) return undefined;
      // Lanes arriving while a claim runs share it, and it is sized to every lane that is idle then.
      refill ??= o
        .claim(Math.max(1, o.concurrency - running - buffer.length))
        .then((jobs) => void buffer.push(...jobs))
        .finally(() => (refill = undefined));
      await refill;
      if (buffer.length > 0) continue;
      if (running === 0 && o.once) {
        stopped = true;
        wake();
        return undefined;
      }
      // An abort during the claim has already fired: it cannot end a wait that starts after it.
      if (!halted()) await idleWait();
    }
  };

  const lane = async () => {
    for (;;) {
      let job: T | undefined;
      try {
        job = await take();
      } catch (error) {
        failure ??= { error };
        wake();
      }
      if (job === undefined) return;
      try {
        await o.work(job);
      } catch (error) {
        failure ??= { error };
      } finally {
        running--;
        wake();
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, lane));
  if (failure) throw failure.error;
}
