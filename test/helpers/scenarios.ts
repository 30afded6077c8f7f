// The JSON scenarios of test/fixtures/scenarios (one per SDK sample scenario, plus our own), built
// and stamped the same way by the tests and by scripts/record-oracle-verdicts.ts.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCertificate, type SigningCertificate } from '../../src/crypto/certificate.js';
import { loadPrivateKey } from '../../src/crypto/keys.js';
import { availableSignerBackends, createSigner, type Signer } from '../../src/crypto/signer.js';
import { stampInvoice, type StampedInvoice } from '../../src/stamp/index.js';
import type { UnsignedInvoice } from '../../src/ubl/document.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { readSdk, repoRoot, sdkDir } from './sdk.js';

export const scenarioDir = join(repoRoot, 'test', 'fixtures', 'scenarios');
export const verdictFile = join(repoRoot, 'test', 'fixtures', 'oracle', 'engine-verdicts.json');

/** Fixed signing time so recorded bytes can be reproduced. */
export const FIXED_SIGNING_TIME = new Date('2026-01-01T00:00:00Z');

export function scenarioNames(): string[] {
  return readdirSync(scenarioDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function scenarioJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(scenarioDir, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * The 12-document chain of one unit (issue 2): invoices and notes, ICV 1…12, each PIH the previous
 * invoice hash. Scenario names in issue order.
 */
export const CHAIN_SCENARIOS = [
  'standard-invoice',
  'simplified-invoice',
  'simplified-credit-note',
  'standard-debit-note',
  'document-level-charge',
  'simplified-zero-rated',
  'standard-credit-note',
  'export-usd',
  'simplified-debit-note',
  'prepayment-invoice',
  'advance-payment-adjustments',
  'pos-receipt-vat-inclusive',
];

/** A UUID derived from a name, so fixtures without one are still reproducible. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(`fawtara-fixture:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildScenario(name: string, chain?: { icv: number; pih: string; id: string }): UnsignedInvoice {
  const json = scenarioJson(name);
  json.uuid ??= stableUuid(chain ? `${name}#${chain.icv}` : name);
  if (chain) Object.assign(json, { icv: chain.icv, pih: chain.pih, id: chain.id });
  return buildInvoice(json);
}

export interface SdkSigning {
  certificate: SigningCertificate;
  signer: Signer;
  /** libsecp256k1 signs deterministically (RFC 6979): the whole signed text is reproducible. */
  deterministic: boolean;
}

export function sdkSigning(): SdkSigning | undefined {
  if (!sdkDir) return undefined;
  const certificate = loadCertificate(readSdk('Data', 'Certificates', 'cert.pem'));
  const key = loadPrivateKey(readSdk('Data', 'Certificates', 'ec-secp256k1-priv-key.pem'));
  const native = availableSignerBackends().includes('native');
  return { certificate, signer: createSigner(key, native ? 'native' : undefined), deterministic: native };
}

export function stampScenario(doc: UnsignedInvoice, signing: SdkSigning): StampedInvoice {
  return stampInvoice(doc, { certificate: signing.certificate, signer: signing.signer, signingTime: FIXED_SIGNING_TIME });
}

/** Build the 12-document chain; returns the unsigned documents in order (hashes need no key). */
export function buildChain(): UnsignedInvoice[] {
  const docs: UnsignedInvoice[] = [];
  let pih = INITIAL_PIH;
  CHAIN_SCENARIOS.forEach((name, i) => {
    const doc = buildScenario(name, { icv: i + 1, pih, id: `CHN-${String(i + 1).padStart(4, '0')}` });
    docs.push(doc);
    pih = unsignedInvoiceHash(doc);
  });
  return docs;
}

/** The invoice hash of a document before stamping: the stamp does not change it (docs/zatca-notes.md §5). */
export function unsignedInvoiceHash(doc: UnsignedInvoice): string {
  return createHash('sha256')
    .update(doc.rootStart + doc.head + doc.tail)
    .digest('base64');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
