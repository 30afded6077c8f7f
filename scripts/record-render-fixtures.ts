// Records the documents the printout tests render (test/fixtures/render/*.xml): scenario JSON built,
// stamped by a local unit identity and — for standard documents — cleared with a second identity the
// way ZATCA stamps at clearance, so the cleared document's QR is the one printed.
// Run: node --import tsx scripts/record-render-fixtures.ts   (then refresh the goldens:
// FAWTARA_UPDATE_GOLDENS=1 npx vitest run test/render/golden.test.ts)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalIdentity, EXAMPLE_CSR_CONFIG } from '../src/crypto/local-identity.js';
import { signInvoiceXml, stampInvoice } from '../src/stamp/index.js';
import { buildInvoice } from '../src/ubl/writer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test', 'fixtures', 'render');
const signingTime = new Date('2026-01-01T00:00:00Z');
const unit = createLocalIdentity({ now: signingTime });
const zatca = createLocalIdentity({ now: signingTime, config: { ...EXAMPLE_CSR_CONFIG, commonName: 'FAWTARA-SIMULATED-ZATCA-STAMP' } });

const scenario = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'scenarios', `${name}.json`), 'utf8'));

/** The 1,000-line standard invoice: long bilingual names that wrap, discounts on some lines. */
function thousandLines(): Record<string, unknown> {
  const base = scenario('standard-invoice');
  return {
    ...base,
    id: 'INV-1000-LINES',
    uuid: '6f0c7d3e-2b8a-4c41-9d57-1a2b3c4d5e6f',
    allowanceCharges: [],
    lines: Array.from({ length: 1000 }, (_, i) => ({
      name:
        i % 10 === 3
          ? `قطعة غيار رقم ${i + 1} لمضخة المياه الصناعية ذات الضغط العالي مع الملحقات | Spare part ${i + 1} for the high-pressure industrial water pump, with fittings`
          : `صنف ${i + 1} | Item ${i + 1}`,
      quantity: String(1 + (i % 4)),
      unitPrice: (5 + (i % 9) * 2.5).toFixed(2),
      ...(i % 7 === 0 && { allowanceCharges: [{ kind: 'allowance', amount: '1.00', reason: 'Discount' }] }),
    })),
  };
}

const FIXTURES: Array<[string, () => Record<string, unknown>]> = [
  ['simplified', () => scenario('simplified-invoice')],
  ['standard', () => scenario('standard-invoice')],
  ['credit', () => scenario('standard-credit-note')],
  ['debit', () => scenario('simplified-debit-note')],
  ['exempt', () => scenario('exempt')],
  ['export-usd', () => scenario('export-usd')],
  ['prepayment-adjustment', () => scenario('advance-payment-adjustments')],
  ['lines-1000', thousandLines],
];

mkdirSync(out, { recursive: true });
FIXTURES.forEach(([name, json], i) => {
  const input: Record<string, unknown> = { ...json(), icv: i + 1 };
  const stamped = stampInvoice(buildInvoice(input), { certificate: unit.certificate, signer: unit.signer, signingTime });
  const standard = input.kind === 'standard';
  const xml = standard ? signInvoiceXml(stamped.xml, { certificate: zatca.certificate, signer: zatca.signer, signingTime }).xml : stamped.xml;
  writeFileSync(join(out, `${name}.xml`), xml);
  console.log(`${name}.xml ${standard ? '(cleared)' : ''} ${Buffer.byteLength(xml)} bytes`);
});
