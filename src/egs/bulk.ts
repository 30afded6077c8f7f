// Bulk onboarding: a CSV or JSON list of units (existing ones by name/serial, or new ones with
// branch and serial), one OTP each, onboarded one after another with a per-unit result.
import type { EgsUnit, Taxpayer } from '../store/index.js';
import { units as unitRepo } from '../store/index.js';
import type { FleetContext } from './context.js';
import type { StepHooks } from './csid-steps.js';
import { FleetError, isFleetError } from './errors.js';
import { onboardUnit } from './onboarding.js';
import { addUnit } from './units.js';

export interface BulkEntry {
  /** An existing unit (name, serial or id); or leave it out and give `serial` and `branch` to add one. */
  unit?: string;
  serial?: string;
  branch?: string;
  title?: string;
  environment?: string;
  name?: string;
  member?: string;
  otp?: string;
}

export interface BulkResult {
  line: number;
  unit: string;
  serial: string;
  ok: boolean;
  state: string;
  steps: string[];
  error?: { reason: string; message: string; messageAr?: string };
}

const FIELDS: ReadonlyArray<keyof BulkEntry> = ['unit', 'serial', 'branch', 'title', 'environment', 'name', 'member', 'otp'];
const MAX_ENTRIES = 10_000;

function listError(message: string, messageAr: string, field = 'list'): FleetError {
  return new FleetError('INVALID_FIELD', message, { field, messageAr });
}

/** Read the list: JSON (an array of objects, or `{ "units": [...] }`) or CSV with a header row. */
export function parseBulkList(text: string, source = 'unit list'): BulkEntry[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  let rows: unknown[];
  if (body.startsWith('[') || body.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      throw listError(`${source}: not valid JSON (${(error as Error).message})`, `${source}: ليس JSON صالحاً`);
    }
    const list = Array.isArray(value) ? value : (value as { units?: unknown }).units;
    if (!Array.isArray(list)) throw listError(`${source}: expected a JSON array of units or { "units": [...] }`, `${source}: المتوقع مصفوفة وحدات`);
    rows = list;
  } else {
    rows = parseCsv(body, source);
  }
  if (rows.length === 0) throw listError(`${source}: the list is empty`, `${source}: القائمة فارغة`);
  if (rows.length > MAX_ENTRIES) throw listError(`${source}: at most ${MAX_ENTRIES} units per list`, `${source}: الحد الأقصى ${MAX_ENTRIES} وحدة في القائمة`);
  return rows.map((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row))
      throw listError(`${source}: entry ${i + 1} is not an object`, `${source}: العنصر ${i + 1} ليس كائناً`);
    const entry: BulkEntry = {};
    for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
      if (!(FIELDS as readonly string[]).includes(k))
        throw listError(
          `${source}: entry ${i + 1}: unknown field "${k}"; the fields are ${FIELDS.join(', ')}`,
          `${source}: الحقل "${k}" غير معروف`,
          `[${i}].${k}`,
        );
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string' && typeof v !== 'number')
        throw listError(`${source}: entry ${i + 1}: ${k} must be text`, `${source}: الحقل ${k} يجب أن يكون نصاً`, `[${i}].${k}`);
      entry[k as keyof BulkEntry] = String(v).trim();
    }
    if (!entry.unit && !(entry.serial && entry.branch)) {
      throw listError(
        `${source}: entry ${i + 1} names no unit: give "unit" (name or serial of a registered unit) or "serial" and "branch" to register one`,
        `${source}: العنصر ${i + 1} لا يحدد وحدة`,
        `[${i}]`,
      );
    }
    return entry;
  });
}

/** A small RFC 4180 reader: header row, commas, double-quoted fields with "" escapes. */
function parseCsv(text: string, source: string): Array<Record<string, string>> {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      if (record.some((f) => f.trim() !== '')) records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  record.push(field);
  if (record.some((f) => f.trim() !== '')) records.push(record);
  if (quoted) throw listError(`${source}: a quoted CSV field is not closed`, `${source}: حقل CSV بين علامتي تنصيص غير مغلق`);
  const [header, ...rest] = records;
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rest.map((r, n) => {
    if (r.length > names.length)
      throw listError(
        `${source}: CSV line ${n + 2} has ${r.length} fields, the header ${names.length}`,
        `${source}: عدد الحقول في السطر ${n + 2} أكبر من الترويسة`,
      );
    return Object.fromEntries(names.map((name, i) => [name, (r[i] ?? '').trim()]));
  });
}

export interface BulkOptions {
  onProgress?: (done: number, total: number, last: BulkResult) => void;
  /** Per-unit step hook (tests inject failures through it). */
  afterStep?: StepHooks['afterStep'];
  /** Before each unit is onboarded (the CLI records its ZATCA target there); a throw fails that unit only. */
  beforeOnboard?: (unit: EgsUnit) => Promise<unknown>;
}

/** Onboard every entry, continuing after a failure; each unit's result says what to do next. */
export async function bulkOnboard(ctx: FleetContext, taxpayer: Taxpayer, entries: readonly BulkEntry[], options: BulkOptions = {}): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry.otp) ctx.redactor.add(entry.otp);
    let label = entry.unit ?? entry.name ?? entry.serial ?? `#${i + 1}`;
    let serial = entry.serial ?? '';
    let result: BulkResult;
    try {
      let ref = entry.unit;
      if (!ref || !(await unitRepo.findUnit(ctx.store.db, taxpayer.id, ref))) {
        const existing = entry.serial ? await unitRepo.findUnit(ctx.store.db, taxpayer.id, entry.serial) : undefined;
        // A rerun of the same list finds the units it added the first time.
        const unit =
          existing ??
          (await addUnit(ctx, taxpayer, {
            branch: entry.branch ?? '',
            serial: entry.serial ?? '',
            ...(entry.title && { title: entry.title }),
            ...(entry.environment && { environment: entry.environment }),
            ...(entry.name && { name: entry.name }),
            ...(entry.member && { memberTin: entry.member }),
          }));
        ref = unit.id;
      }
      if (options.beforeOnboard) await options.beforeOnboard((await unitRepo.findUnit(ctx.store.db, taxpayer.id, ref))!);
      const r = await onboardUnit(ctx, taxpayer, ref, { ...(entry.otp && { otp: entry.otp }), ...(options.afterStep && { afterStep: options.afterStep }) });
      label = r.unit.name;
      serial = r.unit.serial;
      result = { line: i + 1, unit: label, serial, ok: true, state: r.unit.state, steps: r.steps };
    } catch (error) {
      const unit = entry.unit || entry.serial ? await unitRepo.findUnit(ctx.store.db, taxpayer.id, (entry.unit ?? entry.serial)!) : undefined;
      const e = error as FleetError;
      result = {
        line: i + 1,
        unit: unit?.name ?? label,
        serial: unit?.serial ?? serial,
        ok: false,
        state: unit?.state ?? 'not registered',
        steps: [],
        error: {
          reason: isFleetError(error) ? error.reason : (e?.code ?? 'INTERNAL'),
          message: ctx.redactor.redact(e?.message ?? String(error)),
          ...(e?.messageAr && { messageAr: ctx.redactor.redact(e.messageAr) }),
        },
      };
      if (!isFleetError(error))
        ctx.logger.error({ unit: result.unit, err: ctx.redactor.redact(String((error as Error)?.stack ?? error)) }, 'bulk onboarding: unexpected failure');
    }
    results.push(result);
    options.onProgress?.(i + 1, entries.length, result);
  }
  return results;
}
