// Shared helpers of the oracle-agreement tests: read committed oracle verdicts and compare our
// report's rule-id sets (per layer, errors and warnings) with them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/sdk.js';
import type { ValidationReport } from '../../src/rules/index.js';

export interface OracleVerdict {
  xsd: 'pass' | 'fail';
  en: { errors: string[]; warnings: string[] };
  ksa: { errors: string[]; warnings: string[] };
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'validation', name), 'utf8')) as T;
}

/** Our verdict in the oracle's shape (sorted unique ids per layer and flag). */
export function verdictOf(report: ValidationReport): OracleVerdict {
  const ids = (layer: string, flag: string) =>
    [
      ...new Set(
        report.layers
          .filter((l) => l.layer === layer)
          .flatMap((l) => l.findings)
          .filter((f) => f.flag === flag)
          .map((f) => f.id),
      ),
    ].sort();
  const xsd = report.layers.find((l) => l.layer === 'XSD');
  return {
    xsd: xsd && xsd.status === 'FAILED' ? 'fail' : 'pass',
    en: { errors: ids('EN', 'error'), warnings: ids('EN', 'warning') },
    ksa: { errors: ids('KSA', 'error'), warnings: ids('KSA', 'warning') },
  };
}
