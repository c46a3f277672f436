/**
 * Date expressions in one sentence of a Vietnamese plan ("Kế hoạch hoạt động"), for plan import.
 *
 * Forms read (DOMAIN.md): "10/12/2021" (also with "." or "-"), "ngày 30 tháng 01 năm 2024", "tháng 12/2021",
 * "tháng 12 năm 2021", "08/2021", and, with the year taken from the school year, "19.5", "28.7", "25-5", "25/7",
 * "ngày 30 tháng 01", "tháng 12"; ranges "từ ngày 25/7 đến ngày 31/7/2022"; school years "năm học 2021 - 2022".
 * Each mention says what it is for: a deadline ("trước ngày", "chậm nhất", "đến hết"), an expectation ("dự kiến"),
 * a range, a plain date ("Thời gian: tháng 08/2021"), or not a deadline at all: a school year, an anniversary
 * ("(10/10/1946 – 10/10/2021)"), the date of a cited document ("Hướng dẫn số 40/HD-CĐVC ngày 17/3/2021") or the
 * plan's own date of issue ("Thanh Hóa, ngày 23 tháng 8 năm 2021"). Document numbers ("40/HD-CĐVC",
 * "12/2021/QĐ-UBND") are never read as dates.
 *
 * Never invent: a day without a month is not a date; a date without a year gets one only from the school year (see
 * `inferYear`), and is dropped when no school year is known; a day-month without a year ("19.5") needs a word that
 * introduces a date before it ("ngày", "trước", "hạn", "Thời gian:" …) so that "2.1" or "4.5 điểm" stay numbers.
 * Pure: no I/O. Spans are offsets in the NFC form of the sentence (text.ts gives NFC sentences).
 */
import type { LocalDate, LocalMonth } from '../time';

export interface SchoolYear {
  startYear: number;
  endYear: number;
}

/** The first month of a school year: plans are issued and covenants signed in August (see time.ts schoolYearOf). */
export const SCHOOL_YEAR_FIRST_MONTH = 8;

/**
 * The year of a month written without one, from the plan's school year: August to December fall in the first year,
 * January to July in the second ("19.5" in the plan of 2021 - 2022 is 19/05/2022; "tháng 12" is 12/2021).
 */
export function inferYear(month: number, schoolYear: SchoolYear): number {
  return month >= SCHOOL_YEAR_FIRST_MONTH ? schoolYear.startYear : schoolYear.endYear;
}

export type DateForm =
  /** 10/12/2021, 31.5.2022, 25-5-2022 */
  | 'day-month-year'
  /** 19.5, 28.7, 25-5, 25/7: the year from the school year */
  | 'day-month'
  /** ngày 30 tháng 01 năm 2024, or ngày 30 tháng 01 (year from the school year) */
  | 'words'
  /** tháng 12/2021, tháng 12 năm 2021, 08/2021 */
  | 'month-year'
  /** tháng 12: the year from the school year */
  | 'month'
  /** từ ngày 25/7 đến ngày 31/7/2022, 25/7 - 31/7/2022, (10/10/1946 – 10/10/2021) */
  | 'range'
  /** năm học 2021 - 2022 */
  | 'school-year';

export type DateValue =
  | { type: 'date'; date: LocalDate }
  | { type: 'month'; month: LocalMonth }
  | { type: 'range'; from: LocalDate; to: LocalDate }
  | { type: 'school-year'; startYear: number; endYear: number };

/** Roles that make a mention unfit to be a milestone's due date. */
export const NON_DEADLINE_ROLES = ['school-year', 'anniversary', 'document-date', 'issue-date'] as const;
export type NonDeadlineRole = (typeof NON_DEADLINE_ROLES)[number];

export type DateRole =
  /** "trước ngày 10/12/2021" (rule before), "chậm nhất ngày 25-5", "đến hết ngày 31/5" (rule by) */
  | 'deadline'
  /** "dự kiến tháng 06/2022" */
  | 'expected'
  /** "từ ngày 25/7 đến ngày 31/7/2022" */
  | 'range'
  /** a date with no word saying what it is: "Thời gian: tháng 08/2021", "sáng ngày 30 tháng 01 năm 2024" */
  | 'plain'
  | NonDeadlineRole;

export interface DateMention {
  form: DateForm;
  role: DateRole;
  value: DateValue;
  /** For deadlines: "trước ngày D" is `before`, every other wording (chậm nhất, đến hết, hạn) is `by`. */
  rule?: 'before' | 'by';
  /** The expression as written, with the words that introduce it: "trước ngày 10/12/2021", "dự kiến tháng 06/2022". */
  text: string;
  start: number;
  end: number;
  /** True when the year was not written and comes from the school year. */
  yearInferred: boolean;
}

