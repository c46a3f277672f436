import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  formatDateVi,
  formatInstantVi,
  formatMonthVi,
  ictDateOf,
  parseInstantIct,
  schoolYearOf,
  shiftDateByYears,
  startOfIctDay,
} from '../../shared/domain/time';

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('ICT calendar', () => {
  it('starts an ICT day at 17:00 UTC the day before', () => {
    expect(startOfIctDay('2021-12-10').toISOString()).toBe('2021-12-09T17:00:00.000Z');
  });

  it('puts instants on either side of ICT midnight on different dates', () => {
    expect(ictDateOf(new Date('2021-12-09T16:59:59.999Z'))).toBe('2021-12-09');
    expect(ictDateOf(new Date('2021-12-09T17:00:00.000Z'))).toBe('2021-12-10');
  });

  it('round-trips any date through its first instant', () => {
    fc.assert(fc.property(isoDate, (d) => ictDateOf(startOfIctDay(d)) === d));
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2021-12-31', 1)).toBe('2022-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
    fc.assert(fc.property(isoDate, fc.integer({ min: -800, max: 800 }), (d, n) => daysBetween(d, addDays(d, n)) === n));
  });

  it('moves 29/02 to 28/02 in a year without it', () => {
    expect(shiftDateByYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(shiftDateByYears('2021-12-10', 5)).toBe('2026-12-10');
  });

  it('formats dates the way Vietnamese offices write them', () => {
    expect(formatDateVi('2021-05-03')).toBe('03/05/2021');
    expect(formatMonthVi('2022-06')).toBe('06/2022');
    expect(formatInstantVi(new Date('2021-12-09T17:05:00Z'))).toBe('00:05 10/12/2021');
  });

  it('finds the school year from August to July', () => {
    expect(schoolYearOf('2021-08-01')).toEqual({ startYear: 2021, endYear: 2022 });
    expect(schoolYearOf('2022-07-31')).toEqual({ startYear: 2021, endYear: 2022 });
    expect(schoolYearOf('2026-11-25')).toEqual({ startYear: 2026, endYear: 2027 });
  });
});

describe('parseInstantIct', () => {
  it('reads a time without an offset as ICT', () => {
    expect(parseInstantIct('2021-12-09T08:00')?.toISOString()).toBe('2021-12-09T01:00:00.000Z');
    expect(parseInstantIct('2021-12-09')?.toISOString()).toBe('2021-12-08T17:00:00.000Z');
  });

  it('keeps an explicit offset', () => {
    expect(parseInstantIct('2021-12-09T08:00:00Z')?.toISOString()).toBe('2021-12-09T08:00:00.000Z');
    expect(parseInstantIct('2021-12-09T07:59:00+07:00')?.toISOString()).toBe('2021-12-09T00:59:00.000Z');
  });

  it('refuses what is not an ISO instant', () => {
    for (const bad of ['', 'hôm nay', '10/12/2021', '2021-02-30', '2021-12-09T25:00']) {
      expect(parseInstantIct(bad), bad).toBeUndefined();
    }
  });
});
