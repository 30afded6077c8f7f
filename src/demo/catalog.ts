// The demo restaurant chain (docs/zatca-notes.md §P2): one VAT number, three branches in three cities, two POS
// units each, a menu, and a seeded generator of plausible VAT-inclusive sales.
import type { Sale } from '../pos/sale.js';

export const DEMO_VAT = '310122393500003';
export const DEMO_TAXPAYER = { vatNumber: DEMO_VAT, nameAr: 'مطاعم السلسلة المحدودة', nameEn: 'Chain Restaurants LTD' };

export const DEMO_BRANCHES = [
  {
    name: 'Riyadh',
    crn: '1010010001',
    street: 'Prince Sultan',
    buildingNumber: '2322',
    district: 'Al-Murabba',
    city: 'Riyadh',
    postalCode: '23333',
    shortAddress: 'RRRD2929',
  },
  { name: 'Jeddah', crn: '4030010002', street: 'Tahlia', buildingNumber: '4411', district: 'Al-Andalus', city: 'Jeddah', postalCode: '23326' },
  { name: 'Dammam', crn: '2050010003', street: 'King Saud', buildingNumber: '7720', district: 'Al-Faisaliyah', city: 'Dammam', postalCode: '32272' },
];

export const DEMO_UNITS = [
  { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-001', name: 'RUH-POS-1' },
  { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-002', name: 'RUH-POS-2' },
  { branch: 'Jeddah', serial: '1-Fawtara|2-POS|3-JED-001', name: 'JED-POS-1' },
  { branch: 'Jeddah', serial: '1-Fawtara|2-POS|3-JED-002', name: 'JED-POS-2' },
  { branch: 'Dammam', serial: '1-Fawtara|2-POS|3-DMM-001', name: 'DMM-POS-1' },
  { branch: 'Dammam', serial: '1-Fawtara|2-POS|3-DMM-002', name: 'DMM-POS-2' },
];

const MENU: Array<[string, string]> = [
  ['شاورما دجاج | Chicken shawarma', '14.50'],
  ['برجر لحم | Beef burger', '27.00'],
  ['كبسة دجاج | Chicken kabsa', '32.00'],
  ['فلافل | Falafel wrap', '9.50'],
  ['سلطة فتوش | Fattoush salad', '16.00'],
  ['بطاطس مقلية | French fries', '8.00'],
  ['عصير برتقال | Orange juice', '12.00'],
  ['قهوة عربية | Arabic coffee', '11.50'],
  ['مياه | Water', '1.15'],
  ['كنافة | Kunafa', '18.75'],
];

/** A small deterministic PRNG (mulberry32): the same demo every time for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One table's order: 1–4 menu items, quantities 1–3, cash or card. */
export function demoSale(rand: () => number): Sale {
  const n = 1 + Math.floor(rand() * 4);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(rand() * MENU.length));
  return {
    payment: rand() < 0.6 ? 'card' : 'cash',
    lines: [...picked].map((i) => ({ name: MENU[i]![0], quantity: String(1 + Math.floor(rand() * 3)), unitPrice: MENU[i]![1] })),
  };
}
