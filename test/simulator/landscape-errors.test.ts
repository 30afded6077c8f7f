// The error texts users hit (the research list of issue 11: forum threads and issues of other projects),
// each produced by the simulator under the condition that produced it at ZATCA: one row per text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../src/crypto/certificate.js';
import { createSigner } from '../../src/crypto/signer.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { signInvoiceXml } from '../../src/stamp/index.js';
import { decodeBinarySecurityToken, type InvoiceSubmission, type ZatcaFinding } from '../../src/zatca/index.js';
import { runSimulatorFlow, type FlowResult } from '../helpers/simulator-flow.js';
import { clientFor, invoiceXml, makeUnit, markerChecks, onboard, type Onboarded, signedSubmission, startTestSimulator, T0 } from './helpers.js';

const OTHER_VAT = '310122393500003';
type Client = ReturnType<typeof clientFor>;
interface Seen {
  status: number | null;
  findings: ZatcaFinding[];
}

const seen = (o: { httpStatus: number | null; errors: ZatcaFinding[]; warnings: ZatcaFinding[] }): Seen => ({
  status: o.httpStatus,
  findings: [...o.errors, ...o.warnings],
});
const found = (s: Seen, code: string, text: string): boolean => s.findings.some((f) => f.code === code && f.message.startsWith(text));

