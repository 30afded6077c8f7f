// The one rule of a unit's chain, checked by everything that appends or verifies (issuing/chain.ts,
// audit/audit.ts, archive/verify.ts): the next document has ICV head+1, its PIH is the head's hash,
// and it is not dated before the head's document (KSA-13, KSA-16; docs/issuing.md).
import { INITIAL_PIH } from '../model/chain.js';

/** Where a chain stands: the last ICV and that document's hash (ICV 0 and the initial PIH when empty). */
export interface ChainHead {
  icv: number;
  hash: string;
  /** When the head's document was issued (UTC ISO); null when unknown or empty. */
  issuedAt?: string | null;
}

export const EMPTY_CHAIN: ChainHead = { icv: 0, hash: INITIAL_PIH, issuedAt: null };

export interface LinkProblem {
  /** `repeat`: an ICV at or below the head; `gap`: ICVs skipped; `fork`: the PIH is not the head's hash; `back-dated`. */
  kind: 'repeat' | 'gap' | 'fork' | 'back-dated';
  message: string;
}

/** Every way `next` fails to continue `head`, in the order repeat/gap, fork, back-dated. */
export function linkProblems(head: ChainHead, next: { icv: number; pih: string; issuedAt?: string | null }): LinkProblem[] {
  const out: LinkProblem[] = [];
  if (next.icv <= head.icv) out.push({ kind: 'repeat', message: `ICV ${next.icv} repeats or precedes ICV ${head.icv}` });
  else if (next.icv !== head.icv + 1)
    out.push({ kind: 'gap', message: `ICV ${next.icv} follows ICV ${head.icv}: ICVs ${head.icv + 1}–${next.icv - 1} are missing` });
  if (next.pih !== head.hash) out.push({ kind: 'fork', message: `the PIH ${next.pih} is not the hash of ICV ${head.icv} (${head.hash})` });
  if (head.issuedAt && next.issuedAt && next.issuedAt < head.issuedAt)
    out.push({ kind: 'back-dated', message: `issued at ${next.issuedAt}, before the previous document (${head.issuedAt})` });
  return out;
}
