// Consistency of what a user is told (issue 11, "a new user's first hour" item 4): usage errors in
// English and Arabic, the fatoora SDK's -help/-version, HTTP errors that name query fields (never CLI
// flags) and list an enum's values, no store created by a mistyped --data, and `users passwd`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePeriod } from '../../src/reports/index.js';
import { boundedPeriod } from '../../src/server/bounds.js';
import { toHttpError } from '../../src/server/errors.js';
import { cli, scratch } from './helpers.js';

const tmp = scratch();
beforeAll(() => {
  vi.stubEnv('FAWTARA_MASTER_KEY', randomBytes(32).toString('hex'));
  vi.stubEnv('FAWTARA_DATABASE_URL', '');
});
afterAll(() => {
  vi.unstubAllEnvs();
  tmp.cleanup();
});

describe('usage errors', () => {
  it("commander's errors carry an Arabic line, and a JSON error object with --json", async () => {
    const unknown = await cli('validate', '--invoice', 'x.xml', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: unknown option '--bogus'/);
    expect(unknown.stderr).toMatch(/خطأ: خيار غير معروف '--bogus'/);

    const missing = await cli('issue', '--input', 'x.json');
    expect(missing.stderr).toMatch(/خطأ: الخيار المطلوب '--unit <unit>' غير محدد/);

    const choice = await cli('csr', '--csr-config', 'x', '--env', 'nope', '--json');
    expect(choice.code).toBe(2);
    const error = JSON.parse(choice.stdout).error;
    expect(error).toMatchObject({ code: 'USAGE' });
    // An enum error lists the allowed values, in both languages.
    expect(error.message).toMatch(/Allowed choices are sandbox, simulation, production/);
    expect(error.messageAr).toMatch(/القيم المسموح بها: sandbox, simulation, production/);
  });

  it('the fatoora SDK spellings -help and -version (fatoora -help prints its usage)', async () => {
    const help = await cli('-help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: fawtara/);
    const version = await cli('-version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('HTTP errors name the request, not the command line', () => {
  it('the VAT-report period: querystring fields, never --period', () => {
    for (const q of [{}, { period: '2026-13' }, { period: '2026-Q1', from: '2026-01-01' }, { from: '2026-02-01', to: '2026-01-01' }]) {
      const http = toHttpError(
        (() => {
          try {
            boundedPeriod(q);
          } catch (e) {
            return e;
          }
          throw new Error('accepted');
        })(),
        'r1',
      );
      expect(http.status).toBe(400);
      expect(JSON.stringify(http.body)).not.toMatch(/--(period|from|to)/);
      expect(http.body.error.field).toMatch(/^querystring\.(period|from|to)$/);
    }
    // The CLI keeps its own option names.
    expect(() => parsePeriod({})).toThrow(/--period/);
  });

  it("an enum field's error lists the allowed values (ajv's enum error)", () => {
    const validation = Object.assign(new Error('querystring/by must be equal to one of the allowed values'), {
      statusCode: 400,
      validationContext: 'querystring',
      validation: [{ instancePath: '/by', message: 'must be equal to one of the allowed values', params: { allowedValues: ['category', 'branch', 'unit'] } }],
    });
    const http = toHttpError(validation, 'r2');
    expect(http.body.error.message).toBe('querystring.by: must be one of: category, branch, unit');
    expect(http.body.error.messageAr).toMatch(/category، branch، unit/);
  });
});

describe('the store is created only on purpose', () => {
  it('a mistyped --data is refused (nothing created) and says which commands create a store', async () => {
    const typo = tmp.path('fawtara-typo');
    const r = await cli('units', 'list', '--data', typo);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no Fawtara store in .*fawtara-typo.*created only by fawtara init, fawtara taxpayers add, fawtara serve/);
    expect(r.stderr).toMatch(/خطأ: /);
    expect(existsSync(typo)).toBe(false);
    // A folder that exists but holds no store is refused too, and stays empty of a database.
    const empty = tmp.path('empty');
    expect((await cli('init', '--data', empty)).code).toBe(0);
    expect(existsSync(join(empty, 'fawtara.db'))).toBe(true);
    expect((await cli('units', 'list', '--data', empty)).stderr).toMatch(/no taxpayer is registered yet/);
  });

  it('users passwd resets a password (printed once) and the stored hash changes; an unknown user is named', async () => {
    const data = tmp.path('users');
    expect((await cli('init', '--data', data)).code).toBe(0);
    const added = await cli('users', 'add', '--username', 'ops', '--role', 'admin', '--global', '--data', data, '--json');
    expect(added.code, added.stderr).toBe(0);
    const hashOf = () => {
      const db = new BetterSqlite3(join(data, 'fawtara.db'), { readonly: true });
      try {
        return (db.prepare("select password_hash from users where username = 'ops'").get() as { password_hash: string }).password_hash;
      } finally {
        db.close();
      }
    };
    const before = hashOf();
    const reset = await cli('users', 'passwd', 'ops', '--data', data, '--json');
    expect(reset.code, reset.stderr).toBe(0);
    const body = JSON.parse(reset.stdout);
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(body.password).not.toBe(JSON.parse(added.stdout).password);
    expect(hashOf()).not.toBe(before);
    const nobody = await cli('users', 'passwd', 'nobody', '--data', data);
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no user nobody/);
  });
});
