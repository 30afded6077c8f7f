// Retention: a VAT period's records are kept 6 years after the period ends. The only purge offered
// removes an exported archive directory, and refuses anything younger; stored documents are immutable.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError } from '../reports/errors.js';
import { MANIFEST_FILE, RETENTION_YEARS, retainUntil, type Manifest } from './layout.js';

/** Refuses unless the period that ends on `periodTo` is past its retention at `now`. */
export function assertRetentionOver(periodTo: string, now: Date): void {
  const until = retainUntil(periodTo);
  if (now.toISOString().slice(0, 10) < until) {
    throw new ReportError(
      'RETENTION',
      `records of a period ending ${periodTo} must be kept ${RETENTION_YEARS} years, until ${until}; nothing is purged before then`,
      {
        messageAr: `يجب الاحتفاظ بسجلات الفترة المنتهية في ${periodTo} مدة ${RETENTION_YEARS} سنوات حتى ${until}؛ لا يُحذف شيء قبل ذلك`,
      },
    );
  }
}

/** Deletes an exported archive directory whose period's retention is over; refuses otherwise. */
export function purgeArchive(dir: string, now: Date): { dir: string; period: string; retainUntil: string } {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch (error) {
    throw new ReportError('ARCHIVE_UNREADABLE', `${dir} has no readable ${MANIFEST_FILE}: only a Fawtara archive can be purged`, {
      field: 'DIR',
      messageAr: `لا يحتوي ${dir} على بيان أرشيف صالح`,
      cause: error,
    });
  }
  // The period end is taken from the manifest; the manifest's own retainUntil is not trusted alone.
  assertRetentionOver(manifest.period.to, now);
  rmSync(dir, { recursive: true });
  return { dir, period: manifest.period.label, retainUntil: retainUntil(manifest.period.to) };
}
