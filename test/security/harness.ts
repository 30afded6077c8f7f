// The security suite's harness: head office with the chain's taxpayer (3 branches, 6 units) and a
// second taxpayer, a caller of every kind (each role, a device, a branch node, the other taxpayer's),
// and the route table with concrete URLs — so a route added tomorrow is attacked by every test here.
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { addBranch, addTaxpayer, addUnit } from '../../src/egs/index.js';
import type { RouteRecord } from '../../src/server/plugin.js';
import { createDeviceToken, createUser } from '../../src/server/access/users.js';
import { createSyncToken } from '../../src/sync/index.js';
import { tenants, units, type Taxpayer } from '../../src/store/index.js';
import { CHAIN_VAT, PASSWORD, testServer, type Caller, type Engine, type TestServer } from '../server/helpers.js';
import { onboardedServer, type OnboardedServer } from '../server/onboarded.js';

export { CHAIN_VAT, ENGINES, PASSWORD, type Caller, type Engine } from '../server/helpers.js';

/** The second taxpayer: its callers hold valid tokens, relabelled onto the first one's URLs. */
export const OTHER_VAT = '311111111100003';

export interface Callers {
  /** Global administrator. */
  admin: Caller;
  /** Administrator of the chain's taxpayer only. */
  tpAdmin: Caller;
  auditor: Caller;
  managerRuh: Caller;
  managerJed: Caller;
  /** A person at RUH-POS-1's till (session) and RUH-POS-1's device token. */
  cashierRuh1: Caller;
  deviceRuh1: Caller & { token: string };
  deviceJed1: Caller & { token: string };
  /** Jeddah's branch node. */
  syncJed: Caller;
  /** The other taxpayer's administrator and a device of its unit. */
  otherAdmin: Caller;
  otherDevice: Caller & { token: string };
}

export interface SecurityServer extends TestServer {
  other: Taxpayer;
  callers: Callers;
  /** Concrete URL of a route pattern (chain taxpayer, Riyadh, RUH-POS-1 unless given). */
  url(route: string, values?: { vat?: string; branch?: string; unit?: string; document?: string }): string;
  /** Every answer `call` received (body and headers), for the tests that look for secrets in them. */
  responses: string[];
  /** Inject from a fresh client address, so bearer-token counting of one test never throttles another. */
  call(method: string, url: string, caller?: Caller, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  routes(): RouteRecord[];
}

let addressCounter = 0;
/** A distinct loopback-range address per request (10.x is only ever a label here: inject sends no packet). */
export function freshAddress(): string {
  addressCounter++;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

async function session(s: TestServer, username: string, role: string, scope: { branch?: string; unit?: string; global?: boolean; taxpayer?: Taxpayer }) {
  const db = s.fleet.store.db;
  const taxpayer = scope.global ? null : (scope.taxpayer ?? s.taxpayer);
  const branch = scope.branch ? await tenants.findBranch(db, taxpayer!.id, scope.branch) : null;
  const unit = scope.unit ? await units.findUnit(db, taxpayer!.id, scope.unit) : null;
  await createUser(s.ax, { kind: 'cli', actor: 'cli:test' }, { username, password: PASSWORD, role, taxpayer, branch: branch ?? null, unit: unit ?? null });
  const r = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD }, remoteAddress: freshAddress() });
  if (r.statusCode !== 200) throw new Error(`login of ${username} failed: ${r.body}`);
  return { authorization: `Bearer ${r.json().token}` };
}

async function device(s: TestServer, taxpayer: Taxpayer, unitRef: string) {
  const unit = (await units.findUnit(s.fleet.store.db, taxpayer.id, unitRef))!;
  const { token } = await createDeviceToken(s.ax, { kind: 'cli', actor: 'cli:test' }, unit, {});
  return { authorization: `Bearer ${token}`, token };
}

export function fillRoute(route: string, values: { vat?: string; branch?: string; unit?: string; document?: string } = {}): string {
  return route
    .replace(':vat', values.vat ?? CHAIN_VAT)
    .replace(':branch', encodeURIComponent(values.branch ?? 'Riyadh'))
    .replace(':unit', encodeURIComponent(values.unit ?? 'RUH-POS-1'))
    .replace(':document', encodeURIComponent(values.document ?? 'no-such-document'))
    .replace(':tokenId', '0123456789abcdef')
    .replace(':username', 'someone')
    .replace(/:([A-Za-z]+)/g, 'x');
}

