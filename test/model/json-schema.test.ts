// The committed JSON Schema (schema/invoice.schema.json) is exactly what the zod input schema
// emits; regenerate with scripts/emit-json-schema.ts after changing src/model/schema.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invoiceJsonSchemaText } from '../../src/model/json-schema.js';
import { repoRoot } from '../helpers/sdk.js';

describe('schema/invoice.schema.json', () => {
  it('equals a fresh emission from the zod schema (run scripts/emit-json-schema.ts to update)', () => {
    expect(readFileSync(join(repoRoot, 'schema', 'invoice.schema.json'), 'utf8')).toBe(invoiceJsonSchemaText());
  });

  it('carries no internal bilingual message separators', () => {
    expect(invoiceJsonSchemaText()).not.toContain('\\u001f');
  });
});
