// What head office's relay got from ZATCA for documents a branch handed over: returned to the branch in
// every sync answer until it has recorded them.
import type { FleetContext } from '../egs/index.js';
import { sync as syncRepo, type Branch, type Taxpayer } from '../store/index.js';
import type { SyncResult } from './protocol.js';
import { FINAL_SUBMISSION_STATES } from '../store/index.js';

export async function relayOutcomes(ctx: FleetContext, taxpayer: Taxpayer, branch: Branch, uuids: readonly string[]): Promise<SyncResult['relayed']> {
  if (uuids.length === 0) return [];
  const rows = await syncRepo.relayedOutcomes(ctx.store.db, taxpayer.id, branch.id, uuids, FINAL_SUBMISSION_STATES);
  return rows.map((r) => ({
    uuid: r.uuid,
    submission: {
      state: r.state,
      endpoint: r.endpoint === 'clearance' ? 'clearance' : 'reporting',
      attempts: r.attempts,
      lastOutcome: r.last_outcome,
      lastHttpStatus: r.last_http_status,
      lastMessage: r.last_message,
      acceptedAt: r.accepted_at,
      late: r.late === 1,
      duplicate: r.duplicate === 1,
    },
    clearedXml: r.cleared ? Buffer.from(r.cleared, 'utf8').toString('base64') : null,
  }));
}
