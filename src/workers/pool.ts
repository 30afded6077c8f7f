// The worker-thread pool (piscina): CPU-heavy work runs here, off the event loop, so a till's sale
// and /health never wait behind it. One pool per server; tasks are named in tasks.ts.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { FawtaraError, type ErrorCode } from '../errors.js';
import type { TaskMessage, TaskName, TaskResult, Tasks } from './tasks.js';

export interface WorkerPoolOptions {
  /** Threads started at once and kept; default none (started on demand). */
  minThreads?: number;
  /** Threads at most; default: the cores but one, at least one (the event loop keeps its core). */
  maxThreads?: number;
  /** Tasks waiting for a thread before new ones are refused with BUSY (503, Retry-After). */
  maxQueue?: number;
  /** An idle thread ends after this long (ms); its store connection with it. */
  idleTimeoutMs?: number;
}

/** A task's failure as the error it was in the worker: same code, messages, field and reason. */
class WorkerTaskError extends FawtaraError {
  readonly reason?: string;
  constructor(e: Extract<TaskResult<unknown>, { ok: false }>['error']) {
    super(e.code as ErrorCode, e.message, { ...(e.messageAr !== undefined && { messageAr: e.messageAr }), ...(e.field !== undefined && { field: e.field }) });
    if (e.reason !== undefined) this.reason = e.reason;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), ...(this.reason !== undefined && { reason: this.reason }) };
  }
}

export class WorkerPool {
  readonly #pool: Piscina<TaskMessage, TaskResult<unknown>>;
  #running = 0;

  constructor(options: WorkerPoolOptions = {}) {
    // Compiled, the worker is worker.js beside this file; from the TypeScript sources (tests,
    // benchmarks) it is worker.ts, loaded through tsx as the rest of the sources are.
    const source = import.meta.url.endsWith('.ts');
    const filename = fileURLToPath(new URL(source ? './worker.ts' : './worker.js', import.meta.url));
    this.#pool = new Piscina({
      filename,
      minThreads: options.minThreads ?? 0,
      maxThreads: options.maxThreads ?? Math.max(1, availableParallelism() - 1),
      maxQueue: options.maxQueue ?? 64,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
      ...(source && !process.execArgv.some((a) => a.includes('tsx')) && { execArgv: [...process.execArgv, '--import', 'tsx'] }),
    });
  }

  async run<K extends TaskName>(task: K, input: Tasks[K]['input']): Promise<Tasks[K]['output']> {
    let result: TaskResult<unknown>;
    this.#running++;
    try {
      result = await this.#pool.run({ task, input });
    } catch (error) {
      if (this.#pool.queueSize >= this.#pool.options.maxQueue) {
        throw new FawtaraError('BUSY', 'every worker thread is busy and the queue is full; send the same request again shortly', {
          messageAr: 'جميع خيوط المعالجة مشغولة؛ أعد إرسال الطلب بعد قليل',
          cause: error,
        });
      }
      throw error;
    } finally {
      this.#running--;
    }
    if (!result.ok) throw new WorkerTaskError(result.error);
    return result.value as Tasks[K]['output'];
  }

  /** Tasks finished so far, and tasks given to the pool and not yet answered (queued or on a thread). */
  get completed(): number {
    return this.#pool.completed;
  }

  get running(): number {
    return this.#running;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
