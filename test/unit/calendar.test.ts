/**
 * The calendar feeds (shared/domain/calendar.ts), read back with a calendar library (ical.js) as Google Calendar or
 * Outlook would: events and their days, stable UIDs, alarms at the very instants of the reminder emails, escaping and
 * folding of long Vietnamese text, CRLF; and, for any plan, a feed that parses, with lines of at most 75 octets and
 * unique UIDs.
 */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarEvents, escapeText, foldLine, formatDuration, renderCalendar, type CalendarInput, type CalendarUnit } from '../../shared/domain/calendar';
import { MilestoneSchema, PlanSchema, TextSchema, UnitSchema, type Milestone, type Plan, type Unit } from '../../shared/domain/model';
import { planSchedules } from '../../shared/domain/reminders';
import { startOfIctDay } from '../../shared/domain/time';
import { referenceCluster, referenceMilestones, referencePlan, referenceUnits } from '../../shared/reference/thanh-hoa-cum-5';

const NOW = new Date('2021-11-25T02:00:00Z');
const PAGE_URL = 'https://thi-dua.example.org/u/eyJrIjoxfQ.c2lnbmF0dXJl';
const ADMIN_URL = 'https://thi-dua.example.org/admin';
const memberA = referenceUnits.find((u) => u.unitId === 'don-vi-mau-a')!;
const deputy = referenceUnits.find((u) => u.role === 'cum-pho')!;

const clusterInput = (over: Partial<CalendarInput> = {}): CalendarInput => ({
  cluster: referenceCluster,
  plan: referencePlan,
  milestones: referenceMilestones,
  now: NOW,
  units: referenceUnits,
  adminUrl: ADMIN_URL,
  ...over,
});

const unitInput = (unit: Unit, extensions: CalendarUnit['extensions'] = []): CalendarInput => ({
  cluster: referenceCluster,
  plan: referencePlan,
  milestones: referenceMilestones,
  now: NOW,
  forUnit: { unit, extensions, pageUrl: PAGE_URL },
});

interface ParsedAlarm {
  trigger: string;
  /** When it rings for a reader in ICT: the event's start (00:00 ICT of its day) plus the trigger. */
  at: string;
  description: string;
}

interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
  allDay: boolean;
  status: string;
  location: string | null;
  description: string;
  url: string | null;
  stamp: string;
  alarms: ParsedAlarm[];
}

// Google, Apple and Outlook read the calendar's name and description as TEXT (unescaped); ical.js, not knowing these
// X- properties, would keep them raw.
ICAL.design.icalendar.property['x-wr-calname'] = { defaultType: 'text' };
ICAL.design.icalendar.property['x-wr-caldesc'] = { defaultType: 'text' };

/** Parses a feed with ical.js, as a calendar client would. */
function parse(text: string): { calendar: ICAL.Component; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((vevent): ParsedEvent => {
    const event = new ICAL.Event(vevent);
    const start = event.startDate.toString();
    return {
      uid: event.uid,
      summary: event.summary,
      start,
      end: event.endDate.toString(),
      allDay: event.startDate.isDate,
      status: String(vevent.getFirstPropertyValue('status')),
      location: event.location,
      description: event.description,
      url: vevent.getFirstPropertyValue('url') as string | null,
      stamp: String(vevent.getFirstPropertyValue('dtstamp')),
      alarms: vevent.getAllSubcomponents('valarm').map((valarm) => {
        const trigger = valarm.getFirstPropertyValue('trigger') as ICAL.Duration;
        return {
          trigger: trigger.toString(),
          at: new Date(startOfIctDay(start).getTime() + trigger.toSeconds() * 1000).toISOString(),
          description: String(valarm.getFirstPropertyValue('description')),
        };
      }),
    };
  });
  return { calendar, events };
}

const eventOf = (events: ParsedEvent[], milestoneId: string) => events.find((e) => e.uid.startsWith(`${milestoneId}.`))!;

