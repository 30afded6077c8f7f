// The open-loop load generator of bench/server.ts, run in its own process: requests leave on a
// fixed schedule whatever the answers do, and latency counts from the scheduled instant (no
// coordinated omission). Receives one step per message, answers with the latencies.
interface Step {
  url: string;
  /** Several instances: each unit's successive requests go round-robin over them (overrides url). */
  urls?: string[];
  vat: string;
  devices: Array<{ unit: string; token: string }>;
  rate: number;
  durationMs: number;
}

const BODY = JSON.stringify({
  lines: [
    { name: 'شاورما دجاج | Chicken shawarma', quantity: '2', unitPrice: '14.50' },
    { name: 'عصير برتقال | Orange juice', quantity: '1', unitPrice: '12.00' },
    { name: 'مياه | Water', quantity: '3', unitPrice: '1.15' },
  ],
});
const MAX_IN_FLIGHT = 2_000;

async function runStep(step: Step): Promise<{ latencies: number[]; errors: number; statuses: Record<string, number>; skipped: number; elapsedMs: number }> {
  const total = Math.round((step.rate * step.durationMs) / 1000);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / step.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= MAX_IN_FLIGHT) {
      skipped++;
      continue;
    }
    const d = step.devices[i % step.devices.length]!;
    const url = step.urls ? step.urls[Math.floor(i / step.devices.length) % step.urls.length]! : step.url;
    inFlight++;
    pending.push(
      fetch(`${url}/api/v1/taxpayers/${step.vat}/units/${d.unit}/sales`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
        body: BODY,
      })
        .then(async (res) => {
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 201) latencies.push(performance.now() - due);
          else errors++;
        })
        .catch(() => void errors++)
        .finally(() => void inFlight--),
    );
  }
  await Promise.all(pending);
  return { latencies, errors, statuses, skipped, elapsedMs: performance.now() - start };
}

process.on('message', (step: Step) => {
  void runStep(step).then((r) => process.send!(r));
});
