// A refused sync batch: its named kind (the incident row's `kind`), where in the batch, and the typed
// error the branch receives, with the same reason in English and Arabic.
import type { ChainLinkError } from '../issuing/chain.js';
import type { SyncIncidentsTable } from '../store/index.js';
import { SyncError, type SyncReason } from './errors.js';
import type { RefusalKind } from './admit.js';

export type IncidentKind = RefusalKind | 'cleared' | 'not-enrolled' | 'foreign-unit' | 'unit-ended' | 'fork' | 'gap' | 'batch-id' | 'enrolment';

const REASON: Record<IncidentKind, SyncReason> = {
  invalid: 'INVALID_DOCUMENT',
  signature: 'BAD_SIGNATURE',
  'unregistered-certificate': 'UNREGISTERED_CERTIFICATE',
  figures: 'FIGURES_MISMATCH',
  time: 'BAD_TIME',
  cleared: 'BAD_CLEARANCE',
  'not-enrolled': 'NOT_ENROLLED',
  'foreign-unit': 'FOREIGN_UNIT',
  'unit-ended': 'UNIT_ENDED',
  fork: 'FORK',
  gap: 'GAP',
  'batch-id': 'BATCH_CONFLICT',
  enrolment: 'ENROLMENT_REFUSED',
};

const ARABIC: Record<IncidentKind, string> = {
  invalid: 'المستند لا يمكن قراءته أو التحقق منه',
  signature: 'التوقيع لا يتحقق بشهادة الوحدة المسجلة لدى المقر',
  'unregistered-certificate': 'المستند موقع بشهادة لم يعتمدها المقر لهذه الوحدة',
  figures: 'أرقام الدفعة تخالف ما في المستند الموقع',
  time: 'تاريخ المستند قبل المستند السابق أو في المستقبل أو خارج صلاحية الشهادة',
  cleared: 'المستند المعتمد لا يحمل ختم الهيئة الصحيح أو هو مستند آخر',
  'not-enrolled': 'الوحدة غير مسجلة لدى المقر؛ يلزم اعتماد طلب تسجيلها',
  'foreign-unit': 'الوحدة ليست من وحدات هذا الفرع',
  'unit-ended': 'الوحدة متقاعدة أو ملغاة أو مستبدلة؛ لا يقبل المقر مستندات لها',
  fork: 'سلسلة متفرعة: لدى المقر مستند آخر بهذا الرقم أو البصمة السابقة لا تطابق',
  gap: 'سلسلة ناقصة: أرقام عداد مفقودة',
  'batch-id': 'معرّف الدفعة لا يطابق محتواها',
  enrolment: 'رُفض طلب تسجيل الوحدة',
};

export class Refused extends Error {
  constructor(
    readonly kind: IncidentKind,
    readonly where: { serial: string; icv: number; received: string | null; stored?: string | null },
    message: string,
  ) {
    super(message);
  }

  static fromChain(e: ChainLinkError): Refused {
    const kind: IncidentKind = e.kind === 'gap' ? 'gap' : e.kind === 'back-dated' ? 'time' : 'fork';
    return new Refused(kind, { serial: e.serial, icv: e.icv, received: e.received, stored: e.stored }, `${e.message}. The batch was refused`);
  }

  incidentRow(taxpayerId: string, branchId: string, batchId: string, at: string): Omit<SyncIncidentsTable, 'id'> {
    return {
      taxpayer_id: taxpayerId,
      branch_id: branchId,
      unit_serial: this.where.serial,
      icv: this.where.icv,
      kind: this.kind,
      stored_hash: this.where.stored ?? null,
      received_hash: this.where.received,
      batch_id: batchId,
      message: `${this.message}; nothing of the batch was stored`,
      at,
    };
  }
}

export function refusedToError(r: Refused): SyncError {
  const where = r.where.serial ? ` (${r.where.serial}${r.where.icv ? ` #${r.where.icv}` : ''})` : '';
  return new SyncError(REASON[r.kind], `${r.message}; nothing of the batch was stored`, `${ARABIC[r.kind]}${where}؛ رُفضت الدفعة ولم يُحفظ شيء`, {
    field: r.where.serial ? `documents[${r.where.serial}#${r.where.icv}]` : 'batchId',
  });
}
