/**
 * Nhắc việc through HTTP on a cluster of this file's own: what the scheduled reminders sent (the ledger) with the
 * bounced addresses, and "send now" to one unit, whose email lands in the SES emulator, on the harness's day
 * (25/11/2021 09:00 ICT, running forward).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MilestoneSchema, PlanSchema, UnitSchema, type Milestone, type Unit, type UnitRole } from '../../shared/domain/model';
import type { Repositories } from '../../shared/ports/repositories';
import type { SendRef } from '../../shared/ports/send-log';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { apiKeyFor, signIn, stackRepos, type AdminSession } from '../support/admin';
import { mailTo as mailboxTo } from '../support/mailbox';
import { submissionRecord } from '../support/records';

const stack = inject('stack');
const CLUSTER = `nhac-${randomUUID().slice(0, 8)}`;
const CLUSTER_NAME = 'Cụm thử Nhắc việc';
const PLAN = '2021-2022';
const email = (unitId: string, n = 1) => `${unitId}${n > 1 ? n : ''}.${CLUSTER}@example.com`;

const unitOf = (unitId: string, name: string, role: UnitRole, emails = [email(unitId)]): Unit => UnitSchema.parse({ clusterId: CLUSTER, unitId, name, role, emails });
const milestoneOf = (milestoneId: string, order: number, fields: Record<string, unknown>): Milestone =>
  MilestoneSchema.parse({ clusterId: CLUSTER, planId: PLAN, milestoneId, order, kind: 'report', ...fields });
const everyone = (title: string) => ({ title, from: { type: 'all' }, recipients: ['cum-truong'] });

const units = [
  unitOf('truong', 'Đơn vị Trưởng', 'cum-truong'),
  unitOf('an', 'Đơn vị An', 'thanh-vien'),
  // One address bounced, the other works.
  unitOf('binh', 'Đơn vị Bình', 'thanh-vien', [email('binh'), email('binh', 2)]),
  // Its only address bounced.
  unitOf('chi', 'Đơn vị Chi', 'thanh-vien'),
  // Already sent the report.
  unitOf('dung', 'Đơn vị Dũng', 'thanh-vien'),
];
const milestones = [
  milestoneOf('bao-cao', 0, { title: 'Báo cáo sơ kết', due: { type: 'date', date: '2021-12-10', rule: 'before' }, document: everyone('Báo cáo sơ kết 6 tháng') }),
  milestoneOf('dang-ky', 1, { kind: 'registration', title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-11-20', rule: 'by' }, cutoffDate: '2021-12-31', document: everyone('Bản đăng ký') }),
  milestoneOf('da-khoa', 2, { title: 'Báo cáo đã khóa', due: { type: 'date', date: '2021-11-10', rule: 'by' }, cutoffDate: '2021-11-15', document: everyone('Báo cáo cũ') }),
  milestoneOf('rieng', 3, { title: 'Tổng hợp của Cụm trưởng', due: { type: 'date', date: '2021-12-01', rule: 'by' }, document: { title: 'Bản tổng hợp', from: { type: 'roles', roles: ['cum-truong'] }, recipients: ['cdvc-tinh'] } }),
  milestoneOf('hoi-nghi', 4, {
    kind: 'conference',
    title: 'Hội nghị sơ kết',
    due: { type: 'date', date: '2021-12-28', rule: 'by' },
    place: 'Hội trường A',
    assignments: [{ who: { type: 'units', unitIds: ['an'] }, task: 'Chuẩn bị tham luận' }],
  }),
  milestoneOf('thang', 5, { kind: 'event', title: 'Hoạt động tháng 5', due: { type: 'month', month: '2022-05' }, assignments: [{ who: { type: 'all' }, task: 'Tham gia' }] }),
];

let repos: Repositories;
let close: () => void;
let head: AdminSession;
const ict = (local: string) => new Date(`${local}+07:00`);
const ref = (milestoneId: string, kind: SendRef['kind'], offset: number, recipient: string): SendRef => ({ clusterId: CLUSTER, planId: PLAN, milestoneId, kind, offset, recipient });

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: CLUSTER_NAME, province: { id: `tinh-${CLUSTER}`, name: 'Tỉnh thử' } });
  for (const unit of units) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  await repos.plans.createPlanIfAbsent(
    PlanSchema.parse({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch 2021 - 2022', contact: { name: 'Chị Liên', email: 'lien@example.com' } }),
    milestones,
  );
  await repos.uploads.recordSubmission(submissionRecord({ clusterId: CLUSTER, planId: PLAN, milestoneId: 'bao-cao', unitId: 'dung', receivedAt: ict('2021-11-24T16:45:00') }));
  for (const address of [email('binh'), email('chi')]) {
    await repos.undeliverable.put({ clusterId: CLUSTER, email: address, cause: 'bounce', reason: 'Địa chỉ không nhận được thư (bị trả lại vĩnh viễn)', at: ict('2021-11-18T08:05:00').toISOString() });
  }
  // The ledger of the scheduled reminders: two sent, one claimed and never confirmed.
  const stale = 15 * 60_000;
  await repos.sends.claim(ref('bao-cao', 'reminder', 7, 'an'), ict('2021-11-18T08:00:00'), stale);
  await repos.sends.markSent(ref('bao-cao', 'reminder', 7, 'an'), 'msg-1', ict('2021-11-18T08:00:01'));
  await repos.sends.claim(ref('bao-cao', 'reminder', 7, 'binh'), ict('2021-11-18T08:00:02'), stale);
  await repos.sends.claim(ref('dang-ky', 'digest', 0, 'digest'), ict('2021-11-21T08:00:00'), stale);
  await repos.sends.markSent(ref('dang-ky', 'digest', 0, 'digest'), 'msg-2', ict('2021-11-21T08:00:00'));
  head = await signIn(stack, email('truong'));
});
afterAll(() => close());

const api = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};
const sentPath = `/api/clusters/${CLUSTER}/plans/${PLAN}/reminders/sent`;
const sendNowPath = `/api/clusters/${CLUSTER}/plans/${PLAN}/reminders/send-now`;
const sendNow = (unitId: string, milestoneId: string) => api('POST', sendNowPath, head.headers, { unitId, milestoneId });

const mailTo = (address: string) => mailboxTo(stack, address);
const sendNowAudit = async () => (await repos.audit.list(CLUSTER, { action: 'reminder.send-now' }, { limit: 20 })).entries;

describe('GET …/reminders/sent', () => {
  const expected = {
    sends: [
      {
        milestoneId: 'dang-ky',
        milestoneTitle: 'Đăng ký thi đua',
        kind: 'digest',
        offset: 0,
        recipient: 'digest',
        recipientName: 'Cụm trưởng (bản tổng hợp)',
        status: 'sent',
        statusLabel: 'Đã gửi',
        at: '2021-11-21T01:00:00.000Z',
        atLabel: '08:00 21/11/2021',
      },
      {
        milestoneId: 'bao-cao',
        milestoneTitle: 'Báo cáo sơ kết',
        kind: 'reminder',
        offset: 7,
        recipient: 'binh',
        recipientName: 'Đơn vị Bình',
        status: 'claimed',
        statusLabel: 'Đang gửi (chưa xác nhận)',
        at: '2021-11-18T01:00:02.000Z',
        atLabel: '08:00 18/11/2021',
      },
      {
        milestoneId: 'bao-cao',
        milestoneTitle: 'Báo cáo sơ kết',
        kind: 'reminder',
        offset: 7,
        recipient: 'an',
        recipientName: 'Đơn vị An',
        status: 'sent',
        statusLabel: 'Đã gửi',
        at: '2021-11-18T01:00:01.000Z',
        atLabel: '08:00 18/11/2021',
      },
    ],
    undeliverable: [
      expect.objectContaining({ email: email('binh'), reason: 'Địa chỉ không nhận được thư (bị trả lại vĩnh viễn)', atLabel: '08:05 18/11/2021', unitNames: ['Đơn vị Bình'] }),
      expect.objectContaining({ email: email('chi'), cause: 'bounce', unitNames: ['Đơn vị Chi'] }),
    ],
  };

  it('lists what the schedules sent, to whom and when, newest first, with the bounced addresses and their units', async () => {
    const { status, body } = await api('GET', sentPath, head.headers);
    expect(status).toBe(200);
    expect(body.sends).toEqual(expected.sends);
    expect([...body.undeliverable].sort((a, b) => a.email.localeCompare(b.email))).toEqual(expected.undeliverable);
  });

  it('is readable with the cluster’s API key; 404 for a plan it does not have; 401 without credentials', async () => {
    const key = await apiKeyFor(stack, CLUSTER);
    const withKey = await api('GET', sentPath, { authorization: `Bearer ${key}` });
    expect(withKey.status).toBe(200);
    expect(withKey.body.sends).toHaveLength(3);
    expect(await api('GET', `/api/clusters/${CLUSTER}/plans/2030-2031/reminders/sent`, head.headers)).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: `Không tìm thấy kế hoạch năm học 2030-2031 của cụm "${CLUSTER}".` } },
    });
    expect((await api('GET', sentPath, {})).status).toBe(401);
  });
});

describe('POST …/reminders/send-now', () => {
  it('emails one unit its document reminder now, with its own working link, and logs it', async () => {
    const { status, body } = await sendNow('an', 'bao-cao');
    expect(status).toBe(202);
    expect(body.sentTo).toEqual([email('an')]);
    expect(body.subject).toBe(`[${CLUSTER_NAME}] Nhắc hạn nộp: Báo cáo sơ kết 6 tháng – còn 14 ngày (trước ngày 10/12/2021)`);
    const mails = await mailTo(email('an'));
    expect(mails.map((m) => m.subject)).toEqual([body.subject]);
    expect(mails[0]?.body.text).toContain('Kính gửi Đơn vị An,');
    const link = /https?:\/\/\S+\/u\/[A-Za-z0-9._~-]+/.exec(mails[0]?.body.text ?? '')?.[0];
    expect(link).toBeDefined();
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Đơn vị An');

    const [entry] = await sendNowAudit();
    expect(entry).toMatchObject({
      actor: { type: 'admin', id: email('truong') },
      action: 'reminder.send-now',
      target: 'unit:an',
      summary: `Gửi ngay email nhắc việc mốc "Báo cáo sơ kết" cho Đơn vị An (${email('an')}).`,
    });
  });

  it('leaves the ledger of the scheduled reminders as it was', async () => {
    const { body } = await api('GET', sentPath, head.headers);
    expect(body.sends).toHaveLength(3);
    expect(await repos.sends.listSent(ref('bao-cao', 'reminder', 0, 'an'))).toEqual([]);
  });

  it('after the deadline sends the overdue notice, skipping the bounced address', async () => {
    const { status, body } = await sendNow('binh', 'dang-ky');
    expect(status).toBe(202);
    expect(body).toEqual({ sentTo: [email('binh', 2)], subject: `[${CLUSTER_NAME}] Quá hạn: Bản đăng ký (hạn đến hết ngày 20/11/2021)` });
    expect(await mailTo(email('binh'))).toEqual([]);
    const [mail] = await mailTo(email('binh', 2));
    expect(mail?.subject).toBe(body.subject);
    expect(mail?.body.text).toContain('đến hết ngày 31/12/2021');
    expect((await sendNowAudit())[0]?.summary).toBe(
      `Gửi ngay email báo quá hạn mốc "Đăng ký thi đua" cho Đơn vị Bình (${email('binh', 2)}); bỏ qua địa chỉ bị trả lại: ${email('binh')}.`,
    );
  });

  it('sends an event reminder to a unit with a task in it', async () => {
    const { status, body } = await sendNow('an', 'hoi-nghi');
    expect(status).toBe(202);
    expect(body.subject).toBe(`[${CLUSTER_NAME}] Nhắc lịch: Hội nghị sơ kết – ngày 28/12/2021`);
    const mail = (await mailTo(email('an'))).find((m) => m.subject === body.subject);
    expect(mail?.body.text).toContain('Chuẩn bị tham luận');
  });

  it('refuses, in Vietnamese, what would be a wrong email, and sends nothing', async () => {
    const before = (await sendNowAudit()).length;
    const refusals: Array<[string, string, number, string, string]> = [
      ['dung', 'bao-cao', 409, 'CONFLICT', 'Đơn vị Dũng đã nộp tài liệu của mốc "Báo cáo sơ kết" lúc 16:45 24/11/2021, không cần nhắc.'],
      ['chi', 'bao-cao', 409, 'CONFLICT', `Mọi địa chỉ email của Đơn vị Chi đều bị trả lại (${email('chi')}). Hãy sửa email của đơn vị rồi gửi lại.`],
      ['an', 'rieng', 400, 'VALIDATION_FAILED', 'Mốc "Tổng hợp của Cụm trưởng" không yêu cầu Đơn vị An nộp tài liệu, không có gì để nhắc.'],
      ['an', 'da-khoa', 409, 'CONFLICT', 'Mốc "Báo cáo đã khóa" đã khóa nhận tài liệu (sau ngày 15/11/2021), Đơn vị An không nộp được nữa. Hãy gia hạn cho đơn vị trước khi nhắc.'],
      ['binh', 'hoi-nghi', 400, 'VALIDATION_FAILED', 'Mốc "Hội nghị sơ kết" không giao việc cho Đơn vị Bình, không có gì để nhắc.'],
      ['an', 'thang', 400, 'VALIDATION_FAILED', 'Mốc "Hoạt động tháng 5" chưa có ngày cụ thể, chưa thể nhắc.'],
      ['an', 'khong-co', 404, 'NOT_FOUND', `Không tìm thấy mốc "khong-co" trong kế hoạch ${PLAN}.`],
      ['khong-co', 'bao-cao', 404, 'NOT_FOUND', `Không tìm thấy đơn vị "khong-co" trong cụm "${CLUSTER}".`],
    ];
    for (const [unitId, milestoneId, status, code, message] of refusals) {
      expect(await sendNow(unitId, milestoneId), `${unitId} / ${milestoneId}`).toEqual({ status, body: { error: { code, message } } });
    }
    expect(await mailTo(email('dung'))).toEqual([]);
    expect(await mailTo(email('chi'))).toEqual([]);
    const invalid = await api('POST', sendNowPath, head.headers, { milestoneId: 'bao-cao' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details).toEqual([{ field: 'unitId', message: expect.any(String) }]);
    expect(await sendNowAudit()).toHaveLength(before);
  });
});
