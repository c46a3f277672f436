/**
 * The calendar feeds through HTTP against the harness stack, on clusters of this file's own: a unit's feed through its
 * member link (content type, its extension, a narrowed link, forged and revoked links), the cluster feed link issued
 * and revoked by an admin (audited, stable, refused across clusters and to a read-only viewer), what a feed token
 * cannot do (open a member page, upload, call the admin API), and the reads each feed costs.
 */
import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import type { AuditEntry } from '../../shared/domain/audit';
import { signLink } from '../../shared/domain/link-token';
import { ClusterSchema, MilestoneSchema, PlanSchema, UnitSchema, type Unit } from '../../shared/domain/model';
import { fixedClock, type Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { CLUSTER_FEED_MARKER, feedKeysOf, getClusterCalendar, getUnitCalendar, issueClusterFeed, revokeClusterFeed } from '../../shared/use-cases/calendar-feeds';
import { issueLink } from '../../shared/use-cases/links';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { signIn, stackRepos, type AdminSession } from '../support/admin';
import { CallCounter, freshTable } from '../support/aws';

const stack = inject('stack');
const tag = randomBytes(4).toString('hex');
const CLUSTER = `t-cal-${tag}`;
const OTHER = `t-cal-other-${tag}`;
const PROVINCE = `tinh-cal-${tag}`;
const CLUSTER_NAME = `Cụm lịch ${tag}`;
const PLAN = '2021-2022';
const HEAD = `head-${tag}@example.com`;
const OTHER_HEAD = `other-head-${tag}@example.com`;
const VIEWER = `viewer-${tag}@example.com`;
const MEMBER = 'thanh-vien-a';
const REPORT = 'bao-cao-so-ket-6-thang';

const READ_ONLY = 'Tài khoản của bạn chỉ được xem cụm này, không được thay đổi.';

let repos: Repositories;
let clock: Clock;
let close: () => void;
let head: AdminSession;
let otherHead: AdminSession;
let viewer: AdminSession;
const linkKeys = fileLinkKeys(stack.linkSecretFile);

const unit = (clusterId: string, u: Pick<Unit, 'unitId' | 'name' | 'role' | 'emails'>): Unit => UnitSchema.parse({ clusterId, ...u });

beforeAll(async () => {
  ({ repos, clock, close } = stackRepos(stack));
  for (const [clusterId, name] of [
    [CLUSTER, CLUSTER_NAME],
    [OTHER, `Cụm khác ${tag}`],
  ] as const) {
    await repos.clusters.createIfAbsent(ClusterSchema.parse({ clusterId, name, province: { id: PROVINCE, name: 'Công đoàn Viên chức tỉnh thử' } }));
    await repos.plans.createPlanIfAbsent(
      PlanSchema.parse({ ...referencePlan, clusterId }),
      referenceMilestones.map((m) => MilestoneSchema.parse({ ...m, clusterId })),
    );
  }
  const units = [
    unit(CLUSTER, { unitId: 'cum-truong', name: 'Công đoàn Trường Cụm trưởng', role: 'cum-truong', emails: [HEAD] }),
    unit(CLUSTER, { unitId: MEMBER, name: 'Công đoàn Trường A', role: 'thanh-vien', emails: [`a-${tag}@example.com`] }),
    unit(OTHER, { unitId: 'cum-truong', name: 'Cụm trưởng cụm khác', role: 'cum-truong', emails: [OTHER_HEAD] }),
  ];
  for (const u of units) {
    await repos.units.createIfAbsent(u);
    await repos.auth.syncUnitGrants(u.clusterId, u.unitId, adminEmailsOf(u));
  }
  await repos.auth.putProvinceGrant({ scope: 'province', email: VIEWER, provinceId: PROVINCE });
  [head, otherHead, viewer] = await Promise.all([signIn(stack, HEAD), signIn(stack, OTHER_HEAD), signIn(stack, VIEWER)]);
});

afterAll(() => close?.());

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function call(session: AdminSession, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, headers: session.headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const feedPath = (clusterId = CLUSTER, planId = PLAN) => `/api/clusters/${clusterId}/plans/${planId}/calendar-feed`;
const memberToken = async (milestoneId?: string) =>
  (await issueLink({ repos, linkKeys, clock }, { clusterId: CLUSTER, unitId: MEMBER, planId: PLAN, milestoneId }, stack.apiUrl)).token;
const pathOf = (url: string) => new URL(url).pathname;
const tokenOfFeed = (url: string) => pathOf(url).split('/')[2]!;

function events(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return {
    calendar,
    events: calendar.getAllSubcomponents('vevent').map((v) => {
      const e = new ICAL.Event(v);
      return { uid: e.uid, start: e.startDate.toString(), summary: e.summary, description: e.description, alarms: v.getAllSubcomponents('valarm').length };
    }),
  };
}

async function auditEntries(action: string): Promise<AuditEntry[]> {
  return (await repos.audit.list(CLUSTER, { action }, { limit: 50 })).entries;
}

function expectCalendarHeaders(reply: Reply, fileName: string): void {
  expect(reply.status, reply.text).toBe(200);
  expect(reply.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
  expect(reply.headers.get('content-disposition')).toBe(`inline; filename="${fileName}"`);
  expect(reply.headers.get('cache-control')).toBe('private, max-age=300');
  expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  expect(reply.text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
}

function expectTextRefusal(reply: Reply, status: number, message: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.text).toBe(`${message}\n`);
}

describe('GET /u/{token}/calendar.ics', () => {
  it("serves the unit's calendar: what concerns it, its UIDs, its page link; an extension moves its deadline", async () => {
    const token = await memberToken();
    const reply = await get(`/u/${token}/calendar.ics`);
    expectCalendarHeaders(reply, `lich-${CLUSTER}-${PLAN}-${MEMBER}.ics`);
    const { calendar, events: found } = events(reply.text);
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(found.map((e) => e.uid)).toEqual(
      ['ky-ket-giao-uoc', 'hoi-nghi-so-ket-hk1', REPORT, 'bao-cao-tong-ket-nam-hoc', 'bang-tu-cham-diem', 'hoi-nghi-tong-ket'].map((m) => `${m}.${MEMBER}.${PLAN}.${CLUSTER}@cum-thi-dua`),
    );
    const report = found.find((e) => e.uid.startsWith(REPORT))!;
    expect(report).toMatchObject({ start: '2021-12-09', summary: 'Hạn nộp: Báo cáo sơ kết 06 tháng đầu năm học', alarms: 3 });
    expect(report.description).toContain(`Trang nộp tài liệu của đơn vị: ${stack.apiUrl}/u/${token}\n`);

    const granted = await call(head, 'POST', `/api/clusters/${CLUSTER}/plans/${PLAN}/units/${MEMBER}/extensions`, { milestoneId: REPORT, until: '2021-12-15' });
    expect(granted.status).toBe(201);
    const extended = events((await get(`/u/${token}/calendar.ics`)).text).events.find((e) => e.uid.startsWith(REPORT))!;
    expect(extended).toMatchObject({ start: '2021-12-15', alarms: 4 });
    expect(extended.description).toContain('Đơn vị được gia hạn đến hết ngày 15/12/2021');
  });

  it('shows only the milestone of a narrowed link', async () => {
    const reply = await get(`/u/${await memberToken(REPORT)}/calendar.ics`);
    expect(events(reply.text).events.map((e) => e.uid)).toEqual([`${REPORT}.${MEMBER}.${PLAN}.${CLUSTER}@cum-thi-dua`]);
  });

  it('answers a forged token with 404 and a revoked one with 410, in Vietnamese plain text, as the member page does', async () => {
    const token = await memberToken();
    const forged = `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`;
    expectTextRefusal(await get(`/u/${forged}/calendar.ics`), 404, 'Đường link không đúng hoặc không còn tồn tại.');
    expect((await get(`/u/${forged}`)).status).toBe(404);

    const revoked = await call(head, 'POST', `/api/clusters/${CLUSTER}/units/${MEMBER}/link/revoke`, { planId: PLAN });
    expect(revoked.status).toBe(200);
    expectTextRefusal(await get(`/u/${token}/calendar.ics`), 410, 'Đường link đã được thay thế bằng một đường link mới.');
    expect((await get(`/u/${token}`)).status).toBe(410);
    expect((await get(`${pathOf(revoked.body.url)}/calendar.ics`)).status).toBe(200);
  });
});

describe('the cluster feed link', () => {
  let url: string;

  it('is issued to the cluster head (audited, no token in the log) and serves the whole plan to a calendar app', async () => {
    const issued = await call(head, 'POST', feedPath());
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ url: expect.stringMatching(/\/calendar\.ics$/), expiresAt: '2022-10-31T17:00:00.000Z', planId: PLAN, feedVersion: 1 });
    url = issued.body.url;
    expect(url.startsWith(`${stack.apiUrl}/cal/`)).toBe(true);
    const [entry] = await auditEntries('calendar.feed-issue');
    expect(entry).toMatchObject({ actor: { type: 'admin', id: HEAD }, target: `plan:${PLAN}`, summary: `Lấy đường link lịch của kế hoạch năm học ${PLAN} (lần cấp 1).` });
    expect(JSON.stringify(entry)).not.toContain(tokenOfFeed(url));

    // The calendar app fetches it without any cookie.
    const reply = await get(pathOf(url));
    expectCalendarHeaders(reply, `lich-${CLUSTER}-${PLAN}.ics`);
    const { calendar, events: found } = events(reply.text);
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe(`${CLUSTER_NAME} – năm học 2021 - 2022`);
    expect(found.map((e) => e.uid)).toEqual(
      ['ky-ket-giao-uoc', 'hoi-nghi-so-ket-hk1', REPORT, 'bao-cao-tong-ket-nam-hoc', 'bang-tu-cham-diem', 'hoi-nghi-tong-ket'].map((m) => `${m}.${PLAN}.${CLUSTER}@cum-thi-dua`),
    );
    expect(found.find((e) => e.uid.startsWith(REPORT))?.description).toContain(`Trang quản trị: ${stack.apiUrl}/admin`);

    // Issued again: the same URL (subscriptions keep working).
    expect((await call(head, 'POST', feedPath())).body.url).toBe(url);
  });

  it('grants nothing else: no member page, no upload, no unit calendar, no admin API; and a member token opens no cluster feed', async () => {
    const feedToken = tokenOfFeed(url);
    expect((await get(`/u/${feedToken}`)).status).toBe(404);
    expect((await get(`/u/${feedToken}/calendar.ics`)).status).toBe(404);
    const upload = await fetch(`${stack.apiUrl}/u/${feedToken}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ milestoneId: REPORT, fileName: 'a.pdf', contentType: 'application/pdf', size: 10 }),
    });
    expect(upload.status).toBe(404);
    expect(((await upload.json()) as { error: { code: string } }).error.code).toBe('LINK_INVALID');
    expect((await get(`/api/clusters/${CLUSTER}/units`, { authorization: `Bearer ${feedToken}` })).status).toBe(401);
    expectTextRefusal(await get(`/cal/${await memberToken()}/calendar.ics`), 404, 'Đường link lịch không đúng hoặc không còn tồn tại.');
  });

  it('refuses a forged feed token (404) and an expired one (410)', async () => {
    const [segment, signature] = tokenOfFeed(url).split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    const tampered = `${Buffer.from(JSON.stringify({ ...payload, c: OTHER }), 'utf8').toString('base64url')}.${signature}`;
    expectTextRefusal(await get(`/cal/${tampered}/calendar.ics`), 404, 'Đường link lịch không đúng hoặc không còn tồn tại.');

    const [key] = feedKeysOf(await linkKeys.keys());
    const now = Math.floor(clock.now().getTime() / 1000);
    const expired = signLink({ k: key!.id, c: CLUSTER, p: PLAN, u: CLUSTER_FEED_MARKER, e: now - 60, v: 1 }, key!);
    expectTextRefusal(await get(`/cal/${expired}/calendar.ics`), 410, 'Đường link lịch đã hết hạn. Vui lòng lấy đường link mới trên trang quản trị.');
  });

  it('is refused across clusters and to a read-only viewer, who still reads the plan', async () => {
    const across = await call(head, 'POST', feedPath(OTHER));
    expect(across).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'Bạn không có quyền truy cập cụm thi đua này.' } } });
    expect((await call(head, 'POST', `${feedPath(OTHER)}/revoke`)).status).toBe(403);
    for (const path of [feedPath(), `${feedPath()}/revoke`]) {
      expect(await call(viewer, 'POST', path)).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: READ_ONLY } } });
    }
    expect((await call(viewer, 'GET', `/api/clusters/${CLUSTER}/plans/${PLAN}`)).status).toBe(200);
    expect((await call(head, 'POST', feedPath(CLUSTER, '2030-2031'))).body.error.code).toBe('NOT_FOUND');
    // The other cluster's own head gets its own feed, version 1: nothing of ours moved it.
    expect((await call(otherHead, 'POST', feedPath(OTHER))).body).toMatchObject({ planId: PLAN, feedVersion: 1 });
  });

  it('is revoked: the old URL answers 410, the revocation is audited, a new link works', async () => {
    const revoked = await call(head, 'POST', `${feedPath()}/revoke`);
    expect(revoked).toEqual({ status: 200, body: { planId: PLAN, feedVersion: 2 } });
    expectTextRefusal(await get(pathOf(url)), 410, 'Đường link lịch đã bị thu hồi. Vui lòng lấy đường link mới trên trang quản trị.');
    const [entry] = await auditEntries('calendar.feed-revoke');
    expect(entry).toMatchObject({ actor: { type: 'admin', id: HEAD }, target: `plan:${PLAN}`, summary: `Thu hồi mọi đường link lịch đã cấp của kế hoạch năm học ${PLAN}; link lấy sau đây là lần cấp 2.` });

    const again = await call(head, 'POST', feedPath());
    expect(again.body.feedVersion).toBe(2);
    expect(again.body.url).not.toBe(url);
    expect((await get(pathOf(again.body.url))).status).toBe(200);
    expect((await get(pathOf(url))).status).toBe(410);
  });
});

describe('reads per feed (a table of its own)', () => {
  it('unit feed: 3 calls; cluster feed: 1 GetItem for a revoked link, 4 calls for a good one; revoking: 1 UpdateItem', async () => {
    const counter = new CallCounter();
    const { doc, tableName } = await freshTable(counter);
    const fixed = fixedClock('2021-11-25T02:00:00Z');
    const own = createDynamoRepositories(doc, tableName, fixed);
    const deps = { repos: own, linkKeys, clock: fixed, baseUrl: 'https://thi-dua.example.org' };
    await own.clusters.createIfAbsent(ClusterSchema.parse({ clusterId: CLUSTER, name: CLUSTER_NAME, province: { id: PROVINCE, name: 'Tỉnh thử' } }));
    await own.units.createIfAbsent(unit(CLUSTER, { unitId: MEMBER, name: 'Công đoàn Trường A', role: 'thanh-vien', emails: [`a-${tag}@example.com`] }));
    await own.plans.createPlanIfAbsent(PlanSchema.parse({ ...referencePlan, clusterId: CLUSTER }), referenceMilestones.map((m) => MilestoneSchema.parse({ ...m, clusterId: CLUSTER })));
    const token = (await issueLink(deps, { clusterId: CLUSTER, unitId: MEMBER, planId: PLAN }, deps.baseUrl)).token;
    const feedToken = tokenOfFeed((await issueClusterFeed(deps, { clusterId: CLUSTER, planId: PLAN })).url);

    counter.reset();
    expect((await getUnitCalendar(deps, token)).body).toContain('BEGIN:VEVENT');
    expect([...counter.calls].sort()).toEqual(['BatchGetItemCommand', 'QueryCommand', 'QueryCommand']);

    counter.reset();
    expect((await getClusterCalendar(deps, feedToken)).body).toContain('BEGIN:VEVENT');
    expect([...counter.calls].sort()).toEqual(['BatchGetItemCommand', 'GetItemCommand', 'QueryCommand', 'QueryCommand']);

    counter.reset();
    expect(await revokeClusterFeed(deps, { clusterId: CLUSTER, planId: PLAN })).toMatchObject({ feedVersion: 2 });
    expect(counter.calls.filter((c) => c !== 'GetItemCommand')).toEqual(['UpdateItemCommand']);
    expect(await own.calendarFeeds.bumpVersion(CLUSTER, PLAN)).toBe(3);

    counter.reset();
    await expect(getClusterCalendar(deps, feedToken)).rejects.toMatchObject({ code: 'LINK_REPLACED' });
    expect(counter.calls).toEqual(['GetItemCommand']);
  });
});
