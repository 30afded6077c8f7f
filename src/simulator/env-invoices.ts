// The invoice endpoints of a simulated environment: reporting and clearance (docs/zatca-notes.md §A12.9, §A12.10),
// duplicates within 24 hours (208/409, recorded with the document's UUID) and the cleared stamp.
import type { GatewayRequest, GatewayResponse, SimEnvironment } from './environment.js';
import { pipeline } from './env-findings.js';
import { record, recordRaw } from './env-recording.js';
import { bodyUuid, DAY_MS, parseJsonObject } from './env-shared.js';
import { simMessage, toResults } from './messages.js';

// --- POST /invoices/reporting/single (docs/zatca-notes.md §A12.9) ---------------------------------------------

export async function reporting(env: SimEnvironment, request: GatewayRequest): Promise<GatewayResponse> {
  const pcsid = env.authenticate(request, ['production']);
  if (!pcsid) return env.unauthorized(request);
  const language = env.language(request);
  const hash = parseJsonObject(request.rawBody)?.invoiceHash;
  const earlier = typeof hash === 'string' ? success(env, hash) : undefined;
  if (earlier) {
    const message =
      env.mode.duplicate409Style === 'openapi'
        ? { ...simMessage('duplicate-reported', language), code: null, category: null }
        : simMessage('duplicate-reported', language);
    const body = { validationResults: toResults([message]), reportingStatus: 'NOT_REPORTED' };
    recordRaw(env, pcsid, 'reporting', 409, earlier.uuid ?? bodyUuid(request.rawBody), hash as string, null);
    env.save();
    return { status: 409, body };
  }
  const run = await pipeline(env, request, pcsid, 'reporting');
  const status = run.results.status === 'ERROR' ? 400 : run.results.status === 'WARNING' ? 202 : 200;
  if (status !== 400 && run.bodyHash) {
    env.state.successes[run.bodyHash] = {
      invoiceHash: run.bodyHash,
      uuid: run.facts?.uuid ?? null,
      at: env.now().toISOString(),
      endpoint: 'reporting',
      validationResults: run.results,
    };
  }
  record(env, pcsid, 'reporting', status, run);
  env.save();
  return { status, body: { validationResults: run.results, reportingStatus: status === 400 ? 'NOT_REPORTED' : 'REPORTED' } };
}

// --- POST /invoices/clearance/single (docs/zatca-notes.md §A12.10) --------------------------------------------

export async function clearance(env: SimEnvironment, request: GatewayRequest): Promise<GatewayResponse> {
  const pcsid = env.authenticate(request, ['production']);
  if (!pcsid) return env.unauthorized(request);
  const language = env.language(request);
  const headerOff = env.mode.honourClearanceStatusHeader && (request.headers['clearance-status'] ?? '').trim() === '0';
  if (!env.state.clearanceEnabled || headerOff) return { status: 303, body: { message: env.mode.clearanceOffMessage } };
  const hash = parseJsonObject(request.rawBody)?.invoiceHash;
  const earlier = typeof hash === 'string' ? success(env, hash) : undefined;
  if (earlier && earlier.endpoint === 'clearance') {
    const previous = earlier.validationResults;
    const messages = [...previous.infoMessages, ...previous.warningMessages, ...previous.errorMessages];
    if (env.mode.duplicate208Warning) messages.push(simMessage('duplicate-cleared', language));
    recordRaw(env, pcsid, 'clearance', 208, earlier.uuid ?? bodyUuid(request.rawBody), hash as string, null);
    env.save();
    return { status: 208, body: { validationResults: toResults(messages), clearanceStatus: 'CLEARED', clearedInvoice: earlier.clearedInvoice ?? null } };
  }
  const run = await pipeline(env, request, pcsid, 'clearance');
  if (run.results.status === 'ERROR' || !run.xml) {
    record(env, pcsid, 'clearance', 400, run);
    env.save();
    return { status: 400, body: { validationResults: run.results, clearanceStatus: 'NOT_CLEARED', clearedInvoice: null } };
  }
  const cleared = await env.checks.stampCleared(run.xml, { stamp: env.authorities().stamp, now: env.now() });
  const clearedInvoice = Buffer.from(cleared, 'utf8').toString('base64');
  const status = run.results.status === 'WARNING' ? 202 : 200;
  // docs/zatca-notes.md §A12.10 step 7 self-test: stamping must not change the invoice hash. The engine's
  // stamper adds indentation around the stamp, which changes the hash of a document that
  // arrived unsigned; say so rather than hide it (integration point with src/stamp).
  const clearedHash = env.checks.invoiceHash(cleared);
  const diagnostic = clearedHash === run.computedHash ? undefined : 'cleared invoice hash differs from the submitted one';
  if (run.bodyHash) {
    env.state.successes[run.bodyHash] = {
      invoiceHash: run.bodyHash,
      uuid: run.facts?.uuid ?? null,
      at: env.now().toISOString(),
      endpoint: 'clearance',
      validationResults: run.results,
      clearedInvoice,
    };
  }
  record(env, pcsid, 'clearance', status, run, clearedInvoice);
  env.save();
  return { status, body: { validationResults: run.results, clearanceStatus: 'CLEARED', clearedInvoice }, ...(diagnostic && { diagnostic }) };
}

/** A success within the last 24 h of simulated time (docs/zatca-notes.md §A9); older entries are forgotten. */
export function success(env: SimEnvironment, hash: string) {
  const entry = env.state.successes[hash];
  if (!entry) return undefined;
  if (env.now().getTime() - Date.parse(entry.at) >= DAY_MS) {
    delete env.state.successes[hash];
    return undefined;
  }
  return entry;
}
