// One EGS unit's life against the simulator with documents our engine builds: key → CSR → OTP →
// CCSID → every compliance document → PCSID → report a simplified sale → clear a standard invoice.
import { randomUUID } from 'node:crypto';
import { describeCertificate } from '../../src/crypto/certificate.js';
import { createCsr } from '../../src/crypto/csr.js';
import { generatePrivateKey } from '../../src/crypto/keys.js';
import { createSigner } from '../../src/crypto/signer.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { stampInvoice } from '../../src/stamp/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { createZatcaClient, decodeBinarySecurityToken, type CsidCredentials } from '../../src/zatca/index.js';
import { scenarioJson } from './scenarios.js';

export const FLOW_VAT = '399999999900003';

/** Compliance steps of a TSCZ `1100` unit (docs/zatca-notes.md §A4.2) and the scenario that answers each. */
export const COMPLIANCE_DOCUMENTS = [
  'standard-invoice',
  'standard-credit-note',
  'standard-debit-note',
  'simplified-invoice',
  'simplified-credit-note',
  'simplified-debit-note',
];

export interface FlowDocument {
  name: string;
  xml: string;
  invoiceHash: string;
}

/** Today's date and time in KSA (UTC+3), so BR-KSA-04 and BR-KSA-98 hold. */
function ksaNow(): { issueDate: string; issueTime: string } {
  const t = new Date(Date.now() + 3 * 3600_000 - 60_000).toISOString();
  return { issueDate: t.slice(0, 10), issueTime: t.slice(11, 19) };
}

export interface FlowResult {
  documents: FlowDocument[];
  cleared: FlowDocument;
  stampCertificatePem: string;
  /** The unit's production CSID and a client for the same environment, to go on submitting. */
  pcsid: CsidCredentials;
  client: ReturnType<typeof createZatcaClient>;
}

export async function runSimulatorFlow(sim: RunningSimulator): Promise<FlowResult> {
  const client = createZatcaClient({ baseUrl: `${sim.url}/e-invoicing/simulation`, timeoutMs: 20_000 });
  const control = sim.control.env('simulation');
  const key = generatePrivateKey();
  const csr = createCsr({
    privateKey: key,
    environment: 'simulation',
    config: {
      commonName: 'FAWTARA-FLOW-EGS',
      serialNumber: `1-Fawtara|2-Flow|3-${randomUUID()}`,
      organizationIdentifier: FLOW_VAT,
      organizationUnitName: 'Riyadh Branch',
      organizationName: 'Maximum Speed Tech Supply LTD',
      countryName: 'SA',
      invoiceType: '1100',
      locationAddress: 'RRRD2929',
      industryBusinessCategory: 'Supply activities',
    },
  });
  const signer = createSigner(key);
  let icv = 0;
  let pih = INITIAL_PIH;
  const documents: FlowDocument[] = [];
  const sign = (scenario: string, credentials: CsidCredentials, label: string) => {
    const json = { ...scenarioJson(scenario), ...ksaNow(), uuid: randomUUID(), id: `FLOW-${icv + 1}`, icv: ++icv, pih };
    const certificate = describeCertificate(decodeBinarySecurityToken(credentials.binarySecurityToken).x509);
    const stamped = stampInvoice(buildInvoice(json), { certificate, signer });
    pih = stamped.invoiceHash;
    documents.push({ name: label, xml: stamped.xml, invoiceHash: stamped.invoiceHash });
    return { invoiceHash: stamped.invoiceHash, uuid: stamped.facts.uuid, invoice: Buffer.from(stamped.xml).toString('base64') };
  };
  const fail = (what: string, message: string): never => {
    throw new Error(`${what}: ${message}`);
  };

  const otp = control.generateOtps({ vat: FLOW_VAT })[0]!.otp;
  const c = await client.requestComplianceCsid({ otp, csrPem: csr.pem });
  if (c.kind !== 'accepted') fail('compliance CSID', c.message.en);
  const ccsid = { binarySecurityToken: c.body!.binarySecurityToken, secret: c.body!.secret };
  for (const scenario of COMPLIANCE_DOCUMENTS) {
    const r = await client.submitComplianceInvoice(ccsid, sign(scenario, ccsid, `compliance-${scenario}`));
    if (!r.ok) fail(`compliance ${scenario}`, `${r.message.en} ${JSON.stringify(r.errors)}`);
  }
  const p = await client.requestProductionCsid(ccsid, c.body!.requestID);
  if (p.kind !== 'accepted') fail('production CSID', p.message.en);
  const pcsid = { binarySecurityToken: p.body!.binarySecurityToken, secret: p.body!.secret };

  const reported = await client.reportInvoice(pcsid, sign('pos-receipt-vat-inclusive', pcsid, 'reported-pos-receipt'));
  if (!reported.ok) fail('reporting', `${reported.message.en} ${JSON.stringify(reported.errors)}`);
  const standard = sign('standard-invoice', pcsid, 'submitted-standard-invoice');
  const clearedOutcome = await client.clearInvoice(pcsid, standard);
  if (!clearedOutcome.ok) fail('clearance', `${clearedOutcome.message.en} ${JSON.stringify(clearedOutcome.errors)}`);
  const clearedXml = client.clearedXmlOf(clearedOutcome)!.toString('utf8');
  return {
    documents,
    cleared: { name: 'cleared-standard-invoice', xml: clearedXml, invoiceHash: standard.invoiceHash },
    stampCertificatePem: control.certificateAuthority().stamp,
    pcsid,
    client,
  };
}
