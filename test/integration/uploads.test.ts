/**
 * Uploads end to end through the use cases, against the emulators: DynamoDB Local (own table), s3rver (the
 * harness bucket) and the SES emulator. The clock is a variable, so lateness is tested at ICT midnight.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoRepositories } from '../../shared/adapters/dynamodb/repositories';
import { S3FileStore, createS3Client } from '../../shared/adapters/s3/file-store';
import { SesMailer, createSesClient } from '../../shared/adapters/ses/mailer';
import { LinkExpiredError, LinkInvalidError, LinkReplacedError, UploadClosedError } from '../../shared/domain/errors';
import type { LinkKey } from '../../shared/domain/link-token';
import { MilestoneSchema } from '../../shared/domain/model';
import { parseUploadObjectKey } from '../../shared/domain/submission';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceMilestones, referencePlan } from '../../shared/reference/thanh-hoa-cum-5';
import { downloadSubmission, grantExtension } from '../../shared/use-cases/admin-submissions';
import { issueLink, revokeLinks } from '../../shared/use-cases/links';
import { createUpload, getMemberPage, getUploadState, type MemberDeps } from '../../shared/use-cases/member-uploads';
import { recordUpload, type RecordDeps } from '../../shared/use-cases/record-upload';
import { seedReferenceData } from '../../shared/use-cases/seed-reference';
import { LOCAL_CREDENTIALS } from '../../local/emulators';
import { CallCounter, freshTable } from '../support/aws';
import { mailTo as mailboxTo } from '../support/mailbox';

const stack = inject('stack');
const counter = new CallCounter();
let now = new Date('2021-11-25T09:00:00+07:00');
const clock: Clock = { now: () => new Date(now.getTime()) };
const at = (local: string) => {
  now = new Date(`${local}+07:00`);
};
const key: LinkKey = { id: 1, secret: Buffer.from('integration-test-secret-0123456789abcdef') };
// A bucket of its own: the harness stack's bucket has a recorder listening, which would race this test's calls.
const bucket = `test-uploads-${randomUUID()}`;
const s3 = createS3Client({ endpoint: stack.s3Endpoint, region: stack.region, credentials: LOCAL_CREDENTIALS });
const files = new S3FileStore(s3, { bucket, endpoint: stack.s3Endpoint });
const mailer = new SesMailer(createSesClient({ endpoint: stack.sesEndpoint }), { from: 'Cụm Thi đua <no-reply@test.local>' });
let repos: Repositories;
let member: MemberDeps;
let recorder: RecordDeps;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const CLUSTER = 'thanh-hoa-cum-5';

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const table = await freshTable(counter);
  repos = createDynamoRepositories(table.doc, table.tableName, clock);
  await seedReferenceData(repos, clock);
  // A milestone with a hard cut-off, for the cut-off and extension cases.
  const withCutoff = MilestoneSchema.parse({ ...referenceMilestones[2], milestoneId: 'bao-cao-co-khoa', order: 20, cutoffDate: '2021-12-15' });
  await repos.plans.createPlanIfAbsent({ ...referencePlan, clusterId: 'cum-co-khoa' }, []);
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { keys } = await import('../../shared/adapters/dynamodb/table');
  await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.milestone(CLUSTER, '2021-2022', withCutoff.milestoneId), ...withCutoff, entity: 'Milestone', version: 1 } }));
  member = { repos, files, linkKeys: { keys: async () => [key] }, clock, maxUploadBytes: 25 * 1024 * 1024 };
  recorder = { repos, files, mailer, clock, log: { warn: () => undefined, info: () => undefined } };
});

async function linkFor(unitId: string, milestoneId?: string): Promise<string> {
  return (await issueLink(member, { clusterId: CLUSTER, unitId, planId: '2021-2022', milestoneId }, 'http://app')).token;
}

/** Sends bytes with the presigned form, as the browser does, and returns the object key. */
async function send(form: { url: string; fields: Record<string, string>; uploadId: string }, bytes: Buffer, type = 'application/pdf'): Promise<string> {
  const body = new FormData();
  for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
  body.append('file', new Blob([bytes], { type }), 'ignored-name.pdf');
  const response = await fetch(form.url, { method: 'POST', body });
  expect(response.status).toBe(204);
  return form.fields.key ?? '';
}

const mailTo = (address: string) => mailboxTo(stack, address);

/** The audit entries a unit's uploads wrote (newest first). */
async function uploadAudit(unitId: string) {
  return (await repos.audit.list(CLUSTER, { actorType: 'unit', actor: unitId }, { limit: 50 })).entries.filter((e) => e.actor.id === unitId);
}

