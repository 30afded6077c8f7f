// The report and archive commands: VAT report (text, JSON, CSV), reconciliation, archive export,
// verify (files only, no database) and purge (refused within the 6-year retention).
import { writeFileSync } from 'node:fs';
import { exportArchive, purgeArchive, verifyArchive } from '../../archive/index.js';
import { resolveBranch, resolveUnit } from '../../egs/index.js';
import {
  drillDown,
  parsePeriod,
  reconcile,
  reconciliationCsv,
  rowsBy,
  simulatorHistorySource,
  unitCertificateSerials,
  vatDocumentsCsv,
  vatReport,
  vatReportCsv,
  type DrillFilter,
  type ReportDimension,
  type ReportedDocument,
  type VatReport,
} from '../../reports/index.js';
import { EXIT, processIo, reportError, type Io } from '../output.js';
import { withFleet, type FleetCliOptions } from './fleet-session.js';

type Opts = FleetCliOptions & Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function periodOf(opts: Opts) {
  return parsePeriod({ period: text(opts.period), from: text(opts.from), to: text(opts.to) });
}

/** Print, or write to --out (and say where). Both get the same bytes: a CSV ends every line, the last too, with CRLF (RFC 4180). */
function emit(io: Io, opts: Opts, body: string, summary: string): void {
  const out = text(opts.out);
  if (out) {
    writeFileSync(out, body);
    io.out(summary ? `${summary}\nwritten: ${out}` : `written: ${out}`);
  } else io.out(body);
}

function drillFilter(report: VatReport, key: string): DrillFilter {
  if (key === 'B2B' || key === 'B2C') return { market: key };
  if (report.byCategory.some((r) => r.key === key || r.category === key)) return { category: key };
  if (report.byType.some((r) => r.key === key)) return { documentType: key };
  if (report.byBranch.some((r) => r.branch === key || r.key === key)) return { branch: key };
  return { unit: key };
}

function vatText(r: VatReport, by: ReportDimension): string {
  const rows = rowsBy(r, by);
  const label = (row: (typeof rows)[number]) =>
    row.category
      ? `${row.category} ${row.rate}%${row.exemptionCode ? ` ${row.exemptionCode}` : ''}`
      : (row.unit ?? row.branch ?? row.market ?? row.documentType ?? row.key);
  const width = Math.max(12, ...rows.map((row) => label(row).length));
  const line = (a: string, n: string, t: string, v: string) => `  ${a.padEnd(width)}  ${n.padStart(9)}  ${t.padStart(16)}  ${v.padStart(14)}`;
  const out = [
    `VAT report ${r.taxpayer.vatNumber} (${r.taxpayer.name}), period ${r.period.label} (${r.period.from} to ${r.period.to})${r.scope.branch ? `, branch ${r.scope.branch}` : ''}${r.scope.unit ? `, unit ${r.scope.unit}` : ''}`,
    `output VAT from documents accepted or cleared by ZATCA; credit notes subtract; an advance counts once (final invoices add the balance); amounts in SAR`,
    '',
    line(by, 'documents', 'taxable (SAR)', 'VAT (SAR)'),
    ...rows.map((row) => line(label(row), String(row.documents), row.taxableSar, row.vatSar)),
    line('total', String(r.totals.documents), r.totals.taxableSar, r.totals.vatSar),
  ];
  const excluded = Object.entries(r.excluded);
  if (excluded.length)
    out.push('', `not counted (ZATCA has not accepted them): ${excluded.map(([s, n]) => `${n} ${s}`).join(', ')} — see "fawtara report reconcile"`);
  return out.join('\n');
}

/** A final invoice's two parts: the VAT it states and the prepaid VAT it deducts, with the prepayment invoices. */
function prepaidText(d: ReportedDocument): string {
  if (d.prepaid.length === 0) return '';
  return ` (stated ${d.statedVatSar} − prepaid ${d.prepaidVatSar}: ${d.prepaid.map((p) => `${p.invoiceId} ${p.key} ${p.vatSar}`).join(', ')})`;
}

export async function reportVatCommand(opts: Opts, io: Io): Promise<number> {
  const period = periodOf(opts);
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const branch = text(opts.branch) ? await resolveBranch(s.ctx, t, text(opts.branch)!) : undefined;
    const unit = text(opts.unit) ? await resolveUnit(s.ctx, t, text(opts.unit)!) : undefined;
    const report = await vatReport(s.ctx.store.db, t, period, {
      ...(branch && { branch: { id: branch.id, name: branch.name } }),
      ...(unit && { unit: { id: unit.id, name: unit.name } }),
      now: s.ctx.clock.now(),
    });
    const by = (text(opts.by) ?? 'category') as ReportDimension;
    const format = s.json ? 'json' : (text(opts.format) ?? 'text');
    const drill = text(opts.drill);
    const docs = drill ? drillDown(report, drillFilter(report, drill)) : report.documents;
    const summary = `VAT ${report.totals.vatSar} SAR on ${report.totals.documents} document(s), period ${period.label}`;
    if (format === 'json') {
      const { documents, ...rest } = report;
      void documents;
      const body = drill ? { ...rest, drill, documents: docs } : opts.documents ? report : rest;
      emit(s.io, opts, JSON.stringify(body, null, 2) + '\n', text(opts.out) ? summary : '');
    } else if (format === 'csv') {
      emit(s.io, opts, drill || opts.documents ? vatDocumentsCsv(docs) : vatReportCsv(report, by), text(opts.out) ? summary : '');
    } else {
      let body = vatText(report, by);
      if (drill || opts.documents) {
        body +=
          `\n\ndocuments${drill ? ` behind ${drill}` : ''}:\n` +
          docs
            .map(
              (d) =>
                `  ${d.issueDate} ${d.issueTime}  ${d.number}  ${d.unit}  ${d.documentType}  ${d.market}  ${d.currency}  VAT ${d.vatSar} SAR${prepaidText(d)}`,
            )
            .join('\n');
      }
      emit(s.io, opts, body + '\n', text(opts.out) ? summary : '');
    }
    return EXIT.ok;
  });
}

