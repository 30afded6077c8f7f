// End-to-end onboarding and submission against the simulator with the product's real validator
// (docs/zatca-notes.md §A8.4, §A12.13): key → CSR → OTP → CCSID → every compliance document → PCSID → report a
// simplified invoice → clear a standard one and keep the cleared XML, with ZATCA's own sample documents.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/crypto/certificate.js';
import { createSigner } from '../../src/crypto/signer.js';
import { invoiceHashOf } from '../../src/crypto/hash.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { signInvoiceXml, verifyInvoice } from '../../src/stamp/index.js';
import { INITIAL_PIH } from '../../src/model/chain.js';
import { decodeBinarySecurityToken, type CsidCredentials } from '../../src/zatca/index.js';
import { sdkDir } from '../helpers/sdk.js';
import { clientFor, makeUnit, SELLER_VAT, type TestUnit } from './helpers.js';

const ready = sdkDir !== undefined;

const SAMPLES: Record<string, string> = {
  'standard-compliant': 'Standard/Invoice/Standard_Invoice.xml',
  'standard-credit-note-compliant': 'Standard/Credit/Standard_Credit_Note.xml',
  'standard-debit-note-compliant': 'Standard/Debit/Standard_Debit_Note.xml',
  'simplified-compliant': 'Simplified/Invoice/Simplified_Invoice.xml',
  'simplified-credit-note-compliant': 'Simplified/Credit/Simplified_Credit_Note.xml',
  'simplified-debit-note-compliant': 'Simplified/Debit/Simplified_Debit_Note.xml',
};

function sample(step: string): string {
  return readFileSync(join(sdkDir!, 'Data', 'Samples', SAMPLES[step]!), 'utf8');
}

/** The unit's chain: every document it signs takes the next ICV and the previous hash. */
class UnitChain {
  icv = 0;
  pih = INITIAL_PIH;
  constructor(readonly unit: TestUnit) {}
  sign(xml: string, credentials: CsidCredentials) {
    const certificate = describeCertificate(decodeBinarySecurityToken(credentials.binarySecurityToken).x509);
    const stamped = signInvoiceXml(xml, { certificate, signer: createSigner(this.unit.key), icv: ++this.icv, pih: this.pih });
    this.pih = stamped.invoiceHash;
    return { xml: stamped.xml, body: { invoiceHash: stamped.invoiceHash, uuid: stamped.facts.uuid, invoice: Buffer.from(stamped.xml).toString('base64') } };
  }
}

describe.skipIf(!ready)('end-to-end onboarding and submission (docs/zatca-notes.md §A8.4, §A12.13)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 1 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('docs/zatca-notes.md §A8.4: onboard with the real validator, report a simplified invoice, clear a standard one', async () => {
    const client = clientFor(sim, 'simulation', 20_000);
    const control = sim.control.env('simulation');
    const unit = makeUnit('simulation');
    const chain = new UnitChain(unit);
    const otp = control.generateOtps({ vat: SELLER_VAT })[0]!.otp;
    const c = await client.requestComplianceCsid({ otp, csrPem: unit.csrPem });
    expect(c.kind).toBe('accepted');
    const ccsid = { binarySecurityToken: c.body!.binarySecurityToken, secret: c.body!.secret };
    for (const step of Object.keys(SAMPLES)) {
      const r = await client.submitComplianceInvoice(ccsid, chain.sign(sample(step), ccsid).body);
      expect(r.ok, `${step}: ${r.message.en}`).toBe(true);
    }
    const p = await client.requestProductionCsid(ccsid, c.body!.requestID);
    expect(p.kind, p.message.en).toBe('accepted');
    const pcsid = { binarySecurityToken: p.body!.binarySecurityToken, secret: p.body!.secret };

    const reported = await client.reportInvoice(pcsid, chain.sign(sample('simplified-compliant'), pcsid).body);
    expect(reported.ok, reported.message.en).toBe(true);

    const standard = chain.sign(sample('standard-compliant'), pcsid);
    const cleared = await client.clearInvoice(pcsid, standard.body);
    expect(cleared.ok, cleared.message.en).toBe(true);
    const clearedXml = client.clearedXmlOf(cleared)!.toString('utf8');
    expect(invoiceHashOf(clearedXml).base64).toBe(standard.body.invoiceHash);
    const stamp = control.certificateAuthority().stamp;
    const verified = verifyInvoice(clearedXml, { certificate: new X509Certificate(stamp).raw.toString('base64') });
    expect(verified.checks.filter((k) => k.status === 'fail')).toEqual([]);

    const history = control.history(control.listEgs(SELLER_VAT)[0]!.id);
    expect(history.filter((h) => h.endpoint !== 'compliance-invoices').map((h) => h.icv)).toEqual([7, 8]);
  });
});
