// Running the team oracle (shared/oracle) from the fixture-recording scripts: where it lives, one
// call with its JSON answer (it exits 1 when a file fails, with the JSON still on stdout), rule ids.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from '../test/helpers/sdk.js';

/** The oracle given on the command line, or the one in ../shared beside the clone. */
export function oraclePath(argument: string | undefined): string {
  return argument ?? resolve(repoRoot, '..', 'shared', 'oracle', 'oracle');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the oracle's JSON, read field by field
export function runOracle(oracle: string, args: string[]): any {
  try {
    return JSON.parse(execFileSync(oracle, args, { encoding: 'utf8', maxBuffer: 1 << 28 }));
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout) return JSON.parse(stdout);
    throw error;
  }
}

/** `ksa: BR-KSA-98 [warning] …` → `BR-KSA-98`; crypto/QR problems → their check id. Sorted, unique. */
export function ruleIds(messages: readonly string[]): string[] {
  return [...new Set(messages.map((m) => /^\w+: (\S+)/.exec(m)?.[1] ?? m))].sort();
}
