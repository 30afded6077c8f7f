// Where each FATOORA environment lives (docs/zatca-notes.md §A1, §A11.1) and how a local simulator mirrors them,
// so switching between the simulator and a real gateway is one setting.

import { CERTIFICATE_TEMPLATE_NAMES, type ZatcaEnvironment } from '../crypto/csr.js';

export type FatooraEnv = ZatcaEnvironment;

export const FATOORA_ENVIRONMENTS: readonly FatooraEnv[] = ['sandbox', 'simulation', 'production'];

/** The gateway's path segment per environment: `…/e-invoicing/<segment>`. */
export const ENVIRONMENT_SEGMENT: Record<FatooraEnv, 'developer-portal' | 'simulation' | 'core'> = {
  sandbox: 'developer-portal',
  simulation: 'simulation',
  production: 'core',
};

export const FATOORA_GATEWAY = 'https://gw-fatoora.zatca.gov.sa';

export const FATOORA_BASE_URL: Record<FatooraEnv, string> = {
  sandbox: `${FATOORA_GATEWAY}/e-invoicing/developer-portal`,
  simulation: `${FATOORA_GATEWAY}/e-invoicing/simulation`,
  production: `${FATOORA_GATEWAY}/e-invoicing/core`,
};

/** The CSR certificate template name each environment expects (docs/zatca-notes.md §A1, §A5); one home: crypto/csr.ts. */
export const CERTIFICATE_TEMPLATE: Readonly<Record<FatooraEnv, string>> = CERTIFICATE_TEMPLATE_NAMES;

/**
 * Base URL of one environment on a local simulator (`startSimulator().url`), which serves the
 * same three path prefixes as the real gateway.
 */
export function simulatorBaseUrl(simulatorUrl: string, env: FatooraEnv): string {
  return `${simulatorUrl.replace(/\/+$/, '')}/e-invoicing/${ENVIRONMENT_SEGMENT[env]}`;
}

export function isFatooraEnv(value: string): value is FatooraEnv {
  return (FATOORA_ENVIRONMENTS as readonly string[]).includes(value);
}
