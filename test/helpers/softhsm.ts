// SoftHSM2 for the PKCS#11 tests: find the module (FAWTARA_PKCS11_MODULE or Debian's paths) and
// softhsm2-util, and initialise fresh tokens in a temporary directory per test file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WELL_KNOWN_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$0"', binary], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const SOFTHSM_MODULE = [process.env.FAWTARA_PKCS11_MODULE, ...WELL_KNOWN_MODULES].find((p): p is string => Boolean(p) && existsSync(p!));

function pkcs11jsLoads(): boolean {
  try {
    createRequire(import.meta.url)('pkcs11js');
    return true;
  } catch {
    return false;
  }
}

/** Why the SoftHSM tests cannot run here (undefined: they can). `.ci/run` installs softhsm2 and opensc. */
export const SOFTHSM_MISSING: string | undefined = !SOFTHSM_MODULE
  ? 'SoftHSM2 is not installed (apt-get install softhsm2, or set FAWTARA_PKCS11_MODULE): the PKCS#11 tests skip'
  : !onPath('softhsm2-util')
    ? 'softhsm2-util is not on the PATH (apt-get install softhsm2): the PKCS#11 tests skip'
    : !pkcs11jsLoads()
      ? 'the optional pkcs11js addon did not build here: the PKCS#11 tests skip'
      : undefined;
if (SOFTHSM_MISSING) console.warn(SOFTHSM_MISSING);

export const PKCS11_TOOL = onPath('pkcs11-tool') ? 'pkcs11-tool' : undefined;

export interface SoftHsm {
  module: string;
  dir: string;
  /** SOFTHSM2_CONF for child processes (pkcs11-tool); this process already has it. */
  env: Record<string, string>;
  cleanup(): void;
}

/**
 * A private SoftHSM configuration with the given tokens (label → user PIN). SoftHSM reads its
 * configuration and token list when the module is initialised (once per process), so every token a
 * test file needs is made here, before the first PKCS#11 call.
 */
export function softHsm(tokens: Record<string, string>): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  process.env.SOFTHSM2_CONF = conf;
  for (const [label, pin] of Object.entries(tokens)) {
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', `so-${pin}`], {
      env: { ...process.env, SOFTHSM2_CONF: conf },
      stdio: 'ignore',
    });
  }
  return { module: SOFTHSM_MODULE!, dir, env: { SOFTHSM2_CONF: conf }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `pkcs11-tool --list-objects` of a token's private keys, as opensc prints them. */
export function listPrivateKeys(hsm: SoftHsm, token: string, pin: string): string {
  return execFileSync(PKCS11_TOOL!, ['--module', hsm.module, '--token-label', token, '--login', '--pin', pin, '--list-objects', '--type', 'privkey'], {
    env: { ...process.env, ...hsm.env },
    encoding: 'utf8',
  });
}
