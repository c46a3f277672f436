/**
 * Calendar arithmetic in Asia/Ho_Chi_Minh (ICT).
 *
 * Vietnam has used UTC+7 without daylight saving since 1975, so a fixed offset is exact for every date this
 * system handles; no time-zone database is needed. Local dates are kept as ISO strings ("2021-12-10"), months as
 * "2021-12", instants as JavaScript Dates (UTC).
 */
import * as z from 'zod';

export const ICT_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const ICT_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const isRealDate = (iso: string): boolean => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
};

/** A calendar date in ICT, "YYYY-MM-DD". */
export const LocalDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Ngày phải có dạng YYYY-MM-DD')
  .refine(isRealDate, 'Ngày không tồn tại');
export type LocalDate = z.infer<typeof LocalDateSchema>;

/** A calendar month, "YYYY-MM". */
export const LocalMonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Tháng phải có dạng YYYY-MM');
export type LocalMonth = z.infer<typeof LocalMonthSchema>;

const parts = (date: LocalDate): [number, number, number] => date.split('-').map(Number) as [number, number, number];

/** The instant at which an ICT calendar date begins (00:00:00 ICT). */
export function startOfIctDay(date: LocalDate): Date {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d) - ICT_OFFSET_MS);
}

/** The ICT calendar date that contains an instant. */
export function ictDateOf(instant: Date): LocalDate {
  return new Date(instant.getTime() + ICT_OFFSET_MS).toISOString().slice(0, 10);
}

/** Adds whole days to a calendar date. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((startOfIctDay(to).getTime() - startOfIctDay(from).getTime()) / DAY_MS);
}

/** The first day of the month after `month`, e.g. "2021-12" -> "2022-01-01". */
export function firstDayAfterMonth(month: LocalMonth): LocalDate {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/**
 * Moves a date by whole years; 29/02 lands on 28/02 in a year that has no 29/02 (the deadline stays inside the
 * same month rather than spilling into March).
 */
export function shiftDateByYears(date: LocalDate, years: number): LocalDate {
  const [y, m, d] = parts(date);
  const target = `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isRealDate(target) ? target : `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-28`;
}

export function shiftMonthByYears(month: LocalMonth, years: number): LocalMonth {
  const [y, m] = month.split('-') as [string, string];
  return `${String(Number(y) + years).padStart(4, '0')}-${m}`;
}

/** "2021-12-10" -> "10/12/2021", the way Vietnamese offices write dates. */
export function formatDateVi(date: LocalDate): string {
  const [y, m, d] = date.split('-') as [string, string, string];
  return `${d}/${m}/${y}`;
}

/** "2022-06" -> "06/2022". */
export function formatMonthVi(month: LocalMonth): string {
  const [y, m] = month.split('-') as [string, string];
  return `${m}/${y}`;
}

/** An instant as "HH:mm dd/mm/yyyy" in ICT, e.g. a receipt time. */
export function formatInstantVi(instant: Date): string {
  const local = new Date(instant.getTime() + ICT_OFFSET_MS).toISOString();
  return `${local.slice(11, 16)} ${formatDateVi(local.slice(0, 10))}`;
}

/**
 * The school year that contains a date. A Vietnamese school year runs from August (plans are issued and covenants
 * signed in August) to the following July.
 */
export function schoolYearOf(date: LocalDate): { startYear: number; endYear: number } {
  const [y, m] = parts(date);
  const startYear = m >= 8 ? y : y - 1;
  return { startYear, endYear: startYear + 1 };
}

/**
 * Parses an instant typed by a person or a script. With an explicit offset ("Z", "+07:00") it is taken as is;
 * without one it is read as ICT, because that is how everyone using the system thinks ("2021-12-09T08:00" is 8 am
 * in Thanh Hóa); a bare date is the start of that ICT day. Returns undefined when it is not an ISO 8601 instant.
 */
export function parseInstantIct(text: string): Date | undefined {
  const trimmed = text.trim();
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(trimmed);
  if (!match) return undefined;
  const [, date, time, zone] = match as unknown as [string, string, string | undefined, string | undefined];
  if (!LocalDateSchema.safeParse(date).success) return undefined;
  const instant = new Date(`${date}T${time ?? '00:00'}${zone ?? '+07:00'}`);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}
