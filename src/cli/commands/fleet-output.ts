// How the fleet commands print: aligned text tables, `{ok: true, …}` JSON, and bulk onboarding's
// progress (a bar on a terminal, one line per unit otherwise), always through the redactor.
import type { BulkResult } from '../../egs/index.js';
import { EXIT, type Io } from '../output.js';

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}

/** A unit's warnings (the sandbox's canned certificate, docs/fleet.md) follow any text naming it, in both languages. */
function warningLines(value: unknown): string[] {
  const warnings = (value as { unit?: { warnings?: Array<{ message: string; messageAr: string }> } }).unit?.warnings ?? [];
  return warnings.flatMap((w) => [`warning: ${w.message}`, `تحذير: ${w.messageAr}`]);
}

export function print(io: Io, json: boolean, value: unknown, text: () => string): number {
  io.out(json ? JSON.stringify({ ok: true, ...(value as object) }, null, 2) : [text(), ...warningLines(value)].join('\n'));
  return EXIT.ok;
}

export function progressReporter(io: Io, tty: boolean, redact: (t: string) => string): (done: number, total: number, r: BulkResult) => void {
  return (done, total, r) => {
    const status = r.ok ? r.state : `FAILED (${r.error?.reason})`;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(
        redact(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${r.unit}: ${status}`.padEnd(100) + (done === total ? '\n' : '')),
      );
    } else {
      io.err(`[${done}/${total}] ${r.unit}: ${status}`);
    }
  };
}
