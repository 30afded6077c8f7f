// Oracle agreement on mutants of invoices our own engine built (issue 3 "Done when" #1): each
// committed recipe (built scenario + one edit, optionally re-stamped) is re-applied at test time and
// our verdict must equal the oracle's committed one in every layer: pass/fail, XSD, EN and KSA error
// and warning rule ids, and the failing/warning checks of the crypto, QR and PIH layers.
import { describe, expect, it } from 'vitest';
import { validateInvoice } from '../../src/rules/index.js';
import { SDK_MISSING_MESSAGE, sdkDir } from '../helpers/sdk.js';
import { fullVerdictOf, materializeBuilt, needsSdk, type FullVerdict } from './built.js';
import type { MutantRecipe } from './mutate.js';
import { readFixture } from './oracle.js';

const { recipes } = readFixture<{ recipes: MutantRecipe[] }>('built-mutants.recipes.json');
const oracle = readFixture<{ ranAt: string; verdicts: Record<string, FullVerdict> }>('built-mutants.oracle.json');
// BR-KSA-04 (future date) and BR-KSA-98 (24 h) read the clock: judge at the oracle's run time.
const now = new Date(oracle.ranAt);

const name = (r: MutantRecipe): string =>
  `${r.id} [${r.rule ?? '?'}] ${r.intent} (${r.base}${r.form === 'unsigned' ? ', unsigned' : r.restamp ? ', re-stamped' : ', signed'}; ${r.source ?? ''})`;

function check(recipe: MutantRecipe): void {
  const expected = oracle.verdicts[recipe.id];
  expect(expected, `no oracle verdict for ${recipe.id}`).toBeDefined();
  const xml = materializeBuilt(recipe);
  const report = validateInvoice(xml, { now });
  expect({ id: recipe.id, ...fullVerdictOf(xml, report) }).toEqual({ id: recipe.id, ...expected });
}

const unsigned = recipes.filter((r) => !needsSdk(r));
const signed = recipes.filter((r) => needsSdk(r));

describe('mutants of unsigned built invoices agree with the oracle', () => {
  it('the corpus is large enough (≥ 300 built mutants with a verdict)', () => {
    expect(recipes.length).toBeGreaterThanOrEqual(300);
    expect(recipes.every((r) => oracle.verdicts[r.id])).toBe(true);
  });
  it.each(unsigned.map((r) => [name(r), r] as const))('%s', (_n, recipe) => check(recipe));
});

describe.skipIf(!sdkDir)(`mutants of signed built invoices agree with the oracle${sdkDir ? '' : ` (${SDK_MISSING_MESSAGE})`}`, () => {
  it.each(signed.map((r) => [name(r), r] as const))('%s', (_n, recipe) => check(recipe));
});