/** The instants of the reminder emails the plan sends for a milestone (what the alarms must match). */
const reminderInstants = (plan: Plan, m: Milestone) =>
  planSchedules(plan, [m], new Date(0))
    .filter((s) => s.event.kind === 'reminder')
    .map((s) => s.fireAt.toISOString());

const octets = (line: string) => Buffer.byteLength(line, 'utf8');

/** The physical lines of a feed, each checked to be whole UTF-8 on its own (no character split by a fold). */
function physicalLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const lines = text.slice(0, -2).split('\r\n');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const line of lines) expect(decoder.decode(Buffer.from(line, 'utf8'))).toBe(line);
  return lines;
}

describe('the cluster feed of the reference plan', () => {
  const text = renderCalendar(clusterInput());
  const { calendar, events } = parse(text);

  it('is a PUBLISH calendar named after the cluster and the school year, in Asia/Ho_Chi_Minh', () => {
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//Cum Thi dua//Lich ke hoach thi dua//VI');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Cụm Thi đua số 5 – năm học 2021 - 2022');
    expect(calendar.getFirstPropertyValue('x-wr-caldesc')).toBe(referencePlan.title);
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Asia/Ho_Chi_Minh');
    // All-day events only: no VTIMEZONE is needed (nor written).
    expect(calendar.getAllSubcomponents('vtimezone')).toEqual([]);
  });

  it('has one all-day event per dated or month-only milestone, in calendar order; undated ones are left out', () => {
    expect(events.map((e) => [e.uid, e.start, e.end, e.allDay, e.status])).toEqual([
      ['ky-ket-giao-uoc.2021-2022.thanh-hoa-cum-5@cum-thi-dua', '2021-08-01', '2021-08-02', true, 'TENTATIVE'],
      ['hoi-nghi-so-ket-hk1.2021-2022.thanh-hoa-cum-5@cum-thi-dua', '2021-12-01', '2021-12-02', true, 'TENTATIVE'],
      ['bao-cao-so-ket-6-thang.2021-2022.thanh-hoa-cum-5@cum-thi-dua', '2021-12-09', '2021-12-10', true, 'CONFIRMED'],
      ['bao-cao-tong-ket-nam-hoc.2021-2022.thanh-hoa-cum-5@cum-thi-dua', '2022-05-30', '2022-05-31', true, 'CONFIRMED'],
      ['bang-tu-cham-diem.2021-2022.thanh-hoa-cum-5@cum-thi-dua', '2022-05-30', '2022-05-31', true, 'CONFIRMED'],
      ['hoi-nghi-tong-ket.2021-2022.thanh-hoa-cum-5@cum-thi-dua', '2022-06-01', '2022-06-02', true, 'TENTATIVE'],
    ]);
    expect(text).toContain('DTSTART;VALUE=DATE:20211209\r\n');
    expect(text).toContain('DTSTAMP:20211125T020000Z\r\n');
    expect(events.every((e) => e.stamp === '2021-11-25T02:00:00Z')).toBe(true);
  });

  it('puts a "trước ngày" deadline on the last day accepted, and says the rule in the description', () => {
    const report = eventOf(events, 'bao-cao-so-ket-6-thang');
    expect(report.summary).toBe('Hạn nộp: Báo cáo sơ kết 06 tháng đầu năm học');
    expect(report.description.split('\n')).toEqual([
      'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022',
      'Thời hạn: trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
      'Kế hoạch ghi: trước ngày 10/12/2021',
      'Tài liệu cần nộp: Báo cáo sơ kết 06 tháng đầu năm học (gửi đến: Đơn vị Cụm trưởng; đơn vị nộp: tất cả đơn vị trong Cụm)',
      'Phân công:',
      '- tất cả đơn vị trong Cụm: Gửi báo cáo sơ kết 06 tháng về đơn vị Cụm trưởng',
      `Trang quản trị: ${ADMIN_URL}`,
    ]);
    expect(report.url).toBe(ADMIN_URL);
    // When the plan accepts the 10th itself, the event is on the 10th.
    const inclusive = parse(renderCalendar(clusterInput({ plan: { ...referencePlan, beforeDayInclusive: true } }))).events;
    expect(eventOf(inclusive, 'bao-cao-so-ket-6-thang').start).toBe('2021-12-10');
  });

  it('puts a month-only milestone on the 1st, tentative, saying "dự kiến trong tháng", with its place and no alarm', () => {
    const conference = eventOf(events, 'hoi-nghi-tong-ket');
    expect(conference.summary).toBe('Hội nghị Tổng kết hoạt động năm học 2021 – 2022 (dự kiến trong tháng 06/2022)');
    expect(conference.location).toBe('Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa (đơn vị Cụm trưởng)');
    expect(conference.description).toContain('Thành phần tham dự: Đại diện Ban Thường vụ Công đoàn Viên chức tỉnh; Lãnh đạo các đơn vị');
    expect(conference.description).toContain('- đơn vị Cụm trưởng: Chuẩn bị nội dung;');
    expect(conference.alarms).toEqual([]);
    expect(text.replace(/\r\n /g, '')).toContain('LOCATION:Trường Đại học Văn hóa\\, Thể thao và Du lịch Thanh Hóa (đơn vị Cụm trưởng)\r\n');
  });

  it('rings an alarm at each reminder email of a milestone: 08:00 ICT on the same days, never at midnight', () => {
    const report = eventOf(events, 'bao-cao-so-ket-6-thang');
    expect(report.alarms.map((a) => [a.trigger, a.at])).toEqual([
      ['-P5DT16H', '2021-12-03T01:00:00.000Z'],
      ['-P1DT16H', '2021-12-07T01:00:00.000Z'],
      ['PT8H', '2021-12-09T01:00:00.000Z'],
    ]);
    expect(report.alarms.map((a) => a.description)).toEqual([
      'Hạn nộp: Báo cáo sơ kết 06 tháng đầu năm học (còn 6 ngày)',
      'Hạn nộp: Báo cáo sơ kết 06 tháng đầu năm học (còn 2 ngày)',
      'Hạn nộp: Báo cáo sơ kết 06 tháng đầu năm học (hôm nay)',
    ]);
    for (const m of referenceMilestones.filter((x) => x.due.type === 'date')) {
      expect(eventOf(events, m.milestoneId).alarms.map((a) => a.at), m.milestoneId).toEqual(reminderInstants(referencePlan, m));
    }
    expect(text).toMatch(/BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:[^\r]+\r\n(?: [^\r]+\r\n)*TRIGGER:-P5DT16H\r\nEND:VALARM/);
  });

  it('follows the plan: "đến hết ngày", other offsets and another reminder hour move the alarms with the emails', () => {
    const plan = PlanSchema.parse({ ...referencePlan, reminderHour: 14 });
    const m = MilestoneSchema.parse({ ...referenceMilestones[2], due: { type: 'date', date: '2021-12-10', rule: 'by' }, reminderOffsets: [10, 1, 0] });
    const [event] = parse(renderCalendar(clusterInput({ plan, milestones: [m] }))).events;
    expect(event!.start).toBe('2021-12-10');
    expect(event!.alarms.map((a) => [a.trigger, a.at])).toEqual([
      ['-P9DT10H', '2021-11-30T07:00:00.000Z'],
      ['-PT10H', '2021-12-09T07:00:00.000Z'],
      ['PT14H', '2021-12-10T07:00:00.000Z'],
    ]);
    expect(event!.alarms.map((a) => a.at)).toEqual(reminderInstants(plan, m));
  });

  it('keeps every UID across renders at other times and when a milestone moves; only DTSTAMP changes', () => {
    const later = renderCalendar(clusterInput({ now: new Date('2022-03-01T10:30:00Z') }));
    const moved = referenceMilestones.map((m) => (m.milestoneId === 'hoi-nghi-tong-ket' ? { ...m, due: { type: 'date' as const, date: '2022-06-18', rule: 'by' as const } } : m));
    const again = parse(renderCalendar(clusterInput({ milestones: moved }))).events;
    expect(parse(later).events.map((e) => e.uid)).toEqual(events.map((e) => e.uid));
    expect(again.map((e) => e.uid).sort()).toEqual(events.map((e) => e.uid).sort());
    expect(eventOf(again, 'hoi-nghi-tong-ket')).toMatchObject({ start: '2022-06-18', status: 'CONFIRMED' });
    expect(later.replace(/DTSTAMP:\w+/g, '')).toBe(text.replace(/DTSTAMP:\w+/g, ''));
    expect(renderCalendar(clusterInput())).toBe(text);
  });

  it('is CRLF throughout, folded at 75 octets without splitting a character', () => {
    const lines = physicalLines(text);
    expect(Math.max(...lines.map(octets))).toBeLessThanOrEqual(75);
    expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(20);
  });
});

