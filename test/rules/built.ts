// Mutants of invoices our own engine builds (recipe bases `built:<scenario>`): the base is rebuilt
// from test/fixtures/scenarios at test time, stamped deterministically with the SDK test certificate
// (`form: 'signed'`, the default) or left as the writer's unsigned output (`form: 'unsigned'`, no
// SDK data needed); the recipe's edits are applied and, with `restamp: true`, the result re-signed.
// Also: the oracle's verdict shape for all layers, and ours in the same shape.
import { signInvoiceXml, verifyInvoice } from '../../src/stamp/index.js';
import { unsignedXml } from '../../src/ubl/document.js';
import type { ValidationReport } from '../../src/rules/index.js';
import { buildScenario, FIXED_SIGNING_TIME, sdkSigning, stampScenario, type SdkSigning } from '../helpers/scenarios.js';
import { applyEdits, type MutantRecipe } from './mutate.js';
import { verdictOf, type OracleVerdict } from './oracle.js';

/** Failing and warning check ids of one crypto layer (the oracle's ids). */
export interface CheckIds {
  fail: string[];
  warn: string[];
}

export interface FullVerdict extends OracleVerdict {
  /** No error in any layer (the oracle's `ok`, our `report.valid`). */
  ok: boolean;
  crypto: CheckIds;
  qr: CheckIds;
  pih: CheckIds;
}

let signing: SdkSigning | undefined | null = null;
function signingOrThrow(): SdkSigning {
  if (signing === null) signing = sdkSigning();
  if (!signing) throw new Error('signed built bases need the SDK test certificate');
  return signing;
}

/** Does this recipe need the SDK test certificate (a signed base or a re-stamp)? */
export function needsSdk(recipe: MutantRecipe): boolean {
  return recipe.base.startsWith('sdk:') || (recipe.form ?? 'signed') === 'signed';
}

const bases = new Map<string, string>();
export function builtBase(scenario: string, form: 'signed' | 'unsigned'): string {
  const key = `${form}:${scenario}`;
  let xml = bases.get(key);
  if (xml === undefined) {
    const doc = buildScenario(scenario);
    xml = form === 'unsigned' ? unsignedXml(doc) : stampScenario(doc, signingOrThrow()).xml;
    bases.set(key, xml);
  }
  return xml;
}

/** The mutated XML of a built-base recipe, exactly as the oracle judged it. */
export function materializeBuilt(recipe: MutantRecipe): string {
  if (!recipe.base.startsWith('built:')) throw new Error(`${recipe.id}: not a built base (${recipe.base})`);
  const form = recipe.form ?? 'signed';
  const xml = applyEdits(builtBase(recipe.base.slice(6), form), recipe.edits);
  if (!recipe.restamp) return xml;
  if (form !== 'signed') throw new Error(`${recipe.id}: restamp needs a signed base`);
  const s = signingOrThrow();
  return signInvoiceXml(xml, { certificate: s.certificate, signer: s.signer, signingTime: FIXED_SIGNING_TIME }).xml;
}

/** Our QR check ids (`qr-tag-N`) under the oracle's names. */
const QR_IDS: Record<string, string> = {
  'qr-tag-1': 'qr-seller-name',
  'qr-tag-2': 'qr-vat-number',
  'qr-tag-3': 'qr-timestamp',
  'qr-tag-4': 'qr-total',
  'qr-tag-5': 'qr-vat-total',
  'qr-tag-6': 'qr-hash',
  'qr-tag-7': 'qr-signature',
  'qr-tag-8': 'qr-public-key',
  'qr-tag-9': 'qr-cert-signature',
  // tags 6–9 present in the QR of an unsigned invoice (a warning in both)
  'qr-unsigned-tag-6': 'qr-tag-6',
  'qr-unsigned-tag-7': 'qr-tag-7',
  'qr-unsigned-tag-8': 'qr-tag-8',
  'qr-unsigned-tag-9': 'qr-tag-9',
};

/** Our full verdict: rule ids from the report, crypto check ids from `verifyInvoice` (what the report's crypto layers are made of). */
export function fullVerdictOf(xml: string, report: ValidationReport): FullVerdict {
  const ids = (layer: 'SIGNATURE' | 'QR' | 'PIH'): CheckIds => {
    if (report.inputError) return { fail: [], warn: [] };
    const checks = verifyInvoice(xml).checks.filter((c) => c.layer === layer);
    const pick = (status: string) =>
      [...new Set(checks.filter((c) => c.status === status).map((c) => (layer === 'QR' ? (QR_IDS[c.id] ?? c.id) : c.id)))].sort();
    return { fail: pick('fail'), warn: pick('warn') };
  };
  return { ok: report.valid, ...verdictOf(report), crypto: ids('SIGNATURE'), qr: ids('QR'), pih: ids('PIH') };
}

/** The oracle's verdict on one file of `oracle validate --json`, in the same shape. */
export function fullVerdictFromOracle(r: any): FullVerdict {
  const ids = (list: Array<{ id: string }> | undefined) => [...new Set((list ?? []).map((f) => f.id))].sort();
  const checks = (layer: { checks?: Array<{ id: string; status: string }> } | undefined): CheckIds => ({
    fail: [...new Set((layer?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.id))].sort(),
    warn: [...new Set((layer?.checks ?? []).filter((c) => c.status === 'warn').map((c) => c.id))].sort(),
  });
  return {
    ok: Boolean(r.ok),
    xsd: r.xsd?.status === 'fail' ? 'fail' : 'pass',
    en: { errors: ids(r.en?.errors), warnings: ids(r.en?.warnings) },
    ksa: { errors: ids(r.ksa?.errors), warnings: ids(r.ksa?.warnings) },
    crypto: checks(r.crypto),
    qr: checks(r.qr),
    pih: checks(r.pih),
  };
}
