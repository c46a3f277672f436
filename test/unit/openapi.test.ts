/**
 * The OpenAPI document: valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator), one operation per
 * endpoint of the contract, every path parameter declared, and schemas that accept what the page really sends.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { MilestoneBodySchema, adminEndpoints } from '../../shared/http/admin-api';
import { API_TAGS, API_VERSION, openApiDocument } from '../../shared/http/openapi';
import { referenceMilestones } from '../../shared/reference/thanh-hoa-cum-5';
import { proposeImportFromText } from '../../shared/use-cases/plan-import';

type Operation = {
  operationId: string;
  summary: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
};
type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, Record<string, unknown>> };
};

const doc = openApiDocument() as unknown as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
const opOf = (id: string): Operation => {
  const found = operations.find((o) => o.op.operationId === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found.op;
};

/** A JSON Schema 2020-12 validator that knows the document's components (for `$ref`s to them). */
function schemaValidator(schema: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'doc', components: doc.components } as never);
  const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')) as Record<string, unknown>;
  return ajv.compile(resolved);
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has a Vietnamese title and the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(doc.info.title).toBe('API quản trị Cụm Thi đua');
    expect(API_VERSION).toBe(pkg.version);
    expect(doc.info.version).toBe(pkg.version);
  });

  it('is computed once and shared (frozen, so no caller can change it for the next)', () => {
    expect(openApiDocument()).toBe(openApiDocument());
    expect(Object.isFrozen(doc.paths)).toBe(true);
  });

  it('has every endpoint exactly once, under its path and method, with its summary and a known tag', () => {
    expect(operations).toHaveLength(adminEndpoints.length);
    for (const endpoint of adminEndpoints) {
      const matching = operations.filter((o) => o.op.operationId === endpoint.id);
      expect(matching, endpoint.id).toHaveLength(1);
      expect(matching[0]).toMatchObject({ path: endpoint.path, method: endpoint.method.toLowerCase() });
      expect(matching[0]?.op.summary).toBe(endpoint.summary);
      expect(matching[0]?.op.tags).toHaveLength(1);
      expect(API_TAGS).toContain(matching[0]?.op.tags[0]);
    }
    expect(opOf('SaveMilestone').tags).toEqual(['Kế hoạch']);
    expect(opOf('CreateApiKey').tags).toEqual(['Khóa API']);
    expect(opOf('OpenSession').tags).toEqual(['Đăng nhập']);
  });

  it('declares every {param} of every path as a required path parameter, and nothing else in the path', () => {
    for (const { path, op } of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), op.operationId).toEqual(inPath);
      for (const p of declared) expect(p.required).toBe(true);
    }
    const download = opOf('DownloadSubmission').parameters?.map((p) => p.name);
    expect(download).toEqual(['clusterId', 'planId', 'unitId', 'uploadId']);
  });

  it('lists query parameters with their types and which are optional', () => {
    const query = (opOf('ListAudit').parameters ?? []).filter((p) => p.in === 'query');
    expect(query.map((p) => p.name)).toEqual(['from', 'to', 'action', 'actorType', 'actor', 'cursor', 'limit']);
    expect(query.every((p) => p.required === false)).toBe(true);
    expect(query.find((p) => p.name === 'limit')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
    expect(query.find((p) => p.name === 'actorType')?.schema).toMatchObject({ enum: ['admin', 'api-key', 'unit', 'system'] });
  });

  it('describes success: the endpoint status, 204 without content, pages by their content type', () => {
    expect(Object.keys(opOf('CreateUnit').responses)).toContain('201');
    expect(opOf('RequestSignIn').responses['202']?.content?.['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['message'],
    });
    expect(opOf('ListUnits').responses['200']?.content?.['application/json']).toBeDefined();
    expect(opOf('SignOut').responses['204']).toEqual({ description: expect.any(String) });
    expect(Object.keys(opOf('AdminPage').responses['200']?.content ?? {})).toEqual(['text/html']);
    expect(Object.keys(opOf('AdminAsset').responses['200']?.content ?? {})).toEqual(['application/octet-stream']);
    expect(Object.keys(opOf('OpenApi').responses['200']?.content ?? {})).toEqual(['application/json']);
  });

  it('gives each operation the errors its access level allows, all with the one ErrorBody schema', () => {
    const statuses = (id: string) => Object.keys(opOf(id).responses).filter((s) => Number(s) >= 400);
    expect(statuses('RequestSignIn')).toEqual(['400', '429', '500']);
    expect(statuses('OpenSession')).toEqual(['400', '404', '410', '500']);
    expect(statuses('ListClusters')).toEqual(['401', '500']);
    expect(statuses('ListUnits')).toEqual(['400', '401', '403', '404', '500']);
    expect(statuses('SaveMilestone')).toEqual(['400', '401', '403', '404', '409', '500']);
    expect(statuses('AdminPage')).toEqual([]);
    for (const { op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(response.content, `${op.operationId} ${status}`).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } });
      }
    }
    const errorBody = schemaValidator({ $ref: '#/components/schemas/ErrorBody' });
    expect(errorBody({ error: { code: 'FORBIDDEN', message: 'Bạn không có quyền truy cập cụm thi đua này.' } })).toBe(true);
    expect(errorBody({ error: { code: 'FORBIDDEN' } })).toBe(false);
  });

  it('offers the session (with CSRF on writes) and API keys as each access level allows', () => {
    expect(doc.components.securitySchemes).toEqual({
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: '__Host-ctd_admin' }),
      csrf: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-csrf-token' }),
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(opOf('RequestSignIn').security).toEqual([]);
    expect(opOf('GetSession').security).toEqual([{ session: [] }]);
    expect(opOf('SignOut').security).toEqual([{ session: [], csrf: [] }]);
    expect(opOf('ListClusters').security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(opOf('GetBoard').security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(opOf('SaveMilestone').security).toEqual([{ session: [], csrf: [] }, { apiKey: [] }]);
    expect(opOf('ListApiKeys').security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(opOf('CreateApiKey').security).toEqual([{ session: [], csrf: [] }]);
    expect(opOf('RevokeApiKey').security).toEqual([{ session: [], csrf: [] }]);
  });

  it('has request bodies exactly where the contract has them', () => {
    for (const endpoint of adminEndpoints) {
      expect(opOf(endpoint.id).requestBody !== undefined, endpoint.id).toBe('body' in endpoint);
    }
  });

  it("SaveMilestone's body schema has the required fields and accepts a real milestone body", () => {
    const schema = opOf('SaveMilestone').requestBody?.content['application/json']?.schema ?? {};
    expect(schema).toMatchObject({ type: 'object' });
    expect([...((schema as { required?: string[] }).required ?? [])].sort()).toEqual(['due', 'kind', 'order', 'title']);
    const validate = schemaValidator(schema);
    for (const milestone of referenceMilestones) {
      const { clusterId: _c, planId: _p, milestoneId: _m, ...body } = milestone;
      expect(validate(body), `${milestone.milestoneId}: ${JSON.stringify(validate.errors)}`).toBe(true);
      // The document agrees with what the router accepts.
      expect(MilestoneBodySchema.safeParse(body).success).toBe(true);
    }
    // What the plan editor sends at the least (defaults fill the rest).
    expect(validate({ order: 3, kind: 'report', title: 'Báo cáo quý', due: { type: 'month', month: '2022-03' } })).toBe(true);
    expect(validate({ order: 3, kind: 'report', due: { type: 'none' } })).toBe(false);
    expect(validate({ order: 3, kind: 'bao-cao', title: 'x', due: { type: 'none' } })).toBe(false);
    expect(validate({ order: 3, kind: 'report', title: 'x', due: { type: 'date', date: '10/12/2021' } })).toBe(false);
  });

  it('plan import: both forms of the preview body, and the proposal the page sends back, are described', () => {
    const preview = schemaValidator(opOf('PreviewPlanImport').requestBody?.content['application/json']?.schema ?? {});
    expect(preview({ text: 'Kế hoạch hoạt động năm học 2021 - 2022' })).toBe(true);
    expect(preview({ fileName: 'ke-hoach.docx', contentBase64: 'UEsDBA==', planId: '2021-2022' })).toBe(true);
    expect(preview({ fileName: 'ke-hoach.docx', contentBase64: 12 })).toBe(false);
    const proposal = proposeImportFromText(readFileSync(new URL('../fixtures/plan-import/ke-hoach-cum-thi-dua-so-5-2021-2022.md', import.meta.url), 'utf8'));
    const confirm = schemaValidator(opOf('ConfirmPlanImport').requestBody?.content['application/json']?.schema ?? {});
    expect(confirm(proposal), JSON.stringify(confirm.errors)).toBe(true);
    expect(confirm({ milestones: [{ ...proposal.milestones[0], kind: 'bao-cao' }] })).toBe(false);
    const answer = schemaValidator(opOf('PreviewPlanImport').responses['200']?.content?.['application/json']?.schema ?? {});
    expect(answer({ proposal }), JSON.stringify(answer.errors)).toBe(true);
    expect(Object.keys(opOf('ConfirmPlanImport').responses)).toContain('201');
    expect([opOf('PreviewPlanImport').tags, opOf('ConfirmPlanImport').tags]).toEqual([['Kế hoạch'], ['Kế hoạch']]);
  });

  it('response schemas accept what the API returns', () => {
    const validate = schemaValidator(opOf('RequestSignIn').responses['202']?.content?.['application/json']?.schema ?? {});
    expect(validate({ message: 'Nếu địa chỉ này …' })).toBe(true);
    expect(validate({})).toBe(false);
  });
});
