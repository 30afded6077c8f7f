// The invoice hash itself (docs/zatca-notes.md §5): SHA-256 over canonical text, raw digest and base64. Every
// path ends here; ./hash.ts feeds it documents we did not write, the stamper our writer's text.
import { createHash } from 'node:crypto';

export interface InvoiceHash {
  /** The 32 raw digest bytes (what the ECDSA signature is computed over). */
  bytes: Buffer;
  /** base64 of the raw digest: the `invoiceHash` ZATCA speaks of (44 characters). */
  base64: string;
}

/**
 * Hash canonical text. Every invoice hash in Fawtara ends here: our writer's canonical pieces go in
 * directly, documents we did not write go in after `canonicalInvoiceText`.
 */
export function hashCanonicalText(pieces: readonly string[]): InvoiceHash {
  const h = createHash('sha256');
  for (const p of pieces) h.update(p, 'utf8');
  const bytes = h.digest();
  return { bytes, base64: bytes.toString('base64') };
}
