// Issue 6 "Done when": documents issued and submitted through the durable path pass the team
// oracle (`oracle validate`, and `oracle chain` per unit). The verdicts were recorded once by
// scripts/record-issuing-oracle.ts; this test keeps them honest: every one must be a pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/oracle/issuing.json', import.meta.url), 'utf8')) as {
  documents: Array<{ name: string; unit: string; ok: boolean; errors: string[]; warnings: string[] }>;
  chains: Array<{ unit: string; ok: boolean; documents: number; errors: string[] }>;
};

describe('oracle verdicts on issued documents (test/fixtures/oracle/issuing.json)', () => {
  it('covers simplified and standard invoices, credit and debit notes, foreign currency and cleared versions', () => {
    expect(fixture.documents.length).toBeGreaterThanOrEqual(8);
    expect(fixture.documents.some((d) => d.name.includes('cleared by ZATCA'))).toBe(true);
  });
  it.each(fixture.documents.map((d) => [d.name, d] as const))('oracle validate: %s passes with no error', (_name, d) => {
    expect(d.errors).toEqual([]);
    expect(d.ok).toBe(true);
  });
  it.each(fixture.chains.map((c) => [c.unit, c] as const))('oracle chain over unit %s: ICV +1 and PIH links all pass', (_unit, c) => {
    expect(c.errors).toEqual([]);
    expect(c.ok).toBe(true);
    expect(c.documents).toBeGreaterThanOrEqual(4);
  });
});
