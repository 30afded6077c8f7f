// Issue 16 "Done when": documents signed through a PKCS#11 token pass the same oracle-recorded verdict
// tests as sealed keys (test/issuing/oracle-verdicts.test.ts). The verdicts were recorded once with
// SoftHSM2 by scripts/record-pkcs11-oracle.ts (`oracle validate`, `oracle chain`); every one must pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/oracle/pkcs11.json', import.meta.url), 'utf8')) as {
  keyProvider: string;
  documents: Array<{ name: string; ok: boolean; errors: string[]; warnings: string[] }>;
  chain: { ok: boolean; documents: number; errors: string[] };
};

describe('oracle verdicts on token-signed documents (test/fixtures/oracle/pkcs11.json)', () => {
  it('were signed by a key in the token, and cover simplified and standard invoices, notes and cleared versions', () => {
    expect(fixture.keyProvider).toBe('pkcs11');
    expect(fixture.documents.length).toBeGreaterThanOrEqual(7);
    expect(fixture.documents.some((d) => d.name.includes('cleared by ZATCA'))).toBe(true);
  });
  it.each(fixture.documents.map((d) => [d.name, d] as const))('oracle validate: %s passes with no error', (_name, d) => {
    expect(d.errors).toEqual([]);
    expect(d.ok).toBe(true);
  });
  it('oracle chain over the unit: ICV +1 and PIH links all pass', () => {
    expect(fixture.chain.errors).toEqual([]);
    expect(fixture.chain.ok).toBe(true);
    expect(fixture.chain.documents).toBe(5);
  });
});
