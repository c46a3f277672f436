/**
 * Nhật ký through HTTP on a cluster of this file's own: uploads made through the real pipeline (member page API,
 * presigned POST to s3rver, the recorder run by the object-created event) and admin writes (session and API key)
 * all land in the log, which filters by date, action, actor type and actor, and pages with a cursor.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fileLinkKeys } from '../../shared/adapters/secrets/link-keys';
import { MilestoneSchema, PlanSchema, UnitSchema, type UnitRole } from '../../shared/domain/model';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { issueLink } from '../../shared/use-cases/links';
import { adminEmailsOf } from '../../shared/use-cases/units';
import { apiKeyFor, signIn, stackRepos, type AdminSession } from '../support/admin';

const stack = inject('stack');
const CLUSTER = `nhat-ky-${randomUUID().slice(0, 8)}`;
const PLAN = '2021-2022';
const HEAD = `truong.${CLUSTER}@example.com`;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

const unitOf = (unitId: string, name: string, role: UnitRole, emails = [`${unitId}.${CLUSTER}@example.com`]) =>
  UnitSchema.parse({ clusterId: CLUSTER, unitId, name, role, emails });

let repos: Repositories;
let clock: Clock;
let close: () => void;
let head: AdminSession;
let apiKey: string;

beforeAll(async () => {
  ({ repos, clock, close } = stackRepos(stack));
  await repos.clusters.createIfAbsent({ clusterId: CLUSTER, name: 'Cụm thử Nhật ký', province: { id: `tinh-${CLUSTER}`, name: 'Tỉnh thử' } });
  for (const unit of [unitOf('truong', 'Đơn vị Trưởng', 'cum-truong', [HEAD]), unitOf('tv-an', 'Đơn vị An', 'thanh-vien'), unitOf('tv-binh', 'Đơn vị Bình', 'thanh-vien')]) {
    await repos.units.createIfAbsent(unit);
    await repos.auth.syncUnitGrants(CLUSTER, unit.unitId, adminEmailsOf(unit));
  }
  const milestone = (milestoneId: string, order: number, fields: Record<string, unknown>) =>
    MilestoneSchema.parse({ clusterId: CLUSTER, planId: PLAN, milestoneId, order, kind: 'report', ...fields });
  await repos.plans.createPlanIfAbsent(PlanSchema.parse({ clusterId: CLUSTER, planId: PLAN, schoolYear: { startYear: 2021, endYear: 2022 }, title: 'Kế hoạch 2021 - 2022' }), [
    milestone('bao-cao', 0, { title: 'Báo cáo sơ kết', due: { type: 'date', date: '2021-12-10', rule: 'before' }, document: { title: 'Báo cáo', from: { type: 'all' }, recipients: ['cum-truong'] } }),
    milestone('dang-ky', 1, { title: 'Đăng ký thi đua', due: { type: 'date', date: '2021-11-20', rule: 'by' }, cutoffDate: '2021-12-31', document: { title: 'Bản đăng ký', from: { type: 'all' }, recipients: ['cum-truong'] } }),
  ]);
  head = await signIn(stack, HEAD);
  apiKey = await apiKeyFor(stack, CLUSTER, 'Máy chủ báo cáo');
}, 60_000);
afterAll(() => close());

/** Uploads a file as the unit's browser does, and waits for the recorder to record it. */
async function upload(unitId: string, milestoneId: string, fileName: string, bytes: Buffer): Promise<string> {
  const { token } = await issueLink({ repos, linkKeys: fileLinkKeys(stack.linkSecretFile), clock }, { clusterId: CLUSTER, unitId, planId: PLAN }, stack.apiUrl);
  const formResponse = await fetch(`${stack.apiUrl}/u/${token}/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ milestoneId, fileName, contentType: 'application/pdf', size: bytes.length }),
  });
  expect(formResponse.status).toBe(201);
  const form = (await formResponse.json()) as { url: string; fields: Record<string, string>; uploadId: string };
  const body = new FormData();
  for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
  body.append('file', new Blob([bytes], { type: 'application/pdf' }), fileName);
  expect((await fetch(form.url, { method: 'POST', body })).status).toBe(204);
  for (let i = 0; i < 100; i++) {
    const state = (await (await fetch(`${stack.apiUrl}/u/${token}/uploads/${form.uploadId}`)).json()) as { state: string };
    if (state.state !== 'pending') return state.state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the recorder did not record the upload');
}

const auditPath = `/api/clusters/${CLUSTER}/audit`;
const list = async (query: Record<string, string> = {}, headers: Record<string, string> = head.headers) => {
  const response = await fetch(`${stack.apiUrl}${auditPath}?${new URLSearchParams(query)}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};
type Entry = { at: string; action: string; actor: { type: string; id: string }; target?: string; summary: string };
const actions = (body: Record<string, any>) => (body.entries as Entry[]).map((e) => e.action);

describe('what the log records', () => {
  it('every upload, on time, late or quarantined, as the unit’s own entry', async () => {
    expect(await upload('tv-an', 'bao-cao', 'Báo cáo của An.pdf', PDF)).toBe('accepted');
    expect(await upload('tv-binh', 'dang-ky', 'Đăng ký.pdf', PDF)).toBe('accepted');
    expect(await upload('tv-an', 'dang-ky', 'anh.pdf', JPEG)).toBe('quarantined');
    const { status, body } = await list({ actorType: 'unit' });
    expect(status).toBe(200);
    expect((body.entries as Entry[]).map(({ action, actor, target, summary }) => ({ action, actor, target, summary }))).toEqual([
      {
        action: 'upload.quarantined',
        actor: { type: 'unit', id: 'tv-an' },
        target: 'milestone:dang-ky',
        summary: 'Đơn vị An nộp "anh.pdf" cho mốc "Đăng ký thi đua" (muộn); tệp bị cách ly: Nội dung tệp không phải PDF như đã khai báo (phát hiện: ảnh JPG).',
      },
      { action: 'upload.recorded', actor: { type: 'unit', id: 'tv-binh' }, target: 'milestone:dang-ky', summary: 'Đơn vị Bình nộp "Đăng ký.pdf" cho mốc "Đăng ký thi đua" (muộn).' },
      { action: 'upload.recorded', actor: { type: 'unit', id: 'tv-an' }, target: 'milestone:bao-cao', summary: 'Đơn vị An nộp "Báo cáo của An.pdf" cho mốc "Báo cáo sơ kết" (đúng hạn).' },
    ]);
  });

  it('admin writes, by session and by API key, after the sign-in', async () => {
    const grant = (headers: Record<string, string>, unitId: string, until: string) =>
      fetch(`${stack.apiUrl}/api/clusters/${CLUSTER}/plans/${PLAN}/units/${unitId}/extensions`, { method: 'POST', headers, body: JSON.stringify({ milestoneId: 'dang-ky', until }) });
    expect((await grant(head.headers, 'tv-an', '2021-12-01')).status).toBe(201);
    expect((await grant({ authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, 'tv-binh', '2021-12-02')).status).toBe(201);
    const { body } = await list();
    expect(actions(body)).toEqual(['extension.grant', 'extension.grant', 'upload.quarantined', 'upload.recorded', 'upload.recorded', 'sign-in']);
    const [byKey, bySession] = body.entries as Entry[];
    expect(byKey?.actor).toEqual({ type: 'api-key', id: expect.stringMatching(/^[a-z0-9]{10}$/) });
    expect(byKey?.summary).toBe('Gia hạn cho Đơn vị Bình nộp "Bản đăng ký" (mốc "Đăng ký thi đua") đến hết ngày 02/12/2021.');
    expect(bySession?.actor).toEqual({ type: 'admin', id: HEAD });
    expect(body.entries.at(-1)).toMatchObject({ action: 'sign-in', actor: { type: 'admin', id: HEAD }, summary: `${HEAD} đăng nhập trang quản trị.` });
    const times = (body.entries as Entry[]).map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(body.nextCursor).toBeUndefined();
  });
});

describe('GET /api/clusters/{clusterId}/audit filters', () => {
  it('by action (a prefix), actor type and actor', async () => {
    expect(actions((await list({ action: 'upload' })).body)).toEqual(['upload.quarantined', 'upload.recorded', 'upload.recorded']);
    expect(actions((await list({ action: 'upload.recorded' })).body)).toEqual(['upload.recorded', 'upload.recorded']);
    expect(actions((await list({ actorType: 'api-key' })).body)).toEqual(['extension.grant']);
    expect(actions((await list({ actorType: 'admin' })).body)).toEqual(['extension.grant', 'sign-in']);
    const byAn = (await list({ actor: 'TV-AN' })).body.entries as Entry[];
    expect(byAn.map((e) => [e.action, e.target])).toEqual([
      ['upload.quarantined', 'milestone:dang-ky'],
      ['upload.recorded', 'milestone:bao-cao'],
    ]);
    expect(actions((await list({ action: 'upload', actor: 'tv-binh' })).body)).toEqual(['upload.recorded']);
  });

  it('by ICT dates, inclusive', async () => {
    expect((await list({ from: '2021-11-25', to: '2021-11-25' })).body.entries).toHaveLength(6);
    expect((await list({ from: '2021-11-26' })).body.entries).toEqual([]);
    expect((await list({ to: '2021-11-24' })).body.entries).toEqual([]);
  });

  it('pages newest first with a cursor; with the API key too', async () => {
    const all = (await list()).body.entries as Entry[];
    const first = await list({ limit: '4' });
    expect(first.body.entries).toEqual(all.slice(0, 4));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list({ limit: '4', cursor: first.body.nextCursor }, { authorization: `Bearer ${apiKey}` });
    expect(second.status).toBe(200);
    expect(second.body.entries).toEqual(all.slice(4));
  });

  it('answers 400 in Vietnamese for bad filters, 401 without credentials, 403 for another cluster’s admin', async () => {
    expect(await list({ from: '2021-11-26', to: '2021-11-25' })).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'Ngày bắt đầu (26/11/2021) phải trước hoặc bằng ngày kết thúc (25/11/2021).' } },
    });
    expect(await list({ cursor: 'không-phải-cursor' })).toEqual({ status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'Tham số trang (cursor) không hợp lệ.' } } });
    for (const [query, field] of [[{ actorType: 'robot' }, 'actorType'], [{ limit: '0' }, 'limit'], [{ limit: '201' }, 'limit'], [{ from: '25/11/2021' }, 'from']] as const) {
      const { status, body } = await list(query);
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    }
    expect((await list({}, {})).status).toBe(401);
    const other = await signIn(stack, 'congdoan.dvtdt@gmail.com');
    expect((await list({}, other.headers)).status).toBe(403);
  });
});
