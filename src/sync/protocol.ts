// The branch → head-office sync protocol (version 1), as zod schemas: the route validates with them
// and the branch node builds exactly these shapes. Documents travel as base64 of their exact bytes.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** Documents per batch: ~10 KB of XML each keeps a batch well under the server's 1 MiB body limit. */
export const DEFAULT_BATCH_DOCUMENTS = 40;
export const MAX_BATCH_DOCUMENTS = 60;
/** Bytes of document XML per batch (before base64), checked by the builder. */
export const MAX_BATCH_XML_BYTES = 600 * 1024;

export const ReportingMode = z.enum(['direct', 'relay']);
export type ReportingMode = z.infer<typeof ReportingMode>;

const Hash = z.string().min(40).max(120);
const Serial = z.string().min(5).max(200);

export const SubmissionStatus = z.strictObject({
  state: z.string().max(40),
  endpoint: z.enum(['clearance', 'reporting']),
  attempts: z.number().int().min(0),
  lastOutcome: z.string().max(60).nullable(),
  lastHttpStatus: z.number().int().nullable(),
  lastMessage: z.string().max(1000).nullable(),
  acceptedAt: z.string().max(40).nullable(),
  late: z.boolean(),
  duplicate: z.boolean(),
});
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;

export const BatchUnit = z.strictObject({
  serial: Serial,
  generation: z.number().int().min(1),
  name: z.string().min(1).max(200),
  title: z.string().regex(/^[01]{4}$/),
  environment: z.string().max(40),
  head: z.strictObject({ icv: z.number().int().min(0), hash: Hash }),
});
export type BatchUnit = z.infer<typeof BatchUnit>;

/** The facts the VAT report needs, as the branch stored them (cross-checked against the XML where it can be). */
export const DocumentFacts = z.strictObject({
  documentType: z.string().max(40),
  typeCode: z.string().max(10),
  transactionCode: z.string().max(10),
  kind: z.enum(['standard', 'simplified']),
  issueDate: z.string().max(20),
  issueTime: z.string().max(20),
  issuedAt: z.string().max(40),
  deadlineAt: z.string().max(40),
  signingTime: z.string().max(40),
  currency: z.string().max(3),
  exchangeRate: z.string().max(40).nullable(),
  buyerVat: z.string().max(40).nullable(),
  buyerName: z.string().max(400).nullable(),
  originalNumber: z.string().max(200).nullable(),
  taxExclusiveAmount: z.string().max(40),
  taxAmount: z.string().max(40),
  taxAmountSar: z.string().max(40),
  taxInclusiveAmount: z.string().max(40),
  payableAmount: z.string().max(40),
  taxableAmountSar: z.string().max(40),
  vatBreakdown: z.string().max(20_000),
  qr: z.string().max(4000),
});
export type DocumentFacts = z.infer<typeof DocumentFacts>;

export const BatchDocument = z.strictObject({
  serial: Serial,
  generation: z.number().int().min(1),
  icv: z.number().int().min(1),
  pih: Hash,
  invoiceHash: Hash,
  uuid: z.string().min(1).max(64),
  number: z.string().min(1).max(200),
  /** base64 of the stored document's exact UTF-8 bytes. */
  xml: z.string().min(1).max(700_000),
  /** base64 of ZATCA's cleared document (standard documents the branch had cleared). */
  clearedXml: z.string().max(900_000).nullable(),
  facts: DocumentFacts,
  /** Who submits it to ZATCA: the branch's outbox, or head office (relay). Decided once, at the branch. */
  claim: z.enum(['branch', 'hq']),
  submission: SubmissionStatus,
});
export type BatchDocument = z.infer<typeof BatchDocument>;

export const StatusUpdate = z.strictObject({ uuid: z.string().min(1).max(64), submission: SubmissionStatus, clearedXml: z.string().max(900_000).nullable() });
export type StatusUpdate = z.infer<typeof StatusUpdate>;

export const SyncBatch = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  /** `batchIdOf` the rest of the batch: head office recomputes it, so an id names one content only. */
  batchId: z.string().regex(/^[0-9a-f]{64}$/),
  node: z.string().min(1).max(200),
  units: z.array(BatchUnit).max(1000),
  documents: z.array(BatchDocument).max(MAX_BATCH_DOCUMENTS),
  statuses: z.array(StatusUpdate).max(500),
  /** UUIDs the branch handed to head office and has no final outcome for yet. */
  relayPending: z.array(z.string().min(1).max(64)).max(500),
  /** The node's clock when it sent this (not part of batchId): head office records the offset. */
  nodeTime: z.iso.datetime({ offset: true }).optional(),
});
export type SyncBatch = z.infer<typeof SyncBatch>;

export const SyncResult = z.object({
  batchId: z.string(),
  replayed: z.boolean(),
  stored: z.number().int(),
  already: z.number().int(),
  statusesApplied: z.number().int(),
  reporting: ReportingMode,
  heads: z.array(z.object({ serial: z.string(), generation: z.number().int(), icv: z.number().int(), hash: z.string() })),
  relayed: z.array(z.object({ uuid: z.string(), submission: SubmissionStatus, clearedXml: z.string().nullable() })),
});
export type SyncResult = z.infer<typeof SyncResult>;

/**
 * JSON with object keys sorted at every level: the same content always gives the same text. `null`
 * is written as `""`: the server's schema validation (ajv, coerceTypes) turns a nullable string's
 * null into "", and both mean "none" in every nullable field of the protocol.
 */
function canonicalJson(value: unknown): string {
  if (value === null) return '""';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** A batch's id: SHA-256 (hex) of its canonical JSON without the id itself and the node's send time. */
export function batchIdOf(batch: Omit<SyncBatch, 'batchId'> & { batchId?: string }): string {
  const { batchId: _ignored, nodeTime: _sentAt, ...content } = batch;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
