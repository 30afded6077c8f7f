// Records the team oracle's verdicts on documents issued through the durable issuing path (issue 6):
// every stored document, ZATCA's cleared versions, and `oracle chain` over each unit's documents.
// Usage: node --import tsx scripts/record-issuing-oracle.ts [path/to/oracle]   (writes test/fixtures/oracle/issuing.json)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueDocument, type IssueResult } from '../src/issuing/index.js';
import { startSimulator } from '../src/simulator/index.js';
import { repoRoot } from '../test/helpers/sdk.js';
import { oraclePath, ruleIds, runOracle } from './oracle-run.js';
import { drain, issuingFleet, saleJson } from '../test/issuing/helpers.js';
import { documents } from '../src/store/index.js';

const oracle = oraclePath(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'fawtara-issuing-oracle-'));
// Real time, as the oracle judges BR-KSA-98 (reported within 24 h) against its own clock.
const sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 7 });
const f = await issuingFleet('sqlite', sim, 2);
try {
  const issue = (unit: string, o: Parameters<typeof saleJson>[2]) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, o));
  const issued: IssueResult[] = [];
  // Unit 1: simplified invoices, a partial credit note and a debit note; unit 2: standard (cleared)
  // documents, a foreign-currency invoice, and notes against unit 1's and its own documents.
  issued.push(await issue('POS-1', { number: 'ORC-1', lines: 3 }));
  issued.push(await issue('POS-1', { number: 'ORC-2', lines: 1, price: '250.00' }));
  issued.push(await issue('POS-1', { number: 'ORC-3', lines: 1, price: '100.00', note: { type: 'creditNote', of: 'ORC-2' } }));
  issued.push(await issue('POS-1', { number: 'ORC-4', lines: 1, price: '20.00', note: { type: 'debitNote', of: 'ORC-1' } }));
  issued.push(await issue('POS-2', { number: 'ORC-5', kind: 'standard', lines: 4 }));
  issued.push(await issue('POS-2', { number: 'ORC-6', kind: 'standard', lines: 2, currency: { code: 'USD', rate: '3.75' } }));
  issued.push(await issue('POS-2', { number: 'ORC-7', kind: 'standard', lines: 1, price: '10.00', note: { type: 'creditNote', of: 'ORC-5' } }));
  issued.push(await issue('POS-2', { number: 'ORC-8', lines: 1, price: '5.00', note: { type: 'creditNote', of: 'ORC-1' } }));
  await drain(f.ctx);
  const files: Array<{ name: string; unit: string; file: string; cleared: boolean }> = [];
  for (const r of issued) {
    const unit = r.unitId === f.units[0]!.id ? 'POS-1' : 'POS-2';
    const file = join(dir, `${r.number}.xml`);
    writeFileSync(file, r.xml);
    files.push({ name: r.number, unit, file, cleared: false });
    const cleared = await documents.findClearance(f.ctx.store.db, r.id);
    if (cleared) {
      const c = join(dir, `${r.number}-cleared.xml`);
      writeFileSync(c, cleared.xml);
      files.push({ name: `${r.number} (cleared by ZATCA)`, unit, file: c, cleared: true });
    }
  }
  const results = new Map<string, any>(runOracle(oracle, ['validate', '--json', ...files.map((x) => x.file)]).results.map((r: any) => [r.file, r]));
  const chains = ['POS-1', 'POS-2'].map((unit) => {
    const chain = runOracle(oracle, ['chain', '--json', ...files.filter((x) => x.unit === unit && !x.cleared).map((x) => x.file)]);
    return {
      unit,
      ok: chain.ok as boolean,
      documents: files.filter((x) => x.unit === unit && !x.cleared).length,
      errors: (chain.errors as string[]).map((m) => m.split(dir + '/').join('')),
    };
  });
  const fixture = {
    $comment:
      "shared/oracle verdicts on documents issued through issueDocument (stamped, stored, submitted to the simulator), ZATCA's cleared versions, and oracle chain per unit. Regenerate: node --import tsx scripts/record-issuing-oracle.ts",
    documents: files.map(({ name, unit, file }) => {
      const r = results.get(file);
      return { name, unit, ok: r.ok as boolean, errors: ruleIds(r.errors), warnings: ruleIds(r.warnings) };
    }),
    chains,
  };
  writeFileSync(join(repoRoot, 'test', 'fixtures', 'oracle', 'issuing.json'), JSON.stringify(fixture, null, 2) + '\n');
  console.log(fixture.documents.map((d) => `${d.name}: ${d.ok ? 'PASS' : 'FAIL'} ${d.errors.join(' ')} ${d.warnings.join(' ')}`).join('\n'));
  console.log(chains.map((c) => `chain ${c.unit} (${c.documents}): ${c.ok ? 'PASS' : 'FAIL'} ${c.errors.join('; ')}`).join('\n'));
} finally {
  await f.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
