/**
 * Calendar feeds (RFC 5545): a plan's milestones as one VCALENDAR, for the whole cluster (the admins' feed) or for one
 * unit (its signed link's feed: only what concerns it, with its own extensions). Pure: plan and milestones in, text out.
 *
 * Choices, and why:
 * - Written here rather than with the `ics` package (3.12): it folds lines at 75 characters, not 75 octets (a
 *   Vietnamese line of 75 characters is up to 170 octets), writes a 7-day trigger as "P7DT" (not RFC 5545), has no
 *   X-WR-TIMEZONE and brings yup into the member function's bundle. What is needed is the small generator below.
 * - A dated milestone is an all-day event (DTSTART;VALUE=DATE, DTEND the next day). A document deadline sits on the
 *   LAST DAY ACCEPTED, because that is the day to act: "trước ngày 10/12/2021" under the default rule is the 9th (the
 *   description spells the rule out: "trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)"); with an extension, the
 *   unit's feed moves it to the extension's day. A milestone without a document (a conference) sits on its day.
 * - A month-only milestone ("dự kiến tháng 06/2022") is ONE all-day event on the 1st, STATUS:TENTATIVE, with
 *   "(dự kiến trong tháng 06/2022)" in its title. Not an event spanning the month: calendars draw that as a bar over
 *   every day of the month (and Outlook as "busy" all month in its all-day row), which reads as "takes all month";
 *   a note on the 1st is how people write "sometime in June" in a paper diary. When the day is fixed, the same UID
 *   moves to it. Undated milestones ("chưa định thời gian") have no place in a calendar and are left out.
 * - Times: the model has no time of day (the plan writes "dự kiến tháng 12/2021", not "8 giờ"), so every event is an
 *   all-day date: floating, the same day wherever the reader is. X-WR-TIMEZONE:Asia/Ho_Chi_Minh tells Google and Apple
 *   which zone the calendar lives in; no VTIMEZONE, which RFC 5545 requires only for TZID references (there are none).
 * - Alarms: one VALARM per reminder email the plan sends for the milestone (planSchedules, kind 'reminder'), ringing
 *   at the same moment: the plan's reminder hour (08:00 ICT) on that day. A trigger counts from the event's start,
 *   00:00 of an all-day event's day, so a bare "-P7D" would ring at midnight; the hour is added: 08:00 six days
 *   before the 9th is "-P5DT16H", 08:00 on the day itself "PT8H". Under "trước ngày" there is no due-day email (the
 *   day is already late), so there is no alarm for it either. An extended unit's alarms count the same offsets back
 *   from its own last day. Google Calendar ignores alarms of subscribed calendars (it applies the reader's default
 *   notifications); Apple Calendar and Outlook ring them.
 * - UIDs are made of ids only, so they are the same on every request and never reused: `<milestone>.<plan>.<cluster>
 *   @cum-thi-dua` in the cluster's feed, `<milestone>.<unit>.<plan>.<cluster>@cum-thi-dua` in a unit's (its event may
 *   differ, by an extension, so it is not the same event). DTSTAMP is the generation instant (the clock), as RFC
 *   5545 asks of a METHOD:PUBLISH object. No SEQUENCE (0): milestones carry no revision number, and subscribed
 *   calendars replace events by UID on every refresh.
 * - Text is NFC, escaped (backslash, semicolon, comma, newline), without control characters or lone surrogates; lines
 *   end in CRLF and are folded at 75 octets, never inside a character.
 */
import { describeDue } from './deadlines';
import { RECIPIENT_LABELS, UNIT_ROLE_LABELS, byOrder, selectUnits, type Cluster, type Milestone, type Plan, type Unit, type UnitSelector } from './model';
import { planSchedules } from './reminders';
import { effectiveDeadline, requiresDocumentFrom, type Extension } from './submission';
import { addDays, daysBetween, formatDateVi, formatMonthVi, ictDateOf, startOfIctDay, type LocalDate } from './time';
import { wellFormed } from './unicode';

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';
export const CALENDAR_PRODID = '-//Cum Thi dua//Lich ke hoach thi dua//VI';
/** How often a subscribed client should refetch (REFRESH-INTERVAL, X-PUBLISHED-TTL): deadlines change rarely. */
export const CALENDAR_REFRESH = 'PT6H';
const UID_DOMAIN = 'cum-thi-dua';
const MAX_LINE_OCTETS = 75;

