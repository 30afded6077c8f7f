// The one table that maps a ZATCA outcome (src/zatca/outcome.ts) to a document's submission state
// and what the outbox does next (docs/zatca-notes.md §A9, §A10.1; architecture: "exactly one table").
import type { SubmissionState } from '../store/index.js';
import type { OutcomeKind } from '../zatca/index.js';

export interface Transition {
  state: SubmissionState;
  /** For `to-submit`: wait with backoff, or go again at once (after switching endpoint). */
  retry?: 'backoff' | 'now';
  /** 303: clearance is off, report the locally stamped standard document instead. */
  switchTo?: 'reporting';
  /** 208/409: ZATCA had it already; counted once, never as a new document. */
  duplicate?: boolean;
  /** Why a held job waits, for people. */
  attention?: { en: string; ar: string };
}

export const OUTCOME_TRANSITIONS: Readonly<Record<OutcomeKind, Transition>> = {
  accepted: { state: 'accepted' },
  'accepted-with-warnings': { state: 'accepted-with-warnings' },
  'duplicate-accepted': { state: 'accepted', duplicate: true },
  'clearance-switched-off': { state: 'to-submit', retry: 'now', switchTo: 'reporting' },
  'cleared-document-missing': {
    state: 'held',
    attention: {
      en: 'ZATCA says the document is cleared but gave no readable cleared XML, and the buyer may receive only that; recover with "fawtara outbox run --retry-held" (ZATCA answers a repeat with 208 and the cleared copy) — docs/issuing.md',
      ar: 'أفادت الهيئة بأن المستند معتمد دون إرسال نسخة معتمدة مقروءة، ولا يُسلَّم للمشتري غيرها؛ أعد المحاولة بالأمر outbox run --retry-held',
    },
  },
  rejected: { state: 'rejected' },
  unauthorized: {
    state: 'held',
    attention: {
      en: "ZATCA refused the unit's credentials (401) or the unit cannot send: its documents are held until an operator confirms a revocation (units revoke) or fixes the credentials (outbox run --retry-held)",
      ar: 'رفضت الهيئة بيانات اعتماد الوحدة (401) أو لا يمكنها الإرسال: تبقى مستنداتها معلّقة حتى يؤكد المشغل الإلغاء أو يصلح بيانات الاعتماد',
    },
  },
  'too-large': { state: 'held', attention: { en: 'ZATCA refused the size (413); the stored bytes cannot change', ar: 'رفضت الهيئة حجم المستند (413)' } },
  'version-not-supported': { state: 'held', attention: { en: 'ZATCA refused the API version (406): a client bug', ar: 'رفضت الهيئة إصدار الواجهة (406)' } },
  'renewal-needs-compliance': { state: 'held', attention: { en: 'unexpected 428 on a document', ar: 'رد غير متوقع 428' } },
  unexpected: { state: 'held', attention: { en: 'ZATCA answered with an unexpected status', ar: 'ردت الهيئة بحالة غير متوقعة' } },
  'rate-limited': { state: 'to-submit', retry: 'backoff' },
  'not-received': { state: 'to-submit', retry: 'backoff' },
};
