// The branch node's link to head office: POST with its sync token (network faults → HQ_UNREACHABLE,
// refusals keep their reason), and the enrolment of its units (offered, then approved at head office).
import type { Kysely } from 'kysely';
import { loadCertificate } from '../crypto/certificate.js';
import type { FleetContext } from '../egs/index.js';
import { credentials, sync as syncRepo, units as unitRepo, type Database, type EgsUnit, type Taxpayer } from '../store/index.js';
import { SyncError, type SyncReason } from './errors.js';
import type { ReportingMode, SyncBatch, SyncResult } from './protocol.js';

export interface BranchSyncOptions {
  hqUrl: string;
  token: string;
  /** This node's name as head office shows it. */
  node: string;
  /** Used until head office has said which mode the branch is in. */
  reporting?: ReportingMode;
  batchDocuments?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const KNOWN_REFUSALS = new Set<SyncReason>([
  'FORK',
  'GAP',
  'INVALID_DOCUMENT',
  'FOREIGN_UNIT',
  'BATCH_CONFLICT',
  'BAD_SIGNATURE',
  'UNREGISTERED_CERTIFICATE',
  'FIGURES_MISMATCH',
  'BAD_TIME',
  'BAD_CLEARANCE',
  'NOT_ENROLLED',
  'ENROLMENT_REFUSED',
  'UNIT_ENDED',
]);

/** POST JSON to head office. Network failures and 5xx are `HQ_UNREACHABLE` (retry later); refusals keep their reason. */
export async function postToHq<T>(path: string, body: unknown, options: Pick<BranchSyncOptions, 'hqUrl' | 'token' | 'timeoutMs' | 'fetch'>): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(new URL(path, options.hqUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new SyncError(
      'HQ_UNREACHABLE',
      `head office (${options.hqUrl}) did not answer: ${(error as Error).message}; nothing was lost, the branch syncs again later`,
      'لم يستجب المقر؛ لم يُفقد شيء وستُعاد المزامنة لاحقاً',
    );
  }
  const text = await res.text();
  if (res.status >= 500 || res.status === 429)
    throw new SyncError(
      'HQ_UNREACHABLE',
      `head office answered ${res.status}; the branch syncs again later`,
      `أجاب المقر بالحالة ${res.status}؛ ستُعاد المزامنة لاحقاً`,
      {
        status: res.status,
      },
    );
  if (!res.ok) {
    let parsed: { error?: { message?: string; messageAr?: string; reason?: string } } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      /* not JSON: keep the status */
    }
    const reason = parsed.error?.reason as SyncReason | undefined;
    throw new SyncError(
      reason && KNOWN_REFUSALS.has(reason) ? reason : 'HQ_REFUSED',
      `head office refused (${res.status}): ${parsed.error?.message ?? text.slice(0, 300)}`,
      parsed.error?.messageAr ?? `رفض المقر الطلب (${res.status})`,
      { status: res.status },
    );
  }
  return JSON.parse(text) as T;
}

/** POST one batch to head office. */
export function pushBatch(batch: SyncBatch, options: Pick<BranchSyncOptions, 'hqUrl' | 'token' | 'timeoutMs' | 'fetch'>): Promise<SyncResult> {
  // The node's own clock at sending (outside the batch id): head office records the offset (docs/server.md, "Operators and clocks").
  return postToHq<SyncResult>('/api/v1/sync/batches', { ...batch, nodeTime: new Date().toISOString() }, options);
}

const enrolmentKey = (u: Pick<EgsUnit, 'serial' | 'generation'>) => `enrolment:${u.serial}#${u.generation}`;

/** Units whose enrolment head office approved (as last heard), keyed `serial#generation`. */
export async function enrolledUnits(db: Kysely<Database>, units: readonly EgsUnit[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const u of units) {
    const v = await syncRepo.nodeValue(db, enrolmentKey(u));
    if (v && (JSON.parse(v) as { state: string }).state === 'approved') out.add(`${u.serial}#${u.generation}`);
  }
  return out;
}

/**
 * Offer head office every unit with a production certificate it has not approved yet (a renewed
 * certificate is offered again). Head office checks it; an administrator approves it there.
 */
export async function requestEnrolments(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  options: Pick<BranchSyncOptions, 'hqUrl' | 'token' | 'timeoutMs' | 'fetch'>,
): Promise<Array<{ serial: string; generation: number; state: string }>> {
  const db = ctx.store.db;
  const out: Array<{ serial: string; generation: number; state: string }> = [];
  for (const u of await unitRepo.listUnits(ctx.store.db, taxpayer.id)) {
    const csid = await credentials.activeCsid(ctx.store.db, { taxpayerId: taxpayer.id, unitId: u.id }, 'production');
    if (!csid) continue;
    const cert = loadCertificate(csid.binary_security_token, 'production CSID');
    const known = await syncRepo.nodeValue(db, enrolmentKey(u));
    const was = known ? (JSON.parse(known) as { certificateSerial: string; state: string }) : undefined;
    if (was?.certificateSerial === cert.serialNumber && was.state === 'approved') {
      out.push({ serial: u.serial, generation: u.generation, state: 'approved' });
      continue;
    }
    const view = await postToHq<{ state: string }>(
      '/api/v1/sync/enrolments',
      { serial: u.serial, generation: u.generation, name: u.name, title: u.title, environment: u.environment, certificate: cert.base64 },
      options,
    );
    // A renewed certificate still pending: the unit stays enrolled with its approved older certificate.
    const state = view.state === 'approved' || was?.state !== 'approved' ? view.state : 'approved';
    await syncRepo.setNodeValue(
      db,
      enrolmentKey(u),
      JSON.stringify({ certificateSerial: view.state === 'approved' ? cert.serialNumber : (was?.certificateSerial ?? cert.serialNumber), state }),
      ctx.clock.now().toISOString(),
    );
    out.push({ serial: u.serial, generation: u.generation, state: view.state });
  }
  return out;
}