/** The unit a feed is for: only what concerns it, its extensions, its page. */
export interface CalendarUnit {
  unit: Unit;
  extensions: readonly Pick<Extension, 'milestoneId' | 'until'>[];
  /** The unit's page (its signed link), written in each event: where to send the document. */
  pageUrl: string;
}

export interface CalendarInput {
  cluster: Pick<Cluster, 'clusterId' | 'name'>;
  plan: Plan;
  milestones: readonly Milestone[];
  /** DTSTAMP. */
  now: Date;
  /** A unit's feed; absent: the cluster's. */
  forUnit?: CalendarUnit;
  /** The cluster's units, to name them in "who" (cluster feed). */
  units?: readonly Unit[];
  /** The admin page, written in each event of the cluster feed. */
  adminUrl?: string;
}

export interface CalendarAlarm {
  /** The trigger relative to the event's start, e.g. "-P5DT16H". */
  trigger: string;
  /** When it rings (the matching reminder email's instant, in ICT). */
  at: Date;
  description: string;
}

/** One VEVENT, as data (what {@link renderCalendar} writes). */
export interface CalendarEvent {
  uid: string;
  milestoneId: string;
  /** The all-day event's day (DTSTART;VALUE=DATE). */
  day: LocalDate;
  tentative: boolean;
  summary: string;
  location?: string;
  description: string;
  url?: string;
  alarms: CalendarAlarm[];
}

// ---- Text ---------------------------------------------------------------------------------------------------------

/** A control character TEXT may not hold (C0 but tab and line feed, and DEL). */
const isForbiddenControl = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return (code < 0x20 && c !== '\t' && c !== '\n') || code === 0x7f;
};

/**
 * TEXT value (RFC 5545 3.3.11): lone surrogates become U+FFFD (first, so that removing what sits between two halves
 * cannot fuse them), NFC, line breaks as "\n", other control characters removed, `\ ; ,` escaped.
 */
export function escapeText(text: string): string {
  const normalised = wellFormed(text).normalize('NFC').replace(/\r\n?/g, '\n');
  return [...normalised]
    .filter((c) => !isForbiddenControl(c))
    .join('')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n');
}

const utf8Length = (codePoint: number): number => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/** Folds one content line at 75 octets (continuations start with a space), only between characters. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let size = 0;
  let limit = MAX_LINE_OCTETS;
  for (const char of line) {
    const octets = utf8Length(char.codePointAt(0)!);
    if (size + octets > limit) {
      parts.push(current);
      current = '';
      size = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    current += char;
    size += octets;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** A duration (RFC 5545 3.3.6) from milliseconds, to the minute: -P5DT16H, PT8H, P1D, PT0S. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (minutes === 0) return 'PT0S';
  const time = hours || rest ? `T${hours ? `${hours}H` : ''}${rest ? `${rest}M` : ''}` : '';
  return `${sign}P${days ? `${days}D` : ''}${time}`;
}

const dateValue = (day: LocalDate): string => day.replace(/-/g, '');
const utcValue = (instant: Date): string => instant.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

// ---- Which events ---------------------------------------------------------------------------------------------------

const ALL_UNITS = 'tất cả đơn vị trong Cụm';

/** "Who" in words, for the cluster's feed. */
function describeWho(selector: UnitSelector, units: readonly Unit[]): string {
  switch (selector.type) {
    case 'all':
      return ALL_UNITS;
    case 'roles':
      return selector.roles.map((r) => `đơn vị ${UNIT_ROLE_LABELS[r]}`).join(', ');
    case 'units':
      return selector.unitIds.map((id) => units.find((u) => u.unitId === id)?.name ?? id).join(', ');
    case 'proposed-for-award':
      return 'các đơn vị được đề nghị khen thưởng';
  }
}

