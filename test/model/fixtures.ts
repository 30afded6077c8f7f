// Test helper: minimal valid invoice inputs (parties as in ZATCA's SDK samples) to vary in tests.
import type { InvoiceInputJson } from '../../src/model/index.js';

export const seller = {
  name: { ar: 'شركة توريد التكنولوجيا بأقصى سرعة المحدودة', en: 'Maximum Speed Tech Supply LTD' },
  vatNumber: '399999999900003',
  identification: { scheme: 'CRN' as const, value: '1010010000' },
  address: {
    street: { ar: 'الامير سلطان', en: 'Prince Sultan' },
    buildingNumber: '2322',
    district: { ar: 'المربع', en: 'Al-Murabba' },
    city: { ar: 'الرياض', en: 'Riyadh' },
    postalCode: '23333',
    country: 'SA',
  },
};

export const buyer = {
  name: { ar: 'شركة نماذج فاتورة المحدودة', en: 'Fatoora Samples LTD' },
  vatNumber: '399999999800003',
  address: {
    street: { ar: 'صلاح الدين', en: 'Salah Al-Din' },
    buildingNumber: '1111',
    district: { ar: 'المروج', en: 'Al-Murooj' },
    city: { ar: 'الرياض', en: 'Riyadh' },
    postalCode: '12222',
    country: 'SA',
  },
};

export function baseInvoice(kind: 'standard' | 'simplified' = 'standard'): InvoiceInputJson {
  return {
    id: 'INV-1',
    uuid: '8d487816-70b8-4ade-a618-9d620b73814a',
    kind,
    issueDate: '2022-09-07',
    issueTime: '12:21:28',
    seller,
    ...(kind === 'standard' && { buyer, delivery: { actualDate: '2022-09-07' } }),
    paymentMeans: [{ code: '10' }],
    lines: [{ name: 'Pencil | قلم', quantity: '2.000000', unitPrice: '2.00' }],
  };
}
