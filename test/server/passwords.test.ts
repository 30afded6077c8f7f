// Password storage (docs/zatca-notes.md §P3): scrypt at the production cost, a salt per password, tampered or
// malformed hashes refused without throwing; tokens stored only as hashes and masked in text.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, checkPasswordPolicy, hashPassword, isCommonPassword, verifyPassword } from '../../src/server/access/passwords.js';
import { newToken, parseToken, tokenMatches } from '../../src/crypto/tokens.js';
import { Redactor } from '../../src/egs/redact.js';

describe('passwords', () => {
  it('hashes with memory-hard scrypt at the default cost, salted, and verifies', async () => {
    expect(DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * 128).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    const a = await hashPassword('a long enough password');
    const b = await hashPassword('a long enough password');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long enough password', a)).toBe(true);
    expect(await verifyPassword('a long enough passwort', a)).toBe(false);
  });

  it('refuses malformed or tampered hashes without throwing', async () => {
    const h = await hashPassword('a long enough password', { N: 1024, r: 8, p: 1 });
    for (const bad of ['', 'plain', h.replace('scrypt', 'bcrypt'), h.replace('$1024$', '$1000$'), h.replace('$1024$', `$${2 ** 24}$`), h.slice(0, -4)]) {
      expect(await verifyPassword('a long enough password', bad), bad).toBe(false);
    }
  });

  it('asks for a long password that is not the username', () => {
    expect(() => checkPasswordPolicy('short', 'alice')).toThrow(/12/);
    expect(() => checkPasswordPolicy('aaaaaaaaaaaaaaaa', 'alice')).toThrow(/repetition/);
    expect(() => checkPasswordPolicy('alice.example1', 'alice.example1')).toThrow(/username/);
    expect(checkPasswordPolicy('correct horse battery staple', 'alice')).toBe('correct horse battery staple');
  });

  it('refuses the most common passwords, also with digits and symbols around them or repeated (zxcvbn-ts list, NIST SP 800-63B)', () => {
    for (const weak of [
      'password1234',
      'Password2026!',
      'qwertyuiop123',
      'qwertyqwerty',
      '123456789012',
      'iloveyou!!!!',
      'fawtara@2026',
      'Zatca#123456',
      'alice.admin2026',
    ]) {
      expect(() => checkPasswordPolicy(weak, 'alice.admin'), weak).toThrow(/common/);
      expect(isCommonPassword(weak, 'alice.admin'), weak).toBe(true);
    }
    for (const fine of ['correct horse battery staple', 'a long enough password', 'Nakheel-Sunrise-Ledger-42', 'شاي بالنعناع في الصباح']) {
      expect(checkPasswordPolicy(fine, 'alice.admin'), fine).toBe(fine);
    }
  });

  it('tokens: only a hash is kept, comparison is by hash, and text containing one is masked', () => {
    const t = newToken('device');
    expect(parseToken(t.token)).toEqual({ kind: 'device', id: t.id });
    expect(t.hash).not.toContain(t.token);
    expect(tokenMatches(t.token, t.hash)).toBe(true);
    expect(tokenMatches(newToken('device').token, t.hash)).toBe(false);
    expect(new Redactor().redact(`got ${t.token} and Authorization: Bearer abc.def`)).toBe('got [REDACTED-TOKEN] and Authorization: Bearer [REDACTED]');
  });
});
