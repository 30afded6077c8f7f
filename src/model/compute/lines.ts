// Line arithmetic: net, VAT and amount-with-VAT of each line, tax-exclusive or VAT-inclusive (POS),
// so that BR-KSA-EN16931-07/11 and BR-KSA-51 hold on the written strings by construction.
import { Decimal, dec, HUNDRED, money, netOfGross, plain, round2, vatOf, ZERO } from '../../money/index.js';
import type { ComputedAllowanceCharge, ComputedCategory, ComputedLine } from '../computed.js';
import type { Line, LineAllowanceCharge, TaxCategory } from '../schema.js';
import { FawtaraError } from '../../errors.js';

export interface LineResult {
  line: ComputedLine;
  net: Decimal;
  vat: Decimal;
  rate: Decimal;
  /** What the customer pays for the line in tax-inclusive mode (gross); net + VAT otherwise. */
  gross: Decimal;
}

/** A price text with at least 2 decimals and no exponent (`2.00`, `21.739`). */
function priceText(value: Decimal): string {
  return value.toFixed(Math.max(2, value.decimalPlaces()));
}

export function categoryRate(c: TaxCategory): Decimal {
  if (c.rate !== undefined) return dec(c.rate);
  return c.code === 'S' ? new Decimal(15) : ZERO;
}

export function computedCategory(c: TaxCategory): ComputedCategory {
  return { code: c.code, rate: categoryRate(c).toFixed(2) };
}

/**
 * ZATCA's own reading of BR-KSA-EN16931-11: quantity × price / base truncated to 3 decimals, then
 * rounded half-up to 2 (the schematron's floor(x*1000) div 1000 then round). Used to pick a price text.
 */
export function ksaLineBase(quantity: Decimal, price: Decimal, baseQuantity: Decimal | undefined): Decimal {
  const raw = baseQuantity ? quantity.times(price.dividedBy(baseQuantity)) : quantity.times(price);
  return round2(raw.times(1000).floor().dividedBy(1000));
}

function allowanceAmount(ac: LineAllowanceCharge, base: Decimal): Decimal {
  return ac.amount !== undefined ? dec(ac.amount) : round2(base.times(dec(ac.percent!)).dividedBy(HUNDRED));
}

function describe(ac: LineAllowanceCharge): Pick<ComputedAllowanceCharge, 'chargeIndicator' | 'reasonCode' | 'reason'> {
  return {
    chargeIndicator: ac.kind === 'charge',
    ...(ac.reasonCode !== undefined && { reasonCode: ac.reasonCode }),
    ...(ac.reason !== undefined && { reason: ac.reason }),
  };
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
function priceForNet(netBase: Decimal, quantity: Decimal, baseQuantity: Decimal | undefined): { price: Decimal; base?: Decimal } {
  const per = baseQuantity ?? new Decimal(1);
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

export function computeLine(line: Line, index: number, pricesIncludeVat: boolean): LineResult {
  const field = `lines[${index}]`;
  const id = line.id ?? String(index + 1);
  const quantity = dec(line.quantity);
  const quantityText = typeof line.quantity === 'number' ? plain(quantity) : line.quantity;
  const baseQuantity = line.baseQuantity === undefined ? undefined : dec(line.baseQuantity);
  const rate = categoryRate(line.taxCategory);
  const unitPrice = dec(line.unitPrice);
  const discount = line.priceDiscount === undefined ? undefined : dec(line.priceDiscount);
  const price = discount ? unitPrice.minus(discount) : unitPrice;
  const lineBase = round2(baseQuantity ? quantity.times(price).dividedBy(baseQuantity) : quantity.times(price));

  const amounts = line.allowanceCharges.map((ac) => allowanceAmount(ac, lineBase));
  let adjust = ZERO;
  line.allowanceCharges.forEach((ac, i) => {
    adjust = ac.kind === 'charge' ? adjust.plus(amounts[i]!) : adjust.minus(amounts[i]!);
  });
  const common = {
    id,
    name: line.name,
    quantity: quantityText,
    unitCode: line.unitCode,
    category: computedCategory(line.taxCategory),
  };

  if (!pricesIncludeVat) {
    const net = lineBase.plus(adjust);
    if (net.isNegative()) throw negative(field);
    const vat = vatOf(net, rate);
    const allowanceCharges = line.allowanceCharges.map((ac, i): ComputedAllowanceCharge => ({
      ...describe(ac),
      ...(ac.percent !== undefined && { percent: dec(ac.percent).toFixed(2), baseAmount: money(lineBase) }),
      amount: money(amounts[i]!),
    }));
    return {
      net,
      vat,
      rate,
      gross: net.plus(vat),
      line: {
        ...common,
        priceAmount: priceText(price),
        ...(baseQuantity && { baseQuantity: plain(baseQuantity) }),
        ...(discount && !discount.isZero() && { priceDiscount: { amount: priceText(discount), baseAmount: priceText(unitPrice) } }),
        allowanceCharges,
        lineExtensionAmount: money(net),
        taxAmount: money(vat),
        roundingAmount: money(net.plus(vat)),
      },
    };
  }

  // VAT-inclusive (spec §4): the customer pays `gross`; net = round2(gross / (1 + rate)), VAT = gross − net.
  const gross = lineBase.plus(adjust);
  if (gross.isNegative()) throw negative(field);
  const net = netOfGross(gross, rate);
  const vat = gross.minus(net);
  // Written allowances/charges are net amounts; the cent they lose goes into the price, so
  // quantity × price + charges − allowances = net still holds exactly (BR-KSA-EN16931-11).
  const netAmounts = amounts.map((a) => netOfGross(a, rate));
  let netBase = net;
  line.allowanceCharges.forEach((ac, i) => {
    netBase = ac.kind === 'charge' ? netBase.minus(netAmounts[i]!) : netBase.plus(netAmounts[i]!);
  });
  if (netBase.isNegative()) {
    // Rounding of several small charges can overshoot by a cent: take it off the first charge.
    const k = line.allowanceCharges.findIndex((ac) => ac.kind === 'charge');
    netAmounts[k] = netAmounts[k]!.plus(netBase);
    netBase = ZERO;
  }
  const { price: netPrice, base } = priceForNet(netBase, quantity, baseQuantity);
  return {
    net,
    vat,
    rate,
    gross,
    line: {
      ...common,
      priceAmount: priceText(netPrice),
      ...(base && { baseQuantity: plain(base) }),
      allowanceCharges: line.allowanceCharges.map((ac, i) => ({ ...describe(ac), amount: money(netAmounts[i]!) })),
      lineExtensionAmount: money(net),
      taxAmount: money(vat),
      roundingAmount: money(gross),
    },
  };
}
