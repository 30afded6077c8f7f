// `npm start` until the head-office server exists: the usage, then a live round trip on embedded
// defaults — build an invoice, stamp it with a unit key certified by the built-in simulator's CA, verify it.
import { readFileSync } from 'node:fs';
import { createLocalIdentity } from '../../crypto/local-identity.js';
import { stampInvoice, verifyInvoice } from '../../stamp/index.js';
import { buildInvoice } from '../../ubl/writer.js';
import { EXIT, type Io } from '../output.js';

/** A VAT-inclusive POS sale of three items: what a cashier's device sends. */
export const DEMO_INVOICE = {
  id: 'DEMO-0001',
  kind: 'simplified',
  issueDate: new Date().toISOString().slice(0, 10),
  issueTime: new Date().toISOString().slice(11, 19),
  seller: {
    name: { ar: 'شركة فاتورة التجريبية', en: 'Fawtara Demo Trading LLC' },
    vatNumber: '399999999900003',
    identification: { scheme: 'CRN', value: '1010010000' },
    address: {
      street: { ar: 'الأمير سلطان', en: 'Prince Sultan' },
      buildingNumber: '2322',
      district: { ar: 'المربع', en: 'Al-Murabba' },
      city: { ar: 'الرياض', en: 'Riyadh' },
      postalCode: '23333',
      country: 'SA',
    },
  },
  pricesIncludeVat: true,
  paymentMeans: [{ code: '10' }],
  lines: [
    { name: 'قهوة عربية | Arabic coffee', quantity: '2', unitPrice: '11.50' },
    { name: 'تمر سكري | Sukkari dates', quantity: '1', unitPrice: '34.99' },
    { name: 'مياه | Water', quantity: '6', unitPrice: '1.15' },
  ],
};

export async function startCommand(opts: { json?: boolean }, io: Io): Promise<number> {
  const started = performance.now();
  const identity = createLocalIdentity();
  const stamped = stampInvoice(buildInvoice(DEMO_INVOICE), { certificate: identity.certificate, signer: identity.signer });
  const verified = verifyInvoice(stamped.xml);
  const ms = performance.now() - started;
  if (opts.json) {
    io.out(JSON.stringify({ ok: verified.ok, invoiceHash: stamped.invoiceHash, qr: stamped.qr, signer: identity.signer.backend, checks: verified.checks.length, ms: Math.round(ms) }, null, 2));
    return verified.ok ? EXIT.ok : EXIT.invalid;
  }
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  io.out(
    [
      `Fawtara ${version} — ZATCA e-invoicing (FATOORA Phase 2)`,
      '',
      'Demo on embedded defaults: a VAT-inclusive POS sale, built as UBL 2.1, stamped with a unit key',
      'certified by a local test CA, then verified (hash, XAdES signature, QR, PIH):',
      `  invoice ${DEMO_INVOICE.id}: ${verified.ok ? 'VALID' : 'INVALID'} — hash ${stamped.invoiceHash}, payable ${stamped.facts.payableAmount} SAR, ` +
        `${verified.checks.filter((c) => c.status === 'pass').length} checks passed, signer ${identity.signer.backend}, ${ms.toFixed(0)} ms`,
      '',
      'Next steps:',
      '  npx fawtara build --input invoice.json --output invoice.xml     (format: docs/invoice-json.md)',
      '  npx fawtara sign --invoice invoice.xml --cert cert.pem --key key.pem --signed-invoice signed.xml',
      '  npx fawtara validate --invoice signed.xml',
      '  npx fawtara simulator --port 8443                               (local ZATCA, docs/simulator.md)',
      '  npx fawtara --help                                              (every command)',
    ].join('\n'),
  );
  return verified.ok ? EXIT.ok : EXIT.invalid;
}
