/**
 * The read API through the local gateway (API Gateway v2 events, the real handlers, DynamoDB Local), and the admin
 * key check with the local-only open flag off.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { sha256Hex } from '../../shared/http/admin-auth';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';

const stack = inject('stack');
const get = async (path: string) => {
  const response = await fetch(`${stack.apiUrl}${path}`);
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

  it('answers 404 for an unknown cluster and 400 for an id with diacritics', async () => {
    expect((await get('/api/clusters/thanh-hoa-cum-9/units')).status).toBe(404);
    const bad = await get(`/api/clusters/${encodeURIComponent('cụm-5')}/units`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].message).toBe('Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang');
  });
});

describe('admin key (the local-only open flag off)', () => {
  const invoke = async (headers: Record<string, string>): Promise<APIGatewayProxyStructuredResultV2> => {
    Object.assign(process.env, {
      TABLE_NAME: stack.tableName,
      DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
      AWS_REGION: stack.region,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      ADMIN_API_KEY_SHA256: sha256Hex('the-right-key'),
    });
    delete process.env.LOCAL_OPEN_READS;
    const { handler } = await import('../../functions/api/get-plan');
    const event = {
      routeKey: 'GET /api/clusters/{clusterId}/plans/{planId}',
      headers,
      pathParameters: { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022' },
      requestContext: {},
    } as unknown as APIGatewayProxyEventV2;
    return handler(event, { awsRequestId: 'r1' } as Context);
  };

  it('refuses a request without a key, in Vietnamese', async () => {
    const response = await invoke({});
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'Cần khóa API quản trị hợp lệ (tiêu đề x-api-key) để xem dữ liệu này.' },
    });
  });

  it('refuses a wrong key and accepts the right one, as header or bearer token', async () => {
    expect((await invoke({ 'x-api-key': 'wrong' })).statusCode).toBe(401);
    expect((await invoke({ 'x-api-key': 'the-right-key' })).statusCode).toBe(200);
    expect((await invoke({ authorization: 'Bearer the-right-key' })).statusCode).toBe(200);
  });
});
