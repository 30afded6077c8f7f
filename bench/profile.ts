// A CPU profile of one piece of work, summed by function (self time), for benchmarks that print the
// remaining gap to a goal: the top entries say where the time goes.
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Run `work` for about `ms` under the V8 sampling profiler; the `top` functions by self time, in %. */
export async function profileTop(work: () => void, ms = 1_500, top = 12): Promise<Array<{ share: number; where: string }>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const end = performance.now() + ms;
    while (performance.now() < end) for (let i = 0; i < 10; i++) work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[] } };
    const byFunction = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      total += hits;
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url || '(native)';
      const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    }
    return [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, hits]) => ({ share: (100 * hits) / total, where }));
  } finally {
    session.disconnect();
  }
}

/** "met" or the factor still missing, for a goal stated as a ratio to S. */
export function goalLine(name: string, measured: number, goal: number): string {
  return measured >= goal
    ? `goal ${name}: ≥ ${goal} S — met (${measured.toFixed(2)} S)`
    : `goal ${name}: ≥ ${goal} S — not met: ${measured.toFixed(2)} S, gap ${(goal - measured).toFixed(2)} S (needs ${(goal / measured).toFixed(1)}× faster)`;
}
