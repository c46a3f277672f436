import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadlineOf, describeDue, isLate } from '../../shared/domain/deadlines';
import type { Due } from '../../shared/domain/model';

const ict = (local: string): Date => new Date(`${local}+07:00`);
const strict = { beforeDayInclusive: false };
const inclusive = { beforeDayInclusive: true };
const before10Dec: { due: Due } = { due: { type: 'date', date: '2021-12-10', rule: 'before' } };

describe('"trước ngày 10/12/2021"', () => {
  it('by default accepts until 23:59:59 ICT on the 9th', () => {
    const deadline = deadlineOf(before10Dec, strict);
    expect(isLate(ict('2021-12-09T23:59:59.999'), deadline)).toBe(false);
    expect(isLate(ict('2021-12-10T00:00:00'), deadline)).toBe(true);
    expect(deadline).toMatchObject({ type: 'exact', lastDay: '2021-12-09' });
  });

  it('accepts the 10th itself when the plan says so', () => {
    const deadline = deadlineOf(before10Dec, inclusive);
    expect(isLate(ict('2021-12-10T23:59:59'), deadline)).toBe(false);
    expect(isLate(ict('2021-12-11T00:00:00'), deadline)).toBe(true);
  });

  it('is judged in ICT, not UTC: 17:00 UTC on the 9th is already the 10th in Thanh Hóa', () => {
    const deadline = deadlineOf(before10Dec, strict);
    expect(isLate(new Date('2021-12-09T16:59:59Z'), deadline)).toBe(false);
    expect(isLate(new Date('2021-12-09T17:00:00Z'), deadline)).toBe(true);
  });

  it('says the rule in words', () => {
    expect(describeDue(before10Dec, strict)).toBe('trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)');
    expect(describeDue(before10Dec, inclusive)).toBe('trước ngày 10/12/2021 (nhận đến hết ngày 10/12/2021)');
  });
});

describe('other due forms', () => {
  it('"đến hết ngày" includes the day whatever the plan setting', () => {
    const by: { due: Due } = { due: { type: 'date', date: '2022-05-31', rule: 'by' } };
    expect(isLate(ict('2022-05-31T23:59:59'), deadlineOf(by, strict))).toBe(false);
    expect(isLate(ict('2022-06-01T00:00:00'), deadlineOf(by, strict))).toBe(true);
    expect(describeDue(by, strict)).toBe('đến hết ngày 31/05/2022');
  });

  it('a month-only date ("dự kiến tháng 06/2022") is never late and says no day is fixed', () => {
    const month: { due: Due } = { due: { type: 'month', month: '2022-06' } };
    const deadline = deadlineOf(month, strict);
    expect(deadline).toEqual({ type: 'month', month: '2022-06', endsAt: ict('2022-07-01T00:00:00') });
    expect(isLate(ict('2030-01-01T00:00:00'), deadline)).toBe(false);
    expect(describeDue(month, strict)).toBe('dự kiến tháng 06/2022 (chưa định ngày)');
  });

  it('an undated milestone is never late', () => {
    expect(isLate(new Date(), deadlineOf({ due: { type: 'none' } }, strict))).toBe(false);
    expect(describeDue({ due: { type: 'none' } }, strict)).toBe('chưa định thời gian');
  });

  it('an extension accepts through the end of its day, replacing the plan date', () => {
    const deadline = deadlineOf(before10Dec, strict, '2021-12-15');
    expect(isLate(ict('2021-12-15T23:59:59'), deadline)).toBe(false);
    expect(isLate(ict('2021-12-16T00:00:00'), deadline)).toBe(true);
  });
});

describe('lateness, for any date', () => {
  const dates = fc
    .date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2098-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

  it('flips exactly once, at ICT midnight after the last accepted day', () => {
    fc.assert(
      fc.property(dates, fc.boolean(), fc.boolean(), fc.integer({ min: -86_400_000, max: 86_400_000 }), (date, before, incl, delta) => {
        const deadline = deadlineOf({ due: { type: 'date', date, rule: before ? 'before' : 'by' } }, { beforeDayInclusive: incl });
        if (deadline.type !== 'exact') return false;
        const at = new Date(deadline.dueAt.getTime() + delta);
        return isLate(at, deadline) === delta >= 0 && deadline.dueAt.toISOString().endsWith('T17:00:00.000Z');
      }),
    );
  });
});
