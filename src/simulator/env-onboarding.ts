// The onboarding endpoints of a simulated environment: POST /compliance (CCSID from a CSR and an
// OTP), POST /compliance/invoices, and POST/PATCH /production/csids (docs/zatca-notes.md §A12.4–§12.7).
import type { CsrFacts } from './checks.js';
import type { GatewayRequest, GatewayResponse, SimEnvironment } from './environment.js';
import { cannedCsid, DEVELOPER_PORTAL_OTP, isCanned } from './env-developer-portal.js';
import { pipeline } from './env-findings.js';
import { record } from './env-recording.js';
import { EGS_SERIAL, VAT_NUMBER } from '../model/identifiers.js';
import { ECDSA_SHA256, parseJsonObject, readCsrField } from './env-shared.js';
import { COMPLIANCE_STEPS } from './invoice-facts.js';
import { csidErrorBody, missingStepsBody } from './messages.js';
import type { CsidKind } from './state.js';
import { TOKEN_TYPE_X509 } from '../zatca/types.js';

// --- POST /compliance (docs/zatca-notes.md §A12.4) --------------------------------------------------------

export function complianceCsid(env: SimEnvironment, request: GatewayRequest): GatewayResponse {
  const otp = (request.headers.otp ?? '').trim();
  if (otp === '') return { status: 400, body: csidErrorBody('Missing-OTP') };
  const csrPem = readCsrField(request.rawBody);
  if (csrPem === undefined) return { status: 400, body: csidErrorBody('Missing-CSR') };
  const csr = parseCsr(env, csrPem);
  if (!otpAccepted(env, otp, 'onboard', csr?.san.UID)) return { status: 400, body: csidErrorBody('Invalid-OTP') };
  if (!csr || !csrAcceptable(env, csr)) return { status: 400, body: csidErrorBody('Invalid-CSR') };
  consumeOtp(env, otp);
  const egsId = `egs-${String(env.state.nextEgsNumber++).padStart(4, '0')}`;
  const requestId = env.mode.constantComplianceRequestId ?? undefined;
  const ccsid = env.mode.cannedCertificate ? cannedCsid(env, 'compliance', egsId, requestId) : env.issueCsid('compliance', csrPem, csr, egsId, requestId);
  env.state.egs[egsId] = {
    id: egsId,
    vat: csr.san.UID!,
    commonName: csr.subject.CN!,
    serialNumber: csr.san.SN!,
    organizationUnit: csr.subject.OU!,
    title: csr.san.title!,
    createdAt: env.now().toISOString(),
    ccsidToken: ccsid.token,
  };
  env.save();
  return {
    status: 200,
    body: { requestID: ccsid.requestId, dispositionMessage: 'ISSUED', binarySecurityToken: ccsid.token, secret: ccsid.secret },
  };
}

export function parseCsr(env: SimEnvironment, csrPem: string): CsrFacts | undefined {
  try {
    return env.checks.parseCsr(csrPem);
  } catch {
    return undefined;
  }
}

/** docs/zatca-notes.md §A12.4 step 3. */
export function csrAcceptable(env: SimEnvironment, csr: CsrFacts): boolean {
  const s = csr.subject;
  const san = csr.san;
  const nonEmpty = (v: string | undefined): boolean => v !== undefined && v.trim() !== '';
  if (!csr.signatureValid || csr.keyCurve !== 'secp256k1' || !ECDSA_SHA256.includes(csr.signatureAlgorithm)) return false;
  if (s.C !== 'SA' || !nonEmpty(s.OU) || !nonEmpty(s.O) || !nonEmpty(s.CN)) return false;
  if (!csr.templateName || !env.mode.expectedTemplates.includes(csr.templateName)) return false;
  if (!san.SN || !EGS_SERIAL.test(san.SN)) return false;
  if (!san.UID || !VAT_NUMBER.test(san.UID)) return false;
  if (!san.title || !env.mode.allowedTitles.includes(san.title)) return false;
  if (!nonEmpty(san.registeredAddress) || !nonEmpty(san.businessCategory)) return false;
  // VAT group numbers carry 1 at the 11th digit; OU must then be the member's 10-digit TIN (§5.2).
  if (san.UID[10] === '1' && !/^\d{10}$/.test(s.OU!)) return false;
  return true;
}

export function otpAccepted(env: SimEnvironment, otp: string, purpose: 'onboard' | 'renew', vat: string | undefined): boolean {
  if (env.mode.otpPolicy === 'sandbox') return /^\d{6}$/.test(otp) && otp !== '111111' && otp !== '222222';
  if (env.mode.otpPolicy === 'fixed') return otp === DEVELOPER_PORTAL_OTP;
  const record = env.state.otps[otp];
  if (!record || record.usedAt || record.purpose !== purpose) return false;
  if (env.now().getTime() >= Date.parse(record.expiresAt)) return false;
  if (vat !== undefined && record.vat !== vat) return false;
  const taxpayer = env.state.taxpayers[record.vat];
  return !!taxpayer && (taxpayer.status === 'Active' || taxpayer.status === 'Reactive');
}

export function consumeOtp(env: SimEnvironment, otp: string): void {
  const record = env.state.otps[otp];
  if (record) record.usedAt = env.now().toISOString();
}

// --- POST /compliance/invoices (docs/zatca-notes.md §A12.5) -------------------------------------------------

