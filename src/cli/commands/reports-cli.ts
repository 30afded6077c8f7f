// Declares `report vat|reconcile` and `archive export|verify|purge` for commander; the work lives in
// reports-commands.ts, loaded only when one of them runs (docs/reports.md).
import { Option, type Command } from 'commander';
import type { Runner } from '../output.js';

type ReportsCommand = keyof typeof import('./reports-commands.js');

const store = (c: Command): Command =>
  c
    .option('--data <dir>', 'data directory (SQLite file, log); env FAWTARA_DATA_DIR, default ./.fawtara')
    .option('--taxpayer <vat>', 'the taxpayer (VAT number); optional when only one is registered');
const period = (c: Command): Command =>
  c
    .option('--period <period>', 'a quarter (2026-Q3) or a month (2026-11), by issue date')
    .option('--from <date>', 'first day (YYYY-MM-DD), with --to')
    .option('--to <date>', 'last day, inclusive (YYYY-MM-DD)');
const json = () => new Option('--json', 'print a JSON object instead of text');

export function registerReportCommands(program: Command, run: Runner): void {
  const load = (name: ReportsCommand) => async () => (await import('./reports-commands.js'))[name];

  const report = program.command('report').description('the unified VAT report and the reconciliation with ZATCA (docs/reports.md)');
  period(store(report.command('vat').description('output VAT from accepted documents: by category, B2B/B2C, branch, unit; notes netted; SAR')))
    .addOption(new Option('--by <dimension>', 'rows of the text and CSV output').choices(['category', 'market', 'branch', 'unit', 'type']).default('category'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
    .option('--branch <branch>', 'only this branch (name or id)')
    .option('--unit <unit>', 'only this unit (name, serial or id)')
    .option('--documents', 'include the documents behind every figure (JSON), or list them (CSV)')
    .option('--drill <key>', 'only the documents behind one row: a category key (S:15.00), B2B|B2C, a branch or unit name, a document type')
    .option('--out <file>', 'write the output to this file')
    .addOption(json())
    .action(run(load('reportVatCommand')));
  period(store(report.command('reconcile').description('per unit: issued vs accepted by ZATCA vs in the VAT report; every difference with its reason')))
    .option('--simulator-history <url>', "compare with the simulator's own record of what it received (its root URL)")
    .option('--unit <unit>', 'only this unit')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
    .option('--out <file>', 'write the output to this file')
    .addOption(json())
    .action(run(load('reportReconcileCommand')));

  const archive = program.command('archive').description('the archive of a VAT period: exact bytes, index, manifest; verification without a database');
  period(store(archive.command('export').description('write every document of the period (and cleared XML), an index and a SHA-256 manifest')))
    .requiredOption('--out <dir>', 'a new or empty directory')
    .addOption(json())
    .action(run(load('archiveExportCommand')));
  archive
    .command('verify')
    .description('re-check an exported archive: file hashes, invoice hashes, UUID/ICV/PIH, chains (no database needed)')
    .argument('<dir>', 'the archive directory')
    .option('--manifest-sha256 <hex>', 'the manifest hash noted at export time')
    .addOption(json())
    .action((dir: string, opts: Record<string, unknown>) => run(load('archiveVerifyCommand'))({ ...opts, dir }));
  archive
    .command('purge')
    .description('delete an exported archive directory whose 6-year retention is over (refused before)')
    .argument('<dir>', 'the archive directory')
    .addOption(json())
    .action((dir: string, opts: Record<string, unknown>) => run(load('archivePurgeCommand'))({ ...opts, dir }));
}
