import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { milestonesWithoutDay, planSchedules, planSchedulePrefix, scheduleName } from '../../shared/domain/reminders';
import { MilestoneSchema } from '../../shared/domain/model';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';

const before = new Date('2021-11-25T09:00:00+07:00');

describe('planSchedules for the reference plan', () => {
  const planned = planSchedules(referencePlan, referenceMilestones, before);
  const forMilestone = (id: string) => planned.filter((s) => s.event.milestoneId === id);

  it('reminds 7, 3 and 1 days before 10/12/2021 at 08:00 ICT; the 10th itself is already late, so it gets the overdue notice and digest', () => {
    expect(forMilestone('bao-cao-so-ket-6-thang').map((s) => [s.event.kind, s.event.offset, s.localTime, s.fireAt.toISOString()])).toEqual([
      ['reminder', 7, '2021-12-03T08:00:00', '2021-12-03T01:00:00.000Z'],
      ['reminder', 3, '2021-12-07T08:00:00', '2021-12-07T01:00:00.000Z'],
      ['reminder', 1, '2021-12-09T08:00:00', '2021-12-09T01:00:00.000Z'],
      ['digest', 0, '2021-12-10T08:00:00', '2021-12-10T01:00:00.000Z'],
      ['overdue', 0, '2021-12-10T08:00:00', '2021-12-10T01:00:00.000Z'],
    ]);
  });

  it('keeps the due-day reminder when the plan accepts the due day itself', () => {
    const inclusive = planSchedules({ ...referencePlan, beforeDayInclusive: true }, referenceMilestones, before).filter(
      (s) => s.event.milestoneId === 'bao-cao-so-ket-6-thang',
    );
    expect(inclusive.map((s) => `${s.event.kind}:${s.localTime}`)).toEqual([
      'reminder:2021-12-03T08:00:00',
      'reminder:2021-12-07T08:00:00',
      'reminder:2021-12-09T08:00:00',
      'reminder:2021-12-10T08:00:00',
      'digest:2021-12-11T08:00:00',
      'overdue:2021-12-11T08:00:00',
    ]);
  });

  it('schedules nothing for month-only or undated milestones, and says which lack a day', () => {
    expect(new Set(planned.map((s) => s.event.milestoneId))).toEqual(new Set(['bao-cao-so-ket-6-thang', 'bao-cao-tong-ket-nam-hoc', 'bang-tu-cham-diem']));
    expect(milestonesWithoutDay(referenceMilestones).map((m) => m.milestoneId)).toEqual([
      'dang-ky-thi-dua',
      'ky-ket-giao-uoc',
      'hoi-nghi-so-ket-hk1',
      'giai-the-thao-75-nam',
      'hoi-nghi-tong-ket',
      'ho-so-de-nghi-khen-thuong',
    ]);
  });

  it('creates nothing in the past', () => {
    const late = planSchedules(referencePlan, referenceMilestones, new Date('2021-12-08T09:00:00+07:00'));
    expect(late.filter((s) => s.event.milestoneId === 'bao-cao-so-ket-6-thang').map((s) => s.localTime)).toEqual([
      '2021-12-09T08:00:00',
      '2021-12-10T08:00:00',
      '2021-12-10T08:00:00',
    ]);
    expect(planSchedules(referencePlan, referenceMilestones, new Date('2023-01-01T00:00:00Z'))).toEqual([]);
  });

  it('uses the plan hour and reminds a conference with a fixed day, without overdue notices', () => {
    const conf = MilestoneSchema.parse({ ...referenceMilestones[3], due: { type: 'date', date: '2021-12-28', rule: 'by' } });
    const got = planSchedules({ ...referencePlan, reminderHour: 7 }, [conf], before);
    expect(got.map((s) => `${s.event.kind}${s.event.offset}@${s.localTime}`)).toEqual([
      'reminder7@2021-12-21T07:00:00',
      'reminder3@2021-12-25T07:00:00',
      'reminder1@2021-12-27T07:00:00',
      'reminder0@2021-12-28T07:00:00',
    ]);
  });
});

describe('schedule names', () => {
  it('are deterministic, unique per (milestone, kind, offset), valid for Scheduler and prefixed by cluster', () => {
    const a = planSchedules(referencePlan, referenceMilestones, before);
    const b = planSchedules(referencePlan, referenceMilestones, before);
    expect(a.map((s) => s.name)).toEqual(b.map((s) => s.name));
    expect(new Set(a.map((s) => s.name)).size).toBe(a.length);
    for (const s of a) {
      expect(s.name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
      expect(s.name.startsWith(planSchedulePrefix('thanh-hoa-cum-5', '2021-2022'))).toBe(true);
    }
    // Moving the date moves the name; another plan of the same cluster has another prefix.
    const moved = planSchedules(referencePlan, referenceMilestones.map((m) => (m.milestoneId === 'bao-cao-so-ket-6-thang' ? { ...m, due: { type: 'date', date: '2021-12-15', rule: 'before' } as const } : m)), before);
    const names = new Set(a.map((s) => s.name));
    expect(moved.filter((s) => !names.has(s.name)).map((s) => s.event.milestoneId)).toEqual(Array(5).fill('bao-cao-so-ket-6-thang'));
    expect(planSchedulePrefix('thanh-hoa-cum-5', '2022-2023')).not.toBe(planSchedulePrefix('thanh-hoa-cum-5', '2021-2022'));
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/), fc.nat(60), (id, offset) =>
        /^[0-9A-Za-z_.-]{1,64}$/.test(
          scheduleName({ clusterId: id.slice(0, 64) || 'x', planId: '2021-2022', milestoneId: id.slice(0, 64) || 'x', kind: 'reminder', offset }, '2021-12-09T08:00:00'),
        ),
      ),
    );
  });
});