/** Everything the suite needs on top of a server: the second taxpayer and a caller of each kind. */
async function equip<T extends TestServer>(s: T): Promise<T & SecurityServer> {
  const other = await addTaxpayer(s.fleet, { vatNumber: OTHER_VAT, nameAr: 'مكلف آخر', nameEn: 'Other Taxpayer LLC' });
  await addBranch(s.fleet, other, {
    name: 'Makkah',
    crn: '4031010009',
    street: 'Ibrahim Al-Khalil',
    buildingNumber: '3131',
    district: 'Al-Haram',
    city: 'Makkah',
    postalCode: '24231',
  });
  await addUnit(s.fleet, other, { branch: 'Makkah', serial: '1-Other|2-POS|3-MAK-001', name: 'MAK-POS-1' });
  const jeddah = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Jeddah'))!;
  const callers: Callers = {
    admin: await session(s, 'sec.admin', 'admin', { global: true }),
    tpAdmin: await session(s, 'sec.tpadmin', 'admin', {}),
    auditor: await session(s, 'sec.auditor', 'auditor', {}),
    managerRuh: await session(s, 'sec.manager.ruh', 'branch-manager', { branch: 'Riyadh' }),
    managerJed: await session(s, 'sec.manager.jed', 'branch-manager', { branch: 'Jeddah' }),
    cashierRuh1: await session(s, 'sec.cashier.ruh1', 'cashier', { unit: 'RUH-POS-1' }),
    deviceRuh1: await device(s, s.taxpayer, 'RUH-POS-1'),
    deviceJed1: await device(s, s.taxpayer, 'JED-POS-1'),
    syncJed: { authorization: `Bearer ${(await createSyncToken(s.fleet, jeddah, { createdBy: 'test' })).token}` },
    otherAdmin: await session(s, 'sec.other.admin', 'admin', { taxpayer: other }),
    otherDevice: await device(s, other, 'MAK-POS-1'),
  };
  const responses: string[] = [];
  return Object.assign(s, {
    other,
    callers,
    responses,
    url: fillRoute,
    call: async (method: string, url: string, caller?: Caller, payload?: unknown, headers: Record<string, string> = {}) => {
      const res = await s.app.inject({
        method: method as 'GET',
        url,
        headers: { ...headers, ...(caller ?? {}) },
        ...(payload !== undefined && { payload: payload as object }),
        remoteAddress: freshAddress(),
      });
      responses.push(`${JSON.stringify(res.headers)}\n${res.body}`);
      return res;
    },
    routes: () => s.app.fawtara.routes,
  });
}

/** Head office without ZATCA: every route, every caller; the clock can move (expiry). */
export async function securityServer(engine: Engine, extra: { sqliteFile?: string } = {}): Promise<SecurityServer> {
  return equip(await testServer(engine, extra));
}

/** Head office with every chain unit onboarded against the simulator: documents can be issued. */
export async function onboardedSecurityServer(engine: Engine, extra: { sqliteFile?: string } = {}): Promise<SecurityServer & OnboardedServer> {
  return equip(await onboardedServer(engine, extra));
}

/** A well-formed token of our shape that was never issued. */
export function forgedToken(prefix: 'fws' | 'fwd' | 'fwb' | 'fwsetup'): string {
  return `${prefix}_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}

/** A valid token's id with another secret: the store finds the row, the comparison fails. */
export function wrongSecret(token: string): string {
  const [prefix, id] = token.split('_');
  return `${prefix}_${id}_${randomBytes(32).toString('base64url')}`;
}

/** A body that passes each write route's schema, so a refusal is about access, not about input. */
export const VALID_BODIES: Record<string, unknown> = {
  'POST /api/v1/taxpayers': { vatNumber: '300000000000003', nameAr: 'مكلف' },
  'POST /api/v1/taxpayers/:vat/members': { tin: '3999999999', name: 'Member' },
  'POST /api/v1/taxpayers/:vat/branches': {
    name: 'Abha',
    crn: '5850010001',
    street: 'S',
    buildingNumber: '1234',
    district: 'D',
    city: 'Abha',
    postalCode: '62521',
  },
  'POST /api/v1/taxpayers/:vat/units': { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-099' },
  'POST /api/v1/users': { username: 'newbie', password: 'a long enough password', role: 'auditor' },
  'POST /api/v1/auth/login': { username: 'x', password: 'y' },
  'POST /api/v1/setup': { setupToken: 'x', username: 'x', password: 'y' },
  'POST /api/v1/auth/password': { currentPassword: 'x', newPassword: 'y' },
  'POST /api/v1/taxpayers/:vat/units/:unit/sales': { lines: [{ name: 'Item one', quantity: '1', unitPrice: '1.15' }] },
};

export function bodyFor(r: Pick<RouteRecord, 'method' | 'url'>): unknown {
  if (r.method === 'GET' || r.method === 'DELETE') return undefined;
  return VALID_BODIES[`${r.method} ${r.url}`] ?? {};
}
