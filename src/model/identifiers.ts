// Identifier shapes, the one home: VAT registration number, VAT-group number, TIN, CRN, the EGS
// serial and the invoice-type title of a unit — used by the model, the fleet, the HTTP schemas and the CSR.

/** A VAT registration number: 15 digits, first and last `3` (BR-KSA-39, BR-KSA-40; docs/zatca-notes.md). */
export const VAT_NUMBER = /^3\d{13}3$/;

/** A VAT group's number has `1` as its 11th digit (ZATCA's onboarding guide for VAT groups; docs/fleet.md). */
export function isVatGroupNumber(vatNumber: string): boolean {
  return /^\d{15}$/.test(vatNumber) && vatNumber[10] === '1';
}

/** A VAT-group member's Tax Identification Number: 10 digits. */
export const TIN = /^\d{10}$/;

/** A Commercial Registration Number: 10 digits (buyer and seller scheme `CRN`). */
export const CRN = /^\d{10}$/;

/** An EGS unit's serial as ZATCA's CSR template writes it: `1-<solution>|2-<model>|3-<serial>`. */
export const EGS_SERIAL = /^1-[^|]+\|2-[^|]+\|3-[^|]+$/;

/** The invoice types a unit may issue (CSR `title`): 1000 standard only, 0100 simplified only, 1100 both. */
export const UNIT_TITLES = ['1100', '1000', '0100'] as const;