describe('a unit feed', () => {
  it('shows only what concerns the unit, with its own UIDs and its page link (not the calendar link)', () => {
    const { calendar, events } = parse(renderCalendar(unitInput(memberA)));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Cụm Thi đua số 5 – năm học 2021 - 2022 – Công đoàn Trường mẫu A (đơn vị mẫu)');
    expect(events.map((e) => e.uid)).toEqual([
      'ky-ket-giao-uoc.don-vi-mau-a.2021-2022.thanh-hoa-cum-5@cum-thi-dua',
      'hoi-nghi-so-ket-hk1.don-vi-mau-a.2021-2022.thanh-hoa-cum-5@cum-thi-dua',
      'bao-cao-so-ket-6-thang.don-vi-mau-a.2021-2022.thanh-hoa-cum-5@cum-thi-dua',
      'bao-cao-tong-ket-nam-hoc.don-vi-mau-a.2021-2022.thanh-hoa-cum-5@cum-thi-dua',
      'bang-tu-cham-diem.don-vi-mau-a.2021-2022.thanh-hoa-cum-5@cum-thi-dua',
      'hoi-nghi-tong-ket.don-vi-mau-a.2021-2022.thanh-hoa-cum-5@cum-thi-dua',
    ]);
    const report = eventOf(events, 'bao-cao-so-ket-6-thang');
    expect(report.url).toBe(PAGE_URL);
    expect(report.description.split('\n')).toEqual([
      'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022',
      'Thời hạn: trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
      'Kế hoạch ghi: trước ngày 10/12/2021',
      'Tài liệu cần nộp: Báo cáo sơ kết 06 tháng đầu năm học (gửi đến: Đơn vị Cụm trưởng)',
      'Nhiệm vụ của đơn vị:',
      '- Gửi báo cáo sơ kết 06 tháng về đơn vị Cụm trưởng',
      `Trang nộp tài liệu của đơn vị: ${PAGE_URL}`,
      'Liên hệ: Nguyễn Thanh Tâm · 0949.007.377 · congdoan.dvtdt@gmail.com',
    ]);
    expect(report.description).not.toContain('calendar.ics');
    // A member sees its own task at a conference, not the deputy's.
    const conference = eventOf(events, 'hoi-nghi-so-ket-hk1');
    expect(conference.summary).toBe('Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022 (dự kiến trong tháng 12/2021)');
    expect(conference.description).toContain('- Lãnh đạo đơn vị và Ban Chấp hành Công đoàn cơ sở dự hội nghị');
    expect(conference.description).not.toContain('giấy mời');
    expect(eventOf(parse(renderCalendar(unitInput(deputy))).events, 'hoi-nghi-so-ket-hk1').description).toContain('- Triển khai giấy mời');
  });

  it("moves an extended deadline to the unit's last day, with the same offsets counted back from it", () => {
    const { events } = parse(renderCalendar(unitInput(memberA, [{ milestoneId: 'bao-cao-so-ket-6-thang', until: '2021-12-15' }])));
    const report = eventOf(events, 'bao-cao-so-ket-6-thang');
    expect(report.start).toBe('2021-12-15');
    expect(report.description).toContain('Đơn vị được gia hạn đến hết ngày 15/12/2021');
    expect(report.alarms.map((a) => [a.trigger, a.at])).toEqual([
      ['-P6DT16H', '2021-12-08T01:00:00.000Z'],
      ['-P2DT16H', '2021-12-12T01:00:00.000Z'],
      ['-PT16H', '2021-12-14T01:00:00.000Z'],
      ['PT8H', '2021-12-15T01:00:00.000Z'],
    ]);
    // Other milestones keep the plan's dates.
    expect(eventOf(events, 'bao-cao-tong-ket-nam-hoc').start).toBe('2022-05-30');
  });

  it('leaves out milestones that neither ask the unit for a document nor give it a task', () => {
    const onlyHead = MilestoneSchema.parse({
      ...referenceMilestones[2],
      milestoneId: 'chi-cum-truong',
      document: { title: 'Tổng hợp', from: { type: 'roles', roles: ['cum-truong'] }, recipients: ['cdvc-tinh'] },
      assignments: [{ who: { type: 'roles', roles: ['cum-truong'] }, task: 'Tổng hợp báo cáo' }],
    });
    const input = { ...unitInput(memberA), milestones: [onlyHead] };
    expect(calendarEvents(input)).toEqual([]);
    const head = referenceUnits.find((u) => u.role === 'cum-truong')!;
    expect(calendarEvents({ ...input, forUnit: { ...input.forUnit!, unit: head } }).map((e) => e.milestoneId)).toEqual(['chi-cum-truong']);
  });
});