describe('landscape error texts: the platform-side conditions (simulation, then the developer portal)', () => {
  let sim: RunningSimulator;
  let client: Client;
  let unit: Onboarded;
  let icv = 10;
  const doc = (o: Partial<Parameters<typeof invoiceXml>[0]> = {}) => invoiceXml({ kind: 'simplified', icv: ++icv, ...o });
  const report = async (submission: InvoiceSubmission, u = unit) => seen(await client.reportInvoice(u.pcsid, submission));

  beforeAll(async () => {
    sim = await startTestSimulator({ behaviour: 'developer-portal' });
    client = clientFor(sim, 'simulation');
    unit = await onboard(sim, 'simulation');
  });
  afterAll(async () => sim?.close());

  const rows: Array<[string, string, string, number, () => Promise<Seen>]> = [
    [
      'hash in the body is not the document’s',
      'invalid-invoice-hash',
      'The invoice hash API body does not match the (calculated) Hash of the XML',
      400,
      async () => {
        const other = signedSubmission(doc(), unit.unit, unit.pcsid).submission;
        return report({ ...signedSubmission(doc(), unit.unit, unit.pcsid).submission, invoiceHash: other.invoiceHash });
      },
    ],
    [
      'UUID in the body is not the document’s',
      'INVOICE_UUID_VALIDATION',
      "UUID provided in the invoice doesn't match UUID in the provided Request",
      400,
      async () => report({ ...signedSubmission(doc(), unit.unit, unit.pcsid).submission, uuid: '00000000-0000-4000-8000-000000000000' }),
    ],
    [
      'seller VAT differs from the authenticated certificate’s',
      'certificate-permissions',
      'User only allowed to use the vat number that exists in the authentication certificate',
      400,
      async () => report(signedSubmission(doc({ vat: OTHER_VAT }), unit.unit, unit.pcsid).submission),
    ],
    [
      'signing certificate is not one for the seller’s VAT number',
      'certificate-issuer-name',
      'X509Certificate (CCSID / PCSID) used for signing is not valid certificate (CCSID / PCSID) for this VAT Registration Number.',
      400,
      async () => report(signedSubmission(doc({ vat: OTHER_VAT }), unit.unit, unit.pcsid).submission),
    ],
    [
      'the same, as ZATCA also names it',
      'invalid-signing-certificate',
      'X509Certificate (CCSID / PCSID) used for signing is not valid certificate (CCSID / PCSID) for this VAT Registration Number.',
      400,
      async () => report(signedSubmission(doc({ vat: OTHER_VAT }), unit.unit, unit.pcsid).submission),
    ],
    [
      'a standard-only unit reports a simplified invoice',
      'certificate-permissions',
      'Production CSID does not cover Simplified documents',
      400,
      async () => {
        const standardOnly = await onboard(sim, 'simulation', { title: '1000' });
        return report(signedSubmission(doc(), standardOnly.unit, standardOnly.pcsid).submission, standardOnly);
      },
    ],
    [
      'signed with a certificate this environment never issued',
      'invalid-certificate',
      'Production CSID is not valid',
      400,
      async () => {
        const elsewhere = await onboard(sim, 'production');
        return report(signedSubmission(doc(), elsewhere.unit, elsewhere.pcsid).submission);
      },
    ],
    [
      'a simplified invoice reported twice',
      'Invoice-Errors',
      'Invoice was already Reported successfully earlier.',
      409,
      async () => {
        const once = signedSubmission(doc(), unit.unit, unit.pcsid).submission;
        await report(once);
        return report(once);
      },
    ],
    [
      'a standard invoice cleared twice',
      'Invoice-Warning',
      'Invoice Hash Previously Submitted',
      208,
      async () => {
        const once = signedSubmission(doc({ kind: 'standard' }), unit.unit, unit.pcsid).submission;
        await client.clearInvoice(unit.pcsid, once);
        return seen(await client.clearInvoice(unit.pcsid, once));
      },
    ],
    [
      'a production CSID asked for before the compliance steps',
      'Missing-ComplianceSteps',
      'The compliance certificate is not done with the following compliance steps yet [',
      400,
      async () => {
        const otp = sim.control.env('simulation').generateOtps({ vat: '399999999900003', count: 1 })[0]!.otp;
        const c = await client.requestComplianceCsid({ otp, csrPem: unit.unit.csrPem });
        return seen(await client.requestProductionCsid({ binarySecurityToken: c.body!.binarySecurityToken, secret: c.body!.secret }, c.body!.requestID));
      },
    ],
    [
      'an OTP the portal never issued',
      'Invalid-OTP',
      'The provided OTP is invalid',
      400,
      async () => seen(await client.requestComplianceCsid({ otp: '123456', csrPem: unit.unit.csrPem })),
    ],
    [
      'the gateway fails on the production CSID call',
      'Invalid-Request',
      'System failed to process your request',
      500,
      async () => {
        sim.control.env('simulation').enqueueFault({ endpoint: 'production-csid', status: 500, count: 1 });
        return seen(await client.requestProductionCsid(unit.ccsid, unit.ccsid.requestId));
      },
    ],
    [
      'developer portal: any OTP but 123345',
      'Invalid-OTP',
      'The provided OTP is invalid',
      400,
      async () => seen(await clientFor(sim, 'sandbox').requestComplianceCsid({ otp: '654321', csrPem: unit.unit.csrPem })),
    ],
    [
      'developer portal: a seller VAT other than the canned certificate’s',
      'certificate-permissions',
      'User only allowed to use the vat number that exists in the authentication certificate',
      400,
      async () => {
        // The CSR names OTHER_VAT; the canned certificate names 399999999900003 whatever the CSR said.
        const sandbox = clientFor(sim, 'sandbox');
        const portal = await onboardWithoutSteps(sandbox, OTHER_VAT);
        return seen(await sandbox.reportInvoice(portal.pcsid, ownKeySubmission(doc({ vat: OTHER_VAT }), portal)));
      },
    ],
  ];

  it.each(rows)('%s → %s', async (_condition, code, text, status, run) => {
    const answer = await run();
    expect(answer.status).toBe(status);
    expect(found(answer, code, text), JSON.stringify(answer.findings)).toBe(true);
  });

  it('a failure inside the business-rule run → GENERAL "Unable to execute Business Rules validation"', async () => {
    const broken = await startSimulator({
      port: 0,
      host: '127.0.0.1',
      seed: 5,
      clock: { now: () => T0 },
      checks: {
        ...markerChecks(),
        validate() {
          throw new Error('rules engine down');
        },
      },
    });
    try {
      const portal = clientFor(broken, 'sandbox');
      const u = await onboardWithoutSteps(portal);
      const answer = seen(await portal.reportInvoice(u.pcsid, signedSubmission(doc(), u.unit, u.pcsid).submission));
      expect(answer.status).toBe(400);
      expect(found(answer, 'GENERAL', 'Unable to execute Business Rules validation')).toBe(true);
    } finally {
      await broken.close();
    }
  });
});

