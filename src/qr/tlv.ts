// ZATCA's QR payload (KSA-14, docs/zatca-notes.md §7): TLV with a 1-byte tag and a 1-byte length, base64 encoded.
// Encoding, decoding and the tag table; what goes into each tag is decided in ./invoice-qr.ts.
import { FawtaraError } from '../errors.js';

export const QR_TAG_NAMES: Record<number, string> = {
  1: 'seller name',
  2: 'seller VAT number',
  3: 'issue date and time',
  4: 'amount payable (BT-115)',
  5: 'VAT total (SAR)',
  6: 'invoice hash',
  7: 'ECDSA signature',
  8: 'public key',
  9: 'certificate signature',
};

/** BR-CL-KSA-14: the QR attachment holds at most 1000 characters. */
export const MAX_QR_BASE64_LENGTH = 1000;

export type QrTags = Map<number, Buffer>;

/** Encode tags in ascending order. Values must fit ZATCA's 1-byte length. */
export function encodeTlv(tags: QrTags): Buffer {
  const parts: Buffer[] = [];
  for (const tag of [...tags.keys()].sort((a, b) => a - b)) {
    const value = tags.get(tag)!;
    if (value.length > 255) {
      throw new FawtaraError(
        'QR_INVALID',
        `QR tag ${tag} (${QR_TAG_NAMES[tag] ?? 'unknown'}) is ${value.length} bytes; ZATCA's QR format holds at most 255 bytes per value — shorten it`,
        { field: `qr.tag${tag}`, rule: 'KSA-14', messageAr: `قيمة الحقل ${tag} في رمز QR أطول من 255 بايت؛ يرجى تقصيرها` },
      );
    }
    parts.push(Buffer.from([tag, value.length]), value);
  }
  return Buffer.concat(parts);
}

export interface DecodedQr {
  tags: QrTags;
  /** Tags in the order they appear (to check ascending order and duplicates). */
  order: number[];
}

/** Decode a base64 QR payload; throws FawtaraError('QR_INVALID') on a truncated or malformed TLV. */
export function decodeTlv(base64: string): DecodedQr {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new FawtaraError('QR_INVALID', 'the QR value is not valid base64', {
      field: 'QR',
      rule: 'KSA-14',
      messageAr: 'قيمة رمز QR ليست بصيغة base64 صحيحة',
    });
  }
  const read = readTlv(Buffer.from(text, 'base64'));
  if (read.error) throw truncated();
  return { tags: read.tags, order: read.order };
}

/**
 * Read TLV entries up to the first malformed one: the tags read before it are kept, with `error`
 * saying where it broke (the validator judges those tags too, as ZATCA's SDK does; decodeTlv refuses).
 */
export function readTlv(bytes: Buffer): DecodedQr & { error?: string } {
  const tags: QrTags = new Map();
  const order: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) return { tags, order, error: `truncated TLV header at byte ${i}` };
    const tag = bytes[i]!;
    const len = bytes[i + 1]!;
    if (i + 2 + len > bytes.length) return { tags, order, error: `TLV tag ${tag} at byte ${i} declares ${len} bytes but only ${bytes.length - i - 2} remain` };
    order.push(tag);
    if (!tags.has(tag)) tags.set(tag, bytes.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return { tags, order };
}

function truncated(): FawtaraError {
  return new FawtaraError('QR_INVALID', 'the QR TLV data is truncated (a length runs past the end)', {
    field: 'QR',
    rule: 'KSA-14',
    messageAr: 'بيانات رمز QR مقطوعة',
  });
}
