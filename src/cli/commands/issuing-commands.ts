// The issuing commands: `issue` (one document from JSON, cleared within a bounded wait when
// standard), `outbox run|status`, and `audit` with a progress bar on a terminal. Text or --json.
import { instantFromText } from '../../model/ksa-time.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { auditChains, type AuditReport, type ZatcaRecord } from '../../audit/index.js';
import { FawtaraError } from '../../errors.js';
import { resolveUnit } from '../../egs/index.js';
import { issueDocument } from '../../issuing/index.js';
import { outboxStatus, runOutbox } from '../../outbox/index.js';
import { submissions, units, type Database, type EgsUnit } from '../../store/index.js';
import type { Kysely } from 'kysely';
import { simulatorHistorySource, unitCertificateSerials } from '../../reports/index.js';
import { EXIT, type Io } from '../output.js';
import { commandTarget, DEFAULT_SIMULATOR_URL, withFleet, type FleetCliOptions } from './fleet-session.js';

type Opts = FleetCliOptions & Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function readJson(file: string): unknown {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FawtaraError('FILE_NOT_FOUND', `cannot read ${file}`, { field: '--input', messageAr: `تعذرت قراءة الملف ${file}`, cause: error });
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new FawtaraError('INVALID_INPUT', `${file} is not valid JSON: ${(error as Error).message}`, {
      field: '--input',
      messageAr: `الملف ${file} ليس JSON صالحاً`,
      cause: error,
    });
  }
}

function positive(value: string | undefined, field: string, fallback: number): number {
  const n = Number(value ?? fallback);
  if (!Number.isFinite(n) || n < 0)
    throw new FawtaraError('USAGE', `${field} must be a non-negative number`, { field, messageAr: `${field} يجب أن يكون رقماً موجباً` });
  return n;
}

export async function issueCommand(opts: Opts, io: Io): Promise<number> {
  const json = readJson(text(opts.input) ?? '');
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const r = await issueDocument(s.ctx, t, text(opts.unit) ?? '', json, {
      clearance: opts.clearance === 'queue' ? 'queue' : 'wait',
      clearanceWaitMs: positive(text(opts.wait), '--wait', 15) * 1000,
      // This process ends after the wait: what it could not finish goes back to the outbox at once.
      releaseOnGiveUp: true,
      externalReference: Boolean(opts.externalReference),
    });
    const output = text(opts.output);
    if (output && r.legalXml) writeFileSync(output, r.legalXml);
    const { xml, legalXml, ...view } = r;
    void xml;
    void legalXml;
    const rejected = r.submission.state === 'rejected';
    const waiting = !r.released && !rejected;
    if (s.json) s.io.out(JSON.stringify({ ok: !rejected, document: view, ...(output && r.legalXml && { written: output }) }, null, 2));
    else {
      const lines = [
        `${r.replayed ? 'already issued' : 'issued'} ${r.documentType} ${r.number} (${r.kind}) on unit ${text(opts.unit)}: ICV ${r.icv}, invoice hash ${r.invoiceHash}`,
      ];
      if (r.kind === 'simplified')
        lines.push(`released: give it to the buyer now; reported to ZATCA by the outbox before ${r.deadlineAt} (state ${r.submission.state})`);
      else if (r.released)
        lines.push(
          `cleared by ZATCA (${r.submission.state}${r.submission.endpoint === 'reporting' ? ', reported while clearance is switched off' : ''}): give the buyer ${output ? output : 'the cleared document (--output FILE)'}`,
        );
      else if (rejected) lines.push(`REJECTED by ZATCA: ${r.submission.lastMessage}; the document stays in the unit's chain — issue a corrected new document`);
      else
        lines.push(
          `not cleared yet (${r.submission.lastOutcome ?? 'no answer'}${r.submission.lastMessage ? `: ${r.submission.lastMessage}` : ''}): do not give it to the buyer; run the same command again (it resumes this document), or "fawtara outbox run --once --unit ${text(opts.unit)}"`,
        );
      if (output && r.legalXml) lines.push(`written: ${output}`);
      s.io.out(lines.join('\n'));
    }
    return rejected ? EXIT.invalid : waiting ? EXIT.retry : EXIT.ok;
  });
}

