// Test helper: re-checks ZATCA's arithmetic rules on a computed invoice from its written strings
// with Decimal, independently of the code that computed them. Returns the rules that fail.
import DecimalModule from 'decimal.js';
import type { ComputedInvoice } from '../../src/model/index.js';

type D = InstanceType<typeof import('decimal.js').Decimal>;
const DecimalCtor = ((DecimalModule as unknown as { default?: unknown }).default ?? DecimalModule) as typeof import('decimal.js').Decimal;
const D = DecimalCtor.clone({ precision: 50, rounding: 4 });
const d = (s: string): D => new D(s);
const r2 = (x: D): D => x.toDecimalPlaces(2, 4);
const AMOUNT = /^-?\d+\.\d{2}$/;

export function arithmeticViolations(inv: ComputedInvoice): string[] {
  const bad: string[] = [];
  const fail = (rule: string, detail: string) => bad.push(`${rule}: ${detail}`);
  const t = inv.totals;

  for (const [k, v] of Object.entries(t)) if (!AMOUNT.test(v)) fail('BR-DEC', `${k}=${v}`);
  for (const [k, v] of Object.entries(t)) if (k !== 'payableRoundingAmount' && d(v).isNegative()) fail('BR-KSA-F-04', `${k}=${v}`);

  let lineSum = new D(0);
  for (const l of inv.lines) {
    for (const v of [l.lineExtensionAmount, l.taxAmount, l.roundingAmount])
      if (!AMOUNT.test(v) || d(v).isNegative()) fail('BR-DEC/BR-KSA-F-04', `line ${l.id} ${v}`);
    if (l.quantity === '0' || d(l.quantity).lte(0)) fail('BR-22', `line ${l.id} quantity ${l.quantity}`);
    const net = d(l.lineExtensionAmount);
    lineSum = lineSum.plus(net);
    // BR-KSA-51: RoundingAmount = net + VAT.
    if (!d(l.roundingAmount).equals(net.plus(d(l.taxAmount)))) fail('BR-KSA-51', `line ${l.id}`);
    // BR-KSA-EN16931-11 in the schematron's own arithmetic (truncate to 3 decimals, round, ±0.01).
    const q = d(l.quantity);
    const p = d(l.priceAmount);
    const raw = l.baseQuantity !== undefined ? q.times(p.dividedBy(d(l.baseQuantity))) : q.times(p);
    let adj = new D(0);
    for (const ac of l.allowanceCharges) adj = ac.chargeIndicator ? adj.plus(d(ac.amount)) : adj.minus(d(ac.amount));
    const expected = r2(raw.times(1000).floor().dividedBy(1000).plus(adj));
    if (expected.minus(net).abs().gt('0.01')) fail('BR-KSA-EN16931-11', `line ${l.id}: ${net} vs ${expected}`);
    // BR-KSA-EN16931-07: net price = gross price − price allowance.
    if (l.priceDiscount && !p.equals(d(l.priceDiscount.baseAmount).minus(d(l.priceDiscount.amount)))) fail('BR-KSA-EN16931-07', `line ${l.id}`);
    // BR-KSA-EN16931-03: percentage allowance = base × pct / 100.
    for (const ac of l.allowanceCharges) {
      if (ac.percent !== undefined && !r2(d(ac.baseAmount!).times(d(ac.percent)).dividedBy(100)).equals(d(ac.amount)))
        fail('BR-KSA-EN16931-03', `line ${l.id}`);
    }
    // Tax-exclusive lines: line VAT = round(net × rate).
    if (!inv.pricesIncludeVat && !r2(net.times(d(l.category.rate)).dividedBy(100)).equals(d(l.taxAmount))) fail('line VAT', `line ${l.id}`);
    if (l.id.length > 6) fail('BR-KSA-F-06-C17', l.id);
  }
  // BR-CO-10.
  if (!lineSum.equals(d(t.lineExtensionAmount))) fail('BR-CO-10', `${lineSum} vs ${t.lineExtensionAmount}`);
  // BR-CO-11/12.
  let allowances = new D(0);
  let charges = new D(0);
  for (const ac of inv.allowanceCharges) {
    if (ac.chargeIndicator) charges = charges.plus(d(ac.amount));
    else allowances = allowances.plus(d(ac.amount));
    if (ac.percent !== undefined && !r2(d(ac.baseAmount!).times(d(ac.percent)).dividedBy(100)).equals(d(ac.amount))) fail('BR-KSA-EN16931-03', 'document');
  }
  if (!allowances.equals(d(t.allowanceTotalAmount))) fail('BR-CO-11', '');
  if (!charges.equals(d(t.chargeTotalAmount))) fail('BR-CO-12', '');
  // BR-CO-13.
  if (!d(t.taxExclusiveAmount).equals(lineSum.minus(allowances).plus(charges))) fail('BR-CO-13', '');
  // BR-CO-14.
  let subtotalVat = new D(0);
  for (const st of inv.subtotals) subtotalVat = subtotalVat.plus(d(st.taxAmount));
  if (!subtotalVat.equals(d(t.taxAmount))) fail('BR-CO-14', '');
  // BR-CO-15.
  if (!d(t.taxInclusiveAmount).equals(d(t.taxExclusiveAmount).plus(d(t.taxAmount)))) fail('BR-CO-15', '');
  // BR-CO-16.
  if (!d(t.payableAmount).equals(d(t.taxInclusiveAmount).minus(d(t.prepaidAmount)).plus(d(t.payableRoundingAmount)))) fail('BR-CO-16', '');
  // BR-KSA-80.
  let prepaid = new D(0);
  for (const p of inv.prepaymentLines) {
    prepaid = prepaid.plus(d(p.taxableAmount)).plus(d(p.taxAmount));
    // BR-KSA-79.
    if (
      r2(d(p.taxableAmount).times(d(p.category.rate)).dividedBy(100))
        .minus(d(p.taxAmount))
        .abs()
        .gt('0.01')
    )
      fail('BR-KSA-79', p.id);
  }
  if (!prepaid.equals(d(t.prepaidAmount))) fail('BR-KSA-80', '');
  // Breakdown: one subtotal per Z/E/O, per rate for S; BR-CO-17 / BR-S-09; BR-S/Z/E/O-08; BR-Z/E/O-09.
  const seen = new Set<string>();
  for (const st of inv.subtotals) {
    const key = st.category.code === 'S' ? `S${st.category.rate}` : st.category.code;
    if (seen.has(key)) fail(`BR-${st.category.code}-08`, `two subtotals for ${key}`);
    seen.add(key);
    const taxable = d(st.taxableAmount);
    if (!r2(taxable.times(d(st.category.rate)).dividedBy(100)).equals(d(st.taxAmount))) fail('BR-CO-17', key);
    if (st.category.code !== 'S' && !d(st.taxAmount).isZero()) fail(`BR-${st.category.code}-09`, key);
    if (st.category.code !== 'S' && st.exemptionCode === undefined) fail('BR-KSA-69/23/24', key);
  }
  for (const code of ['S', 'Z', 'E', 'O'] as const) {
    const subs = inv.subtotals.filter((s) => s.category.code === code);
    let lines = new D(0);
    for (const l of inv.lines) if (l.category.code === code) lines = lines.plus(d(l.lineExtensionAmount));
    for (const ac of inv.allowanceCharges) if (ac.category.code === code) lines = ac.chargeIndicator ? lines.plus(d(ac.amount)) : lines.minus(d(ac.amount));
    const used = inv.lines.some((l) => l.category.code === code) || inv.allowanceCharges.some((a) => a.category.code === code);
    if (used && subs.length === 0) fail(`BR-${code}-01`, 'no subtotal');
    if (code === 'S') {
      let total = new D(0);
      for (const s of subs) total = total.plus(d(s.taxableAmount));
      if (subs.length > 0 && !total.equals(lines)) fail('BR-S-08', `${total} vs ${lines}`);
    } else for (const s of subs) if (!d(s.taxableAmount).equals(lines)) fail(`BR-${code}-08`, `${s.taxableAmount} vs ${lines}`);
  }
  // SAR VAT total (BT-111).
  const sar = inv.currency === 'SAR' ? d(t.taxAmount) : r2(d(t.taxAmount).times(d(inv.exchangeRate!)));
  if (!sar.equals(d(t.taxAmountSar))) fail('BT-111', `${t.taxAmountSar} vs ${sar}`);
  return bad;
}
