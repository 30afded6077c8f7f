// Bad input never crashes the validator: not XML, wrong root, entity bombs, external entities,
// oversize documents and binary garbage all give a failed report with a clear message, quickly.
import { describe, expect, it } from 'vitest';
import { formatReport, toValidationResults, validateInvoice } from '../../src/rules/index.js';

const cases: Array<[string, string | Uint8Array, string]> = [
  ['not XML', 'hello, world', 'INVALID_XML'],
  ['not an Invoice root', '<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>', 'INVALID_XML'],
  [
    'entity expansion bomb',
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><Invoice>&lol2;</Invoice>`,
    'INVALID_XML',
  ],
  ['external entity', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice>&xxe;</Invoice>`, 'INVALID_XML'],
  ['over 10 MB', `<Invoice>${' '.repeat(10 * 1024 * 1024 + 1)}</Invoice>`, 'TOO_LARGE'],
  ['binary garbage', new Uint8Array([0, 159, 146, 150, 255, 0, 1, 2, 3]), 'INVALID_XML'],
  ['unclosed element', '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:ID>', 'INVALID_XML'],
];

describe('validateInvoice on bad input', () => {
  it.each(cases)('%s → clear error report', (_name, input, code) => {
    const started = performance.now();
    const report = validateInvoice(input);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(report.valid).toBe(false);
    expect(report.inputError?.code).toBe(code);
    expect(report.inputError?.messageAr).toBeTruthy();
    expect(formatReport(report)).toContain('GLOBAL VALIDATION RESULT = FAILED');
    expect(toValidationResults(report).status).toBe('ERROR');
  });

  it('an empty Invoice is judged, not thrown: schema and rule errors', () => {
    const report = validateInvoice('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', { layers: ['XSD', 'EN', 'KSA'] });
    expect(report.valid).toBe(false);
    expect(report.layers.map((l) => `${l.layer}:${l.status}`)).toEqual(['XSD:FAILED', 'EN:FAILED', 'KSA:FAILED']);
    const results = toValidationResults(report);
    expect(results.infoMessages).toEqual([]);
    expect(results.errorMessages[0]).toMatchObject({ type: 'ERROR', code: 'XSD_ZATCA_INVALID', category: 'XSD validation', status: 'ERROR' });
    expect(results.errorMessages.some((m) => m.code === 'BR-KSA-EN16931-01' && m.category === 'KSA')).toBe(true);
  });
});