describe('a unit uploads its 6-month report', () => {
  const unit = 'don-vi-mau-a';
  let token: string;
  let objectKey: string;

  it('gets a presigned POST for one exact key, whose policy bounds size and type', async () => {
    token = await linkFor(unit);
    counter.reset();
    const form = await createUpload(member, token, { milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'Báo cáo sơ kết 6 tháng.pdf', contentType: 'application/pdf', size: PDF.length });
    expect(counter.calls.sort()).toEqual(['BatchGetItemCommand', 'PutItemCommand']);
    expect(form.late).toBe(false);
    const keyField = form.fields.key ?? '';
    expect(parseUploadObjectKey(keyField)).toEqual({ clusterId: CLUSTER, planId: '2021-2022', milestoneId: 'bao-cao-so-ket-6-thang', unitId: unit, uploadId: form.uploadId });
    // s3rver does not enforce the policy, so check what AWS would enforce.
    const policy = JSON.parse(Buffer.from(form.fields.Policy ?? '', 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { key: keyField },
        { bucket },
        // Bounded by the declared size (the file's exact size), itself at most the limit.
        ['content-length-range', 1, PDF.length],
        ['eq', '$Content-Type', 'application/pdf'],
      ]),
    );
    const ttl = new Date(policy.expiration).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    objectKey = await send(form, PDF);
    expect((await getUploadState(member, token, form.uploadId)).state).toBe('pending');
  });

  it('is recorded on time with size and SHA-256, and the receipt and head notice go out', async () => {
    counter.reset();
    const result = await recordUpload(recorder, { objectKey, receivedAt: clock.now() });
    expect(result.outcome).toBe('recorded');
    // PutItem x2: the submission, then its audit entry. UpdateItem x2: the receipt claimed, then marked sent.
    expect(counter.calls.sort()).toEqual(['BatchGetItemCommand', 'PutItemCommand', 'PutItemCommand', 'QueryCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(await uploadAudit(unit)).toEqual([
      expect.objectContaining({
        actor: { type: 'unit', id: unit },
        action: 'upload.recorded',
        target: 'milestone:bao-cao-so-ket-6-thang',
        summary: 'Công đoàn Trường mẫu A (đơn vị mẫu) nộp "Báo cáo sơ kết 6 tháng.pdf" cho mốc "Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022" (đúng hạn).',
      }),
    ]);
    const sha = createHash('sha256').update(PDF).digest('hex');
    expect(result.outcome === 'recorded' && result.submission).toMatchObject({ size: PDF.length, sha256: sha, late: false, outcome: 'accepted', fileName: 'Báo cáo sơ kết 6 tháng.pdf' });
    const receipts = await mailTo('don-vi-mau-a@example.com');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.subject).toContain('Biên nhận');
    expect(receipts[0]?.body.text).toContain(sha);
    expect(receipts[0]?.body.text).toContain('09:00 25/11/2021');
    expect((await mailTo('congdoan.dvtdt@gmail.com')).some((m) => m.subject.includes('Công đoàn Trường mẫu A'))).toBe(true);
  });

  it('a redelivered or concurrent event records nothing twice and sends no second receipt', async () => {
    const results = await Promise.all([1, 2, 3].map(() => recordUpload(recorder, { objectKey, receivedAt: clock.now() })));
    expect(results.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await mailTo('don-vi-mau-a@example.com')).toHaveLength(1);
    expect((await repos.uploads.listUnitItems(CLUSTER, '2021-2022', unit)).submissions).toHaveLength(1);
    expect(await uploadAudit(unit)).toHaveLength(1);
  });

  it('shows on the member page as on time, in three DynamoDB calls', async () => {
    counter.reset();
    const page = await getMemberPage(member, token);
    expect(counter.calls.sort()).toEqual(['BatchGetItemCommand', 'QueryCommand', 'QueryCommand']);
    const card = page.milestones.find((m) => m.milestoneId === 'bao-cao-so-ket-6-thang');
    expect(card).toMatchObject({ status: 'on-time', statusLabel: 'Đã nộp đúng hạn', canUpload: true });
    expect(card?.files).toEqual([expect.objectContaining({ fileName: 'Báo cáo sơ kết 6 tháng.pdf', versionNumber: 1, receivedAtLabel: '09:00 25/11/2021' })]);
    // Only milestones that ask this unit for a document are shown.
    expect(page.milestones.map((m) => m.milestoneId)).not.toContain('hoi-nghi-so-ket-hk1');
  });

  it('a re-upload adds a version; the admin downloads any version under its Vietnamese name', async () => {
    at('2021-12-12T08:00:00');
    const second = await createUpload(member, token, { milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'Báo cáo (bản sửa).pdf', contentType: 'application/pdf', size: PDF.length });
    expect(second.late).toBe(true);
    await recordUpload(recorder, { objectKey: await send(second, PDF), receivedAt: clock.now() });
    const card = (await getMemberPage(member, token)).milestones.find((m) => m.milestoneId === 'bao-cao-so-ket-6-thang');
    expect(card?.files.map((f) => [f.versionNumber, f.late])).toEqual([[2, true], [1, false]]);
    expect(card?.status).toBe('on-time');

    const first = card?.files[1]?.uploadId ?? '';
    const link = await downloadSubmission({ repos, files, clock }, { clusterId: CLUSTER, planId: '2021-2022', unitId: unit, uploadId: first });
    const response = await fetch(link.url);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PDF);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Bao cao so ket 6 thang.pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20s%C6%A1%20k%E1%BA%BFt%206%20th%C3%A1ng.pdf`,
    );
    at('2021-11-25T09:00:00');
  });
});

describe('files that fail the checks', () => {
  it('wrong magic bytes: quarantined (moved, never deleted), visible with the reason, and the unit is told', async () => {
    const token = await linkFor('don-vi-mau-b');
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
    const form = await createUpload(member, token, { milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'bao-cao.pdf', contentType: 'application/pdf', size: jpeg.length });
    const objectKey = await send(form, jpeg);
    const result = await recordUpload(recorder, { objectKey, receivedAt: clock.now() });
    expect(result.outcome).toBe('quarantined');
    expect(await files.inspect(objectKey, { headBytes: 0 })).toBeUndefined();
    const quarantined = objectKey.replace(/^uploads\//, 'quarantine/');
    expect((await files.inspect(quarantined, { headBytes: 16 }))?.size).toBe(jpeg.length);
    const card = (await getMemberPage(member, token)).milestones.find((m) => m.milestoneId === 'bao-cao-so-ket-6-thang');
    expect(card?.status).toBe('not-due');
    expect(card?.files[0]).toMatchObject({ outcome: 'quarantined', rejectReason: 'Nội dung tệp không phải PDF như đã khai báo (phát hiện: ảnh JPG).' });
    expect((await getUploadState(member, token, form.uploadId)).state).toBe('quarantined');
    const mails = await mailTo('don-vi-mau-b@example.com');
    expect(mails.map((m) => m.subject)).toEqual([expect.stringContaining('Tệp chưa được chấp nhận')]);
    // Redelivery after the move: nothing more happens.
    expect((await recordUpload(recorder, { objectKey, receivedAt: clock.now() })).outcome).toBe('duplicate');
    expect(await mailTo('don-vi-mau-b@example.com')).toHaveLength(1);
    expect(await uploadAudit('don-vi-mau-b')).toEqual([
      expect.objectContaining({
        action: 'upload.quarantined',
        summary:
          'Công đoàn Trường mẫu B (đơn vị mẫu) nộp "bao-cao.pdf" cho mốc "Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022" (đúng hạn); tệp bị cách ly: Nội dung tệp không phải PDF như đã khai báo (phát hiện: ảnh JPG).',
      }),
    ]);
  });

  it('bigger than allowed (S3 did not enforce the policy): quarantined with the limit in words', async () => {
    const small = { ...member, maxUploadBytes: 1024 };
    const token = await linkFor('don-vi-mau-c');
    await expect(createUpload(small, token, { milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'x.pdf', contentType: 'application/pdf', size: 4096 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      messageVi: 'Tệp quá lớn (4 KB); giới hạn là 1 KB.',
    });
    const form = await createUpload(small, token, { milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'x.pdf', contentType: 'application/pdf', size: 100 });
    const result = await recordUpload(recorder, { objectKey: await send(form, Buffer.concat([PDF, Buffer.alloc(4096)])), receivedAt: clock.now() });
    expect(result.outcome === 'quarantined' && result.submission.rejectReason).toMatch(/^Tệp quá lớn .*giới hạn là 1 KB\.$/);
  });

  it('an object nobody asked for is set aside and records nothing', async () => {
    const stray = `uploads/${CLUSTER}/2021-2022/bao-cao-so-ket-6-thang/don-vi-mau-c/00000000-0000-4000-8000-000000000000`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: stray, Body: PDF }));
    expect(await recordUpload(recorder, { objectKey: stray, receivedAt: clock.now() })).toEqual({ outcome: 'ignored', reason: 'no upload intent' });
    expect(await files.inspect(stray, { headBytes: 0 })).toBeUndefined();
  });
});

describe('deadlines, cut-off and extensions at ICT midnight', () => {
  const milestoneId = 'bao-cao-co-khoa';

  it('on time until 23:59:59 on the 9th, late from 00:00 on the 10th', async () => {
    const token = await linkFor('don-vi-mau-d');
    at('2021-12-09T23:59:59');
    const form = await createUpload(member, token, { milestoneId, fileName: 'a.pdf', contentType: 'application/pdf', size: PDF.length });
    const objectKey = await send(form, PDF);
    // The event arrives after midnight but S3 created the object before it: the event time decides.
    at('2021-12-10T00:00:05');
    const onTime = await recordUpload(recorder, { objectKey, receivedAt: new Date('2021-12-09T23:59:59+07:00') });
    expect(onTime.outcome === 'recorded' && onTime.submission.late).toBe(false);
    at('2021-12-10T00:00:00');
    expect((await createUpload(member, token, { milestoneId, fileName: 'b.pdf', contentType: 'application/pdf', size: 1 })).late).toBe(true);
  });

  it('refuses new uploads after the cut-off day, with a clear message', async () => {
    const token = await linkFor('cd-nghe-cong-nghiep-thanh-hoa');
    at('2021-12-15T23:59:59');
    expect((await createUpload(member, token, { milestoneId, fileName: 'a.pdf', contentType: 'application/pdf', size: 1 })).late).toBe(true);
    at('2021-12-16T00:00:00');
    await expect(createUpload(member, token, { milestoneId, fileName: 'a.pdf', contentType: 'application/pdf', size: 1 })).rejects.toThrow(UploadClosedError);
    const card = (await getMemberPage(member, token)).milestones.find((m) => m.milestoneId === milestoneId);
    expect(card).toMatchObject({ status: 'locked', statusLabel: 'Đã khóa', canUpload: false, cutoffLabel: 'Khóa nhận sau ngày 15/12/2021' });
  });

  it('an extension reopens uploads for that unit only and moves its deadline', async () => {
    at('2021-12-16T08:00:00');
    await grantExtension({ repos, clock }, { clusterId: CLUSTER, planId: '2021-2022', milestoneId, unitId: 'cd-nghe-cong-nghiep-thanh-hoa', until: '2021-12-20', reason: 'Đơn vị xin gia hạn' });
    const token = await linkFor('cd-nghe-cong-nghiep-thanh-hoa');
    const form = await createUpload(member, token, { milestoneId, fileName: 'a.pdf', contentType: 'application/pdf', size: PDF.length });
    expect(form.late).toBe(false);
    const recorded = await recordUpload(recorder, { objectKey: await send(form, PDF), receivedAt: clock.now() });
    expect(recorded.outcome === 'recorded' && recorded.submission.late).toBe(false);
    const card = (await getMemberPage(member, token)).milestones.find((m) => m.milestoneId === milestoneId);
    expect(card).toMatchObject({ status: 'on-time', extensionLabel: 'Được gia hạn đến hết ngày 20/12/2021' });
    // Another unit is still locked out.
    await expect(createUpload(member, await linkFor('don-vi-mau-a'), { milestoneId, fileName: 'a.pdf', contentType: 'application/pdf', size: 1 })).rejects.toThrow(UploadClosedError);
    at('2021-11-25T09:00:00');
  });
});

describe('links', () => {
  it('issuing a link for a given plan costs one BatchGetItem', async () => {
    counter.reset();
    await linkFor('don-vi-mau-a');
    expect(counter.calls).toEqual(['BatchGetItemCommand']);
  });

  it('forged, expired, revoked and wrongly scoped links are refused with the right error', async () => {
    const token = await linkFor('don-vi-mau-c');
    await expect(getMemberPage(member, `${token.slice(0, -2)}xx`)).rejects.toThrow(LinkInvalidError);
    at('2022-11-01T00:00:00');
    await expect(getMemberPage(member, token)).rejects.toThrow(LinkExpiredError);
    at('2021-11-25T09:00:00');
    await revokeLinks({ repos }, CLUSTER, 'don-vi-mau-c');
    await expect(getMemberPage(member, token)).rejects.toThrow(LinkReplacedError);
    const fresh = await linkFor('don-vi-mau-c');
    expect((await getMemberPage(member, fresh)).unitName).toContain('mẫu C');
    const scoped = await linkFor('don-vi-mau-c', 'bang-tu-cham-diem');
    expect((await getMemberPage(member, scoped)).milestones.map((m) => m.milestoneId)).toEqual(['bang-tu-cham-diem']);
    await expect(createUpload(member, scoped, { milestoneId: 'bao-cao-so-ket-6-thang', fileName: 'a.pdf', contentType: 'application/pdf', size: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('no file name, however strange, ever reaches the object key', async () => {
    const token = await linkFor('don-vi-mau-a');
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).filter((s) => s.trim().replace(/^.*[\\/]/, '').length > 0), async (fileName) => {
        const form = await createUpload(member, token, { milestoneId: 'bang-tu-cham-diem', fileName, contentType: 'application/pdf', size: 1 }).catch(() => undefined);
        return form === undefined || parseUploadObjectKey(form.fields.key ?? '') !== undefined;
      }),
      { numRuns: 25 },
    );
  });
});
