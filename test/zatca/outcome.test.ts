// Body parsing and the outcome table of docs/zatca-notes.md §A10.1/§A11.2, without a server.
import { describe, expect, it } from 'vitest';
import { classifyStatus, parseMissingComplianceSteps, readCsidErrors, readValidationResults } from '../../src/zatca/outcome.js';
import { basicAuth, encodeBinarySecurityToken } from '../../src/zatca/credentials.js';

describe('outcome table (docs/zatca-notes.md §A10.1)', () => {
  it.each([
    [200, 'accepted', true, false],
    [202, 'accepted-with-warnings', true, false],
    [208, 'duplicate-accepted', true, false],
    [303, 'clearance-switched-off', false, false],
    [400, 'rejected', false, false],
    [401, 'unauthorized', false, false],
    [406, 'version-not-supported', false, false],
    [409, 'duplicate-accepted', true, false],
    [413, 'too-large', false, false],
    [428, 'renewal-needs-compliance', true, false],
    [429, 'rate-limited', false, true],
    [500, 'not-received', false, true],
    [503, 'not-received', false, true],
    [504, 'not-received', false, true],
    [502, 'not-received', false, true],
    [404, 'unexpected', false, false],
    [null, 'not-received', false, true],
  ] as const)('docs/zatca-notes.md §A10.1: status %s → %s', (status, kind, ok, retryable) => {
    expect(classifyStatus(status)).toEqual({ kind, ok, retryable });
  });

  it('docs/zatca-notes.md §A3.2: a 200 with WARNING results is acceptance with warnings', () => {
    expect(classifyStatus(200, 'WARNING').kind).toBe('accepted-with-warnings');
  });
});

describe('body families (docs/zatca-notes.md §A2.4, §A2.5)', () => {
  it('docs/zatca-notes.md §A2.5: accepts the erroMessages typo and object-instead-of-array lists', () => {
    const vr = readValidationResults({
      validationResults: {
        infoMessages: { type: 'INFO', code: 'XSD_ZATCA_VALID', category: 'XSD validation', message: 'ok', status: 'PASS' },
        erroMessages: [{ code: 'BR-01', message: 'x' }],
      },
    });
    expect(vr?.infoMessages).toHaveLength(1);
    expect(vr?.errorMessages[0]?.code).toBe('BR-01');
    expect(vr?.status).toBe('ERROR');
  });

  it('docs/zatca-notes.md §A2.4 A: reads errors[] and the errorCode/errorCategory/errorMessage variant', () => {
    expect(readCsidErrors({ errors: [{ code: 'Invalid-OTP', message: 'The provided OTP is invalid' }] })[0]?.code).toBe('Invalid-OTP');
    expect(readCsidErrors({ errorCode: '400', errorCategory: 'Invalid-CSR', errorMessage: 'bad' })[0]).toMatchObject({ code: 'Invalid-CSR', message: 'bad' });
  });

  it('docs/zatca-notes.md §A11.2: parseMissingComplianceSteps reads the bracketed list', () => {
    expect(
      parseMissingComplianceSteps(
        'The compliance certificate is not done with the following compliance steps yet [standard-credit-note-compliant, simplified-compliant]',
      ),
    ).toEqual(['standard-credit-note-compliant', 'simplified-compliant']);
    expect(parseMissingComplianceSteps('no list')).toEqual([]);
  });

  it('docs/zatca-notes.md §A2.3: Basic auth uses the token as returned and the secret', () => {
    const token = encodeBinarySecurityToken(Buffer.from([0x30, 0x82]));
    const header = basicAuth({ binarySecurityToken: token, secret: 's3cret' });
    expect(Buffer.from(header.slice(6), 'base64').toString()).toBe(`${token}:s3cret`);
  });
});
