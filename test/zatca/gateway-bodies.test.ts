// Issue 17 items 11–13 at the client: answers other projects recorded from the real gateway, replayed
// over loopback — plain strings in `errors[]` and in validation lists stay findings on every endpoint;
// a clearance "duplicate" without a readable cleared invoice is never "accepted"; an empty 401 is a
// clear `unauthorized` outcome. Shapes: ZATCA's OpenAPI files (clearance, reporting, renewal) and the
// bodies quoted in issue 17.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_TRANSITIONS } from '../../src/outbox/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';

let server: Server;
let next: { status: number; body: string } = { status: 200, body: '{}' };
let base = '';
const creds = { binarySecurityToken: 'VE9LRU4=', secret: 'c2VjcmV0' };
const submission = { invoiceHash: 'x'.repeat(44), uuid: '3cf5ee18-ee25-44ea-a444-2c37ba7f28be', invoice: 'PEludm9pY2UvPg==' };
const answer = (status: number, body: unknown) => (next = { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
const client = () => createZatcaClient({ baseUrl: base, timeoutMs: 5000 });
const cleared = Buffer.from('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>').toString('base64');
const vr = (status: string) => ({ infoMessages: [], warningMessages: [], errorMessages: [], status });

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(next.status, next.body === '' ? {} : { 'content-type': 'application/json' });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/e-invoicing/core`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('gateway answers as recorded (issue 17 items 11–13)', () => {
  it('item 11: a production-CSID 400 whose errors[] holds plain strings keeps each as a finding and in the message', async () => {
    answer(400, { errors: ['Request Denied by Policy Module: PREZATCA-Code-Signing template not allowed', 'second finding'] });
    const r = await client().requestProductionCsid(creds, '1234567890123');
    expect(r.kind).toBe('rejected');
    expect(r.errors.map((e) => e.message)).toEqual(['Request Denied by Policy Module: PREZATCA-Code-Signing template not allowed', 'second finding']);
    expect(r.message.en).toContain('Denied by Policy Module');
    expect(r.message.ar).toContain('Denied by Policy Module');
  });

  it('item 11: string entries on every other endpoint — compliance CSID, renewal, compliance invoices, reporting, clearance', async () => {
    answer(400, { errors: ['Invalid OTP'] });
    expect((await client().requestComplianceCsid({ otp: '123456', csrPem: 'x' })).errors[0]?.message).toBe('Invalid OTP');
    answer(400, { errors: ['renewal refused'] });
    expect((await client().renewProductionCsid(creds, { otp: '123456', csrPem: 'x' })).errors[0]?.message).toBe('renewal refused');
    const invoiceBody = {
      validationResults: { ...vr('ERROR'), errorMessages: ['invoice hash is not valid'] },
      reportingStatus: 'NOT_REPORTED',
      clearanceStatus: 'NOT_CLEARED',
    };
    answer(400, invoiceBody);
    expect((await client().submitComplianceInvoice(creds, submission)).errors[0]).toMatchObject({ code: null, message: 'invoice hash is not valid' });
    answer(400, invoiceBody);
    expect((await client().reportInvoice(creds, submission)).errors[0]?.message).toBe('invoice hash is not valid');
    answer(400, { ...invoiceBody, errors: 'a lone string' });
    const c = await client().clearInvoice(creds, submission);
    expect(c.errors.map((e) => e.message)).toEqual(['invoice hash is not valid', 'a lone string']);
  });

  it('item 12: clearance 409 NOT_CLEARED with clearedInvoice null is not accepted: held with a reason', async () => {
    answer(409, { validationResults: vr('PASS'), clearanceStatus: 'NOT_CLEARED', clearedInvoice: null });
    const r = await client().clearInvoice(creds, submission);
    expect(r).toMatchObject({ kind: 'cleared-document-missing', ok: false, retryable: false, httpStatus: 409 });
    expect(r.message.en).toMatch(/no readable cleared document/);
    expect(OUTCOME_TRANSITIONS[r.kind].state).toBe('held');
    expect(OUTCOME_TRANSITIONS[r.kind].attention?.en).toMatch(/--retry-held/);
  });

  it('item 12: a 208 without clearedInvoice, or with one that is not an invoice, is held too; with the cleared XML it is accepted', async () => {
    answer(208, { validationResults: vr('PASS'), clearanceStatus: 'CLEARED' });
    expect((await client().clearInvoice(creds, submission)).kind).toBe('cleared-document-missing');
    answer(208, { validationResults: vr('PASS'), clearanceStatus: 'CLEARED', clearedInvoice: Buffer.from('not xml at all').toString('base64') });
    expect((await client().clearInvoice(creds, submission)).kind).toBe('cleared-document-missing');
    answer(208, { validationResults: vr('PASS'), clearanceStatus: 'CLEARED', clearedInvoice: '%%%' });
    expect((await client().clearInvoice(creds, submission)).kind).toBe('cleared-document-missing');
    answer(208, { validationResults: vr('PASS'), clearanceStatus: 'CLEARED', clearedInvoice: cleared });
    const ok = await client().clearInvoice(creds, submission);
    expect(ok).toMatchObject({ kind: 'duplicate-accepted', ok: true });
    expect(ok.body?.clearedInvoice).toBe(cleared);
  });

  it('item 13: an empty 401 is `unauthorized` with a clear bilingual message, on invoices and on renewal', async () => {
    answer(401, '');
    const r = await client().reportInvoice(creds, submission);
    expect(r).toMatchObject({ kind: 'unauthorized', ok: false, retryable: false, httpStatus: 401, errors: [] });
    expect(r.message.en).toMatch(/refused the credentials/);
    expect(r.message.ar).toMatch(/رفضت الهيئة بيانات الاعتماد/);
    answer(401, '');
    expect((await client().renewProductionCsid(creds, { otp: '123456', csrPem: 'x' })).kind).toBe('unauthorized');
  });
});
