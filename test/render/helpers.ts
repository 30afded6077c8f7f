// Printout tests: the recorded documents of the scenario set (test/fixtures/render), the poppler and
// zbar tools (skipped with a message when absent; .ci/run installs them), PNG comparison.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { repoRoot } from '../helpers/sdk.js';

export const FIXTURE_DIR = join(repoRoot, 'test', 'fixtures', 'render');
export const GOLDEN_DIR = join(repoRoot, 'docs', 'render');

/** The scenario set of issue 13: one document per kind (scripts/record-render-fixtures.ts). */
export const FIXTURES = ['simplified', 'standard', 'credit', 'debit', 'exempt', 'export-usd', 'prepayment-adjustment', 'lines-1000'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function fixture(name: FixtureName): Buffer {
  return readFileSync(join(FIXTURE_DIR, `${name}.xml`));
}

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const POPPLER = ['pdftoppm', 'pdfdetach', 'pdffonts', 'pdftotext', 'pdfinfo'].every(has);
export const ZBAR = has('zbarimg');
export const POPPLER_MISSING = "poppler-utils not found (pdftoppm, pdfdetach, pdffonts, pdftotext, pdfinfo): 'apt-get install poppler-utils' — skipping";
export const ZBAR_MISSING = "zbar-tools not found (zbarimg): 'apt-get install zbar-tools' — skipping";
if (!POPPLER) console.warn(POPPLER_MISSING);
if (!ZBAR) console.warn(ZBAR_MISSING);

export function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
}

export interface Scratch {
  dir: string;
  write(name: string, data: Uint8Array): string;
  cleanup(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-render-'));
  return {
    dir,
    write: (name, data) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Pages `first`…`last` of a PDF as PNG files (pdftoppm), in page order. */
export function rasterize(pdf: string, dpi: number, first: number, last = first): string[] {
  const prefix = `${pdf}.p${first}-${dpi}`;
  run('pdftoppm', ['-r', String(dpi), '-png', '-f', String(first), '-l', String(last), pdf, prefix]);
  const dir = join(pdf, '..');
  const base = prefix.slice(dir.length + 1);
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png'))
    .sort()
    .map((f) => join(dir, f));
}

/** Pixels that differ beyond pixelmatch's colour threshold, or -1 when the sizes differ. */
export function pixelDifference(a: Buffer, b: Buffer): { differing: number; total: number } {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  if (x.width !== y.width || x.height !== y.height) return { differing: -1, total: x.width * x.height };
  return { differing: pixelmatch(x.data, y.data, undefined, x.width, x.height, { threshold: 0.1 }), total: x.width * x.height };
}
