import type { WordLabelName } from '../domain/label-vocabulary.js';
import { type AmountWords, amountOfWord, findAmounts } from './amount-words.js';
import { formatCents } from './money.js';
import type { ProposalSet } from './proposal-set.js';
import type { LayoutLine } from './receipt-layout.js';
import type { AmountRole } from './summary-lines.js';

// Roles that open the totals block: the item lines end where the first of them stands.
const TOTALS_ROLES: ReadonlySet<AmountRole> = new Set(['SUBTOTAL', 'TAX', 'GRAND_TOTAL', 'TIP']);
// Above the totals block only savings and coupons (printed under their item) are amounts of their own; any
// other keyword there belongs to an item ("CHANGE PURSE") or a returned item, which the line items read.
const ITEM_ADJUSTMENT_ROLES: ReadonlySet<AmountRole> = new Set(['DISCOUNT', 'COUPON']);
// Amounts within a cent of each other are the same (rounding differs between tax lines and totals).
const CENT_TOLERANCE = 1;

const LABELS: Partial<Record<AmountRole, { label: WordLabelName; reasoning: string }>> = {
  SUBTOTAL: { label: 'SUBTOTAL', reasoning: 'amount on the SUBTOTAL line' },
  COUPON: { label: 'COUPON', reasoning: 'amount on a COUPON line' },
  DISCOUNT: { label: 'DISCOUNT', reasoning: 'amount on a savings / discount line' },
  TAX: { label: 'TAX', reasoning: 'amount on a TAX line' },
  TIP: { label: 'TIP', reasoning: 'amount on a TIP / GRATUITY line' },
  CASH_BACK: { label: 'CASH_BACK', reasoning: 'amount on a CASH BACK line' },
  CHANGE: { label: 'CHANGE', reasoning: 'amount on a CHANGE line' },
  REFUND: { label: 'REFUND', reasoning: 'amount on a REFUND / RETURN line' },
};

interface RoleAmount {
  readonly lineIndex: number;
  readonly role: AmountRole;
  readonly amount: AmountWords;
}

/** Index of the first line of the totals block (SUBTOTAL, TAX, TOTAL or TIP with an amount), or the line count. */
export function totalsStart(
  lines: readonly LayoutLine[],
  roles: ReadonlyArray<AmountRole | undefined>,
): number {
  const start = lines.findIndex((line, i) => {
    const role = roles[i];
    return (
      role !== undefined && TOTALS_ROLES.has(role) && line.words.some((w) => amountOfWord(w) !== undefined)
    );
  });
  return start < 0 ? lines.length : start;
}

/**
 * Labels the amount (the rightmost one) of every line whose keywords give it a role: subtotal, tax, tip,
 * discounts, coupons, change, cash back, refunds, and the grand total, chosen among the TOTAL lines by
 * arithmetic. Only amount words are labelled, never the keywords.
 */
export function labelTotals(
  lines: readonly LayoutLine[],
  roles: ReadonlyArray<AmountRole | undefined>,
  start: number,
  proposals: ProposalSet,
): void {
  const found: RoleAmount[] = [];
  for (const line of lines) {
    const role = roles[line.index];
    if (role === undefined || role === 'TENDER' || role === 'IGNORED' || role === 'FUEL') continue;
    if (line.index < start && !ITEM_ADJUSTMENT_ROLES.has(role)) continue;
    const amount = findAmounts(line, proposals).at(-1);
    if (amount) found.push({ lineIndex: line.index, role, amount });
  }
  const grandTotal = chooseGrandTotal(found);
  for (const { role, amount } of found) {
    if (role === 'GRAND_TOTAL') {
      if (grandTotal && amount.cents === grandTotal.cents) {
        proposals.claimAll(amount.words, 'GRAND_TOTAL', grandTotal.reasoning);
      }
      continue;
    }
    const target = LABELS[role];
    if (target) proposals.claimAll(amount.words, target.label, target.reasoning);
  }
}

/**
 * The grand total among the amounts of TOTAL lines. A receipt may print several (a total before the tip and
 * one after it, or the total repeated on the card slip): the one that equals subtotal - deductions + tax
 * (+ tip) wins, else the largest. Every TOTAL line showing that amount is the grand total.
 */
function chooseGrandTotal(found: readonly RoleAmount[]): { cents: number; reasoning: string } | undefined {
  const totals = found.filter((f) => f.role === 'GRAND_TOTAL');
  if (totals.length === 0) return undefined;
  const sum = (role: AmountRole) =>
    found.filter((f) => f.role === role).reduce((acc, f) => acc + Math.abs(f.amount.cents), 0);
  const subtotalLine = found.find((f) => f.role === 'SUBTOTAL');
  const firstTotal = totals[0]?.lineIndex ?? 0;
  // Savings printed between the subtotal and the total are taken off; a savings summary below it is not.
  const deductions = found
    .filter((f) => f.role === 'DISCOUNT' || f.role === 'COUPON')
    .filter((f) => subtotalLine && f.lineIndex > subtotalLine.lineIndex && f.lineIndex < firstTotal)
    .reduce((acc, f) => acc + Math.abs(f.amount.cents), 0);
  const tax = sum('TAX');
  const tip = sum('TIP');
  const near = (a: number, b: number) => Math.abs(a - b) <= CENT_TOLERANCE;
  const values = totals.map((t) => t.amount.cents);

  if (subtotalLine) {
    const beforeTip = subtotalLine.amount.cents - deductions + tax;
    const expected = beforeTip + tip;
    const match = values.find((value) => near(value, expected));
    if (match !== undefined) {
      const parts = [`subtotal ${formatCents(subtotalLine.amount.cents)}`];
      if (deductions > 0) parts.push(`- savings ${formatCents(deductions)}`);
      if (tax > 0) parts.push(`+ tax ${formatCents(tax)}`);
      if (tip > 0) parts.push(`+ tip ${formatCents(tip)}`);
      return { cents: match, reasoning: `amount on a TOTAL line equal to ${parts.join(' ')}` };
    }
  }
  if (tip > 0) {
    const match = values.find((value) => values.some((other) => near(value, other + tip)));
    if (match !== undefined) {
      return {
        cents: match,
        reasoning: `amount on a TOTAL line equal to the pre-tip total + tip ${formatCents(tip)}`,
      };
    }
  }
  const largest = Math.max(...values);
  return { cents: largest, reasoning: 'largest amount on a TOTAL / BALANCE DUE line' };
}
