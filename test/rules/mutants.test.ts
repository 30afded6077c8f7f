// Oracle agreement on mutants: each committed recipe (base invoice + one edit) is re-applied at
// test time and our XSD verdict and EN/KSA rule-id sets must equal the oracle's committed verdict.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateInvoice } from '../../src/rules/index.js';
import { SDK_MISSING_MESSAGE, sdkDir, sdkPath } from '../helpers/sdk.js';
import { applyEdits, type MutantRecipe } from './mutate.js';
import { readFixture, verdictOf, type OracleVerdict } from './oracle.js';

const { recipes } = readFixture<{ recipes: MutantRecipe[] }>('mutants.recipes.json');
const oracle = readFixture<{ ranAt: string; verdicts: Record<string, OracleVerdict> }>('mutants.oracle.json');
const sdkRecipes = recipes.filter((r) => r.base.startsWith('sdk:'));

describe.skipIf(!sdkDir)(`mutants of SDK samples agree with the oracle${sdkDir ? '' : ` (${SDK_MISSING_MESSAGE})`}`, () => {
  it.each(sdkRecipes.map((r) => [`${r.id} ${r.intent}`, r] as const))('%s', (_name, recipe) => {
    const expected = oracle.verdicts[recipe.id];
    expect(expected, `no oracle verdict for ${recipe.id}`).toBeDefined();
    const xml = applyEdits(readFileSync(sdkPath(recipe.base.slice(4)), 'utf8'), recipe.edits);
    const report = validateInvoice(xml, { now: new Date(oracle.ranAt), layers: ['XSD', 'EN', 'KSA'] });
    expect(verdictOf(report)).toEqual(expected);
  });
});
