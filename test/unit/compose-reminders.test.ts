import { describe, expect, it } from 'vitest';
import { MilestoneSchema } from '../../shared/domain/model';
import { referenceCluster, referenceMilestones, referencePlan, referenceUnits, DEPUTY_UNIT_ID, HEAD_UNIT_ID } from '../../shared/reference/thanh-hoa-cum-5';
import { composeEmails } from '../../shared/use-cases/reminders';

const conference = MilestoneSchema.parse({ ...referenceMilestones[3], due: { type: 'date', date: '2021-12-28', rule: 'by' } });
const base = {
  cluster: referenceCluster,
  plan: referencePlan,
  units: referenceUnits,
  submissions: [],
  extensions: [],
  undeliverable: [],
  now: new Date('2021-12-21T08:00:00+07:00'),
  link: (u: { unitId: string }) => `https://app/u/${u.unitId}`,
};
const event = { clusterId: referenceCluster.clusterId, planId: '2021-2022', milestoneId: conference.milestoneId, kind: 'reminder' as const, offset: 7 };

describe('composeEmails for a conference with a fixed day', () => {
  const out = composeEmails({ ...base, event, milestone: conference });

  it('reminds every participating unit once, with its own tasks', () => {
    expect(out.map((o) => o.recipient).sort()).toEqual(referenceUnits.map((u) => u.unitId).sort());
    const deputy = out.find((o) => o.recipient === DEPUTY_UNIT_ID)!;
    expect(deputy.email.text).toContain('Triển khai giấy mời, chuẩn bị các điều kiện cho hội nghị');
    expect(deputy.email.text).not.toContain('chủ trì hội nghị');
    expect(out.find((o) => o.recipient === HEAD_UNIT_ID)!.email.text).toContain('chủ trì hội nghị');
    expect(deputy.email.subject).toBe('[Cụm Thi đua số 5] Nhắc lịch: Hội nghị Sơ kết hoạt động học kỳ I, năm học 2021 – 2022 – ngày 28/12/2021');
    expect(deputy.email.to).toEqual(['cum-pho.cd-nghe-cn@example.com']);
  });

  it('sends no overdue notice or digest for a conference, and nothing for an undated one', () => {
    expect(composeEmails({ ...base, event: { ...event, kind: 'overdue' }, milestone: conference })).toEqual([]);
    expect(composeEmails({ ...base, event: { ...event, kind: 'digest' }, milestone: conference })).toEqual([]);
    expect(composeEmails({ ...base, event, milestone: referenceMilestones[3]! })).toEqual([]);
  });
});
