// Records the team oracle's verdicts on invoices our engine builds (every JSON scenario, and the
// 12-document chain) as a committed fixture, so the tests stand without the oracle (issue 2).
// Usage: node --import tsx scripts/record-oracle-verdicts.ts [path/to/oracle]   (default ../shared/oracle/oracle)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  buildChain, buildScenario, CHAIN_SCENARIOS, FIXED_SIGNING_TIME, scenarioNames, sdkSigning, sha256Hex, stampScenario, verdictFile,
} from '../test/helpers/scenarios.js';
import { repoRoot } from '../test/helpers/sdk.js';

const oracle = process.argv[2] ?? resolve(repoRoot, '..', 'shared', 'oracle', 'oracle');
const signing = sdkSigning();
if (!signing) throw new Error('the SDK test certificate and key are needed (set FAWTARA_ZATCA_SDK_DIR)');
if (!signing.deterministic) throw new Error('record with the native libsecp256k1 signer so the bytes are reproducible');

const dir = mkdtempSync(join(tmpdir(), 'fawtara-oracle-'));
const ruleIds = (messages: string[]): string[] =>
  [...new Set(messages.map((m) => /^\w+: (\S+)/.exec(m)?.[1] ?? m))].sort();

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

  const run = (args: string[]): { status: number; json: any } => {
    try {
      return { status: 0, json: JSON.parse(execFileSync(oracle, args, { encoding: 'utf8', maxBuffer: 1 << 28 })) };
    } catch (error: any) {
      if (error.stdout) return { status: error.status, json: JSON.parse(error.stdout) };
      throw error;
    }
  };
  const validation = run(['validate', '--json', ...documents.map((d) => join(dir, `${d.scenario}.xml`)), ...chainFiles.map((c) => c.file)]);
  const byFile = new Map<string, any>(validation.json.results.map((r: any) => [r.file, r]));
  const verdict = (file: string) => {
    const r = byFile.get(file);
    return { ok: r.ok as boolean, errors: ruleIds(r.errors), warnings: ruleIds(r.warnings) };
  };
  const chain = run(['chain', '--json', ...chainFiles.map((c) => c.file)]).json;

  const fixture = {
    $comment: 'Verdicts of shared/oracle (ZATCA SDK 238-R3.4.8 rules) on invoices built from test/fixtures/scenarios and signed with the SDK test certificate. Regenerate: node --import tsx scripts/record-oracle-verdicts.ts',
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
