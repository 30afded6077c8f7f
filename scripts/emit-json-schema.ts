// Writes schema/invoice.schema.json from the zod input schema (src/model/schema.ts), so the
// published JSON Schema never drifts from what parseInvoiceInput accepts.
//
// Usage: node <compiled>/scripts/emit-json-schema.js [out.json]   (default: <repo>/schema/invoice.schema.json)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invoiceJsonSchemaText } from '../src/model/json-schema.js';

/** The folder holding package.json above this file (works from scripts/ and from a compiled copy). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

const out = resolve(process.argv[2] ?? resolve(repoRoot(), 'schema', 'invoice.schema.json'));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, invoiceJsonSchemaText());
console.log(`wrote ${out}`);