describe('text', () => {
  it('escapes backslash, semicolon, comma and line breaks; drops control characters; writes NFC', () => {
    expect(escapeText('a\\b;c,d\r\ne\rf\ng')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    expect(escapeText('x\u0000\u0007\u001by\tz\u007f')).toBe('xy\tz');
    expect(escapeText('Ho\u0302\u0323i nghi\u0323')).toBe('Hội nghị');
    expect(escapeText('a\uD800b')).toBe('a\uFFFDb');
    // Removing a control character between two halves of a pair does not fuse them into a character.
    expect(escapeText('\uD83D\u0001\uDE00')).toBe('\uFFFD\uFFFD');
  });

  it('folds at 75 octets, continuing with one space, at character boundaries only', () => {
    const line = `SUMMARY:${'Hội nghị tổng kết '.repeat(12)}😀𝄞`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(4);
    expect(parts.every((p) => octets(p) <= 75)).toBe(true);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts[0]!.length + parts.slice(1).reduce((n, p) => n + p.length - 1, 0)).toBe(line.length);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('DTSTART;VALUE=DATE:20211209')).toBe('DTSTART;VALUE=DATE:20211209');
  });

  it('reads back a long Vietnamese title with separators and line breaks exactly', () => {
    const title = `${'Báo cáo tổng kết năm học, phương hướng; nhiệm vụ \\ năm học tiếp theo. '.repeat(6)}\nDòng hai: “Đảm bảo”, đúng hạn!`;
    const m = MilestoneSchema.parse({ ...referenceMilestones[5], title, place: 'Phòng 301, nhà A; tầng 3' });
    const text = renderCalendar(clusterInput({ milestones: [m] }));
    const [event] = parse(text).events;
    expect(event!.description.split('\n').slice(0, 2).join('\n')).toBe(title);
    expect(event!.location).toBe('Phòng 301, nhà A; tầng 3');
    expect(Math.max(...physicalLines(text).map(octets))).toBeLessThanOrEqual(75);
  });

  it('writes durations to the minute', () => {
    expect([0, 8 * 3600e3, -7 * 86400e3, -(5 * 86400e3 + 16 * 3600e3), 90 * 60e3, -30 * 60e3].map(formatDuration)).toEqual([
      'PT0S',
      'PT8H',
      '-P7D',
      '-P5DT16H',
      'PT1H30M',
      '-PT30M',
    ]);
  });
});

