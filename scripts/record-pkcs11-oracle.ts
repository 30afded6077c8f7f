// Records the team oracle's verdicts on documents signed through a PKCS#11 token (issue 16): a unit
// onboarded with its key generated in SoftHSM2, documents issued and submitted, ZATCA's cleared
// versions, and `oracle chain` over the unit. Writes test/fixtures/oracle/pkcs11.json.
// Usage: node --import tsx scripts/record-pkcs11-oracle.ts [path/to/oracle]   (needs softhsm2)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addBranch, addTaxpayer, addUnit, onboardUnit, openFleet } from '../src/egs/index.js';
import { issueDocument, type IssueResult } from '../src/issuing/index.js';
import { startSimulator } from '../src/simulator/index.js';
import { credentials, documents } from '../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl, type FatooraEnv } from '../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, otpsFor } from '../test/egs/helpers.js';
import { SOFTHSM_MISSING, softHsm } from '../test/helpers/softhsm.js';
import { repoRoot } from '../test/helpers/sdk.js';
import { drain, saleJson } from '../test/issuing/helpers.js';
import { oraclePath, ruleIds, runOracle } from './oracle-run.js';

if (SOFTHSM_MISSING) throw new Error(SOFTHSM_MISSING);
const oracle = oraclePath(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'fawtara-pkcs11-oracle-'));
const hsm = softHsm({ 'fawtara-oracle': 'oracle-pin-1' });
// Real time, as the oracle judges BR-KSA-98 (reported within 24 h) against its own clock.
const sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 7 });
const ctx = await openFleet({
  store: { sqliteFile: ':memory:' },
  zatca: (e: FatooraEnv) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, e), timeoutMs: 20_000 }),
  kek: { protection: 'master-key', key: randomBytes(32) },
  env: { FAWTARA_PKCS11_MODULE: hsm.module, FAWTARA_PKCS11_TOKEN: 'fawtara-oracle', FAWTARA_PKCS11_PIN: 'oracle-pin-1' },
  actor: 'oracle',
});
try {
  const taxpayer = await addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة المحدودة', nameEn: 'Chain Restaurants LTD' });
  const branch = await addBranch(ctx, taxpayer, CHAIN_BRANCHES[0]!);
  const unit = await addUnit(ctx, taxpayer, { branch: branch.name, serial: '1-Fawtara|2-HSM|3-ORACLE', name: 'HSM-ORACLE', keyProvider: 'pkcs11' });
  await onboardUnit(ctx, taxpayer, unit.id, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
  const key = (await credentials.listKeys(ctx.store.db, { taxpayerId: taxpayer.id, unitId: unit.id }))[0]!;
  if (key.provider !== 'pkcs11' || key.sealed_private_key !== '') throw new Error('the unit key is not in the token');
  const issue = (o: Parameters<typeof saleJson>[2]) => issueDocument(ctx, taxpayer, unit.id, saleJson(taxpayer, branch, o));
  const issued: IssueResult[] = [];
  issued.push(await issue({ number: 'HSM-1', lines: 3 }));
  issued.push(await issue({ number: 'HSM-2', lines: 1, price: '250.00' }));
  issued.push(await issue({ number: 'HSM-3', lines: 1, price: '100.00', note: { type: 'creditNote', of: 'HSM-2' } }));
  issued.push(await issue({ number: 'HSM-4', kind: 'standard', lines: 4 }));
  issued.push(await issue({ number: 'HSM-5', kind: 'standard', lines: 1, price: '20.00', note: { type: 'debitNote', of: 'HSM-4' } }));
  await drain(ctx);
  const files: Array<{ name: string; file: string; cleared: boolean }> = [];
  for (const r of issued) {
    const file = join(dir, `${r.number}.xml`);
    writeFileSync(file, r.xml);
    files.push({ name: r.number, file, cleared: false });
    const cleared = await documents.findClearance(ctx.store.db, r.id);
    if (cleared) {
      const c = join(dir, `${r.number}-cleared.xml`);
      writeFileSync(c, cleared.xml);
      files.push({ name: `${r.number} (cleared by ZATCA)`, file: c, cleared: true });
    }
  }
  const results = new Map<string, any>(runOracle(oracle, ['validate', '--json', ...files.map((x) => x.file)]).results.map((r: any) => [r.file, r]));
  const own = files.filter((x) => !x.cleared);
  const chain = runOracle(oracle, ['chain', '--json', ...own.map((x) => x.file)]);
  const fixture = {
    $comment:
      "shared/oracle verdicts on documents signed by a unit key generated in a PKCS#11 token (SoftHSM2), issued through issueDocument and submitted to the simulator, with ZATCA's cleared versions and oracle chain over the unit. Regenerate: node --import tsx scripts/record-pkcs11-oracle.ts",
    keyProvider: key.provider,
    documents: files.map(({ name, file }) => {
      const r = results.get(file);
      return { name, ok: r.ok as boolean, errors: ruleIds(r.errors), warnings: ruleIds(r.warnings) };
    }),
    chain: { ok: chain.ok as boolean, documents: own.length, errors: (chain.errors as string[]).map((m) => m.split(dir + '/').join('')) },
  };
  writeFileSync(join(repoRoot, 'test', 'fixtures', 'oracle', 'pkcs11.json'), JSON.stringify(fixture, null, 2) + '\n');
  console.log(fixture.documents.map((d) => `${d.name}: ${d.ok ? 'PASS' : 'FAIL'} ${d.errors.join(' ')} ${d.warnings.join(' ')}`).join('\n'));
  console.log(`chain (${own.length}): ${fixture.chain.ok ? 'PASS' : 'FAIL'} ${fixture.chain.errors.join('; ')}`);
} finally {
  await ctx.store.close();
  await sim.close();
  hsm.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