export interface FindDatesOptions {
  /** The plan's school year, to place dates written without a year; without it such dates are dropped. */
  schoolYear?: SchoolYear;
}

export const isDeadlineRole = (role: DateRole): boolean => !(NON_DEADLINE_ROLES as readonly string[]).includes(role);

// ---------------------------------------------------------------------------------------------------------------
// Patterns. Every one is anchored by lookarounds so that it never starts or ends inside a longer number.

const SCHOOL_YEAR_RE = /(?<!\p{L})năm học\s+(\d{4})\s*[-–—/]\s*(\d{4})(?!\d)/giu;
/** Document numbers: "số 40/HD-CĐVC", "Số: 12/KH-CĐ", "05-CT/TW", "12/2021/QĐ-UBND". */
const DOC_NUMBER_RES = [/(?<!\p{L})[Ss]ố\s*:?\s*\d[\p{L}\d./-]*/gu, /(?<![\p{L}\d])\d+(?:[/.-]\d+)*[/-]\p{Lu}[\p{L}\d./-]*/gu];
const WORDS_RE = /(?<!\p{L})ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*,?\s*năm\s+(\d{4}))?(?!\d)/giu;
const DAY_MONTH_YEAR_RE = /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?!\d|[/.-]\d)/gu;
const MONTH_WORD_RE = /(?<!\p{L})tháng\s+(\d{1,2})(?:\s*[/.-]\s*(\d{4})|\s*,?\s*năm\s+(\d{4}))?(?!\d|\s*[/.-]\s*\d)/giu;
const MONTH_YEAR_RE = /(?<![\d/.,-]|\p{L})(\d{1,2})[/.-](\d{4})(?!\d|[/.-]\d|[/-]\p{L})/gu;
const DAY_MONTH_RE = /(?<![\d/.,-]|\p{L})(\d{1,2})([/.-])(\d{1,2})(?!\d|[/.,-]\d|[/-]\p{L})/gu;

/** Words after which a bare "19.5" is a date (a heading number "2.1" or a score "4.5" has none of them). */
const DAY_MONTH_CUE_RE = /(?<!\p{L})(?:ngày|trước|đến|tới|hết|từ|hạn|nộp|vào|sáng|chiều|tối|trưa|nhất|kiến|gian)\s*:?\s*$/iu;

/** What introduces a date, read backwards from it. Leftmost match = the longest introduction. */
const CUE_RE =
  /(?<!\p{L})(?:(?<before>trước)|(?<by>chậm nhất(?:\s+là)?|muộn nhất(?:\s+là)?|hạn chót(?:\s+là)?|hạn cuối(?:\s+là)?|hạn nộp|đến hết|tới hết|hết|đến|tới)|(?<expected>dự kiến(?:\s+(?:tổ chức|diễn ra|vào|trong|khoảng))*))?\s*:?\s*(?:vào\s+)?(?:(?:buổi\s+)?(?:sáng|chiều|tối|trưa)\s+)?(?:ngày\s+)?$/iu;
