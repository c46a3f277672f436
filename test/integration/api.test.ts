/**
 * The read API through the local gateway (API Gateway v2 events, the real handlers, DynamoDB Local), signed in as the
 * reference cluster's head. Sign-in, sessions and access control have their own tests (admin-sign-in, admin-security).
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { signIn, type AdminSession } from '../support/admin';

const stack = inject('stack');
let session: AdminSession;
beforeAll(async () => {
  session = await signIn(stack, 'congdoan.dvtdt@gmail.com');
});
const get = async (path: string) => {
  const response = await fetch(`${stack.apiUrl}${path}`, { headers: session.headers });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
};

describe('GET /api/clusters/{clusterId}/plans/{planId}', () => {
  it('returns the reference plan with its milestones in order and the deadline rule in words', async () => {
    const { status, type, body } = await get('/api/clusters/thanh-hoa-cum-5/plans/2021-2022');
    expect(status).toBe(200);
    expect(type).toBe('application/json; charset=utf-8');
    expect(body.plan).toEqual(referencePlan);
    expect(body.milestones.map((m: { milestoneId: string }) => m.milestoneId)).toEqual(referenceMilestones.map((m) => m.milestoneId));
    expect(body.milestones[2]).toMatchObject({
      title: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022',
      dueLabel: 'trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)',
    });
  });

  it('answers 404 in Vietnamese for a plan that does not exist', async () => {
    const { status, body } = await get('/api/clusters/thanh-hoa-cum-5/plans/2030-2031');
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: 'NOT_FOUND', message: 'Không tìm thấy kế hoạch năm học 2030-2031 của cụm "thanh-hoa-cum-5".' } });
  });

  it('answers 400 naming the field for a malformed plan id', async () => {
    const { status, body } = await get('/api/clusters/thanh-hoa-cum-5/plans/2021-2023');
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'planId', message: 'Năm học phải gồm hai năm liền nhau' }] });
  });
});

describe('units and plans', () => {
  it('lists the units, cluster head first', async () => {
    const { status, body } = await get('/api/clusters/thanh-hoa-cum-5/units');
    expect(status).toBe(200);
    expect(body.cluster.name).toBe('Cụm Thi đua số 5');
    expect(body.units[0]).toMatchObject({ unitId: 'dh-vhttdl-thanh-hoa', role: 'cum-truong' });
  });

  it('lists the plans', async () => {
    const { body } = await get('/api/clusters/thanh-hoa-cum-5/plans');
    expect(body.plans.map((p: { planId: string }) => p.planId)).toEqual(['2021-2022']);
  });

  it('answers 403 for a cluster the admin does not run (existing or not) and 400 for an id with diacritics', async () => {
    const other = await get('/api/clusters/thanh-hoa-cum-9/units');
    expect(other.status).toBe(403);
    expect(other.body.error).toEqual({ code: 'FORBIDDEN', message: 'Bạn không có quyền truy cập cụm thi đua này.' });
    const bad = await get(`/api/clusters/${encodeURIComponent('cụm-5')}/units`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].message).toBe('Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang');
  });
});
