// Locates ZATCA's SDK data (never copied into this repository): FAWTARA_ZATCA_SDK_DIR, or the
// shared/ folder beside the clone. Tests that need it skip with a clear message when it is absent.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function findSdkDir(): string | undefined {
  const candidates = [process.env.FAWTARA_ZATCA_SDK_DIR, resolve(repoRoot, '..', 'shared', 'zatca-sdk-data')];
  for (const c of candidates) if (c && existsSync(join(c, 'Data'))) return c;
  return undefined;
}

/** Folder that holds `Data/` (SDK 238-R3.4.8) and `238-R3.2.7/Data/`, or undefined. */
export const sdkDir = findSdkDir();

export const SDK_MISSING_MESSAGE =
  'ZATCA SDK data not found: set FAWTARA_ZATCA_SDK_DIR to a folder containing Data/Samples (or place shared/zatca-sdk-data beside the clone); skipping';

if (!sdkDir) console.warn(SDK_MISSING_MESSAGE);

export function sdkPath(...parts: string[]): string {
  if (!sdkDir) throw new Error(SDK_MISSING_MESSAGE);
  return join(sdkDir, ...parts);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.xml')) out.push(p);
  }
  return out;
}

/** The 19 signed samples of SDK 238-R3.4.8 (absolute paths), or [] without the SDK data. */
export function signedSamples(): string[] {
  return sdkDir ? walk(join(sdkDir, 'Data', 'Samples')) : [];
}

/** Samples of the older SDK 238-R3.2.7 (incl. the *_Error ones), or []. */
export function olderSamples(): string[] {
  const d = sdkDir ? join(sdkDir, '238-R3.2.7', 'Data', 'Samples') : undefined;
  return d && existsSync(d) ? walk(d) : [];
}

export function readSdk(...parts: string[]): string {
  return readFileSync(sdkPath(...parts), 'utf8');
}
