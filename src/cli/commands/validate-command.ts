// `fawtara validate` (fatoora -validate): every layer the SDK runs, for many files or folders in
// one call; the SDK-style summary per file, or ZATCA's validationResults shape with --json.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FawtaraError } from '../../errors.js';
import { formatReport, toValidationResults, validateInvoice } from '../../rules/index.js';
import { readInput, readText } from '../io.js';
import { EXIT, type Io } from '../output.js';

export interface ValidateCommandOptions {
  invoice: string[];
  pih?: string;
  cert?: string;
  json?: boolean;
}

/** Files named on the command line, folders expanded to the XML files below them (sorted). */
export function expandInvoicePaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.toLowerCase().endsWith('.xml')) out.push(p);
    }
  };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      /* a missing file is reported by readInput with its name */
    }
    if (isDir) walk(p);
    else out.push(p);
  }
  return out;
}

export async function validateCommand(opts: ValidateCommandOptions, io: Io): Promise<number> {
  const files = expandInvoicePaths(opts.invoice);
  if (files.length === 0) {
    throw new FawtaraError('USAGE', `no XML files found in ${opts.invoice.join(', ')}`, { field: '--invoice', messageAr: 'لم يُعثر على ملفات XML' });
  }
  const certificate = opts.cert ? readText(opts.cert, 'certificate') : undefined;
  let failed = 0;
  const results: unknown[] = [];
  for (const file of files) {
    const report = validateInvoice(readInput(file, 'invoice'), {
      source: file,
      ...(opts.pih !== undefined && { pih: opts.pih.trim() }),
      ...(certificate !== undefined && { certificate }),
    });
    if (!report.valid) failed++;
    if (opts.json) results.push({ file, valid: report.valid, validationResults: toValidationResults(report) });
    else io.out(formatReport(report, { source: files.length > 1 ? file : undefined }) + (files.length > 1 ? '\n' : ''));
  }
  if (opts.json) io.out(JSON.stringify(files.length === 1 ? results[0] : { valid: failed === 0, files: results }, null, 2));
  else if (files.length > 1) io.out(`${files.length} files: ${files.length - failed} passed, ${failed} failed`);
  return failed === 0 ? EXIT.ok : EXIT.invalid;
}
