/**
 * Plan import, dates: every form of DOMAIN.md, the year taken from the school year, dates that are not deadlines,
 * and the promise never to invent a date (checked on arbitrary text with fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDates, inferYear, proposeMilestones, type DateMention } from '../../shared/domain/plan-import';

const SY = { startYear: 2021, endYear: 2022 };
/** `null`: no school year known. */
const read = (sentence: string, schoolYear: typeof SY | null = SY) => findDates(sentence, schoolYear ? { schoolYear } : {});
/** The one mention of a sentence, in a comparable shape. */
function only(sentence: string, schoolYear: typeof SY | null = SY): Pick<DateMention, 'form' | 'role' | 'value' | 'text' | 'yearInferred'> & { rule?: string } {
  const mentions = read(sentence, schoolYear);
  expect(mentions, sentence).toHaveLength(1);
  const { form, role, value, text, yearInferred, rule } = mentions[0]!;
  return { form, role, value, text, yearInferred, ...(rule ? { rule } : {}) };
}
const date = (d: string) => ({ type: 'date', date: d });
const month = (m: string) => ({ type: 'month', month: m });

describe('date forms', () => {
  it('trước ngày 10/12/2021: a deadline, the day itself excluded (rule before)', () => {
    expect(only('Báo cáo Sơ kết 06 tháng đầu năm gửi về đơn vị Cụm trưởng trước ngày 10/12/2021.')).toEqual({
      form: 'day-month-year',
      role: 'deadline',
      rule: 'before',
      value: date('2021-12-10'),
      text: 'trước ngày 10/12/2021',
      yearInferred: false,
    });
  });

  it('day-month-year with dots or hyphens: 31.5.2022, 25-5-2022', () => {
    expect(only('chậm nhất ngày 31.5.2022')).toMatchObject({ form: 'day-month-year', role: 'deadline', rule: 'by', value: date('2022-05-31') });
    expect(only('hạn nộp 25-5-2022')).toMatchObject({ form: 'day-month-year', role: 'deadline', rule: 'by', value: date('2022-05-25') });
  });

  it('tháng 12/2021 and tháng 12 năm 2021: a month', () => {
    expect(only('Thời gian: tháng 12/2021')).toEqual({ form: 'month-year', role: 'plain', value: month('2021-12'), text: 'tháng 12/2021', yearInferred: false });
    expect(only('Thời gian: tháng 12 năm 2021')).toMatchObject({ form: 'month-year', value: month('2021-12'), text: 'tháng 12 năm 2021' });
  });

  it('dự kiến tháng 06/2022: an expected month, not a day', () => {
    expect(only('Thời gian: dự kiến tháng 06/2022')).toEqual({ form: 'month-year', role: 'expected', value: month('2022-06'), text: 'dự kiến tháng 06/2022', yearInferred: false });
  });

  it('08/2021 alone: a month', () => {
    expect(only('Thời gian: 08/2021')).toEqual({ form: 'month-year', role: 'plain', value: month('2021-08'), text: '08/2021', yearInferred: false });
  });

  it('19.5, 28.7, 25-5, 25/7 after a word that introduces a date: a day, the year from the school year', () => {
    expect(only('Các đơn vị nộp báo cáo trước 19.5')).toEqual({ form: 'day-month', role: 'deadline', rule: 'before', value: date('2022-05-19'), text: 'trước 19.5', yearInferred: true });
    expect(only('Hội thi diễn ra ngày 28.7')).toMatchObject({ form: 'day-month', role: 'plain', value: date('2022-07-28'), text: 'ngày 28.7' });
    expect(only('chậm nhất ngày 25-5')).toMatchObject({ form: 'day-month', role: 'deadline', rule: 'by', value: date('2022-05-25') });
    expect(only('Thời gian: 25/7')).toMatchObject({ form: 'day-month', role: 'plain', value: date('2022-07-25') });
  });

  it('từ ngày 25/7 đến ngày 31/7/2022: a range, the first day taking the year written on the last', () => {
    expect(only('Hội thao diễn ra từ ngày 25/7 đến ngày 31/7/2022 tại Trường X.')).toEqual({
      form: 'range',
      role: 'range',
      value: { type: 'range', from: '2022-07-25', to: '2022-07-31' },
      text: 'từ ngày 25/7 đến ngày 31/7/2022',
      yearInferred: false,
    });
  });

  it('a range over New Year, and a dashed range', () => {
    expect(only('từ 25/12 đến 5/1/2022').value).toEqual({ type: 'range', from: '2021-12-25', to: '2022-01-05' });
    expect(only('Thời gian: 25/7 - 31/7/2022').value).toEqual({ type: 'range', from: '2022-07-25', to: '2022-07-31' });
  });

  it('sáng ngày 30 tháng 01 năm 2024: a day in words, with its time of day', () => {
    expect(only('Hội nghị tổ chức vào sáng ngày 30 tháng 01 năm 2024.')).toEqual({
      form: 'words',
      role: 'plain',
      value: date('2024-01-30'),
      text: 'vào sáng ngày 30 tháng 01 năm 2024',
      yearInferred: false,
    });
    expect(only('ngày 30 tháng 01', SY)).toMatchObject({ form: 'words', value: date('2022-01-30'), yearInferred: true });
  });

  it('tháng 12 without a year: the month of the school year', () => {
    expect(only('Thời gian: tháng 12')).toEqual({ form: 'month', role: 'plain', value: month('2021-12'), text: 'tháng 12', yearInferred: true });
  });

  it('năm học 2021 - 2022: a school year, never a deadline', () => {
    expect(read('Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023').map((m) => [m.role, m.value])).toEqual([
      ['school-year', { type: 'school-year', startYear: 2021, endYear: 2022 }],
      ['school-year', { type: 'school-year', startYear: 2022, endYear: 2023 }],
    ]);
    expect(read('NĂM HỌC 2021-2022')).toMatchObject([{ role: 'school-year' }]);
    // Two years that do not follow each other are not a school year (nor anything else).
    expect(read('giai đoạn 2021 – 2030')).toEqual([]);
  });
});

