// Line arithmetic: net, VAT and amount-with-VAT of each line, tax-exclusive or VAT-inclusive (POS),
// so that BR-KSA-EN16931-07/11 and BR-KSA-51 hold on the written strings by construction.

// Arithmetic on money/fixed.ts: exact BigInt decimals, identical to decimal.js, several times cheaper.
import { dec, type Decimal as Fixed, HUNDRED, money, netOfGross, plain, round2, vatOf, ZERO } from '../../money/decimal.js';
import type { ComputedAllowanceCharge, ComputedCategory, ComputedLine } from '../computed.js';
import type { Line, LineAllowanceCharge, TaxCategory } from '../schema.js';
import { FawtaraError } from '../../errors.js';
import { LATEST_STANDARD_RATE } from '../codes.js';

export interface LineResult {
  line: ComputedLine;
  net: Fixed;
  vat: Fixed;
  rate: Fixed;
  /** What the customer pays for the line in tax-inclusive mode (gross); net + VAT otherwise. */
  gross: Fixed;
}

/** A price text with at least 2 decimals and no exponent (`2.00`, `21.739`). */
function priceText(value: Fixed): string {
  return value.toFixed(Math.max(2, value.decimalPlaces()));
}

/** A category's rate and its written form (`15.00`), resolved once per distinct rate, not per use. */
interface ResolvedRate {
  rate: Fixed;
  text: string;
}
const resolved = (rate: Fixed): ResolvedRate => ({ rate, text: rate.toFixed(2) });
const STANDARD_RATE = resolved(dec(LATEST_STANDARD_RATE));
const NO_RATE = resolved(ZERO);
const ONE = dec(1);
const THOUSAND = dec(1000);
/** Rates given in the input (`"15"`, `5`, `"15.00"`): a handful in practice; bounded anyway. */
const givenRates = new Map<string | number, ResolvedRate>();

function resolveRate(c: TaxCategory): ResolvedRate {
  if (c.rate === undefined) return c.code === 'S' ? STANDARD_RATE : NO_RATE;
  let r = givenRates.get(c.rate);
  if (r === undefined) {
    r = resolved(dec(c.rate));
    if (givenRates.size < 64) givenRates.set(c.rate, r);
  }
  return r;
}

export function categoryRate(c: TaxCategory): Fixed {
  return resolveRate(c).rate;
}

/** The rate as written in the category (`15.00`). */
export function categoryRateText(c: TaxCategory): string {
  return resolveRate(c).text;
}

export function computedCategory(c: TaxCategory): ComputedCategory {
  return { code: c.code, rate: resolveRate(c).text };
}

/**
 * ZATCA's own reading of BR-KSA-EN16931-11: quantity × price / base truncated to 3 decimals, then
 * rounded half-up to 2 (the schematron's floor(x*1000) div 1000 then round). Used to pick a price text.
 */
export function ksaLineBase(quantity: Fixed, price: Fixed, baseQuantity: Fixed | undefined): Fixed {
  const raw = baseQuantity ? quantity.times(price.dividedBy(baseQuantity)) : quantity.times(price);
  return round2(raw.times(THOUSAND).floor().dividedBy(THOUSAND));
}

function allowanceAmount(ac: LineAllowanceCharge, base: Fixed): Fixed {
  return ac.amount !== undefined ? dec(ac.amount) : round2(base.times(dec(ac.percent!)).dividedBy(HUNDRED));
}

function describe(ac: LineAllowanceCharge): Pick<ComputedAllowanceCharge, 'chargeIndicator' | 'reasonCode' | 'reason'> {
  const d: Pick<ComputedAllowanceCharge, 'chargeIndicator' | 'reasonCode' | 'reason'> = { chargeIndicator: ac.kind === 'charge' };
  if (ac.reasonCode !== undefined) d.reasonCode = ac.reasonCode;
  if (ac.reason !== undefined) d.reason = ac.reason;
  return d;
}

function negative(field: string): FawtaraError {
  return new FawtaraError('INVALID_INPUT', `${field}: the line net amount would be negative; reduce the allowances`, {
    field,
    rule: 'BR-KSA-F-04',
    messageAr: `${field}: صافي البند سيكون سالباً؛ قلّل الخصومات`,
  });
}

/**
 * The net unit price text for a VAT-inclusive line: the shortest price (2–6 decimals) whose
 * quantity × price / base gives exactly `netBase` under both exact and ZATCA's truncating reading;
 * failing that, price = netBase per baseQuantity = quantity, which is exact by definition.
 */
function priceForNet(netBase: Fixed, quantity: Fixed, baseQuantity: Fixed | undefined): { price: Fixed; base?: Fixed } {
  const per = baseQuantity ?? ONE;
  const exact = netBase.times(per).dividedBy(quantity);
  for (let dp = 2; dp <= 6; dp++) {
    const p = exact.toDecimalPlaces(dp);
    const product = quantity.times(p).dividedBy(per);
    if (round2(product).equals(netBase) && ksaLineBase(quantity, p, baseQuantity).equals(netBase)) {
      return baseQuantity ? { price: p, base: baseQuantity } : { price: p };
    }
  }
  return { price: netBase, base: quantity };
}