// ---- Property: any plan gives a valid feed -----------------------------------------------------------------------

/** Text as people type it in the plan editor: Vietnamese letters, separators, quotes, line breaks, emoji. */
const text = fc
  .string({ unit: fc.constantFrom(...'aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ĐÂ,;:\\"\'“”–-().\n', '😀', 'e\u0301'), minLength: 1, maxLength: 160 })
  .filter((s) => s.trim().length > 0);
const slug = fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,12}){0,3}$/);
const day = fc.date({ min: new Date('2021-08-01T00:00:00Z'), max: new Date('2022-07-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const due = fc.oneof(
  fc.record({ type: fc.constant('date' as const), date: day, rule: fc.constantFrom('before' as const, 'by' as const) }),
  fc.record({ type: fc.constant('month' as const), month: day.map((d) => d.slice(0, 7)) }),
  fc.constant({ type: 'none' as const }),
);
const milestone = fc.record({
  kind: fc.constantFrom(...(['registration', 'covenant', 'report', 'self-score', 'conference', 'event', 'award-dossier'] as const)),
  title: text,
  due,
  place: fc.option(text, { nil: undefined }),
  participants: fc.option(text, { nil: undefined }),
  content: fc.array(text, { maxLength: 3 }),
  assignments: fc.array(fc.record({ who: fc.constant({ type: 'all' as const }), task: text }), { maxLength: 2 }),
  document: fc.option(fc.record({ title: text, from: fc.constant({ type: 'all' as const }), recipients: fc.constant(['cum-truong' as const]) }), { nil: undefined }),
  reminderOffsets: fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }),
});
const plan = fc.record({
  clusterName: text,
  title: text,
  beforeDayInclusive: fc.boolean(),
  reminderHour: fc.integer({ min: 0, max: 23 }),
  milestones: fc.uniqueArray(fc.tuple(slug, milestone), { maxLength: 8, selector: ([id]) => id }),
  forUnit: fc.boolean(),
  clusterId: slug,
});

