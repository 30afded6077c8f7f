// Records the team oracle's verdicts on a unit's documents signed with certificates the simulator
// issued (compliance and production CSIDs) and on the cleared invoice it returned (issue 4).
// Usage: node --import tsx scripts/record-simulator-oracle.ts [path/to/oracle]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../src/simulator/index.js';
import { repoRoot } from '../test/helpers/sdk.js';
import { oraclePath, ruleIds, runOracle } from './oracle-run.js';
import { runSimulatorFlow } from '../test/helpers/simulator-flow.js';

const oracle = oraclePath(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'fawtara-sim-oracle-'));
const sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 7 });
try {
  const flow = await runSimulatorFlow(sim);
  const files = [...flow.documents, flow.cleared].map((d) => {
    const file = join(dir, `${d.name}.xml`);
    writeFileSync(file, d.xml);
    return { name: d.name, file };
  });
  const results = new Map<string, any>(runOracle(oracle, ['validate', '--json', ...files.map((f) => f.file)]).results.map((r: any) => [r.file, r]));
  // The unit's chain: compliance documents, the reported one and the submitted standard invoice.
  const chain = runOracle(oracle, ['chain', '--json', ...files.filter((f) => f.name !== 'cleared-standard-invoice').map((f) => f.file)]);
  const fixture = {
    $comment:
      "shared/oracle verdicts on documents our engine signed with simulator-issued CSIDs, and on the simulator's cleared invoice. Regenerate: node --import tsx scripts/record-simulator-oracle.ts",
    documents: files.map(({ name, file }) => {
      const r = results.get(file);
      return { name, ok: r.ok as boolean, errors: ruleIds(r.errors), warnings: ruleIds(r.warnings) };
    }),
    chain: { ok: chain.ok as boolean, errors: (chain.errors as string[]).map((m) => m.split(dir + '/').join('')) },
  };
  writeFileSync(join(repoRoot, 'test', 'fixtures', 'oracle', 'simulator-flow.json'), JSON.stringify(fixture, null, 2) + '\n');
  console.log(fixture.documents.map((d) => `${d.name}: ${d.ok ? 'PASS' : 'FAIL'} ${d.errors.join(' ')} ${d.warnings.join(' ')}`).join('\n'));
  console.log(`chain: ${fixture.chain.ok ? 'PASS' : 'FAIL'} ${fixture.chain.errors.join('; ')}`);
} finally {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
