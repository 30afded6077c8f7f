// The outbox's continuous lanes on their own (no store): a slow job holds one lane, claims are sized
// to the idle lanes, `once` ends when nothing is due and nothing runs, a failure surfaces after the rest.
import { describe, expect, it } from 'vitest';
import { runLanes } from '../../src/outbox/lanes.js';

/** A queue of numbered jobs handed out by `claim`, recording every claim's size. */
function queue(count: number) {
  const due = Array.from({ length: count }, (_, i) => i);
  const asked: number[] = [];
  return {
    asked,
    claim: async (n: number) => {
      asked.push(n);
      return due.splice(0, n);
    },
  };
}

describe('outbox lanes', () => {
  it('a slow job holds one lane; the others take every other job, then the run ends (once)', async () => {
    const q = queue(20);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done: number[] = [];
    let othersDone = () => {};
    const others = new Promise<void>((resolve) => (othersDone = resolve));
    const run = runLanes<number>({
      concurrency: 3,
      claim: q.claim,
      once: true,
      pollMs: 1_000,
      work: async (job) => {
        if (job === 0) await gate;
        done.push(job);
        if (done.length === 19) othersDone();
      },
    });
    await others;
    expect(done).not.toContain(0);
    release();
    await run;
    expect(done.at(-1)).toBe(0);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Never more than the lanes: claimed jobs do not wait in a local queue under a lease.
    expect(Math.max(...q.asked)).toBeLessThanOrEqual(3);
  });

  it('a job that makes another due wakes an idle lane (no poll wait)', async () => {
    const due: string[] = ['first'];
    const done: string[] = [];
    await runLanes<string>({
      concurrency: 2,
      claim: async (n) => due.splice(0, n),
      once: true,
      // A poll this long would time the test out: the finished job must wake the idle lane.
      pollMs: 3_600_000,
      work: async (job) => {
        done.push(job);
        if (job === 'first') due.push('retry');
      },
    });
    expect(done).toEqual(['first', 'retry']);
  });

  it('a failed job stops the taking; the jobs in flight finish; the error is thrown', async () => {
    const q = queue(10);
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done: number[] = [];
    const run = runLanes<number>({
      concurrency: 2,
      claim: q.claim,
      once: false,
      pollMs: 1_000,
      work: async (job) => {
        if (job === 0) await gate;
        if (job === 1) {
          release();
          throw new Error('database gone');
        }
        done.push(job);
      },
    });
    await expect(run).rejects.toThrow('database gone');
    expect(done).toEqual([0]);
  });

  it('an abort ends an idle run at once', async () => {
    const abort = new AbortController();
    let claims = 0;
    const run = runLanes<number>({
      concurrency: 4,
      claim: async () => {
        if (++claims === 1) queueMicrotask(() => abort.abort());
        return [];
      },
      once: false,
      pollMs: 3_600_000,
      signal: abort.signal,
      work: async () => {},
    });
    await run;
    expect(claims).toBe(1);
  });
});
