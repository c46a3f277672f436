import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clonePlan, shiftYearsInText } from '../../shared/domain/plan-clone';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';

describe('clonePlan', () => {
  const cloned = clonePlan(referencePlan, referenceMilestones, 2026);
  const ms = (id: string) => cloned.milestones.find((m) => m.milestoneId === id);

  it('moves the plan into the target school year', () => {
    expect(cloned.plan).toMatchObject({
      planId: '2026-2027',
      schoolYear: { startYear: 2026, endYear: 2027 },
      title: 'Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2026 - 2027',
      issuedOn: '2026-08-23',
      clonedFrom: '2021-2022',
    });
    // The guidance it rests on does not change with the year.
    expect(cloned.plan.basis).toBe(referencePlan.basis);
  });

  it('moves dates and months by whole years and rewrites the wording', () => {
    expect(ms('bao-cao-so-ket-6-thang')).toMatchObject({
      planId: '2026-2027',
      due: { type: 'date', date: '2026-12-10', rule: 'before' },
      dueText: 'trước ngày 10/12/2026',
    });
    expect(ms('hoi-nghi-tong-ket')).toMatchObject({ due: { type: 'month', month: '2027-06' }, dueText: 'dự kiến tháng 06/2027' });
    expect(ms('bao-cao-tong-ket-nam-hoc')?.title).toBe(
      'Báo cáo tổng kết năm học 2026 – 2027 và phương hướng, nhiệm vụ năm học 2027 – 2028',
    );
  });

  it('leaves one-off milestones behind and reports them', () => {
    expect(cloned.skipped.map((m) => m.milestoneId)).toEqual(['giai-the-thao-75-nam']);
    expect(cloned.milestones).toHaveLength(referenceMilestones.length - 1);
  });

  it('does not touch the source', () => {
    expect(referenceMilestones.find((m) => m.milestoneId === 'bao-cao-so-ket-6-thang')?.due).toEqual({
      type: 'date',
      date: '2021-12-10',
      rule: 'before',
    });
  });

  it('cloned forward then back gives the same plan (dates away from 29/02)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -15, max: 60 }), (years) => {
        const there = clonePlan(referencePlan, referenceMilestones, 2021 + years);
        const back = clonePlan(there.plan, there.milestones, 2021);
        const recurring = referenceMilestones.filter((m) => m.recurring);
        return JSON.stringify(back.milestones) === JSON.stringify(recurring) && back.plan.title === referencePlan.title;
      }),
    );
  });
});

describe('shiftYearsInText', () => {
  it('shifts dates, months and school years near the source year only', () => {
    expect(shiftYearsInText('trước ngày 10/12/2021', 1, 2021)).toBe('trước ngày 10/12/2022');
    expect(shiftYearsInText('hạn 19.5.2022', 1, 2021)).toBe('hạn 19.5.2023');
    expect(shiftYearsInText('tháng 08/2021', 1, 2021)).toBe('tháng 08/2022');
    expect(shiftYearsInText('năm học 2021 – 2022', 1, 2021)).toBe('năm học 2022 – 2023');
    expect(shiftYearsInText('(10/10/1946 – 10/10/2021)', 1, 2021)).toBe('(10/10/1946 – 10/10/2022)');
    expect(shiftYearsInText('Nghị quyết số 02/NQ-BCT ngày 12/6/2021', 0, 2021)).toBe('Nghị quyết số 02/NQ-BCT ngày 12/6/2021');
  });

  it('leaves text without dates as it is', () => {
    fc.assert(fc.property(fc.string().filter((s) => !/\d/.test(s)), fc.integer({ min: -5, max: 5 }), (s, n) => shiftYearsInText(s, n, 2021) === s));
  });
});