const selects = (selector: UnitSelector, unit: Unit): boolean => selectUnits(selector, [unit]).length === 1;

/** Whether a milestone concerns a unit: it asks the unit for a document or gives it a task. */
export function concernsUnit(milestone: Milestone, unit: Unit): boolean {
  return requiresDocumentFrom(milestone, unit) || milestone.assignments.some((a) => selects(a.who, unit));
}

/** Where an event goes and which reminders it carries; undefined for an undated milestone. */
interface Placement {
  day: LocalDate;
  tentative: boolean;
  /** The milestone whose reminder schedule the alarms follow (moved to an extension's day); none for a month. */
  remindersOf?: Milestone;
  isDeadline: boolean;
  extendedTo?: LocalDate;
}

function placementOf(m: Milestone, plan: Plan, forUnit: CalendarUnit | undefined): Placement | undefined {
  const isDeadline = forUnit ? requiresDocumentFrom(m, forUnit.unit) : !!m.document;
  const extension = isDeadline ? forUnit?.extensions.find((e) => e.milestoneId === m.milestoneId) : undefined;
  if (isDeadline) {
    const effective = effectiveDeadline(m, plan, extension);
    if (effective.deadline.type === 'exact') {
      const remindersOf: Milestone = extension ? { ...m, due: { type: 'date', date: extension.until, rule: 'by' } } : m;
      return { day: effective.deadline.lastDay, tentative: false, remindersOf, isDeadline, ...(extension ? { extendedTo: extension.until } : {}) };
    }
  } else if (m.due.type === 'date') {
    return { day: m.due.date, tentative: false, remindersOf: m, isDeadline };
  }
  if (m.due.type === 'month') return { day: `${m.due.month}-01`, tentative: true, isDeadline };
  return undefined;
}

/** The alarms of an event: the reminder emails of its milestone, at their instant, relative to the event's day. */
function alarmsOf(placement: Placement, plan: Plan, title: string): CalendarAlarm[] {
  if (!placement.remindersOf) return [];
  const start = startOfIctDay(placement.day).getTime();
  return planSchedules(plan, [placement.remindersOf], new Date(0))
    .filter((s) => s.event.kind === 'reminder')
    .map((s) => {
      const left = daysBetween(ictDateOf(s.fireAt), placement.day);
      const when = left > 0 ? `còn ${left} ngày` : 'hôm nay';
      return { trigger: formatDuration(s.fireAt.getTime() - start), at: s.fireAt, description: `${title} (${when})` };
    });
}

function summaryOf(m: Milestone, placement: Placement): string {
  const title = placement.isDeadline && m.document ? `Hạn nộp: ${m.document.title}` : m.title;
  return m.due.type === 'month' && placement.tentative ? `${title} (dự kiến trong tháng ${formatMonthVi(m.due.month)})` : title;
}

function descriptionOf(m: Milestone, placement: Placement, input: CalendarInput): string {
  const { plan, forUnit } = input;
  const lines: string[] = [m.title, `Thời hạn: ${describeDue(m, plan)}`];
  if (placement.extendedTo) lines.push(`Đơn vị được gia hạn đến hết ngày ${formatDateVi(placement.extendedTo)}`);
  if (m.dueText) lines.push(`Kế hoạch ghi: ${m.dueText}`);
  if (m.document && (!forUnit || placement.isDeadline)) {
    const to = m.document.recipients.map((r) => RECIPIENT_LABELS[r]).join(', ');
    const from = forUnit ? '' : `; đơn vị nộp: ${describeWho(m.document.from, input.units ?? [])}`;
    lines.push(`Tài liệu cần nộp: ${m.document.title} (gửi đến: ${to}${from})`);
  }
  if (m.participants) lines.push(`Thành phần tham dự: ${m.participants}`);
  if (m.content.length > 0) lines.push('Nội dung:', ...m.content.map((c) => `- ${c}`));
  const tasks = forUnit
    ? m.assignments.filter((a) => selects(a.who, forUnit.unit)).map((a) => `- ${a.task}`)
    : m.assignments.map((a) => `- ${describeWho(a.who, input.units ?? [])}: ${a.task}`);
  if (tasks.length > 0) lines.push(forUnit ? 'Nhiệm vụ của đơn vị:' : 'Phân công:', ...tasks);
  if (forUnit) {
    lines.push(`Trang nộp tài liệu của đơn vị: ${forUnit.pageUrl}`);
    const c = plan.contact;
    if (c) lines.push(`Liên hệ: ${[c.name, c.phone, c.email].filter(Boolean).join(' · ')}`);
  } else if (input.adminUrl) {
    lines.push(`Trang quản trị: ${input.adminUrl}`);
  }
  return lines.join('\n');
}

