// Route schemas: written once in zod (types for handlers) and emitted as JSON Schema for fastify's
// validation and serialization and for the OpenAPI document. Shared shapes live here.
import { z } from 'zod';
import { VAT_NUMBER } from '../model/identifiers.js';

export type JsonSchema = Record<string, unknown>;

/** JSON Schema (draft-07, what fastify's ajv speaks) of a zod schema; `output` for responses. */
export function js(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Response schema: fields not listed are dropped by the serializer, so nothing unlisted ever leaks. */
export const out = (schema: z.ZodType) => js(schema, 'output');

/**
 * A response body that is not JSON (XML, CSV, PNG, PDF, HTML). `contentMediaType` is an annotation to
 * the validator and serializer (the handler sends text or bytes with `reply.type`), but the OpenAPI
 * document reads it to declare the real content type instead of application/json.
 */
export function media(
  contentType: 'application/xml' | 'text/csv' | 'text/plain' | 'image/png' | 'application/pdf' | 'text/html',
  description: string,
): JsonSchema {
  const binary = contentType === 'image/png' || contentType === 'application/pdf';
  return { type: 'string', contentMediaType: contentType, ...(binary && { format: 'binary' }), description };
}

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    messageAr: z.string(),
    field: z.string().optional(),
    reason: z.string().optional(),
    rule: z.string().optional(),
    issues: z.array(z.object({ field: z.string(), message: z.string(), messageAr: z.string().optional(), rule: z.string().optional() })).optional(),
  }),
});
export const ERROR_SCHEMA = out(ErrorBody);

export const VatNumber = z.string().regex(VAT_NUMBER).describe('15-digit VAT registration number');
/** A branch or unit reference: its id, its name or (units) its serial. */
export const Ref = z.string().min(1).max(200);

export const TaxpayerParams = z.strictObject({ vat: VatNumber });
export const BranchParams = z.strictObject({ vat: VatNumber, branch: Ref });
export const UnitParams = z.strictObject({ vat: VatNumber, unit: Ref });

export const Ok = z.object({ ok: z.literal(true) });
