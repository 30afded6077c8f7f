// Records the team oracle's verdicts on invoices our engine builds (every JSON scenario, and the
// 12-document chain) as a committed fixture, so the tests stand without the oracle (issue 2).
// Usage: node --import tsx scripts/record-oracle-verdicts.ts [path/to/oracle]   (default ../shared/oracle/oracle)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildChain,
  buildScenario,
  CHAIN_SCENARIOS,
  FIXED_SIGNING_TIME,
  scenarioNames,
  sdkSigning,
  sha256Hex,
  stampScenario,
  verdictFile,
} from '../test/helpers/scenarios.js';
import { oraclePath, ruleIds, runOracle } from './oracle-run.js';

const oracle = oraclePath(process.argv[2]);
const signing = sdkSigning();
if (!signing) throw new Error('the SDK test certificate and key are needed (set FAWTARA_ZATCA_SDK_DIR)');
if (!signing.deterministic) throw new Error('record with the native libsecp256k1 signer so the bytes are reproducible');

const dir = mkdtempSync(join(tmpdir(), 'fawtara-oracle-'));

try {
  const documents = scenarioNames().map((name) => {
    const stamped = stampScenario(buildScenario(name), signing);
    writeFileSync(join(dir, `${name}.xml`), stamped.xml);
    return { scenario: name, invoiceHash: stamped.invoiceHash, xmlSha256: sha256Hex(stamped.xml) };
  });
  const chainFiles = buildChain().map((doc, i) => {
    const stamped = stampScenario(doc, signing);
    const file = join(dir, `chain-${String(i + 1).padStart(2, '0')}.xml`);
    writeFileSync(file, stamped.xml);
    return { file, scenario: CHAIN_SCENARIOS[i]!, icv: i + 1, invoiceHash: stamped.invoiceHash, xmlSha256: sha256Hex(stamped.xml) };
  });

  const validation = runOracle(oracle, ['validate', '--json', ...documents.map((d) => join(dir, `${d.scenario}.xml`)), ...chainFiles.map((c) => c.file)]);
  const byFile = new Map<string, any>(validation.results.map((r: any) => [r.file, r]));
  const verdict = (file: string) => {
    const r = byFile.get(file);
    return { ok: r.ok as boolean, errors: ruleIds(r.errors), warnings: ruleIds(r.warnings) };
  };
  const chain = runOracle(oracle, ['chain', '--json', ...chainFiles.map((c) => c.file)]);

  const fixture = {
    $comment:
      'Verdicts of shared/oracle (ZATCA SDK 238-R3.4.8 rules) on invoices built from test/fixtures/scenarios and signed with the SDK test certificate. Regenerate: node --import tsx scripts/record-oracle-verdicts.ts',
    signingTime: FIXED_SIGNING_TIME.toISOString(),
    documents: documents.map((d) => ({ ...d, ...verdict(join(dir, `${d.scenario}.xml`)) })),
    chain: {
      ok: chain.ok as boolean,
      errors: (chain.errors as string[]).map((m) => m.split(dir + '/').join('')),
      warnings: (chain.warnings as string[]).map((m) => m.split(dir + '/').join('')),
      documents: chainFiles.map(({ file, ...c }) => ({ ...c, ...verdict(file) })),
    },
  };
  writeFileSync(verdictFile, JSON.stringify(fixture, null, 2) + '\n');
  const failed = fixture.documents.filter((d) => !d.ok).map((d) => d.scenario);
  console.log(`recorded ${fixture.documents.length} documents (${failed.length} failing: ${failed.join(', ') || 'none'}); chain ok: ${fixture.chain.ok}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
