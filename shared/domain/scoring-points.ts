/**
 * Points arithmetic without float drift, and points as a Vietnamese reader writes them. No dependency (the admin
 * page's browser bundle may import it).
 *
 * Points are entered with at most two decimals (97.5, 8.25). Every sum, cap and comparison is done in hundredths as
 * integers ("centipoints"): 0.1 + 0.2 is exactly 0.3 here. Results go back to numbers with at most two decimals only
 * at the edge ({@link fromCenti}), so 97.5 stays 97.5 and never becomes 97.49999999999999.
 */

/** Hundredths of a point, as an integer. */
export type Centi = number;

/** Whether a number is finite and has at most two decimals (what a points field accepts). */
export function hasAtMostTwoDecimals(n: number): boolean {
  return Number.isFinite(n) && Math.abs(n * 100 - Math.round(n * 100)) < 1e-6;
}

/** Points to hundredths, rounding away representation noise (9.95 * 100 is 994.9999999999999). */
export const toCenti = (points: number): Centi => Math.round(points * 100);

/** Hundredths back to points, exactly as written with two decimals at most. */
export const fromCenti = (centi: Centi): number => Number((centi / 100).toFixed(2));

export const sumCenti = (values: readonly Centi[]): Centi => values.reduce((a, b) => a + b, 0);

/** Sums points exactly (through hundredths). */
export const sumPoints = (values: readonly number[]): number => fromCenti(sumCenti(values.map(toCenti)));

/**
 * "97,5", "100", "8,25", "-3": decimal comma, no trailing zeros, no thousands separator (points stay below 1000).
 * A minus sign only for negative numbers; views put "−" or "trừ" before deductions as they see fit.
 */
export function formatPointsVi(points: number): string {
  const centi = toCenti(points);
  const sign = centi < 0 ? '-' : '';
  const abs = Math.abs(centi);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `,${fraction}` : ''}`;
}

/** "97,5 điểm", "1 điểm". */
export const formatPointsWithUnitVi = (points: number): string => `${formatPointsVi(points)} điểm`;

/** A share as a Vietnamese percentage with one decimal: 6 of 7 -> "85,7%". */
export function formatPercentVi(numerator: number, denominator: number): string {
  if (denominator <= 0) return '0%';
  const tenths = Math.round((numerator * 1000) / denominator);
  const whole = Math.floor(tenths / 10);
  return `${whole}${tenths % 10 ? `,${tenths % 10}` : ''}%`;
}