describe('any plan', () => {
  it('gives a feed that ical.js parses: CRLF, lines of at most 75 octets, unique UIDs, one event per dated milestone', () => {
    fc.assert(
      fc.property(plan, (p) => {
        const thePlan = PlanSchema.parse({ ...referencePlan, clusterId: p.clusterId, title: p.title, beforeDayInclusive: p.beforeDayInclusive, reminderHour: p.reminderHour });
        const milestones = p.milestones.map(([milestoneId, m], order) => MilestoneSchema.parse({ ...m, clusterId: p.clusterId, planId: thePlan.planId, milestoneId, order }));
        const unit = UnitSchema.parse({ clusterId: p.clusterId, unitId: 'don-vi', name: p.clusterName, role: 'thanh-vien', emails: ['a@example.com'] });
        const input: CalendarInput = {
          cluster: { clusterId: p.clusterId, name: TextSchema.parse(p.clusterName) },
          plan: thePlan,
          milestones,
          now: NOW,
          ...(p.forUnit ? { forUnit: { unit, extensions: [], pageUrl: PAGE_URL } } : { adminUrl: ADMIN_URL }),
        };
        const feed = renderCalendar(input);
        const lines = physicalLines(feed);
        expect(Math.max(...lines.map(octets))).toBeLessThanOrEqual(75);
        const { calendar, events } = parse(feed);
        expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe(`${TextSchema.parse(p.clusterName)} – năm học 2021 - 2022${p.forUnit ? ` – ${unit.name}` : ''}`);
        // Every selector here is "all": a unit's feed leaves out only the milestones with no document and no task.
        const dated = milestones.filter((m) => m.due.type !== 'none' && (!p.forUnit || m.document || m.assignments.length > 0));
        expect(events).toHaveLength(dated.length);
        expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
        for (const m of dated) {
          const event = eventOf(events, m.milestoneId);
          expect(event.allDay).toBe(true);
          expect(event.summary).toContain(m.document ? m.document.title : m.title);
          expect(event.description.split('\n')[0]).toBe(m.title.split('\n')[0]);
          if (m.place) expect(event.location).toBe(m.place);
          if (m.due.type === 'date') expect(event.alarms.map((a) => a.at)).toEqual(reminderInstants(thePlan, m));
        }
      }),
      { numRuns: 150 },
    );
  });
});
