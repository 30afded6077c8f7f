// Test harness for the simulator and the client: a unit's key and CSR, small invoices of each
// kind signed with a CSID, and a marker validator that stands in for src/rules in HTTP tests only.
import { randomUUID } from 'node:crypto';
import { describeCertificate } from '../../src/crypto/certificate.js';
import { createCsr } from '../../src/crypto/csr.js';
import { generatePrivateKey, type LoadedPrivateKey } from '../../src/crypto/keys.js';
import { createSigner } from '../../src/crypto/signer.js';
import { engineChecks } from '../../src/simulator/engine-checks.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import type { Checks } from '../../src/simulator/checks.js';
import { signInvoiceXml } from '../../src/stamp/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import {
  createZatcaClient,
  decodeBinarySecurityToken,
  simulatorBaseUrl,
  type CsidCredentials,
  type FatooraEnv,
  type InvoiceSubmission,
  type ValidationMessage,
} from '../../src/zatca/index.js';
import { invoiceHashOf } from '../../src/crypto/hash.js';

export const SELLER_VAT = '399999999900003';
/** A fixed start of simulated time, so expiry tests read plainly. */
export const T0 = new Date('2025-03-01T08:00:00Z');

/**
 * HTTP-behaviour tests only: the real engine (CSR parser, CA, hash, stamp) with the validator
 * replaced by one that reads `<cbc:Note>sim:ERROR:CODE</cbc:Note>` markers. The real validator is
 * exercised by the end-to-end test once src/rules lands.
 */
export function markerChecks(): Checks {
  const engine = engineChecks();
  return {
    ...engine,
    validate(xml) {
      const messages: ValidationMessage[] = [
        {
          type: 'INFO',
          code: 'XSD_ZATCA_VALID',
          category: 'XSD validation',
          message: 'Complied with UBL 2.1 standards in line with ZATCA specifications',
          status: 'PASS',
        },
      ];
      for (const m of xml.matchAll(/sim:(ERROR|WARNING):([A-Za-z0-9-]+)/g)) {
        const type = m[1] as 'ERROR' | 'WARNING';
        messages.push({ type, code: m[2]!, category: 'KSA', message: `[${m[2]}] - marker`, status: type });
      }
      return messages;
    },
  };
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, host: '127.0.0.1', seed: 42, clock: { now: () => T0 }, checks: markerChecks(), ...options });
}

export function clientFor(sim: RunningSimulator, env: FatooraEnv, timeoutMs = 5000) {
  return createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, env), timeoutMs });
}

export interface TestUnit {
  key: LoadedPrivateKey;
  csrPem: string;
}

export function makeUnit(env: FatooraEnv, options: { vat?: string; title?: string; ou?: string; serial?: string; template?: 'wrong' } = {}): TestUnit {
  const key = generatePrivateKey();
  const csr = createCsr({
    privateKey: key,
    environment: options.template === 'wrong' ? (env === 'production' ? 'simulation' : 'production') : env,
    config: {
      commonName: `TST-886431145-${options.vat ?? SELLER_VAT}`,
      serialNumber: options.serial ?? `1-Fawtara|2-Test|3-${randomUUID()}`,
      organizationIdentifier: options.vat ?? SELLER_VAT,
      organizationUnitName: options.ou ?? 'Riyadh Branch',
      organizationName: 'Maximum Speed Tech Supply LTD',
      countryName: 'SA',
      invoiceType: options.title ?? '1100',
      locationAddress: 'RRRD2929',
      industryBusinessCategory: 'Supply activities',
    },
  });
  return { key, csrPem: csr.pem };
}

export type DocKind = 'standard' | 'simplified';
export type DocType = '388' | '381' | '383';

