// A unit's short issuing pause while its certificate is switched (renewal): no document is signed
// with the old certificate after its queue was drained. The pause ends by itself if its owner dies.
import type { Kysely } from 'kysely';
import type { Database, EgsUnit } from '../store/index.js';
import type { FleetContext } from './context.js';
import { FleetError } from './errors.js';

/** Long enough for one drain and one renewal call; a crashed renewal blocks issuing at most this long. */
export const ISSUING_PAUSE_MS = 3 * 60_000;

/** Refuse issuing until `now + ms` (committed before the caller drains the unit's queue). */
export async function pauseIssuing(ctx: FleetContext, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>, reason: string, ms = ISSUING_PAUSE_MS): Promise<void> {
  await ctx.store.db
    .updateTable('egs_units')
    .set({ issuing_paused_until: new Date(ctx.clock.now().getTime() + ms).toISOString(), issuing_paused_reason: reason })
    .where('id', '=', unit.id)
    .where('taxpayer_id', '=', unit.taxpayer_id)
    .execute();
}

export async function resumeIssuing(db: Kysely<Database>, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>): Promise<void> {
  await db
    .updateTable('egs_units')
    .set({ issuing_paused_until: null, issuing_paused_reason: null })
    .where('id', '=', unit.id)
    .where('taxpayer_id', '=', unit.taxpayer_id)
    .execute();
}

/** Issuing checks this on the unit row it holds locked, so a pause committed first is always seen. */
export function assertNotPaused(unit: EgsUnit, now: Date): void {
  const until = unit.issuing_paused_until;
  if (!until || Date.parse(until) <= now.getTime()) return;
  const seconds = Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
  throw new FleetError(
    'UNIT_PAUSED',
    `unit ${unit.name} is switching its certificate (${unit.issuing_paused_reason ?? 'renewal'}); nothing was issued — send the same request again in a few seconds (at most ${seconds} s)`,
    {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} تبدّل شهادتها الآن (تجديد)؛ لم يُصدر شيء — أعد إرسال الطلب نفسه بعد ثوانٍ (${seconds} ثانية على الأكثر)`,
    },
  );
}
