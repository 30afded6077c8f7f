// What head office shows about branch sync: each branch's last sync, the chain heads held here and
// those the branch reported (the lag), open submissions, and the incidents (refused batches).
import type { FleetContext } from '../egs/index.js';
import { sync as syncRepo, type Taxpayer } from '../store/index.js';
import type { ReportingMode } from './protocol.js';
import { WITH_BRANCH } from './receive.js';

export interface BranchSyncStatus {
  branch: string;
  reporting: ReportingMode;
  relayUnit: string | null;
  node: string | null;
  lastSyncAt: string | null;
  lastBatchId: string | null;
  units: Array<{ serial: string; name: string; icv: number; hash: string; branchIcv: number | null; lag: number | null }>;
  withBranch: number;
  relayQueued: number;
  incidents: number;
}

export async function branchSyncStatus(ctx: FleetContext, taxpayer: Taxpayer, branchId?: string): Promise<BranchSyncStatus[]> {
  const db = ctx.store.db;
  const out: BranchSyncStatus[] = [];
  for (const b of await syncRepo.branchSyncRows(db, taxpayer.id, branchId)) {
    const units = await syncRepo.branchHeads(db, b.id);
    if (!b.reporting && units.length === 0) continue;
    const reported = JSON.parse(b.reported_heads ?? '[]') as Array<{ serial: string; generation: number; icv: number }>;
    out.push({
      branch: b.name,
      reporting: b.reporting === 'relay' ? 'relay' : 'direct',
      relayUnit: b.relay_name ?? null,
      node: b.node_name ?? null,
      lastSyncAt: b.last_sync_at ?? null,
      lastBatchId: b.last_batch_id ?? null,
      units: units.map((u) => {
        const r = reported.find((x) => x.serial === u.serial && x.generation === u.generation);
        return { serial: u.serial, name: u.name, icv: u.icv, hash: u.pih, branchIcv: r?.icv ?? null, lag: r ? Math.max(0, r.icv - u.icv) : null };
      }),
      withBranch: await syncRepo.countBranchSubmissions(db, b.id, WITH_BRANCH),
      relayQueued: await syncRepo.countBranchSubmissions(db, b.id, 'to-submit'),
      incidents: await syncRepo.countIncidents(db, b.id),
    });
  }
  return out;
}

export function listIncidents(ctx: FleetContext, taxpayer: Taxpayer, branchId?: string) {
  return syncRepo.listIncidents(ctx.store.db, taxpayer.id, branchId);
}