const NO_AMOUNTS: Fixed[] = [];

export function computeLine(line: Line, index: number, pricesIncludeVat: boolean): LineResult {
  const quantity = dec(line.quantity);
  const quantityText = typeof line.quantity === 'number' ? plain(quantity) : line.quantity;
  const baseQuantity = line.baseQuantity === undefined ? undefined : dec(line.baseQuantity);
  const { rate, text: rateText } = resolveRate(line.taxCategory);
  const unitPrice = dec(line.unitPrice);
  const discount = line.priceDiscount === undefined ? undefined : dec(line.priceDiscount);
  const price = discount ? unitPrice.minus(discount) : unitPrice;
  const lineBase = round2(baseQuantity ? quantity.times(price).dividedBy(baseQuantity) : quantity.times(price));

  // Most lines have no allowance or charge: then the adjusted amount is lineBase itself (adding
  // zero to a value of ≤ 40 digits changes nothing), and no per-line arrays are built.
  const acs = line.allowanceCharges;
  const amounts = acs.length === 0 ? NO_AMOUNTS : acs.map((ac) => allowanceAmount(ac, lineBase));
  let adjusted = lineBase;
  if (acs.length > 0) {
    let adjust = ZERO;
    for (let i = 0; i < acs.length; i++) adjust = acs[i]!.kind === 'charge' ? adjust.plus(amounts[i]!) : adjust.minus(amounts[i]!);
    adjusted = lineBase.plus(adjust);
  }
  // Built field by field in the written order (no object spreads on the per-line path).
  const out = {
    id: line.id ?? String(index + 1),
    name: line.name,
    quantity: quantityText,
    unitCode: line.unitCode,
    category: { code: line.taxCategory.code, rate: rateText },
  } as ComputedLine;

  if (!pricesIncludeVat) {
    const net = adjusted;
    if (net.isNegative()) throw negative(`lines[${index}]`);
    const vat = vatOf(net, rate);
    const gross = net.plus(vat);
    out.priceAmount = priceText(price);
    if (baseQuantity) out.baseQuantity = plain(baseQuantity);
    if (discount && !discount.isZero()) out.priceDiscount = { amount: priceText(discount), baseAmount: priceText(unitPrice) };
    out.allowanceCharges = acs.length === 0 ? [] : writtenCharges(acs, amounts, lineBase);
    out.lineExtensionAmount = money(net);
    out.taxAmount = money(vat);
    out.roundingAmount = money(gross);
    return { net, vat, rate, gross, line: out };
  }

  // VAT-inclusive (docs/zatca-notes.md §4): the customer pays `gross`; net = round2(gross / (1 + rate)), VAT = gross − net.
  const gross = adjusted;
  if (gross.isNegative()) throw negative(`lines[${index}]`);
  const net = netOfGross(gross, rate);
  const vat = gross.minus(net);
  // Written allowances/charges are net amounts; the cent they lose goes into the price, so
  // quantity × price + charges − allowances = net still holds exactly (BR-KSA-EN16931-11).
  const netAmounts = amounts.map((a) => netOfGross(a, rate));
  let netBase = net;
  acs.forEach((ac, i) => {
    netBase = ac.kind === 'charge' ? netBase.minus(netAmounts[i]!) : netBase.plus(netAmounts[i]!);
  });
  if (netBase.isNegative()) {
    // Rounding of several small charges can overshoot by a cent: take it off the first charge.
    const k = acs.findIndex((ac) => ac.kind === 'charge');
    netAmounts[k] = netAmounts[k]!.plus(netBase);
    netBase = ZERO;
  }
  const { price: netPrice, base } = priceForNet(netBase, quantity, baseQuantity);
  out.priceAmount = priceText(netPrice);
  if (base) out.baseQuantity = plain(base);
  out.allowanceCharges = acs.map((ac, i) => {
    const written = describe(ac) as ComputedAllowanceCharge;
    written.amount = money(netAmounts[i]!);
    return written;
  });
  out.lineExtensionAmount = money(net);
  out.taxAmount = money(vat);
  out.roundingAmount = money(gross);
  return { net, vat, rate, gross, line: out };
}

/** A VAT-exclusive line's allowances and charges as written: amount, and percent with its base. */
function writtenCharges(acs: Line['allowanceCharges'], amounts: readonly Fixed[], lineBase: Fixed): ComputedAllowanceCharge[] {
  return acs.map((ac, i): ComputedAllowanceCharge => {
    const written: ComputedAllowanceCharge = describe(ac) as ComputedAllowanceCharge;
    if (ac.percent !== undefined) {
      written.percent = dec(ac.percent).toFixed(2);
      written.baseAmount = money(lineBase);
    }
    written.amount = money(amounts[i]!);
    return written;
  });
}