function uidOf(m: Milestone, input: CalendarInput): string {
  const unit = input.forUnit ? `${input.forUnit.unit.unitId}.` : '';
  return `${m.milestoneId}.${unit}${input.plan.planId}.${input.cluster.clusterId}@${UID_DOMAIN}`;
}

/** The events of a feed, in calendar order (day, then the plan's order). */
export function calendarEvents(input: CalendarInput): CalendarEvent[] {
  const { plan, forUnit } = input;
  const placed: Array<{ m: Milestone; placement: Placement }> = [];
  for (const m of input.milestones) {
    if (forUnit && !concernsUnit(m, forUnit.unit)) continue;
    const placement = placementOf(m, plan, forUnit);
    if (placement) placed.push({ m, placement });
  }
  const url = forUnit?.pageUrl ?? input.adminUrl;
  return placed
    .sort((a, b) => a.placement.day.localeCompare(b.placement.day) || byOrder(a.m, b.m))
    .map(({ m, placement }) => {
      const summary = summaryOf(m, placement);
      return {
        uid: uidOf(m, input),
        milestoneId: m.milestoneId,
        day: placement.day,
        tentative: placement.tentative,
        summary,
        ...(m.place ? { location: m.place } : {}),
        description: descriptionOf(m, placement, input),
        ...(url ? { url } : {}),
        alarms: alarmsOf(placement, plan, summary),
      };
    });
}

/** "Cụm Thi đua số 5 – năm học 2021 - 2022" (and " – <unit>" for a unit's feed). */
export function calendarName(input: Pick<CalendarInput, 'cluster' | 'plan' | 'forUnit'>): string {
  const year = `${input.plan.schoolYear.startYear} - ${input.plan.schoolYear.endYear}`;
  return `${input.cluster.name} – năm học ${year}${input.forUnit ? ` – ${input.forUnit.unit.name}` : ''}`;
}

// ---- Writing ------------------------------------------------------------------------------------------------------

function eventLines(event: CalendarEvent, stamp: string): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `DTSTAMP:${stamp}`,
    `DTSTART;VALUE=DATE:${dateValue(event.day)}`,
    `DTEND;VALUE=DATE:${dateValue(addDays(event.day, 1))}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
    `DESCRIPTION:${escapeText(event.description)}`,
    ...(event.url ? [`URL:${event.url}`] : []),
    `STATUS:${event.tentative ? 'TENTATIVE' : 'CONFIRMED'}`,
    // A deadline does not make anyone busy.
    'TRANSP:TRANSPARENT',
    ...event.alarms.flatMap((a) => ['BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(a.description)}`, `TRIGGER:${a.trigger}`, 'END:VALARM']),
    'END:VEVENT',
  ];
}

/** The feed: a complete VCALENDAR, CRLF line ends, folded at 75 octets. */
export function renderCalendar(input: CalendarInput): string {
  const stamp = utcValue(input.now);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${CALENDAR_PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(calendarName(input))}`,
    `X-WR-CALDESC:${escapeText(input.plan.title)}`,
    'X-WR-TIMEZONE:Asia/Ho_Chi_Minh',
    `REFRESH-INTERVAL;VALUE=DURATION:${CALENDAR_REFRESH}`,
    `X-PUBLISHED-TTL:${CALENDAR_REFRESH}`,
    ...calendarEvents(input).flatMap((e) => eventLines(e, stamp)),
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
