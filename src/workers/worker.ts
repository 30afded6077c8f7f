// The entry of every worker thread: runs one named task and answers with its value or its error's
// fields. New CPU-heavy tasks are added to HANDLERS and to tasks.ts.
import { isFawtaraError } from '../errors.js';
import { auditChainsTask } from './audit-task.js';
import { stampTask } from './stamp-task.js';
import type { TaskMessage, TaskName, TaskResult, Tasks } from './tasks.js';

const HANDLERS: { [K in TaskName]: (input: Tasks[K]['input']) => Promise<Tasks[K]['output']> } = {
  auditChains: auditChainsTask,
  stamp: stampTask,
};

export default async function run(message: TaskMessage): Promise<TaskResult<unknown>> {
  const handler = HANDLERS[message.task] as ((input: unknown) => Promise<unknown>) | undefined;
  if (!handler) return { ok: false, error: { code: 'INTERNAL', message: `no worker task "${String(message.task)}"` } };
  try {
    return { ok: true, value: await handler(message.input) };
  } catch (error) {
    if (isFawtaraError(error)) {
      const json = error.toJSON() as { code: string; message: string; messageAr?: string; field?: string; reason?: string };
      return { ok: false, error: json };
    }
    return { ok: false, error: { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) } };
  }
}
