/**
 * The Đơn vị endpoints through HTTP against the harness stack, on a cluster of this file's own: add and edit units
 * (grants follow at once, the last admin cannot be demoted), and a unit's link (copy, email, revoke and reissue).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import type { AuditEntry } from '../../shared/domain/audit';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import type { OutgoingEmail } from '../../shared/ports/mailer';
import { adminEmailsOf, emailUnitLink, updateUnit } from '../../shared/use-cases/units';
import { signIn, stackRepos, type AdminSession } from '../support/admin';
import { CallCounter, freshTable } from '../support/aws';
import { mailTo as mailboxTo } from '../support/mailbox';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const CLUSTER = `t-units-${tag}`;
const OTHER = `t-units-other-${tag}`;
const HEAD = `head-${tag}@example.com`;
const DEPUTY = `deputy-${tag}@example.com`;
const MEMBER = `member-${tag}@example.com`;
const MEMBER_2 = `member2-${tag}@example.org`;
const CLUSTER_NAME = `Cụm thử đơn vị ${tag}`;
const PLAN = '2021-2022';

let repos: Repositories;
let close: () => void;
let head: AdminSession;

const unit = (u: Partial<Unit> & Pick<Unit, 'unitId' | 'name' | 'role' | 'emails'>, clusterId = CLUSTER): Unit => UnitSchema.parse({ clusterId, ...u });

beforeAll(async () => {
  ({ repos, close } = stackRepos(stack));
  for (const [clusterId, name] of [
    [CLUSTER, CLUSTER_NAME],
    [OTHER, `Cụm khác ${tag}`],
  ] as const) {
    await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId, name, province: { id: `tinh-${tag}`, name: 'Công đoàn Viên chức tỉnh thử' } }));
    await repos.plans.createPlanIfAbsent(
      PlanSchema.parse({ ...referencePlan, clusterId }),
      referenceMilestones.map((m) => MilestoneSchema.parse({ ...m, clusterId })),
    );
  }
  const units = [
    unit({ unitId: 'cum-truong', name: 'Công đoàn Trường Cụm trưởng', role: 'cum-truong', emails: [HEAD] }),
    unit({ unitId: 'thanh-vien-a', name: 'Công đoàn Trường A', role: 'thanh-vien', emails: [MEMBER, MEMBER_2], contactName: 'Lê Văn A' }),
    unit({ unitId: 'cum-truong', name: 'Cụm trưởng cụm khác', role: 'cum-truong', emails: [`other-head-${tag}@example.com`] }, OTHER),
  ];
  for (const u of units) {
    await repos.units.createIfAbsent(u);
    await repos.auth.syncUnitGrants(u.clusterId, u.unitId, adminEmailsOf(u));
  }
  head = await signIn(stack, HEAD);
});

afterAll(() => close?.());

interface Reply {
  status: number;
  body: any;
}

async function call(session: AdminSession, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, headers: session.headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const unitsPath = (clusterId = CLUSTER) => `/api/clusters/${clusterId}/units`;
const unitPath = (unitId: string) => `${unitsPath()}/${unitId}`;

async function auditEntries(action: string): Promise<AuditEntry[]> {
  const { entries } = await repos.audit.list(CLUSTER, { action }, { limit: 50 });
  return entries;
}

const mailTo = (address: string) => mailboxTo(stack, address);

describe('POST /api/clusters/{clusterId}/units', () => {
  it('adds a member unit with link version 1, not a sample, and records who did it', async () => {
    const { status, body } = await call(head, 'POST', unitsPath(), {
      unitId: 'thanh-vien-moi',
      name: '  Công đoàn Trường Mới  ',
      role: 'thanh-vien',
      emails: ['Moi.' + MEMBER, 'moi.' + MEMBER],
    });
    expect(status).toBe(201);
    expect(body).toEqual({
      unit: {
        clusterId: CLUSTER,
        unitId: 'thanh-vien-moi',
        name: 'Công đoàn Trường Mới',
        role: 'thanh-vien',
        emails: [`moi.${MEMBER}`],
        isSample: false,
        linkVersion: 1,
        active: true,
      },
    });
    expect(await repos.units.get(CLUSTER, 'thanh-vien-moi')).toEqual(body.unit);
    const [entry] = await auditEntries('unit.create');
    expect(entry).toMatchObject({
      actor: { type: 'admin', id: HEAD },
      target: 'unit:thanh-vien-moi',
      summary: `Thêm đơn vị "Công đoàn Trường Mới" (Thành viên; moi.${MEMBER}).`,
    });
  });

  it('refuses an id already used in the cluster with 409, and changes nothing', async () => {
    const { status, body } = await call(head, 'POST', unitsPath(), { unitId: 'thanh-vien-a', name: 'Trùng mã', role: 'thanh-vien', emails: [`x-${tag}@example.com`] });
    expect(status).toBe(409);
    expect(body.error).toEqual({ code: 'CONFLICT', message: 'Mã đơn vị "thanh-vien-a" đã được dùng trong cụm này. Hãy chọn mã khác hoặc sửa đơn vị đã có.' });
    expect((await repos.units.get(CLUSTER, 'thanh-vien-a'))?.name).toBe('Công đoàn Trường A');
  });

  it('answers 400 in Vietnamese naming each bad field', async () => {
    const { status, body } = await call(head, 'POST', unitsPath(), { unitId: 'Đơn vị', name: ' ', role: 'truong-nhom', emails: ['khong-phai-email'] });
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const byField = Object.fromEntries((body.error.details as Array<{ field: string; message: string }>).map((d) => [d.field, d.message]));
    expect(byField).toMatchObject({
      unitId: 'Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang',
      name: 'Không được để trống',
      'emails.0': 'Địa chỉ email không hợp lệ',
    });
    expect(byField.role).toBeDefined();
    const none = await call(head, 'POST', unitsPath(), { unitId: 'khong-email', name: 'Không email', role: 'thanh-vien', emails: [] });
    expect(none.status).toBe(400);
    expect(none.body.error.details).toEqual([{ field: 'emails', message: 'Cần ít nhất một email liên hệ' }]);
  });

  it('lets a new Cụm phó address sign in to this cluster only', async () => {
    const created = await call(head, 'POST', unitsPath(), { unitId: 'cum-pho', name: 'Công đoàn Trường Cụm phó', role: 'cum-pho', emails: [DEPUTY] });
    expect(created.status).toBe(201);
    const deputy = await signIn(stack, DEPUTY);
    expect((await call(deputy, 'GET', unitsPath())).status).toBe(200);
    expect((await call(deputy, 'GET', unitsPath(OTHER))).status).toBe(403);
  });

  it("is refused on another cluster's path (403), whatever the body says", async () => {
    const { status, body } = await call(head, 'POST', unitsPath(OTHER), { unitId: 'xam-nhap', name: 'Xâm nhập', role: 'cum-pho', emails: [HEAD] });
    expect(status).toBe(403);
    expect(body.error.code).toBe('FORBIDDEN');
    expect(await repos.units.get(OTHER, 'xam-nhap')).toBeUndefined();
  });
});

describe('PUT /api/clusters/{clusterId}/units/{unitId}', () => {
  it('edits the fields, keeps the link version and sample flag, and says what changed', async () => {
    await repos.units.bumpLinkVersion(CLUSTER, 'thanh-vien-a');
    const { status, body } = await call(head, 'PUT', unitPath('thanh-vien-a'), {
      name: 'Công đoàn Trường A (mới)',
      role: 'thanh-vien',
      emails: [MEMBER, `moi-a-${tag}@example.com`],
    });
    expect(status).toBe(200);
    expect(body.unit).toEqual({
      clusterId: CLUSTER,
      unitId: 'thanh-vien-a',
      name: 'Công đoàn Trường A (mới)',
      role: 'thanh-vien',
      emails: [MEMBER, `moi-a-${tag}@example.com`],
      isSample: false,
      linkVersion: 2,
      active: true,
    });
    // The contact name was left out of the body: it is removed, as the form asked.
    expect(await repos.units.get(CLUSTER, 'thanh-vien-a')).toEqual(body.unit);
    const [entry] = await auditEntries('unit.update');
    expect(entry?.summary).toBe(
      `Sửa đơn vị "Công đoàn Trường A (mới)": tên "Công đoàn Trường A" → "Công đoàn Trường A (mới)"; thêm email moi-a-${tag}@example.com; bỏ email ${MEMBER_2}; sửa người liên hệ.`,
    );
  });

  it('takes admin access away at once from an address removed from the Cụm phó', async () => {
    const before = await signIn(stack, DEPUTY);
    expect((await call(before, 'GET', unitsPath())).status).toBe(200);
    const newDeputy = `deputy-new-${tag}@example.com`;
    const { status } = await call(head, 'PUT', unitPath('cum-pho'), { name: 'Công đoàn Trường Cụm phó', role: 'cum-pho', emails: [newDeputy] });
    expect(status).toBe(200);
    const refused = await call(before, 'GET', unitsPath());
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const after = await signIn(stack, newDeputy);
    expect((await call(after, 'GET', unitsPath())).status).toBe(200);

    // Demoted to thành viên: the new address loses access too, and so does a write attempt.
    expect((await call(head, 'PUT', unitPath('cum-pho'), { name: 'Công đoàn Trường Cụm phó', role: 'thanh-vien', emails: [newDeputy] })).status).toBe(200);
    expect((await call(after, 'GET', unitsPath())).status).toBe(403);
    expect((await call(after, 'POST', unitsPath(), { unitId: 'sau-khi-mat-quyen', name: 'X', role: 'thanh-vien', emails: [newDeputy] })).status).toBe(403);
    expect(await repos.auth.grantsOf(newDeputy)).toEqual([]);
  });

  it('refuses to demote or deactivate the last active Cụm trưởng/Cụm phó (409), and allows it once another exists', async () => {
    const lockout =
      'Không lưu được: "Công đoàn Trường Cụm trưởng" là đơn vị Cụm trưởng/Cụm phó cuối cùng còn hoạt động; nếu đổi vai trò hoặc ngừng hoạt động, cụm sẽ không còn ai đăng nhập được trang quản trị. Hãy giao vai trò Cụm trưởng hoặc Cụm phó cho một đơn vị khác trước.';
    for (const change of [{ role: 'thanh-vien', active: true }, { role: 'cum-truong', active: false }]) {
      const { status, body } = await call(head, 'PUT', unitPath('cum-truong'), { name: 'Công đoàn Trường Cụm trưởng', emails: [HEAD], ...change });
      expect(status).toBe(409);
      expect(body.error).toEqual({ code: 'CONFLICT', message: lockout });
    }
    expect((await call(head, 'GET', unitsPath())).status).toBe(200);
    // Editing the last admin's other fields is fine.
    expect((await call(head, 'PUT', unitPath('cum-truong'), { name: 'Công đoàn Trường Cụm trưởng', role: 'cum-truong', emails: [HEAD], contactName: 'Trần Thị B' })).status).toBe(200);

    // With a Cụm phó again, the head unit may step down; its address loses access.
    const deputy = `deputy-3-${tag}@example.com`;
    expect((await call(head, 'POST', unitsPath(), { unitId: 'cum-pho-2', name: 'Cụm phó mới', role: 'cum-pho', emails: [deputy] })).status).toBe(201);
    const deputySession = await signIn(stack, deputy);
    const stepDown = await call(deputySession, 'PUT', unitPath('cum-truong'), { name: 'Công đoàn Trường Cụm trưởng', role: 'thanh-vien', emails: [HEAD] });
    expect(stepDown.status).toBe(200);
    expect((await call(head, 'GET', unitsPath())).status).toBe(403);
    // The deputy puts the head back.
    expect((await call(deputySession, 'PUT', unitPath('cum-truong'), { name: 'Công đoàn Trường Cụm trưởng', role: 'cum-truong', emails: [HEAD] })).status).toBe(200);
    head = await signIn(stack, HEAD);
    expect((await call(head, 'GET', unitsPath())).status).toBe(200);
  });

  it('answers 404 for a unit that does not exist, and creates nothing', async () => {
    const { status, body } = await call(head, 'PUT', unitPath('khong-co'), { name: 'Không có', role: 'thanh-vien', emails: [MEMBER] });
    expect(status).toBe(404);
    expect(body.error).toEqual({ code: 'NOT_FOUND', message: `Không tìm thấy đơn vị "khong-co" trong cụm "${CLUSTER}".` });
    expect(await repos.units.get(CLUSTER, 'khong-co')).toBeUndefined();
  });
});

describe('updateUnit (use case) on a table of its own', () => {
  const counter = new CallCounter();
  let own: Repositories;

  beforeAll(async () => {
    const table = await freshTable(counter);
    own = createDynamoRepositories(table.doc, table.tableName, { now: () => new Date('2021-11-25T09:00:00+07:00') });
    for (const u of [
      unit({ unitId: 'truong', name: 'Trưởng', role: 'cum-truong', emails: ['truong@example.com'] }),
      unit({ unitId: 'pho', name: 'Phó', role: 'cum-pho', emails: ['pho@example.com'] }),
    ]) {
      await own.units.createIfAbsent(u);
      await own.auth.syncUnitGrants(u.clusterId, u.unitId, adminEmailsOf(u));
    }
  });

  it('costs a Query, one conditional Update and the grant check; a transaction only when admin addresses change', async () => {
    counter.reset();
    await updateUnit({ repos: own }, CLUSTER, 'pho', { name: 'Phó (tên mới)', role: 'cum-pho', emails: ['pho@example.com'], active: true });
    expect(counter.calls).toEqual(['QueryCommand', 'UpdateItemCommand', 'QueryCommand']);
    counter.reset();
    await updateUnit({ repos: own }, CLUSTER, 'pho', { name: 'Phó', role: 'cum-pho', emails: ['pho-moi@example.com'], active: true });
    expect(counter.calls).toEqual(['QueryCommand', 'UpdateItemCommand', 'QueryCommand', 'TransactWriteItemsCommand']);
    expect(await own.auth.grantsOf('pho@example.com')).toEqual([]);
    expect((await own.auth.grantsOf('pho-moi@example.com')).map((g) => g.scope === 'cluster' && g.unitId)).toEqual(['pho']);
  });

  it('refuses an edit based on a stale read (the version moved meanwhile)', async () => {
    const [current] = (await own.units.listVersioned(CLUSTER)).filter((v) => v.unit.unitId === 'truong');
    await own.units.bumpLinkVersion(CLUSTER, 'truong');
    await expect(own.units.update({ ...current!.unit, name: 'Cũ' }, current!.version)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await own.units.get(CLUSTER, 'truong'))?.name).toBe('Trưởng');
  });
});

describe('a unit link: copy, email, revoke and reissue', () => {
  let first: { url: string; expiresAt: string; planId: string; linkVersion: number };

  it('issues the link of the current plan, valid until the end of 31/10/2022, without putting the token in the log', async () => {
    const { status, body } = await call(head, 'POST', `${unitPath('thanh-vien-a')}/link`, {});
    expect(status).toBe(200);
    const version = (await repos.units.get(CLUSTER, 'thanh-vien-a'))!.linkVersion;
    expect(body).toEqual({ url: expect.stringMatching(new RegExp(`^${stack.apiUrl}/u/[A-Za-z0-9_.-]+$`)), expiresAt: '2022-10-31T17:00:00.000Z', planId: PLAN, linkVersion: version });
    first = body;
    expect((await fetch(first.url)).status).toBe(200);
    const [entry] = await auditEntries('unit.link-issue');
    expect(entry).toMatchObject({ target: 'unit:thanh-vien-a', summary: 'Lấy đường link nộp tài liệu của đơn vị "Công đoàn Trường A (mới)" (kế hoạch 2021-2022).' });
    const token = first.url.split('/u/')[1]!;
    expect(JSON.stringify(entry)).not.toContain(token);
  });

  it('answers 404 for an unknown plan or unit, 409 for an inactive unit', async () => {
    const plan = await call(head, 'POST', `${unitPath('thanh-vien-a')}/link`, { planId: '2030-2031' });
    expect(plan.status).toBe(404);
    expect(plan.body.error.message).toBe(`Không tìm thấy kế hoạch năm học 2030-2031 của cụm "${CLUSTER}".`);
    const missing = await call(head, 'POST', `${unitPath('khong-co')}/link`, {});
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(`Không tìm thấy đơn vị "khong-co" trong cụm "${CLUSTER}".`);

    const inactive = { unitId: 'ngung', name: 'Công đoàn Ngừng', role: 'thanh-vien', emails: [`ngung-${tag}@example.com`], active: false };
    expect((await call(head, 'POST', unitsPath(), inactive)).status).toBe(201);
    const message = 'Đơn vị "Công đoàn Ngừng" đang ngừng hoạt động nên không được cấp đường link. Hãy bật lại đơn vị trước.';
    for (const suffix of ['link', 'link/email', 'link/revoke']) {
      const refused = await call(head, 'POST', `${unitPath('ngung')}/${suffix}`, {});
      expect(refused.status).toBe(409);
      expect(refused.body.error).toEqual({ code: 'CONFLICT', message });
    }
    expect((await repos.units.get(CLUSTER, 'ngung'))?.linkVersion).toBe(1);
    expect(await mailTo(`ngung-${tag}@example.com`)).toEqual([]);
  });

  it('emails the link to every address of the unit, in Vietnamese, with what is due next', async () => {
    const { status, body } = await call(head, 'POST', `${unitPath('thanh-vien-a')}/link/email`, { planId: PLAN });
    expect(status).toBe(202);
    expect(body).toEqual({ sentTo: [MEMBER, `moi-a-${tag}@example.com`], expiresAt: '2022-10-31T17:00:00.000Z' });
    const mails = await mailTo(MEMBER);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    // The SES emulator keeps only the first To address (its v1 SendEmail parser); the next test checks the others.
    expect(mail.destination.to[0]).toBe(MEMBER);
    expect(mail.subject).toBe(`[${CLUSTER_NAME}] Đường link nộp tài liệu của Công đoàn Trường A (mới)`);
    const text = mail.body.text;
    expect(text).toContain(`Kính gửi Công đoàn Trường A (mới), ${CLUSTER_NAME} gửi đơn vị đường link riêng để nộp tài liệu theo ${referencePlan.title}.`);
    expect(text).toContain(`- Đường link nộp tài liệu: ${first.url}`);
    expect(text).toContain('- Hiệu lực: đến hết ngày 31/10/2022');
    expect(text).toContain('• Báo cáo sơ kết 06 tháng đầu năm học: trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021).');
    expect(text).toContain('Liên hệ: Đ/c Nguyễn Thanh Tâm');
    expect(mail.body.html).toContain(first.url);
    expect(mail.body.html).toContain('<html lang="vi">');
    const [entry] = await auditEntries('unit.link-email');
    expect(entry?.summary).toBe(`Gửi đường link nộp tài liệu (kế hoạch 2021-2022) của đơn vị "Công đoàn Trường A (mới)" tới ${MEMBER}, moi-a-${tag}@example.com.`);
  });

  it('addresses one email to all of the unit\'s addresses, tagged with the cluster, replies going to the plan\'s contact', async () => {
    const sent: OutgoingEmail[] = [];
    const mailer = { send: async (email: OutgoingEmail) => (sent.push(email), { messageId: 'm' }) };
    const { clock } = stackRepos(stack);
    const result = await emailUnitLink(
      { repos, mailer, clock, linkKeys: { keys: async () => [{ id: 1, secret: Buffer.from('khoa-thu-nghiem-0123456789abcdef') }] }, baseUrl: 'https://cum.example' },
      { clusterId: CLUSTER, unitId: 'thanh-vien-a' },
    );
    expect(result.sentTo).toEqual([MEMBER, `moi-a-${tag}@example.com`]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: [MEMBER, `moi-a-${tag}@example.com`],
      replyTo: ['congdoan.dvtdt@gmail.com'],
      tags: { kind: 'unit-link', cluster: CLUSTER },
    });
    expect(sent[0]?.text).toContain(`- Đường link nộp tài liệu: ${result.link.url}`);
    expect(result.link.url.startsWith('https://cum.example/u/')).toBe(true);
  });

  it('revokes every earlier link and issues a new one: the old link then answers 410', async () => {
    const { status, body } = await call(head, 'POST', `${unitPath('thanh-vien-a')}/link/revoke`, {});
    expect(status).toBe(200);
    expect(body).toMatchObject({ planId: PLAN, linkVersion: first.linkVersion + 1, expiresAt: '2022-10-31T17:00:00.000Z' });
    expect(body.url).not.toBe(first.url);
    const old = await fetch(first.url);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('Đường link đã được thay thế');
    expect((await fetch(body.url)).status).toBe(200);
    const [entry] = await auditEntries('unit.link-revoke');
    expect(entry?.summary).toBe(`Thu hồi mọi đường link cũ của đơn vị "Công đoàn Trường A (mới)" và cấp đường link mới (lần ${first.linkVersion + 1}).`);
    expect(JSON.stringify(entry)).not.toContain(body.url.split('/u/')[1]);
  });
});

describe('the audit log', () => {
  it('has an entry, by the head or the deputy, for every write made above', async () => {
    const { entries } = await repos.audit.list(CLUSTER, {}, { limit: 50 });
    const count = (action: string) => entries.filter((e) => e.action === action).length;
    expect(count('unit.create')).toBe(4);
    expect(count('unit.update')).toBe(6);
    expect(count('unit.link-issue')).toBe(1);
    expect(count('unit.link-email')).toBe(1);
    expect(count('unit.link-revoke')).toBe(1);
    expect(entries.every((e) => e.actor.type === 'admin' && e.requestId)).toBe(true);
  });
});