export async function complianceInvoices(env: SimEnvironment, request: GatewayRequest): Promise<GatewayResponse> {
  const kinds: CsidKind[] = env.mode.allowPcsidOnCompliance ? ['compliance', 'production'] : ['compliance'];
  const csid = env.authenticate(request, kinds);
  if (!csid) return env.unauthorized(request);
  const run = await pipeline(env, request, csid, 'compliance-invoices');
  const results = run.results;
  const passed = results.status === 'PASS' || (results.status === 'WARNING' && env.mode.warningCountsAsPass);
  const step = run.facts?.complianceStep;
  if (passed && step && csid.kind === 'compliance' && !csid.doneSteps.includes(step)) csid.doneSteps.push(step);
  const status = results.status === 'ERROR' ? 400 : results.status === 'WARNING' ? env.mode.complianceWarningStatus : 200;
  record(env, csid, 'compliance-invoices', status, run);
  env.save();
  const simplified = run.facts?.simplified ?? false;
  const ok = results.status !== 'ERROR';
  return {
    status,
    body: {
      validationResults: results,
      reportingStatus: simplified ? (ok ? 'REPORTED' : 'NOT_REPORTED') : null,
      clearanceStatus: simplified ? null : ok ? 'CLEARED' : 'NOT_CLEARED',
      qrSellertStatus: null,
      qrBuyertStatus: null,
    },
  };
}

// --- POST /production/csids (docs/zatca-notes.md §A12.6) ----------------------------------------------------

export function productionCsid(env: SimEnvironment, request: GatewayRequest): GatewayResponse {
  const ccsid = env.authenticate(request, ['compliance']);
  if (!ccsid) return env.unauthorized(request);
  const body = parseJsonObject(request.rawBody);
  const given = body?.compliance_request_id;
  if ((typeof given !== 'string' && typeof given !== 'number') || String(given).trim() !== String(ccsid.requestId) || ccsid.promotedTo) {
    return { status: 400, body: csidErrorBody('Invalid-Request-ID') };
  }
  const missing = COMPLIANCE_STEPS.filter((s) => ccsid.requiredSteps.includes(s) && !ccsid.doneSteps.includes(s));
  if (missing.length > 0) return { status: 400, body: missingStepsBody(missing) };
  const csr = parseCsr(env, ccsid.csrPem);
  if (!csr) throw new Error('stored CSR no longer parses');
  const pcsid = env.mode.cannedCertificate ? cannedCsid(env, 'production', ccsid.egsId) : env.issueCsid('production', ccsid.csrPem, csr, ccsid.egsId);
  ccsid.promotedTo = pcsid.token;
  const egs = env.state.egs[ccsid.egsId]!;
  // Completing a renewal: the previous PCSID is revoked now (docs/zatca-notes.md §A12.6 step 3).
  if (ccsid.renewalOf) env.revokeCsid(ccsid.renewalOf, 'renewed');
  egs.pcsidToken = pcsid.token;
  env.save();
  return {
    status: 200,
    body: { requestID: pcsid.requestId, tokenType: TOKEN_TYPE_X509, dispositionMessage: 'ISSUED', binarySecurityToken: pcsid.token, secret: pcsid.secret },
  };
}

// --- PATCH /production/csids (docs/zatca-notes.md §A12.7) ---------------------------------------------------

export function renewProductionCsid(env: SimEnvironment, request: GatewayRequest): GatewayResponse {
  const pcsid = env.authenticate(request, ['production']);
  if (!pcsid) return env.unauthorized(request);
  const otp = (request.headers.otp ?? '').trim();
  if (otp === '') return { status: 400, body: csidErrorBody('Missing-OTP') };
  const csrPem = readCsrField(request.rawBody);
  if (csrPem === undefined) return { status: 400, body: csidErrorBody('Missing-CSR') };
  if (!otpAccepted(env, otp, 'renew', pcsid.vat)) return { status: 400, body: csidErrorBody('Invalid-OTP') };
  const csr = parseCsr(env, csrPem);
  if (!csr || !csrAcceptable(env, csr) || csr.san.UID !== pcsid.vat) return { status: 400, body: csidErrorBody('Invalid-CSR') };
  consumeOtp(env, otp);
  const egs = env.state.egs[pcsid.egsId]!;
  if (env.mode.renewalResponse === 200) {
    const next = env.mode.cannedCertificate ? cannedCsid(env, 'production', egs.id) : env.issueCsid('production', csrPem, csr, egs.id);
    // The canned credential is everyone's: renewing hands the same one back, never revokes it.
    if (!isCanned(env, pcsid.token)) env.revokeCsid(pcsid.token, 'renewed');
    egs.pcsidToken = next.token;
    egs.title = csr.san.title!;
    env.save();
    return {
      status: 200,
      body: { requestID: next.requestId, tokenType: TOKEN_TYPE_X509, dispositionMessage: 'ISSUED', binarySecurityToken: next.token, secret: next.secret },
    };
  }
  const ccsid = env.issueCsid('compliance', csrPem, csr, egs.id);
  ccsid.renewalOf = pcsid.token;
  egs.ccsidToken = ccsid.token;
  egs.title = csr.san.title!;
  if (env.mode.revokeOldOnPatch) env.revokeCsid(pcsid.token, 'renewed');
  env.save();
  const body = {
    requestID: ccsid.requestId,
    tokenType: null,
    dispositionMessage: 'NOT_COMPLIANT',
    binarySecurityToken: ccsid.token,
    secret: ccsid.secret,
    errors: null,
  };
  return { status: 428, body: env.mode.wrap428InValue ? { value: body } : body };
}
