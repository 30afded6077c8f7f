// Stamping off the event loop: the contract a worker pool (workers/, drawn above) fulfils for the
// issuer, and where a server registers one for its store. The chain is hashed here; only signing leaves.
import type { SigningCertificate } from '../crypto/certificate.js';
import type { Signer } from '../crypto/signer.js';
import type { InvoiceHash } from '../crypto/invoice-hash.js';
import type { StampedInvoice } from '../stamp/index.js';
import type { Store } from '../store/index.js';
import type { UnsignedInvoice } from '../ubl/document.js';

/** One document to sign: its unsigned text, the invoice hash already made in ICV order, and who signs. */
export interface StampWork {
  doc: UnsignedInvoice;
  hash: InvoiceHash;
  certificate: SigningCertificate;
  /** An in-memory signer (its `threadKey` crosses to the thread); token signers never come here. */
  signer: Signer;
  /** The CSID the certificate and key belong to (a thread keeps each identity it was given once). */
  csidId: string;
  signingTime: Date;
}

/** What comes back: the stamp of each work item, in order, self-checked on the thread. */
export type StampResult = Pick<StampedInvoice, 'xml' | 'invoiceHash' | 'qr' | 'signingTime'>;

export interface OffThreadStamper {
  stamp(work: StampWork[]): Promise<StampResult[]>;
}

/** By store, not by context: the server makes a context per request, and issuers are per store too. */
const stampers = new WeakMap<Store, OffThreadStamper>();

/** Stamp this store's documents on `stamper` from the next batch on; `undefined`: on the event loop again. */
export function useOffThreadStamper(store: Store, stamper: OffThreadStamper | undefined): void {
  if (stamper) stampers.set(store, stamper);
  else stampers.delete(store);
}

export function offThreadStamperOf(store: Store): OffThreadStamper | undefined {
  return stampers.get(store);
}
