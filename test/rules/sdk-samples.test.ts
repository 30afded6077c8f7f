// Oracle agreement on ZATCA's own samples (both SDK versions, incl. the *_Error ones): our XSD
// verdict and EN/KSA rule-id sets must equal the committed verdicts of shared/oracle.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateInvoice } from '../../src/rules/index.js';
import { SDK_MISSING_MESSAGE, sdkDir, sdkPath } from '../helpers/sdk.js';
import { readFixture, verdictOf, type OracleVerdict } from './oracle.js';

const fixture = readFixture<{ ranAt: string; files: Array<OracleVerdict & { path: string }> }>('sdk-samples.oracle.json');

describe.skipIf(!sdkDir)(`SDK samples agree with the oracle${sdkDir ? '' : ` (${SDK_MISSING_MESSAGE})`}`, () => {
  it.each(fixture.files.map((f) => [f.path, f] as const))('%s', (path, expected) => {
    const xml = readFileSync(sdkPath(path));
    const report = validateInvoice(xml, { now: new Date(fixture.ranAt), layers: ['XSD', 'EN', 'KSA'] });
    const { path: _p, ...want } = expected;
    expect(verdictOf(report)).toEqual(want);
  });

  it('the 19 signed 238-R3.4.8 samples have no errors in any layer (BR-KSA-98 aside)', () => {
    const signed = fixture.files.filter((f) => f.path.startsWith('Data/'));
    expect(signed).toHaveLength(19);
    for (const f of signed) {
      const report = validateInvoice(readFileSync(sdkPath(f.path)), { now: new Date(fixture.ranAt) });
      expect({ path: f.path, errors: report.errors.map((e) => `${e.layer}:${e.id}`) }).toEqual({ path: f.path, errors: [] });
      expect(report.warnings.map((w) => w.id).filter((id) => id !== 'BR-KSA-98')).toEqual([]);
    }
  });
});
