// The EGS unit lifecycle (docs/zatca-notes.md §A8.2–§A8.3) as one table of allowed moves, and the single function
// that applies a move: compare-and-set on the state plus a history row with who, when and why.
import type { Kysely } from 'kysely';
import { units as unitRepo, type Database, type EgsUnit } from '../store/index.js';
import { FleetError } from './errors.js';

export const UNIT_STATES = [
  'new', // key and CSR exist locally; nothing at ZATCA
  'ccsid-issued', // compliance CSID issued; compliance documents pending
  'compliance-in-progress', // some required compliance steps passed
  'compliance-done', // every required step passed; production CSID next
  'active', // production CSID issued: the unit may issue
  'renewal-pending', // renewal answered 428: the renewed CCSID must pass compliance again
  'revoked', // ZATCA revoked the CSID (portal, VAT status, VAT-group event): final
  'expired', // the production CSID passed its notAfter: final
  'retired', // retired locally: final
] as const;

export type UnitState = (typeof UNIT_STATES)[number];

/** Where each state may go. `new` after a CCSID means the onboarding restarts with a fresh key. */
const ALLOWED: Readonly<Record<UnitState, readonly UnitState[]>> = {
  new: ['ccsid-issued', 'revoked', 'retired'],
  'ccsid-issued': ['compliance-in-progress', 'compliance-done', 'new', 'revoked', 'retired'],
  'compliance-in-progress': ['compliance-done', 'new', 'revoked', 'retired'],
  'compliance-done': ['active', 'compliance-in-progress', 'new', 'revoked', 'retired'],
  active: ['active', 'renewal-pending', 'revoked', 'expired', 'retired'],
  'renewal-pending': ['active', 'revoked', 'expired', 'retired'],
  revoked: ['retired'],
  expired: ['retired'],
  retired: [],
};

/** States in which the unit holds a production CSID it may issue with. */
export const ISSUING_STATES: readonly UnitState[] = ['active', 'renewal-pending'];
/** States a unit never leaves but to `retired`: it will not issue again. */
export const ENDED_UNIT_STATES: readonly UnitState[] = ['revoked', 'expired', 'retired'];

export function canMove(from: UnitState, to: UnitState): boolean {
  return ALLOWED[from]?.includes(to) ?? false;
}

export interface Move {
  to: UnitState;
  actor: string;
  reason: string;
  at: Date;
}

/**
 * Apply one move to a unit and return it updated. Refuses a move the table does not allow, and a
 * unit another process moved first (the caller re-reads and decides again).
 */
export async function moveUnit(db: Kysely<Database>, unit: EgsUnit, move: Move): Promise<EgsUnit> {
  const from = unit.state as UnitState;
  if (!canMove(from, move.to)) {
    throw new FleetError('WRONG_STATE', `unit ${unit.name} (${unit.serial}) is ${from}; it cannot become ${move.to}`, {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} في الحالة ${from} ولا يمكن نقلها إلى ${move.to}`,
    });
  }
  const at = move.at.toISOString();
  const moved = await unitRepo.recordTransition(db, unit, from, { to: move.to, actor: move.actor, reason: move.reason, at });
  if (!moved) {
    throw new FleetError('WRONG_STATE', `unit ${unit.name} (${unit.serial}) changed state while this command ran; run it again`, {
      field: 'unit',
      messageAr: `تغيرت حالة الوحدة ${unit.name} أثناء تنفيذ الأمر؛ أعد تشغيله`,
    });
  }
  return { ...unit, state: move.to, state_changed_at: at };
}
