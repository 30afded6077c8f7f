// The redaction layer's patterns and registered secrets, and the bulk list reader (CSV and JSON):
// what may never be printed, and how a list of units with one OTP each is read.
import { generatePrivateKey } from '../../src/crypto/keys.js';
import { describe, expect, it } from 'vitest';
import { parseBulkList, Redactor, type FleetError } from '../../src/egs/index.js';

describe('Redactor', () => {
  it('masks registered secrets and secret-shaped text wherever it appears', () => {
    const r = new Redactor();
    r.add('s3cr3t-value-44', '123456', 'abc'); // 'abc' is too short to register
    const key = generatePrivateKey();
    const der = key.key.export({ type: 'sec1', format: 'der' }) as Buffer;
    r.addKeyMaterial({ secretScalar: key.secret, der });
    const pem = key.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const text = [
      'token s3cr3t-value-44 otp 123456 abc',
      `hex ${key.secret.toString('hex')} der ${der.toString('base64')}`,
      pem,
      '{"secret":"anything","otp":"654321","name":"ok"}',
      'Authorization: Basic dXNlcjpwYXNzd29yZA==',
      'OTP: 777777 and --otp 888888',
      'sealed v1.' + 'A'.repeat(60),
    ].join('\n');
    const out = r.redact(text);
    for (const leaked of [
      's3cr3t-value-44',
      '123456',
      key.secret.toString('hex'),
      der.toString('base64'),
      'anything',
      '654321',
      'dXNlcjpwYXNzd29yZA==',
      '777777',
      '888888',
      'A'.repeat(60),
    ]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).not.toMatch(/BEGIN PRIVATE KEY-----\n[A-Za-z0-9]/);
    expect(out).toContain('abc');
    expect(out).toContain('"name":"ok"');
    expect(r.redactValue({ nested: ['s3cr3t-value-44'] })).toEqual({ nested: ['[REDACTED]'] });
  });
});

describe('bulk lists', () => {
  it('reads CSV (quoted fields, CRLF) and JSON, and names what is wrong', () => {
    const csv = 'serial,branch,name,otp\r\n"1-A|2-B|3-C",Riyadh,"POS, one",123456\r\n,,,\r\n"1-A|2-B|3-D",Jeddah,POS2,654321\r\n';
    expect(parseBulkList(csv)).toEqual([
      { serial: '1-A|2-B|3-C', branch: 'Riyadh', name: 'POS, one', otp: '123456' },
      { serial: '1-A|2-B|3-D', branch: 'Jeddah', name: 'POS2', otp: '654321' },
    ]);
    expect(parseBulkList('{"units":[{"unit":"POS-1","otp":123456}]}')).toEqual([{ unit: 'POS-1', otp: '123456' }]);
    const wrong = (text: string): FleetError => {
      try {
        parseBulkList(text, 'list.json');
      } catch (error) {
        return error as FleetError;
      }
      throw new Error('expected a refusal');
    };
    expect(wrong('[{"unit":"x","colour":"red"}]').field).toBe('[0].colour');
    expect(wrong('[{"otp":"123456"}]').message).toMatch(/names no unit/);
    expect(wrong('[]').message).toMatch(/empty/);
    expect(wrong('{oops').message).toMatch(/not valid JSON/);
    expect(wrong('serial,branch\n"unterminated,Riyadh').message).toMatch(/not closed/);
  });
});