describe('the year of a date written without one (school year 2021 - 2022)', () => {
  it('August to December are in the first year, January to July in the second', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => inferYear(m, SY))).toEqual([2022, 2022, 2022, 2022, 2022, 2022, 2022, 2021, 2021, 2021, 2021, 2021]);
    expect(only('trước ngày 10/12').value).toEqual(date('2021-12-10'));
    expect(only('trước ngày 31/7').value).toEqual(date('2022-07-31'));
    expect(only('trước ngày 1/8').value).toEqual(date('2021-08-01'));
  });

  it('a year that is written wins over the school year', () => {
    expect(only('trước ngày 10/12/2030').value).toEqual(date('2030-12-10'));
  });

  it('without a school year, a date without a year is dropped rather than guessed', () => {
    expect(read('trước ngày 19.5', null)).toEqual([]);
    expect(read('Thời gian: tháng 12', null)).toEqual([]);
    expect(read('trước ngày 19/5/2022', null)).toMatchObject([{ value: date('2022-05-19') }]);
  });

  it('a day that does not exist in the inferred year is not a date: 29/02 in 2022, but 29/02 in 2024', () => {
    expect(read('trước ngày 29/2')).toEqual([]);
    expect(read('trước ngày 29/2', { startYear: 2023, endYear: 2024 })).toMatchObject([{ value: date('2024-02-29') }]);
    expect(read('trước ngày 31/4/2022')).toEqual([]);
  });
});

describe('dates that are not deadlines', () => {
  it('a founding date span in an anniversary title', () => {
    expect(only('75 năm Ngày thành lập Công đoàn Thanh Hóa (10/10/1946 – 10/10/2021)')).toMatchObject({
      role: 'anniversary',
      value: { type: 'range', from: '1946-10-10', to: '2021-10-10' },
    });
    expect(only('Kỷ niệm ngày thành lập Công đoàn (28/7/1929)')).toMatchObject({ role: 'anniversary' });
  });

  it('the date of a cited document', () => {
    expect(only('Căn cứ Hướng dẫn số 40/HD-CĐVC, ngày 17/3/2021 của Công đoàn Viên chức tỉnh')).toMatchObject({ role: 'document-date', value: date('2021-03-17') });
    expect(only('Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị')).toMatchObject({ role: 'document-date' });
    expect(only('Kế hoạch số 12/KH-CĐVC ngày 23/8/2021')).toMatchObject({ role: 'document-date' });
    expect(only('Nghị quyết 02/NQ-BCT ngày 12/6/2021')).toMatchObject({ role: 'document-date' });
  });

  it('document numbers are not dates', () => {
    expect(read('Hướng dẫn 40/HD-CĐVC của Ban Thường vụ')).toEqual([]);
    expect(read('Quyết định số 12/2021/QĐ-UBND')).toEqual([]);
    expect(read('Kế hoạch số 12/KH-CĐ')).toEqual([]);
  });

  it("the plan's own date of issue", () => {
    expect(only('Thanh Hóa, ngày 23 tháng 8 năm 2021')).toMatchObject({ role: 'issue-date', value: date('2021-08-23') });
    expect(only('Hà Nội, ngày 15/9/2023')).toMatchObject({ role: 'issue-date', value: date('2023-09-15') });
  });
});

