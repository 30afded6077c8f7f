// How a branch's documents reach ZATCA, set by head office: the branch reports them itself (direct),
// or head office relays them with one of its own units' CSID (same VAT number).
import { FleetError, type FleetContext } from '../egs/index.js';
import { sync as syncRepo, type Branch, type EgsUnit, type Taxpayer } from '../store/index.js';
import type { ReportingMode } from './protocol.js';

export interface BranchSyncSettings {
  reporting: ReportingMode;
  /** Head office's own onboarded unit whose CSID submits relayed documents (same VAT number). */
  relayUnit?: EgsUnit | null;
}

export async function setBranchSync(ctx: FleetContext, taxpayer: Taxpayer, branch: Branch, s: BranchSyncSettings): Promise<void> {
  if (s.relayUnit) {
    const foreign = (await syncRepo.branchesOfUnits(ctx.store.db, [s.relayUnit.id])).has(s.relayUnit.id);
    if (foreign || s.relayUnit.taxpayer_id !== taxpayer.id) {
      throw new FleetError('INVALID_FIELD', `unit ${s.relayUnit.name} cannot relay: it must be one of head office's own onboarded units of this taxpayer`, {
        field: 'relayUnit',
        messageAr: 'وحدة الترحيل يجب أن تكون من وحدات المقر المسجلة لهذا المكلف',
      });
    }
  }
  if (s.reporting === 'relay' && !s.relayUnit)
    throw new FleetError('INVALID_FIELD', "relay reporting needs relayUnit: the head-office unit whose CSID submits the branch's documents", {
      field: 'relayUnit',
      messageAr: 'الترحيل عبر المقر يتطلب تحديد وحدة المقر التي ترسل المستندات',
    });
  await syncRepo.upsertBranchSettings(ctx.store.db, taxpayer.id, branch.id, {
    reporting: s.reporting,
    relay_unit_id: s.relayUnit?.id ?? null,
    updated_at: ctx.clock.now().toISOString(),
  });
}
