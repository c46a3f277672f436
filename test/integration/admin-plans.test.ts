/**
 * The Kế hoạch endpoints through HTTP against the harness stack (its Scheduler stand-in included), on a cluster of
 * this file's own: save a milestone (schedules follow, the audit says what changed), delete one, clone the plan
 * into the next school year.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { AuditEntry } from '../../shared/domain/audit';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema } from '../../shared/domain/model';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signIn, stackRepos, type AdminSession } from '../support/admin';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const CLUSTER = `t-plans-${tag}`;
const HEAD = `plan-head-${tag}@example.com`;
const PLAN = '2021-2022';
const NEXT = '2022-2023';

let repos: Repositories;
let close: () => void;
let head: AdminSession;

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId: CLUSTER, name: `Cụm thử kế hoạch ${tag}`, province: { id: `tinh-${tag}`, name: 'Tỉnh thử' } }));
  await repos.plans.createPlanIfAbsent(
    PlanSchema.parse({ ...referencePlan, clusterId: CLUSTER }),
    referenceMilestones.map((m) => MilestoneSchema.parse({ ...m, clusterId: CLUSTER })),
  );
  for (const u of [
    UnitSchema.parse({ clusterId: CLUSTER, unitId: 'cum-truong', name: 'Cụm trưởng', role: 'cum-truong', emails: [HEAD] }),
    UnitSchema.parse({ clusterId: CLUSTER, unitId: 'thanh-vien-a', name: 'Thành viên A', role: 'thanh-vien', emails: [`plan-a-${tag}@example.com`] }),
  ]) {
    await repos.units.createIfAbsent(u);
    await repos.auth.syncUnitGrants(CLUSTER, u.unitId, adminEmailsOf(u));
  }
  head = await signIn(stack, HEAD);
  // The reference milestones' own schedules first, so each save below reports only its own.
  expect((await call('POST', `${planPath()}/reminders/reconcile`)).status).toBe(200);
});

afterAll(() => close?.());

interface Reply {
  status: number;
  body: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, headers: head.headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const planPath = (planId = PLAN) => `/api/clusters/${CLUSTER}/plans/${planId}`;
const milestonePath = (milestoneId: string, planId = PLAN) => `${planPath(planId)}/milestones/${milestoneId}`;

async function auditEntries(action: string): Promise<AuditEntry[]> {
  return (await repos.audit.list(CLUSTER, { action }, { limit: 50 })).entries;
}

type ScheduleView = { name: string; fireAtLabel: string; milestoneId: string; kind: string; offset: number };
const ofMilestone = (schedules: ScheduleView[], milestoneId: string) =>
  schedules
    .filter((s) => s.milestoneId === milestoneId)
    .map((s) => `${s.kind}${s.offset} ${s.fireAtLabel}`)
    .sort();

const NEW_ID = 'bao-cao-nu-cong';
const TITLE = 'Báo cáo chuyên đề công tác nữ công';
const newMilestone = {
  order: 10,
  kind: 'report',
  title: TITLE,
  due: { type: 'date', date: '2021-12-20' },
  document: { title: 'Báo cáo chuyên đề nữ công', from: { type: 'all' }, recipients: ['cum-truong'] },
};

describe('PUT .../plans/{planId}/milestones/{milestoneId}', () => {
  it('creates a dated milestone and its reminder schedules', async () => {
    const { status, body } = await call('PUT', milestonePath(NEW_ID), newMilestone);
    expect(status).toBe(200);
    expect(body.created).toBe(true);
    expect(body.milestone).toEqual({
      clusterId: CLUSTER,
      planId: PLAN,
      milestoneId: NEW_ID,
      order: 10,
      kind: 'report',
      title: TITLE,
      due: { type: 'date', date: '2021-12-20', rule: 'before' },
      content: [],
      assignments: [],
      document: newMilestone.document,
      reminderOffsets: [7, 3, 1, 0],
      recurring: true,
      notes: [],
      dueLabel: 'trước ngày 20/12/2021 (nhận đến hết ngày 19/12/2021)',
    });
    // "trước ngày 20/12": the 20th is already late, so no due-day reminder; the overdue notice and digest fall on it.
    expect(body.schedules.created).toBe(5);
    expect(body.schedules.deleted).toBe(0);
    const expected = ['digest0 08:00 20/12/2021', 'overdue0 08:00 20/12/2021', 'reminder1 08:00 19/12/2021', 'reminder3 08:00 17/12/2021', 'reminder7 08:00 13/12/2021'];
    expect(ofMilestone(body.schedules.planned, NEW_ID)).toEqual(expected);

    const reminders = await call('GET', `${planPath()}/reminders`);
    expect(reminders.status).toBe(200);
    expect(ofMilestone(reminders.body.planned, NEW_ID)).toEqual(expected);
    expect(reminders.body.missing).toEqual([]);
    expect(reminders.body.extra).toEqual([]);

    const [entry] = await auditEntries('milestone.save');
    expect(entry).toMatchObject({
      actor: { type: 'admin', id: HEAD },
      target: `milestone:${PLAN}/${NEW_ID}`,
      summary: `Thêm mốc "${TITLE}" (trước ngày 20/12/2021); lịch nhắc: tạo 5, xóa 0.`,
    });
  });

  it('moves the milestone: the old schedules go, new ones come, and the audit says what changed', async () => {
    const { status, body } = await call('PUT', milestonePath(NEW_ID), { ...newMilestone, due: { type: 'date', date: '2021-12-25' } });
    expect(status).toBe(200);
    expect(body.created).toBe(false);
    expect(body.milestone.dueLabel).toBe('trước ngày 25/12/2021 (nhận đến hết ngày 24/12/2021)');
    expect(body.schedules).toMatchObject({ created: 5, deleted: 5, missing: expect.any(Array) });
    expect(ofMilestone(body.schedules.planned, NEW_ID)).toEqual([
      'digest0 08:00 25/12/2021',
      'overdue0 08:00 25/12/2021',
      'reminder1 08:00 24/12/2021',
      'reminder3 08:00 22/12/2021',
      'reminder7 08:00 18/12/2021',
    ]);
    const [entry] = await auditEntries('milestone.save');
    expect(entry?.summary).toBe(`Sửa mốc "${TITLE}": hạn 20/12/2021 → 25/12/2021; lịch nhắc: tạo 5, xóa 5.`);
  });

  it('adds a cut-off and changes the reminder days: only the schedules that differ change', async () => {
    const { status, body } = await call('PUT', milestonePath(NEW_ID), {
      ...newMilestone,
      due: { type: 'date', date: '2021-12-25' },
      cutoffDate: '2021-12-31',
      reminderOffsets: [5, 1],
    });
    expect(status).toBe(200);
    expect(body.milestone).toMatchObject({ cutoffDate: '2021-12-31', reminderOffsets: [5, 1] });
    expect(body.schedules).toMatchObject({ created: 1, deleted: 2 });
    expect(ofMilestone(body.schedules.planned, NEW_ID)).toEqual(['digest0 08:00 25/12/2021', 'overdue0 08:00 25/12/2021', 'reminder1 08:00 24/12/2021', 'reminder5 08:00 20/12/2021']);
    const [entry] = await auditEntries('milestone.save');
    expect(entry?.summary).toBe(`Sửa mốc "${TITLE}": thêm hạn chót nhận nộp muộn 31/12/2021; nhắc trước 7, 3, 1, 0 ngày → 5, 1 ngày; lịch nhắc: tạo 1, xóa 2.`);
  });

  it('refuses a cut-off before the last on-time day, and repeated reminder days, in Vietnamese (400), writing nothing', async () => {
    const cutoff = await call('PUT', milestonePath(NEW_ID), { ...newMilestone, due: { type: 'date', date: '2021-12-25' }, cutoffDate: '2021-12-20' });
    expect(cutoff.status).toBe(400);
    const cutoffMessage = 'Hạn chót nhận nộp muộn (20/12/2021) không được trước ngày cuối của hạn nộp (24/12/2021, theo “trước ngày 25/12/2021”). Hãy chọn từ ngày 24/12/2021 trở đi.';
    expect(cutoff.body.error).toEqual({ code: 'VALIDATION_FAILED', message: cutoffMessage, details: [{ field: 'cutoffDate', message: cutoffMessage }] });

    const repeated = await call('PUT', milestonePath(NEW_ID), { ...newMilestone, reminderOffsets: [3, 1, 3] });
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.message).toBe('Các lần nhắc trước hạn bị trùng: 3 ngày. Mỗi số ngày chỉ ghi một lần.');

    const month = await call('PUT', milestonePath('hoi-nghi-so-ket-hk1'), { ...newMilestone, due: { type: 'month', month: '2021-12' }, cutoffDate: '2021-12-30' });
    expect(month.status).toBe(400);
    expect(month.body.error.message).toBe(
      'Hạn chót nhận nộp muộn (30/12/2021) không được trước ngày cuối của hạn nộp (31/12/2021, theo “dự kiến tháng 12/2021”). Hãy chọn từ ngày 31/12/2021 trở đi.',
    );

    const unknownUnit = await call('PUT', milestonePath(NEW_ID), {
      ...newMilestone,
      assignments: [{ who: { type: 'units', unitIds: ['thanh-vien-a'] }, task: 'Chuẩn bị' }, { who: { type: 'units', unitIds: ['thanh-vien-a', 'khong-co'] }, task: 'Báo cáo' }],
    });
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Không có đơn vị "khong-co" trong cụm này.',
      details: [{ field: 'assignments.1.who.unitIds', message: 'Không có đơn vị "khong-co" trong cụm này.' }],
    });

    const shape = await call('PUT', milestonePath(NEW_ID), { ...newMilestone, kind: 'khac', title: '' });
    expect(shape.status).toBe(400);
    expect(shape.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['kind', 'title']);

    const stored = await repos.plans.getMilestone(CLUSTER, PLAN, NEW_ID);
    expect(stored).toMatchObject({ due: { date: '2021-12-25' }, cutoffDate: '2021-12-31', reminderOffsets: [5, 1] });
    expect((await repos.plans.getMilestone(CLUSTER, PLAN, 'hoi-nghi-so-ket-hk1'))?.title).toBe(referenceMilestones[3]?.title);
  });

  it('answers 404 for a plan that does not exist, and creates nothing', async () => {
    const { status, body } = await call('PUT', milestonePath(NEW_ID, '2030-2031'), newMilestone);
    expect(status).toBe(404);
    expect(body.error).toEqual({ code: 'NOT_FOUND', message: `Không tìm thấy kế hoạch năm học 2030-2031 của cụm "${CLUSTER}".` });
    expect(await repos.plans.getMilestone(CLUSTER, '2030-2031', NEW_ID)).toBeUndefined();
  });

  it('saving it unchanged says so and changes no schedule', async () => {
    const { body } = await call('PUT', milestonePath(NEW_ID), { ...newMilestone, due: { type: 'date', date: '2021-12-25' }, cutoffDate: '2021-12-31', reminderOffsets: [5, 1] });
    expect(body.schedules).toMatchObject({ created: 0, deleted: 0 });
    const [entry] = await auditEntries('milestone.save');
    expect(entry?.summary).toBe(`Lưu mốc "${TITLE}" (không có thay đổi); lịch nhắc: tạo 0, xóa 0.`);
  });
});

describe('DELETE .../plans/{planId}/milestones/{milestoneId}', () => {
  it('refuses (409) to delete a milestone for which documents were received', async () => {
    await repos.uploads.recordSubmission({
      clusterId: CLUSTER,
      planId: PLAN,
      milestoneId: 'bao-cao-so-ket-6-thang',
      unitId: 'thanh-vien-a',
      uploadId: randomUUID(),
      objectKey: 'uploads/x',
      fileName: 'bao-cao.pdf',
      contentType: 'application/pdf',
      size: 100,
      sha256: '0'.repeat(64),
      receivedAt: '2021-12-01T02:00:00.000Z',
      late: false,
      outcome: 'accepted',
      receipt: 'sent',
    });
    const { status, body } = await call('DELETE', milestonePath('bao-cao-so-ket-6-thang'));
    expect(status).toBe(409);
    expect(body.error).toEqual({
      code: 'CONFLICT',
      message:
        'Không xóa được mốc "Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022": đã có 1 tệp của 1 đơn vị gửi cho mốc này. Tài liệu đã nhận phải được giữ lại; nếu mốc không còn dùng, hãy sửa mốc (ví dụ bỏ yêu cầu nộp tài liệu) thay vì xóa.',
    });
    expect(await repos.plans.getMilestone(CLUSTER, PLAN, 'bao-cao-so-ket-6-thang')).toBeDefined();
  });

  it('deletes a milestone and its schedules', async () => {
    const { status, body } = await call('DELETE', milestonePath(NEW_ID));
    expect(status).toBe(200);
    expect(body.schedules.deleted).toBe(4);
    expect(ofMilestone(body.schedules.planned, NEW_ID)).toEqual([]);
    expect(await repos.plans.getMilestone(CLUSTER, PLAN, NEW_ID)).toBeUndefined();
    const reminders = await call('GET', `${planPath()}/reminders`);
    expect(ofMilestone(reminders.body.planned, NEW_ID)).toEqual([]);
    expect(reminders.body.extra).toEqual([]);
    const [entry] = await auditEntries('milestone.delete');
    expect(entry).toMatchObject({ target: `milestone:${PLAN}/${NEW_ID}`, summary: `Xóa mốc "${TITLE}" khỏi kế hoạch ${PLAN}; lịch nhắc: xóa 4.` });
  });

  it('answers 404 for a milestone that does not exist', async () => {
    const { status, body } = await call('DELETE', milestonePath(NEW_ID));
    expect(status).toBe(404);
    expect(body.error).toEqual({ code: 'NOT_FOUND', message: `Không tìm thấy mốc "${NEW_ID}" trong kế hoạch ${PLAN}.` });
  });
});

describe('POST .../plans/{planId}/clone', () => {
  it('refuses a target that is not a later school year (400) and an unknown source (404)', async () => {
    for (const targetPlanId of [PLAN, '2020-2021']) {
      const { status, body } = await call('POST', `${planPath()}/clone`, { targetPlanId });
      expect(status).toBe(400);
      const message = 'Chỉ sao chép được sang một năm học sau năm học 2021-2022 (ví dụ 2022-2023).';
      expect(body.error).toEqual({ code: 'VALIDATION_FAILED', message, details: [{ field: 'targetPlanId', message }] });
    }
    const malformed = await call('POST', `${planPath()}/clone`, { targetPlanId: '2022-2024' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details).toEqual([{ field: 'targetPlanId', message: 'Năm học phải gồm hai năm liền nhau' }]);
    const unknown = await call('POST', `${planPath('2019-2020')}/clone`, { targetPlanId: NEXT });
    expect(unknown.status).toBe(404);
    expect(await repos.plans.getPlan(CLUSTER, NEXT)).toBeUndefined();
  });

  it('copies the plan into the next school year, leaves the one-off milestone out and schedules the new year', async () => {
    const { status, body } = await call('POST', `${planPath()}/clone`, { targetPlanId: NEXT });
    expect(status).toBe(201);
    expect(body.plan).toMatchObject({
      clusterId: CLUSTER,
      planId: NEXT,
      schoolYear: { startYear: 2022, endYear: 2023 },
      title: 'Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2022 - 2023',
      clonedFrom: PLAN,
    });
    const oneOff = referenceMilestones.find((m) => !m.recurring)!;
    expect(body.skipped).toEqual([oneOff.title]);
    expect(body.milestones.map((m: { milestoneId: string }) => m.milestoneId)).toEqual(referenceMilestones.filter((m) => m.recurring).map((m) => m.milestoneId));
    expect(body.milestones.find((m: { milestoneId: string }) => m.milestoneId === 'bao-cao-so-ket-6-thang')).toMatchObject({
      planId: NEXT,
      due: { type: 'date', date: '2022-12-10', rule: 'before' },
      dueLabel: 'trước ngày 10/12/2022 (nhận đến hết ngày 09/12/2022)',
    });
    // Three dated document milestones, five schedules each ("trước ngày": no due-day reminder).
    expect(body.schedules).toMatchObject({ created: 15, deleted: 0 });
    expect(body.schedules.planned).toHaveLength(15);
    expect(ofMilestone(body.schedules.planned, 'bao-cao-so-ket-6-thang')).toEqual([
      'digest0 08:00 10/12/2022',
      'overdue0 08:00 10/12/2022',
      'reminder1 08:00 09/12/2022',
      'reminder3 08:00 07/12/2022',
      'reminder7 08:00 03/12/2022',
    ]);

    const plans = await call('GET', `/api/clusters/${CLUSTER}/plans`);
    expect(plans.body.plans.map((p: { planId: string }) => p.planId)).toEqual([NEXT, PLAN]);
    const reminders = await call('GET', `${planPath(NEXT)}/reminders`);
    expect(reminders.body.planned).toHaveLength(15);
    expect(reminders.body.missing).toEqual([]);
    const [entry] = await auditEntries('plan.clone');
    expect(entry).toMatchObject({
      target: `plan:${NEXT}`,
      summary: `Sao chép kế hoạch ${PLAN} sang năm học ${NEXT}: ${referenceMilestones.length - 1} mốc, bỏ 1 mốc chỉ diễn ra một lần; lịch nhắc: tạo 15.`,
    });
  });

  it('never overwrites: cloning into a year that has a plan is 409', async () => {
    const { status, body } = await call('POST', `${planPath()}/clone`, { targetPlanId: NEXT });
    expect(status).toBe(409);
    expect(body.error).toEqual({ code: 'CONFLICT', message: `Cụm đã có kế hoạch năm học ${NEXT}; sao chép không ghi đè kế hoạch đã có. Hãy sửa trực tiếp kế hoạch đó.` });
  });
});

describe('the audit log', () => {
  it('has one entry for every successful write above, and none for the refused ones', async () => {
    const { entries } = await repos.audit.list(CLUSTER, {}, { limit: 50 });
    const count = (action: string) => entries.filter((e) => e.action === action).length;
    expect(count('milestone.save')).toBe(4);
    expect(count('milestone.delete')).toBe(1);
    expect(count('plan.clone')).toBe(1);
    expect(count('reminders.reconcile')).toBe(1);
    // The rest is the head's sign-in.
    expect(entries.map((e) => e.action).sort()).toEqual(['milestone.delete', 'milestone.save', 'milestone.save', 'milestone.save', 'milestone.save', 'plan.clone', 'reminders.reconcile', 'sign-in']);
  });
});
