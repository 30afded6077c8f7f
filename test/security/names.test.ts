// Names that tell units (and device tokens) apart are what they look like: stored in NFC, and no
// control, zero-width or direction-changing character — a name such as "RUH-POS-1\u202E" that
// renders like another unit's, or hides a reversed tail, is refused naming the code point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { units } from '../../src/store/index.js';
import { ENGINES, fillRoute, securityServer, type SecurityServer } from './harness.js';

describe.each(ENGINES)('unit and token names on %s', (engine) => {
  let s: SecurityServer;
  const addUnit = (body: Record<string, unknown>) =>
    s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units'), s.callers.managerRuh, { branch: 'Riyadh', ...body });

  beforeAll(async () => {
    s = await securityServer(engine);
  }, 120_000);
  afterAll(async () => s?.close());

  it('refuses invisible, control and bidi characters in unit names and serials, naming the code point', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ serial: '1-Fawtara|2-POS|3-RUH-101', name: 'RUH-POS-1\u202Egpj.exe' }, 'name', 'U+202E'],
      [{ serial: '1-Fawtara|2-POS|3-RUH-102', name: 'RUH\u200B-POS-1' }, 'name', 'U+200B'],
      [{ serial: '1-Fawtara|2-POS|3-RUH-103', name: 'RUH-POS\u2066-9\u2069' }, 'name', 'U+2066'],
      [{ serial: '1-Fawtara|2-POS|3-RUH-104', name: 'RUH-POS-\u00A0104' }, 'name', 'U+00A0'],
      [{ serial: '1-Fawtara|2-POS|3-RUH-105', name: 'RUH\u0007POS' }, 'name', 'U+0007'],
      [{ serial: '1-Fawtara|2-POS\u202E|3-RUH-106', name: 'RUH-POS-106' }, 'serial', 'U+202E'],
      // The default name is the serial's third part: it is checked the same way.
      [{ serial: '1-Fawtara|2-POS|3-RUH\uFEFF107' }, 'serial', 'U+FEFF'],
    ];
    for (const [body, field, code] of cases) {
      const res = await addUnit(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.field).toBe(field);
      expect(res.json().error.message).toContain(code);
      expect(res.json().error.messageAr).toContain(code);
    }
    expect(await units.findUnit(s.fleet.store.db, s.taxpayer.id, '1-Fawtara|2-POS|3-RUH-101')).toBeUndefined();
  });

  it('stores names in NFC and finds a unit by either normal form', async () => {
    const decomposed = 'RUH-Cafe\u0301-1'; // "é" as e + combining acute (NFD)
    const res = await addUnit({ serial: '1-Fawtara|2-POS|3-RUH-110', name: decomposed });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().unit.name).toBe('RUH-Caf\u00e9-1');
    for (const ref of [decomposed, 'RUH-Caf\u00e9-1']) {
      const got = await s.call('GET', fillRoute('/api/v1/taxpayers/:vat/units/:unit', { unit: ref }), s.callers.managerRuh);
      expect(got.statusCode, ref).toBe(200);
    }
    // The same name in the other form is the same name: a second unit may not take it.
    expect((await addUnit({ serial: '1-Fawtara|2-POS|3-RUH-111', name: 'RUH-Caf\u00e9-1' })).statusCode).toBe(409);
  });

  it('device-token names are held to the same rule', async () => {
    const url = fillRoute('/api/v1/taxpayers/:vat/units/:unit/tokens');
    expect((await s.call('POST', url, s.callers.managerRuh, { name: 'till \u202E1' })).statusCode).toBe(400);
    const ok = await s.call('POST', url, s.callers.managerRuh, { name: 'till 1' });
    expect(ok.statusCode).toBe(201);
  });
});