/** Signed with the unit's own key under the portal's canned certificate, as a sandbox unit does. */
function ownKeySubmission(xml: string, u: Onboarded): InvoiceSubmission {
  const certificate = describeCertificate(decodeBinarySecurityToken(u.pcsid.binarySecurityToken).x509);
  const stamped = signInvoiceXml(xml, { certificate, signer: createSigner(u.unit.key), signingTime: T0, sandboxCertificate: true });
  return { invoiceHash: stamped.invoiceHash, uuid: stamped.facts.uuid, invoice: Buffer.from(stamped.xml).toString('base64') };
}

/** The developer portal enforces no compliance step: CCSID, then PCSID straight away. */
async function onboardWithoutSteps(portal: Client, vat?: string): Promise<Onboarded> {
  const unit = makeUnit('sandbox', { ...(vat && { vat }) });
  const c = await portal.requestComplianceCsid({ otp: '123345', csrPem: unit.csrPem });
  const ccsid = { binarySecurityToken: c.body!.binarySecurityToken, secret: c.body!.secret, requestId: c.body!.requestID };
  const p = await portal.requestProductionCsid(ccsid, ccsid.requestId);
  return { unit, ccsid, pcsid: { binarySecurityToken: p.body!.binarySecurityToken, secret: p.body!.secret }, egsId: '' };
}

describe('landscape error texts: the signature findings, worded as the gateway words them (real validator)', () => {
  let sim: RunningSimulator;
  let flow: FlowResult;
  let reported: string;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 3 });
    flow = await runSimulatorFlow(sim);
    reported = flow.documents.find((d) => d.name === 'reported-pos-receipt')!.xml;
    // A day later the same bytes are no longer a duplicate (docs/zatca-notes.md §A9), so each tampered copy is judged.
    sim.control.env('simulation').advanceClock(25 * 3600);
  }, 120_000);
  afterAll(async () => sim?.close());

  const send = async (xml: string): Promise<Seen> => {
    const original = flow.documents.find((d) => d.name === 'reported-pos-receipt')!;
    const uuid = /<cbc:UUID>([^<]+)</.exec(xml)![1]!;
    return seen(await flow.client.reportInvoice(flow.pcsid, { invoiceHash: original.invoiceHash, uuid, invoice: Buffer.from(xml).toString('base64') }));
  };

  it.each([
    [
      'SignedProperties changed after signing',
      'signed-properties-hashing',
      "Invalid signed properties hashing, SignedProperties with id='xadesSignedProperties'",
      (x: string) => x.replace(/<xades:SigningTime>[^<]+</, '<xades:SigningTime>2020-01-01T00:00:00<'),
    ],
    [
      'certificate digest not the embedded certificate’s',
      'certificate-hashing',
      'Invalid certificate hashing',
      (x: string) => x.replace(/(<ds:DigestValue>)([^<]+)(<\/ds:DigestValue>\s*<\/xades:CertDigest>)/, '$1AAAA$3'),
    ],
    [
      'signature value not made with the certificate’s key',
      'invalid-digital-signature',
      'Invalid digital signature',
      (x: string) => x.replace(/<ds:SignatureValue>([^<]{10})/, '<ds:SignatureValue>MEUCIQDxxx'),
    ],
  ])('%s → %s', async (_condition, code, text, tamper) => {
    const answer = await send(tamper(reported));
    expect(answer.status).toBe(400);
    expect(found(answer, code, text), JSON.stringify(answer.findings)).toBe(true);
  });
});
