// Destroying a unit's keys that will never sign again (issue 16): every key of a retired, revoked or
// expired unit, and a key a renewal replaced. Only a provider that can destroy (a PKCS#11 token) acts.
import { FawtaraError } from '../errors.js';
import { credentials, type EgsUnit } from '../store/index.js';
import type { FleetContext } from './context.js';
import { ENDED_UNIT_STATES, type UnitState } from './states.js';

export interface KeySweep {
  destroyed: number;
  /** The token could not be reached: the keys stay until the next sweep (`units retire` again, the next renewal). */
  failed?: FawtaraError;
}

/**
 * Destroy the unit's keys no active CSID and no unsent CSR needs (all of them once the unit is in a
 * final state). Runs after the unit's own change is committed: a token that is away delays the
 * destruction, never the retirement or the renewal, and the store records each key it destroyed.
 */
export async function destroyUnusedKeys(ctx: FleetContext, unit: EgsUnit): Promise<KeySweep> {
  if (!ctx.keys.destroyKey) return { destroyed: 0 };
  const db = ctx.store.db;
  const scope = { taxpayerId: unit.taxpayer_id, unitId: unit.id };
  const keep = new Set<string>();
  if (!ENDED_UNIT_STATES.includes(unit.state as UnitState)) {
    for (const csid of await credentials.listCsids(db, scope)) if (csid.status === 'active') keep.add(csid.key_id);
    for (const csr of await credentials.countCsrs(db, scope)) if (csr.status === 'fresh' || csr.status === 'sent') keep.add(csr.key_id);
  }
  let destroyed = 0;
  for (const key of await credentials.listKeys(db, scope)) {
    if (key.provider !== 'pkcs11' || key.destroyed_at !== null || keep.has(key.id)) continue;
    try {
      if (await ctx.keys.destroyKey(db, scope, key.id, ctx.clock.now())) destroyed++;
    } catch (error) {
      if (!(error instanceof FawtaraError) || error.code !== 'KEY_UNAVAILABLE') throw error;
      ctx.logger.warn(
        { unit: unit.name, key: key.key_label, error: error.message },
        'the token is unavailable: the unit key will be destroyed at the next sweep',
      );
      return { destroyed, failed: error };
    }
  }
  if (destroyed > 0) ctx.logger.info({ unit: unit.name, destroyed }, 'unit keys destroyed in the token');
  return { destroyed };
}
