// A small slice of the engine fuzz run (scripts/fuzz-engine.ts; the full run is `npm run fuzz`):
// mutated JSON and XML never make buildInvoice, validateInvoice, invoiceHashOf or verifyInvoice
// throw anything but our typed error. Fixed seed, so a failure replays with `--seed --only`.
import { describe, expect, it } from 'vitest';
import { mutateJson, mutateXml, prng, runFuzz, TARGETS } from '../../scripts/fuzz-engine.js';

const SEED = 20261207;

describe('engine fuzz slice (issue 10 "Done when": bounded fuzz run)', () => {
  it('300 cases per target, seed 20261207: 0 crashes', () => {
    const result = runFuzz({ seed: SEED, cases: 300 });
    expect(result.crashes).toEqual([]);
    for (const t of TARGETS) {
      const f = result.figures[t];
      expect(f.cases, t).toBe(300);
      expect(f.returned + f.refused, t).toBe(300);
    }
    // The mutations reach past the parser: some mutated documents parse and are judged, some do not.
    expect(result.figures.invoiceHashOf.returned).toBeGreaterThan(0);
    expect(result.figures.invoiceHashOf.refused).toBeGreaterThan(0);
    expect(result.figures.buildInvoice.returned).toBeGreaterThan(0);
  }, 120_000);

  it('the same seed gives the same mutations (replayable), another seed others', () => {
    const base = { a: '1.00', b: [{ c: 'x' }, { c: 'y' }], d: { e: 2 } };
    const xml = '<Invoice xmlns="urn:x"><a>1</a><b c="2">t</b></Invoice>';
    const run = (seed: number) => {
      const r = prng(seed);
      return [JSON.stringify(mutateJson(base, r)), String(mutateXml(xml, r))];
    };
    expect(run(7)).toEqual(run(7));
    const differ = [1, 2, 3, 4, 5].map(run).map((x) => x.join('|'));
    expect(new Set(differ).size).toBeGreaterThan(1);
  });
});