export async function outboxRunCommand(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    // Without --taxpayer the worker serves every taxpayer of the store (one outbox for all); --unit needs its taxpayer.
    const t = text(opts.taxpayer) || text(opts.unit) ? await s.taxpayer() : undefined;
    const unit = t && text(opts.unit) ? await resolveUnit(s.ctx, t, text(opts.unit)!) : undefined;
    const nowIso = s.ctx.clock.now().toISOString();
    if (opts.retryHeld) {
      // The operator looked at the held documents: a 401 mark on a unit that is not revoked goes too.
      await units.clearCredentialsRefused(s.ctx.store.db, t?.id);
      await submissions.releaseHeld(s.ctx.store.db, nowIso, t ? { taxpayerId: t.id, ...(unit && { unitId: unit.id }) } : {});
    }
    if (t && unit) await submissions.makeDue(s.ctx.store.db, nowIso, { taxpayerId: t.id, unitId: unit.id });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const summary = await runOutbox(s.ctx, {
        once: Boolean(opts.once),
        concurrency: positive(text(opts.concurrency), '--concurrency', 8) || 1,
        leaseMs: Math.max(1, positive(text(opts.lease), '--lease', 60)) * 1000,
        signal: stop.signal,
        ...(t && { taxpayerId: t.id }),
        ...(unit && { unitId: unit.id }),
        onResult: (r) => {
          if (!s.json)
            s.io.err(
              `${r.number}: ${r.state}${r.duplicate ? ' (ZATCA had it already)' : ''}${r.late ? ' LATE' : ''} — ${r.outcome}${r.httpStatus ? ` HTTP ${r.httpStatus}` : ''}`,
            );
        },
      });
      const status = await outboxStatus(s.ctx, t?.id);
      // Rejected or held in this run needs a person: exit 1, so a scheduler notices (docs/issuing.md).
      const attention = (summary.byState.rejected ?? 0) + (summary.byState.held ?? 0);
      if (s.json)
        s.io.out(
          JSON.stringify(
            {
              ok: attention === 0,
              summary,
              status: { depth: status.depth, byState: status.byState, atRisk: status.atRisk.length, late: status.late.length },
            },
            null,
            2,
          ),
        );
      else
        s.io.out(
          `${summary.attempts} attempt(s): ${
            Object.entries(summary.byState)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ') || 'nothing due'
          }; still waiting ${status.depth} (late ${status.late.length}, at risk ${status.atRisk.length})`,
        );
      if (attention > 0) return EXIT.invalid;
      // --once: exit 5 while documents still wait (with --unit: that unit's, whose every waiting one was just tried).
      const waiting = unit ? summary.byState['to-submit'] : status.byState['to-submit'];
      return waiting && opts.once ? EXIT.retry : EXIT.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

export async function outboxStatusCommand(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const status = await outboxStatus(s.ctx, t.id);
    if (s.json) s.io.out(JSON.stringify({ ok: true, ...status }, null, 2));
    else {
      const age = status.oldestAgeSeconds;
      const lines = [
        `queue depth ${status.depth} (${
          Object.entries(status.byState)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'empty'
        }); oldest waiting ${Math.floor(age / 3600)} h ${Math.floor((age % 3600) / 60)} min`,
        `late (past 24 h, still queued): ${status.late.length}; at risk (< 2 h left): ${status.atRisk.length}; delivered late: ${status.deliveredLate}`,
        ...status.late
          .slice(0, 20)
          .map((d) => `  LATE    ${d.number}  ICV ${d.icv}  deadline ${d.deadlineAt}  ${d.state}${d.lastOutcome ? ` (${d.lastOutcome})` : ''}`),
        ...status.atRisk.slice(0, 20).map((d) => `  AT RISK ${d.number}  ICV ${d.icv}  ${d.minutesLeft} min left`),
        ...(status.clockAhead.length > 0
          ? [
              `issued while the clock ran ahead (issue time later than now): ${status.clockAhead.length} — submitted now, deadline from the real clock; see "A unit whose clock jumped" in docs/issuing.md`,
              ...status.clockAhead.slice(0, 20).map((d) => `  AHEAD   ${d.number}  ICV ${d.icv}  ${d.state}  deadline ${d.deadlineAt}`),
            ]
          : []),
      ];
      s.io.out(lines.join('\n'));
    }
    return EXIT.ok;
  });
}

function instant(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  const at = instantFromText(value);
  if (!at)
    throw new FawtaraError('USAGE', `${field} must be a date (YYYY-MM-DD, a KSA day) or an ISO instant; got "${value}"`, {
      field,
      messageAr: `${field} يجب أن يكون تاريخاً بالصيغة YYYY-MM-DD (يوم بتوقيت السعودية) أو لحظة بصيغة ISO`,
    });
  return at.toISOString();
}

/** The simulator's "what did you receive from unit X" (its control API; never a real gateway), by the unit's certificates. */
function simulatorHistory(target: string, db: Kysely<Database>): (unit: EgsUnit) => Promise<ZatcaRecord[]> {
  const root = target === 'simulator' ? (process.env.FAWTARA_SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL) : target;
  return simulatorHistorySource(root, fetch, unitCertificateSerials(db));
}

export async function auditCommand(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const from = instant(text(opts.from), '--from');
    const to = instant(text(opts.to), '--to');
    let last = 0;
    const report: AuditReport = await auditChains(s.ctx, t, {
      ...(text(opts.unit) && { unit: text(opts.unit)! }),
      ...(from && { from }),
      ...(to && { to }),
      ...(opts.simulatorHistory ? { zatcaHistory: simulatorHistory(commandTarget(opts), s.ctx.store.db) } : {}),
      onProgress: (done, total) => {
        if (!s.tty || s.json) return;
        const now = Date.now();
        if (done !== total && now - last < 100) return;
        last = now;
        const width = 30;
        const filled = total ? Math.round((done / total) * width) : width;
        process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} documents${done === total ? '\n' : ''}`);
      },
    });
    const ok = report.breaks.length === 0;
    if (s.json) s.io.out(JSON.stringify({ ok, ...report }, null, 2));
    else {
      const lines = [
        `${ok ? 'OK' : 'BROKEN'}: ${report.checked} of ${report.documents} document(s) on ${report.units} unit(s) checked; ${report.breaks.length} break(s), ${report.warnings.length} warning(s)`,
      ];
      for (const b of report.breaks)
        lines.push(`  BREAK   ${b.unit}${b.icv ? ` ICV ${b.icv}` : ''}${b.number ? ` ${b.number}` : ''} [${b.check}] ${b.message}`);
      for (const w of report.warnings.slice(0, 50))
        lines.push(`  warning ${w.unit}${w.icv ? ` ICV ${w.icv}` : ''}${w.number ? ` ${w.number}` : ''} [${w.check}] ${w.message}`);
      s.io.out(lines.join('\n'));
    }
    return ok ? EXIT.ok : EXIT.invalid;
  });
}
