import { describe, expect, it } from 'vitest';
import { MilestoneSchema, PlanSchema, UnitSchema, selectUnits } from '../../shared/domain/model';
import {
  DEPUTY_UNIT_ID,
  HEAD_UNIT_ID,
  referenceMilestones,
  referencePlan,
  referenceUnits,
} from '../../shared/reference/thanh-hoa-cum-5';

const byId = (id: string) => {
  const m = referenceMilestones.find((x) => x.milestoneId === id);
  if (!m) throw new Error(`missing milestone ${id}`);
  return m;
};

describe('the reference plan of Cụm Thi đua số 5, 2021-2022', () => {
  it('captures every milestone of the seed, in the seed order, with its date as written', () => {
    expect(referenceMilestones.map((m) => [m.milestoneId, m.kind, m.due, m.dueText])).toEqual([
      ['dang-ky-thi-dua', 'registration', { type: 'none' }, 'Đầu năm học (kế hoạch không ghi ngày)'],
      ['ky-ket-giao-uoc', 'covenant', { type: 'month', month: '2021-08' }, 'tháng 08/2021'],
      ['bao-cao-so-ket-6-thang', 'report', { type: 'date', date: '2021-12-10', rule: 'before' }, 'trước ngày 10/12/2021'],
      ['hoi-nghi-so-ket-hk1', 'conference', { type: 'month', month: '2021-12' }, 'dự kiến tháng 12/2021'],
      ['giai-the-thao-75-nam', 'event', { type: 'none' }, 'Tùy thuộc tình hình thực tế sẽ triển khai Kế hoạch sau'],
      ['bao-cao-tong-ket-nam-hoc', 'report', { type: 'date', date: '2022-05-31', rule: 'before' }, 'trước ngày 31/5/2022'],
      ['bang-tu-cham-diem', 'self-score', { type: 'date', date: '2022-05-31', rule: 'before' }, 'trước ngày 31/5/2022'],
      ['hoi-nghi-tong-ket', 'conference', { type: 'month', month: '2022-06' }, 'dự kiến tháng 06/2022'],
      [
        'ho-so-de-nghi-khen-thuong',
        'award-dossier',
        { type: 'none' },
        'Theo Hướng dẫn số 40/HD-CĐVC ngày 17/3/2021 của Ban Thường vụ Công đoàn Viên chức tỉnh',
      ],
    ]);
  });

  it('sends registrations to both the cluster head and the provincial union, reports to the head', () => {
    expect(byId('dang-ky-thi-dua').document?.recipients).toEqual(['cum-truong', 'cdvc-tinh']);
    expect(byId('bao-cao-so-ket-6-thang').document?.recipients).toEqual(['cum-truong']);
    expect(byId('ho-so-de-nghi-khen-thuong').document?.from).toEqual({ type: 'proposed-for-award' });
  });

  it('holds the mid-year conference at the deputy, with the deputy sending the invitations', () => {
    const conf = byId('hoi-nghi-so-ket-hk1');
    expect(conf.place).toContain('Cao đẳng Nghề Công nghiệp');
    expect(conf.document).toBeUndefined();
    const deputyTask = conf.assignments.find((a) => a.who.type === 'roles' && a.who.roles.includes('cum-pho'));
    expect(deputyTask?.task).toContain('giấy mời');
  });

  it('marks the 75th-anniversary tournament as a one-off', () => {
    expect(referenceMilestones.filter((m) => !m.recurring).map((m) => m.milestoneId)).toEqual(['giai-the-thao-75-nam']);
  });

  it('names the head and deputy as in the seed and labels invented units as samples', () => {
    const head = referenceUnits.find((u) => u.unitId === HEAD_UNIT_ID);
    const deputy = referenceUnits.find((u) => u.unitId === DEPUTY_UNIT_ID);
    expect(head).toMatchObject({ role: 'cum-truong', isSample: false, emails: ['congdoan.dvtdt@gmail.com'] });
    expect(head?.name).toBe('Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa');
    expect(deputy).toMatchObject({ role: 'cum-pho', name: 'Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa' });
    const samples = referenceUnits.filter((u) => u.role === 'thanh-vien');
    expect(samples.length).toBeGreaterThanOrEqual(4);
    for (const s of samples) {
      expect(s.isSample).toBe(true);
      expect(s.name).toContain('(đơn vị mẫu)');
      expect(s.emails.every((e) => e.endsWith('@example.com'))).toBe(true);
    }
  });

  it('keeps the plan contact and signature from the seed', () => {
    expect(referencePlan.contact).toMatchObject({ name: 'Nguyễn Thanh Tâm', phone: '0949.007.377', email: 'congdoan.dvtdt@gmail.com' });
    expect(referencePlan.signedBy?.name).toBe('Trịnh Thị Thúy Khuyên');
    expect(referencePlan.beforeDayInclusive).toBe(false);
  });

  it('is valid, NFC data that round-trips through its schemas', () => {
    expect(PlanSchema.parse(referencePlan)).toEqual(referencePlan);
    for (const m of referenceMilestones) expect(MilestoneSchema.parse(m)).toEqual(m);
    for (const u of referenceUnits) expect(UnitSchema.parse(u)).toEqual(u);
    const text = JSON.stringify([referencePlan, referenceMilestones, referenceUnits]);
    expect(text).toBe(text.normalize('NFC'));
  });

  it('resolves "all units" and roles against the cluster', () => {
    expect(selectUnits({ type: 'all' }, referenceUnits)).toHaveLength(referenceUnits.length);
    expect(selectUnits({ type: 'roles', roles: ['cum-pho'] }, referenceUnits).map((u) => u.unitId)).toEqual([DEPUTY_UNIT_ID]);
    expect(selectUnits({ type: 'proposed-for-award' }, referenceUnits)).toEqual([]);
  });
});
