// The JSON Schema of the invoice input, emitted from the zod schema (one source of truth);
// scripts/emit-json-schema.ts writes it to schema/invoice.schema.json.
import { z } from 'zod';
import { InvoiceInput, MESSAGE_SEPARATOR } from './schema.js';

/** JSON Schema (draft 2020-12) of the input as written by a client (defaults optional). */
export function invoiceJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(InvoiceInput, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://fawtara.dev/schema/invoice.schema.json',
    title: 'Fawtara invoice input',
    description: 'A ZATCA Phase 2 document (invoice, credit/debit note, prepayment) as JSON; see docs/invoice-json.md.',
  };
}

/** The committed file's exact text (2-space JSON, trailing newline). */
export function invoiceJsonSchemaText(): string {
  return (
    JSON.stringify(invoiceJsonSchema(), (_k, v: unknown) => (typeof v === 'string' && v.includes(MESSAGE_SEPARATOR) ? v.split(MESSAGE_SEPARATOR)[0] : v), 2) +
    '\n'
  );
}