/** A small UBL invoice (our own text) with what hashing, QR and the simulator read. */
export function invoiceXml(o: {
  kind: DocKind;
  type?: DocType;
  icv?: number;
  pih?: string;
  vat?: string;
  notes?: string[];
  uuid?: string;
  id?: string;
}): string {
  const name = o.kind === 'simplified' ? '0200000' : '0100000';
  const notes = (o.notes ?? []).map((n) => `\n    <cbc:Note>${n}</cbc:Note>`).join('');
  const billing =
    o.type && o.type !== '388'
      ? `\n    <cac:BillingReference>\n        <cac:InvoiceDocumentReference>\n            <cbc:ID>SME00001</cbc:ID>\n        </cac:InvoiceDocumentReference>\n    </cac:BillingReference>`
      : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
    <cbc:ProfileID>reporting:1.0</cbc:ProfileID>
    <cbc:ID>${o.id ?? 'SME00010'}</cbc:ID>
    <cbc:UUID>${o.uuid ?? randomUUID()}</cbc:UUID>
    <cbc:IssueDate>2025-03-01</cbc:IssueDate>
    <cbc:IssueTime>10:00:00</cbc:IssueTime>
    <cbc:InvoiceTypeCode name="${name}">${o.type ?? '388'}</cbc:InvoiceTypeCode>${notes}
    <cbc:DocumentCurrencyCode>SAR</cbc:DocumentCurrencyCode>
    <cbc:TaxCurrencyCode>SAR</cbc:TaxCurrencyCode>${billing}
    <cac:AdditionalDocumentReference>
        <cbc:ID>ICV</cbc:ID>
        <cbc:UUID>${o.icv ?? 1}</cbc:UUID>
    </cac:AdditionalDocumentReference>
    <cac:AdditionalDocumentReference>
        <cbc:ID>PIH</cbc:ID>
        <cac:Attachment>
            <cbc:EmbeddedDocumentBinaryObject mimeCode="text/plain">${o.pih ?? INITIAL_PIH}</cbc:EmbeddedDocumentBinaryObject>
        </cac:Attachment>
    </cac:AdditionalDocumentReference>
    <cac:AccountingSupplierParty>
        <cac:Party>
            <cac:PartyTaxScheme>
                <cbc:CompanyID>${o.vat ?? SELLER_VAT}</cbc:CompanyID>
                <cac:TaxScheme>
                    <cbc:ID>VAT</cbc:ID>
                </cac:TaxScheme>
            </cac:PartyTaxScheme>
            <cac:PartyLegalEntity>
                <cbc:RegistrationName>Maximum Speed Tech Supply LTD</cbc:RegistrationName>
            </cac:PartyLegalEntity>
        </cac:Party>
    </cac:AccountingSupplierParty>
    <cac:TaxTotal>
        <cbc:TaxAmount currencyID="SAR">15.00</cbc:TaxAmount>
    </cac:TaxTotal>
    <cac:LegalMonetaryTotal>
        <cbc:PayableAmount currencyID="SAR">115.00</cbc:PayableAmount>
    </cac:LegalMonetaryTotal>
</Invoice>`;
}

/** Sign an invoice with a CSID's certificate and the unit key; returns the API body. */
export function signedSubmission(xml: string, unit: TestUnit, credentials: CsidCredentials, signingTime = T0): { xml: string; submission: InvoiceSubmission } {
  const certificate = describeCertificate(decodeBinarySecurityToken(credentials.binarySecurityToken).x509);
  const stamped = signInvoiceXml(xml, { certificate, signer: createSigner(unit.key), signingTime });
  return {
    xml: stamped.xml,
    submission: { invoiceHash: stamped.invoiceHash, uuid: stamped.facts.uuid, invoice: Buffer.from(stamped.xml, 'utf8').toString('base64') },
  };
}

/** An unsigned document's API body (standard documents may go unsigned to clearance). */
export function plainSubmission(xml: string): InvoiceSubmission {
  const uuid = /<cbc:UUID>([^<]+)<\/cbc:UUID>/.exec(xml)![1]!;
  return { invoiceHash: invoiceHashOf(xml).base64, uuid, invoice: Buffer.from(xml, 'utf8').toString('base64') };
}

export const STEP_DOCS: Array<{ step: string; kind: DocKind; type: DocType }> = [
  { step: 'standard-compliant', kind: 'standard', type: '388' },
  { step: 'standard-credit-note-compliant', kind: 'standard', type: '381' },
  { step: 'standard-debit-note-compliant', kind: 'standard', type: '383' },
  { step: 'simplified-compliant', kind: 'simplified', type: '388' },
  { step: 'simplified-credit-note-compliant', kind: 'simplified', type: '381' },
  { step: 'simplified-debit-note-compliant', kind: 'simplified', type: '383' },
];

export interface Onboarded {
  unit: TestUnit;
  ccsid: CsidCredentials & { requestId: number };
  pcsid: CsidCredentials;
  egsId: string;
}

/** OTP → CCSID → every required compliance document → PCSID, asserting each step succeeded. */
export async function onboard(sim: RunningSimulator, env: FatooraEnv, options: { vat?: string; title?: string; ou?: string } = {}): Promise<Onboarded> {
  const client = clientFor(sim, env);
  const control = sim.control.env(env);
  const vat = options.vat ?? SELLER_VAT;
  const otp = env === 'sandbox' ? '123345' : control.generateOtps({ vat, count: 1 })[0]!.otp;
  const unit = makeUnit(env, options);
  const c = await client.requestComplianceCsid({ otp, csrPem: unit.csrPem });
  if (c.kind !== 'accepted' || !c.body) throw new Error(`CCSID failed: ${c.message.en}`);
  const ccsid = { binarySecurityToken: c.body.binarySecurityToken, secret: c.body.secret, requestId: c.body.requestID };
  const title = options.title ?? '1100';
  for (const d of STEP_DOCS) {
    if ((d.kind === 'standard' && title[0] !== '1') || (d.kind === 'simplified' && title[1] !== '1')) continue;
    const { submission } = signedSubmission(invoiceXml({ kind: d.kind, type: d.type, vat }), unit, ccsid);
    const r = await client.submitComplianceInvoice(ccsid, submission);
    if (!r.ok) throw new Error(`compliance ${d.step} failed: ${r.message.en}`);
  }
  const p = await client.requestProductionCsid(ccsid, ccsid.requestId);
  if (p.kind !== 'accepted' || !p.body) throw new Error(`PCSID failed: ${p.message.en}`);
  const egsId = control.listEgs(vat).at(-1)!.id;
  return { unit, ccsid, pcsid: { binarySecurityToken: p.body.binarySecurityToken, secret: p.body.secret }, egsId };
}
