// Invoices the benchmarks run on: our engine's 10-line simplified invoice (and any line count),
// from the SDK-sample scenario JSON, so no benchmark depends on ZATCA's files.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'scenarios', 'simplified-invoice.json'), 'utf8'));

/** The simplified-invoice scenario with `n` generated lines and no document allowances. */
export function invoiceWithLines(n: number): Record<string, unknown> {
  return {
    ...base,
    uuid: '3cf5ee18-ee25-44ea-a444-2c37ba7f28be',
    allowanceCharges: [],
    lines: Array.from({ length: n }, (_, i) => ({
      name: `صنف ${i + 1} | Item ${i + 1}`,
      quantity: String(1 + (i % 5)),
      unitPrice: (10 + (i % 7) * 1.25).toFixed(2),
    })),
  };
}