export async function reportReconcileCommand(opts: Opts, io: Io): Promise<number> {
  const period = periodOf(opts);
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const unit = text(opts.unit) ? await resolveUnit(s.ctx, t, text(opts.unit)!) : undefined;
    const history = text(opts.simulatorHistory);
    const r = await reconcile(s.ctx.store.db, t, period, {
      ...(unit && { unitId: unit.id }),
      ...(history && { zatcaHistory: simulatorHistorySource(history, fetch, unitCertificateSerials(s.ctx.store.db)) }),
      now: s.ctx.clock.now(),
    });
    const format = s.json ? 'json' : (text(opts.format) ?? 'text');
    if (format === 'json') emit(s.io, opts, JSON.stringify(r, null, 2) + '\n', '');
    else if (format === 'csv') emit(s.io, opts, reconciliationCsv(r), '');
    else {
      const lines = [
        `${r.clean ? 'CLEAN' : 'DIFFERENCES'}: reconciliation of ${r.taxpayer}, period ${period.label}, against ${r.source === 'zatca-history' ? "ZATCA's (the simulator's) record" : 'our submission log'}`,
        '',
        `  ${'unit'.padEnd(16)} ${'branch'.padEnd(12)} ${'issued'.padStart(7)} ${'accepted'.padStart(9)} ${'at ZATCA'.padStart(9)} ${'in VAT'.padStart(7)} ${'diffs'.padStart(6)}`,
        ...r.units.map(
          (u) =>
            `  ${u.unit.padEnd(16)} ${u.branch.padEnd(12)} ${String(u.issued).padStart(7)} ${String(u.acceptedByUs).padStart(9)} ${String(u.acceptedByZatca ?? '-').padStart(9)} ${String(u.inVatReport).padStart(7)} ${String(u.differences).padStart(6)}`,
        ),
      ];
      if (r.differences.length) lines.push('', ...r.differences.map((d) => `  ${d.unit}${d.icv !== null ? ` ICV ${d.icv}` : ''} [${d.reason}] ${d.message}`));
      emit(s.io, opts, lines.join('\n') + '\n', '');
    }
    return r.clean ? EXIT.ok : EXIT.invalid;
  });
}

export async function archiveExportCommand(opts: Opts, io: Io): Promise<number> {
  const period = periodOf(opts);
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const r = await exportArchive(s.ctx.store.db, t, period, text(opts.out) ?? '', { now: s.ctx.clock.now() });
    if (s.json) s.io.out(JSON.stringify({ ok: true, ...r }, null, 2));
    else {
      s.io.out(
        [
          `archived ${r.documents} document(s) (${r.cleared} cleared) of ${r.units} unit(s), period ${period.label}, in ${r.dir}`,
          `manifest SHA-256: ${r.manifestSha256}`,
          'note this hash apart from the archive; check later with:',
          `  fawtara archive verify ${r.dir} --manifest-sha256 ${r.manifestSha256}`,
        ].join('\n'),
      );
    }
    return EXIT.ok;
  });
}

/** Needs no database and no configuration: only the directory. */
export async function archiveVerifyCommand(opts: Record<string, unknown>, io: Io = processIo): Promise<number> {
  const json = Boolean(opts.json);
  try {
    const expect = text(opts.manifestSha256);
    const r = verifyArchive(text(opts.dir) ?? '', expect ? { expectManifestSha256: expect } : {});
    if (json) io.out(JSON.stringify(r, null, 2));
    else {
      const lines = [
        `${r.ok ? 'OK' : 'FAILED'}: archive of ${r.vatNumber}, period ${r.period}: ${r.files} file(s), ${r.documents} document(s) on ${r.units} unit(s); manifest SHA-256 ${r.manifestSha256}`,
      ];
      for (const p of r.problems) lines.push(`  [${p.check}] ${p.message}`);
      io.out(lines.join('\n'));
    }
    return r.ok ? EXIT.ok : EXIT.invalid;
  } catch (error) {
    return reportError(error, io, json);
  }
}

export async function archivePurgeCommand(opts: Record<string, unknown>, io: Io = processIo): Promise<number> {
  const json = Boolean(opts.json);
  try {
    const r = purgeArchive(text(opts.dir) ?? '', new Date());
    io.out(json ? JSON.stringify({ ok: true, ...r }) : `purged the archive of period ${r.period} (retention ended ${r.retainUntil}): ${r.dir}`);
    return EXIT.ok;
  } catch (error) {
    return reportError(error, io, json);
  }
}