const RANGE_FROM_RE = /(?<!\p{L})từ\s+(?:(?:buổi\s+)?(?:sáng|chiều|tối|trưa)\s+)?(?:ngày\s+)?$/iu;
const RANGE_JOIN_RE = /^\s*(?:đến|tới|-|–|—)\s*(?:hết\s+)?(?:(?:sáng|chiều|tối|trưa)\s+)?(?:ngày\s+)?$/iu;
const DOC_DATE_RES = [
  /(?<!\p{L})[Ss]ố\s*:?\s*[\p{L}\d][\p{L}\d./-]*\s*,?\s*(?:ngày\s+)?$/u,
  /(?<![\p{L}\d])\d+(?:[/.-]\d+)*[/-]\p{Lu}[\p{L}\d./-]*\s*,?\s*(?:ngày\s+)?$/u,
  /(?<!\p{L})(?:ban hành|ký|kí)\s+(?:ngày\s+)?$/iu,
];
const ISSUE_PREFIX_RE = /^\s*[\p{Lu}][\p{L} .'-]{0,40},\s*(?:ngày\s+)?$/u;
const FOUNDED_RE = /thành lập[^.;()]{0,80}\(\s*$/iu;

/** How far back the introducing words are looked for. */
const LOOKBACK = 60;

// ---------------------------------------------------------------------------------------------------------------

interface Span {
  start: number;
  end: number;
}

/** A single date or month as written, before ranges and roles are worked out. */
interface Atom extends Span {
  form: Exclude<DateForm, 'range' | 'school-year'>;
  day?: number;
  month: number;
  /** As written; undefined when the text gives none. */
  year?: number;
  /** A bare day-month that counts only after a word such as "ngày" or inside a range. */
  needsCue: boolean;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const overlaps = (a: Span, spans: readonly Span[]): boolean => spans.some((b) => a.start < b.end && b.start < a.end);

function isoDate(year: number, month: number, day: number): LocalDate | undefined {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1) return undefined;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function isoMonth(year: number, month: number): LocalMonth | undefined {
  return year >= 1900 && year <= 2100 && month >= 1 && month <= 12 ? `${pad(year, 4)}-${pad(month)}` : undefined;
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) yield m;
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

/** School years in a sentence ("năm học 2021 - 2022"; the two years must follow each other). */
export function findSchoolYears(text: string): Array<SchoolYear & Span> {
  const out: Array<SchoolYear & Span> = [];
  for (const m of matches(SCHOOL_YEAR_RE, text.normalize('NFC'))) {
    const startYear = Number(m[1]);
    const endYear = Number(m[2]);
    if (endYear === startYear + 1) out.push({ startYear, endYear, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

function documentNumbers(text: string): Span[] {
  return DOC_NUMBER_RES.flatMap((re) => [...matches(re, text)].map((m) => ({ start: m.index, end: m.index + m[0].length })));
}

/** Every date or month written in the text, longest forms first, none inside a document number or another date. */
function atomsOf(text: string, taken: Span[]): Atom[] {
  const atoms: Atom[] = [];
  const add = (m: RegExpExecArray, atom: Omit<Atom, 'start' | 'end'>): void => {
    const span = { start: m.index, end: m.index + m[0].length };
    if (overlaps(span, taken)) return;
    taken.push(span);
    atoms.push({ ...atom, ...span });
  };
  for (const m of matches(WORDS_RE, text)) add(m, { form: 'words', day: Number(m[1]), month: Number(m[2]), year: num(m[3]), needsCue: false });
  for (const m of matches(DAY_MONTH_YEAR_RE, text)) add(m, { form: 'day-month-year', day: Number(m[1]), month: Number(m[3]), year: Number(m[4]), needsCue: false });
  for (const m of matches(MONTH_WORD_RE, text)) {
    const year = num(m[2] ?? m[3]);
    add(m, { form: year === undefined ? 'month' : 'month-year', month: Number(m[1]), year, needsCue: false });
  }
  for (const m of matches(MONTH_YEAR_RE, text)) add(m, { form: 'month-year', month: Number(m[1]), year: Number(m[2]), needsCue: false });
  for (const m of matches(DAY_MONTH_RE, text)) add(m, { form: 'day-month', day: Number(m[1]), month: Number(m[3]), needsCue: true });
  return atoms.sort((a, b) => a.start - b.start);
}

/** The words that introduce a date at `start`, and what they make of it. */
function cueBefore(text: string, start: number): { kind: 'before' | 'by' | 'expected' | undefined; length: number } {
  const before = text.slice(Math.max(0, start - LOOKBACK), start);
  const m = CUE_RE.exec(before);
  if (!m) return { kind: undefined, length: 0 };
  const groups = m.groups ?? {};
  const kind = groups.before ? 'before' : groups.by ? 'by' : groups.expected ? 'expected' : undefined;
  return { kind, length: m[0].replace(/^[\s:]+/u, '').length };
}

const lookback = (text: string, start: number, chars = LOOKBACK * 2): string => text.slice(Math.max(0, start - chars), start);

/** Why a date is not a deadline, if it is not one (the date of a cited document, of the plan, a founding date). */
function nonDeadlineRole(text: string, span: Span): NonDeadlineRole | undefined {
  const before = lookback(text, span.start);
  if (DOC_DATE_RES.some((re) => re.test(before))) return 'document-date';
  if (ISSUE_PREFIX_RE.test(text.slice(0, span.start)) && /^\s*\.?\s*$/.test(text.slice(span.end))) return 'issue-date';
  if (FOUNDED_RE.test(before)) return 'anniversary';
  return undefined;
}

/** The calendar value of an atom with the given year, or undefined if there is no such day or month. */
function dateOf(atom: Atom, year: number): LocalDate | undefined {
  return atom.day === undefined ? undefined : isoDate(year, atom.month, atom.day);
}

interface Placed {
  atom: Atom;
  year: number;
  inferred: boolean;
}

/** Gives an atom its year: as written, else from the school year; undefined when neither is known. */
function place(atom: Atom, schoolYear: SchoolYear | undefined): Placed | undefined {
  if (atom.year !== undefined) return { atom, year: atom.year, inferred: false };
  if (!schoolYear) return undefined;
  return { atom, year: inferYear(atom.month, schoolYear), inferred: true };
}

/**
 * Two days joined as a range ("từ ngày 25/7 đến ngày 31/7/2022", "25/7 - 31/7/2022"). A year written on one end
 * serves the other (a range over New Year moves back one year); a dash between two full dates of different years is
 * a span of history ("10/10/1946 – 10/10/2021"), not a range to act on.
 */
function rangeOf(text: string, a: Atom, b: Atom, schoolYear: SchoolYear | undefined): DateMention | undefined {
  if (a.day === undefined || b.day === undefined) return undefined;
  const joint = text.slice(a.end, b.start);
  if (!RANGE_JOIN_RE.test(joint)) return undefined;
  const from = RANGE_FROM_RE.exec(lookback(text, a.start, 20));
  const dashed = /^\s*[-–—]\s*$/.test(joint);
  if (!from && !dashed && !/(?<!\p{L})(?:đến|tới)/iu.test(joint)) return undefined;
  const start = a.start - (from ? from[0].length : 0);
  if (dashed && !from && a.year !== undefined && b.year !== undefined && a.year !== b.year) {
    const fromDate = dateOf(a, a.year);
    const toDate = dateOf(b, b.year);
    if (!fromDate || !toDate) return undefined;
    return { form: 'range', role: 'anniversary', value: { type: 'range', from: fromDate, to: toDate }, text: text.slice(start, b.end), start, end: b.end, yearInferred: false };
  }
  let yearB = b.year;
  if (yearB === undefined && a.year !== undefined) yearB = b.month >= a.month ? a.year : a.year + 1;
  if (yearB === undefined && schoolYear) yearB = inferYear(b.month, schoolYear);
  if (yearB === undefined) return undefined;
  const yearA = a.year ?? (a.month <= b.month ? yearB : yearB - 1);
  const fromDate = dateOf(a, yearA);
  const toDate = dateOf(b, yearB);
  if (!fromDate || !toDate || fromDate > toDate) return undefined;
  const span = { start, end: b.end };
  const role = nonDeadlineRole(text, span) ?? 'range';
  return { form: 'range', role, value: { type: 'range', from: fromDate, to: toDate }, text: text.slice(start, b.end), ...span, yearInferred: a.year === undefined && b.year === undefined };
}

/** A single date or month, with the words that introduce it and its role. */
function singleOf(text: string, placed: Placed): DateMention | undefined {
  const { atom, year, inferred } = placed;
  const value: DateValue | undefined =
    atom.day === undefined
      ? ((m) => (m ? { type: 'month', month: m } : undefined))(isoMonth(year, atom.month))
      : ((d) => (d ? { type: 'date', date: d } : undefined))(dateOf(atom, year));
  if (!value) return undefined;
  const cue = cueBefore(text, atom.start);
  const span = { start: atom.start - cue.length, end: atom.end };
  const nonDeadline = nonDeadlineRole(text, atom);
  const base = { form: atom.form, value, text: text.slice(span.start, span.end), ...span, yearInferred: inferred };
  if (nonDeadline) return { ...base, role: nonDeadline };
  if (cue.kind === 'before' || cue.kind === 'by') return { ...base, role: 'deadline', rule: cue.kind };
  if (cue.kind === 'expected') return { ...base, role: 'expected' };
  return { ...base, role: 'plain' };
}

/**
 * The date expressions of a sentence, in reading order. Never throws; returns [] for text without dates.
 * Mentions never overlap. See the module comment for the forms and roles.
 */
export function findDates(sentence: string, options: FindDatesOptions = {}): DateMention[] {
  const text = sentence.normalize('NFC');
  const out: DateMention[] = [];
  const taken: Span[] = [];
  for (const sy of findSchoolYears(text)) {
    taken.push(sy);
    out.push({
      form: 'school-year',
      role: 'school-year',
      value: { type: 'school-year', startYear: sy.startYear, endYear: sy.endYear },
      text: text.slice(sy.start, sy.end),
      start: sy.start,
      end: sy.end,
      yearInferred: false,
    });
  }
  taken.push(...documentNumbers(text));
  const atoms = atomsOf(text, taken);
  const cued = (a: Atom): boolean => !a.needsCue || DAY_MONTH_CUE_RE.test(lookback(text, a.start, 20));
  for (let i = 0; i < atoms.length; i++) {
    const atom = atoms[i]!;
    const next = atoms[i + 1];
    // Two bare day-months ("2.1 - 2.3") make a range only after a word that introduces dates.
    const range = next && (cued(atom) || !next.needsCue) ? rangeOf(text, atom, next, options.schoolYear) : undefined;
    if (range) {
      out.push(range);
      i++;
      continue;
    }
    if (!cued(atom)) continue;
    const placed = place(atom, options.schoolYear);
    const single = placed && singleOf(text, placed);
    if (single) out.push(single);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The first mention that can serve as a due date (not a school year, anniversary or document date). */
export function firstDue(mentions: readonly DateMention[]): DateMention | undefined {
  return mentions.find((m) => isDeadlineRole(m.role));
}