describe('never invents a date', () => {
  it.each([
    ['a day without a month', 'Hội nghị tổ chức vào ngày 25'],
    ['a heading number', '2.1. Ký kết Giao ước thi đua'],
    ['a score', 'cộng 4.5 điểm cho đơn vị'],
    ['a time of day', 'bắt đầu lúc 8.05'],
    ['a phone number', 'SĐT: 0949.007.377. Email: congdoan.dvtdt@gmail.com'],
    ['a duration', 'Báo cáo sơ kết 06 tháng đầu năm'],
    ['a house number', 'Số 561, Quang Trung 3, P. Đông Vệ'],
    ['an impossible month', 'trước ngày 12/13/2021'],
  ])('%s: %s', (_why, sentence) => {
    expect(read(sentence)).toEqual([]);
  });

  it('"từ ngày 25 đến ngày 31/7/2022": the lone day is not read; the last day is', () => {
    expect(only('từ ngày 25 đến ngày 31/7/2022')).toMatchObject({ role: 'deadline', rule: 'by', value: date('2022-07-31'), text: 'đến ngày 31/7/2022' });
  });
});

describe('sentences with dates that are not milestones', () => {
  it.each([
    'Căn cứ Hướng dẫn số 40/HD-CĐVC, ngày 17/3/2021 của Công đoàn Viên chức tỉnh về hoạt động Cụm Thi đua; Cụm Thi đua số 5 xây dựng Kế hoạch hoạt động của Cụm năm học 2021 - 2022 như sau:',
    '- Triển khai thực hiện Nghị quyết số 02/NQ-BCT ngày 12/6/2021 của Bộ Chính trị; phát động các phong trào thi đua chào mừng các ngày lễ lớn.',
    '- Ra sức thi đua hoàn thành xuất sắc nhiệm vụ, giao ước thi đua, chương trình hoạt động Cụm năm học 2021 - 2022.',
    'Thanh Hóa, ngày 23 tháng 8 năm 2021',
    '- Địa chỉ gửi báo cáo, thông tin: Đ/c Nguyễn Thanh Tâm – Số 561, Quang Trung 3, P. Đông Vệ, TP. Thanh Hóa. SĐT: 0949.007.377.',
  ])('%s', (text) => {
    expect(proposeMilestones(text, { schoolYear: SY }).milestones).toEqual([]);
  });
});

/** Whether a number appears in the text as a whole number (leading zeros allowed). */
const written = (n: number, text: string): boolean => new RegExp(`(?<!\\d)0*${n}(?!\\d)`).test(text);

function daysAndMonths(m: DateMention): Array<{ day?: number; month: number; year: number }> {
  const split = (iso: string) => iso.split('-').map(Number) as [number, number, number?];
  const v = m.value;
  const parts = v.type === 'date' ? [v.date] : v.type === 'range' ? [v.from, v.to] : v.type === 'month' ? [v.month] : [];
  return parts.map((iso) => {
    const [year, month, day] = split(iso);
    return { year, month, ...(day === undefined ? {} : { day }) };
  });
}

describe('properties', () => {
  const fragment = fc.oneof(
    fc.constantFrom('ngày ', 'trước ', 'tháng ', 'từ ', ' đến ', 'năm học ', 'năm ', 'dự kiến ', 'số ', '/HD-CĐVC', ' – ', '/', '.', '-', ' ', '(', ')', 'Thời gian: '),
    fc.integer({ min: 0, max: 40 }).map(String),
    fc.integer({ min: 1940, max: 2100 }).map(String),
    fc.string({ maxLength: 6 }),
  );
  const dateLike = fc.array(fragment, { maxLength: 24 }).map((parts) => parts.join(''));
  const anyText = fc.oneof(dateLike, fc.string({ unit: 'grapheme', maxLength: 300 }));
  const schoolYear = fc.option(fc.integer({ min: 2000, max: 2099 }).map((y) => ({ startYear: y, endYear: y + 1 })), { nil: undefined });

  it('never throws, and every day and month it returns is written in the text (and every year, unless inferred)', () => {
    fc.assert(
      fc.property(anyText, schoolYear, (text, sy) => {
        for (const mention of findDates(text, { schoolYear: sy })) {
          expect(text.normalize('NFC').slice(mention.start, mention.end)).toBe(mention.text);
          for (const { day, month, year } of daysAndMonths(mention)) {
            if (day !== undefined) expect(written(day, text), `day ${day} in "${text}"`).toBe(true);
            expect(written(month, text), `month ${month} in "${text}"`).toBe(true);
            if (!mention.yearInferred) expect(written(year, text) || mention.form === 'range', `year ${year} in "${text}"`).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('proposing milestones never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(dateLike, fc.constantFrom('\n', '\n- ', '\n+ ', '\n## ', '**', 'Hội nghị ', 'Báo cáo ', ' gửi về Cụm trưởng ', 'Thời gian: ', 'Địa điểm: ')), { maxLength: 30 }), schoolYear, (parts, sy) => {
        const proposal = proposeMilestones(parts.join(''), sy ? { schoolYear: sy } : {});
        expect(proposal.milestones.every((m) => m.confidence >= 0 && m.confidence <= 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
