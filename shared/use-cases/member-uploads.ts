/**
 * What a member unit does through its link: see its page, ask for an upload form, and follow an upload until the
 * recorder has checked it. No file bytes pass through here: the browser sends them straight to S3.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { isCorrelationId } from '../domain/correlation';
import { describeDue } from '../domain/deadlines';
import { ForbiddenError, UploadClosedError, ValidationError } from '../domain/errors';
import { MILESTONE_KIND_LABELS, MilestoneIdSchema, RECIPIENT_LABELS, UNIT_ROLE_LABELS, byOrder, type Milestone, type Plan, type Unit } from '../domain/model';
import {
  ALLOWED_FILE_TYPES,
  AllowedFileTypeSchema,
  FileNameSchema,
  UPLOAD_FORM_TTL_SECONDS,
  effectiveDeadline,
  formatBytesVi,
  requiresDocumentFrom,
  unitMilestoneStatus,
  uploadObjectKey,
  uploadWindow,
  UNIT_STATUS_LABELS,
  type Extension,
  type Submission,
} from '../domain/submission';
import { formatDateVi, formatInstantVi, ictDateOf } from '../domain/time';
import type { FileStore } from '../ports/files';
import type { MemberMilestoneView, MemberPageView } from '../views/member-page-model';
import { resolveLink, type LinkDeps } from './links';

export interface MemberDeps extends LinkDeps {
  files: FileStore;
  maxUploadBytes: number;
}

const ACCEPTED_TYPES_LABEL = 'PDF, Word, Excel, OpenDocument, JPG, PNG';

/** The milestones a link shows: those asking this unit for a document (only the scoped one for a narrowed link). */
function linkMilestones(milestones: Milestone[], unit: Unit, scope: string | undefined): Milestone[] {
  return milestones.filter((m) => requiresDocumentFrom(m, unit) && (!scope || m.milestoneId === scope)).sort(byOrder);
}

function milestoneView(
  m: Milestone,
  plan: Plan,
  submissions: Submission[],
  extension: Extension | undefined,
  now: Date,
  selfScoreMilestoneId: string | undefined,
): MemberMilestoneView {
  const effective = effectiveDeadline(m, plan, extension);
  const mine = submissions.filter((s) => s.milestoneId === m.milestoneId).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const accepted = mine.filter((s) => s.outcome === 'accepted');
  const window = uploadWindow(effective, now);
  const status = unitMilestoneStatus(effective, accepted, now);
  return {
    milestoneId: m.milestoneId,
    title: m.title,
    kindLabel: MILESTONE_KIND_LABELS[m.kind],
    documentTitle: m.document?.title ?? m.title,
    recipientsLabel: (m.document?.recipients ?? []).map((r) => RECIPIENT_LABELS[r]).join(', '),
    dueLabel: describeDue(m, plan),
    ...(effective.extendedTo ? { extensionLabel: `Được gia hạn đến hết ngày ${formatDateVi(effective.extendedTo)}` } : {}),
    ...(effective.cutoffAt ? { cutoffLabel: `Khóa nhận sau ngày ${formatDateVi(ictDateOf(new Date(effective.cutoffAt.getTime() - 1)))}` } : {}),
    status,
    statusLabel: UNIT_STATUS_LABELS[status],
    canUpload: window.open,
    ...(window.open ? {} : { closedReason: 'Đã hết thời hạn nhận tài liệu cho mốc này. Vui lòng liên hệ đơn vị Cụm trưởng nếu cần gia hạn.' }),
    uploadWouldBeLate: window.open && window.late,
    files: mine
      .map((s, index) => ({
        uploadId: s.uploadId,
        fileName: s.fileName,
        sizeLabel: formatBytesVi(s.size),
        receivedAtLabel: formatInstantVi(new Date(s.receivedAt)),
        late: s.late,
        outcome: s.outcome,
        ...(s.rejectReason ? { rejectReason: s.rejectReason } : {}),
        sha256: s.sha256,
        versionNumber: index + 1,
      }))
      .reverse(),
    ...(m.milestoneId === selfScoreMilestoneId ? { opensSelfScore: true } : {}),
  };
}

/** GET /u/{token}: three DynamoDB calls (link context, milestones, the unit's items). */
export async function getMemberPage(deps: MemberDeps, token: string): Promise<MemberPageView> {
  const link = await resolveLink(deps, token);
  const [milestones, items] = await Promise.all([
    deps.repos.plans.listMilestones(link.plan.clusterId, link.plan.planId),
    deps.repos.uploads.listUnitItems(link.plan.clusterId, link.plan.planId, link.unit.unitId),
  ]);
  const now = deps.clock.now();
  const extensionOf = (id: string) => items.extensions.find((e) => e.milestoneId === id);
  const types = Object.keys(ALLOWED_FILE_TYPES);
  // The self-score form works on the plan's first self-score milestone (shared/use-cases/scoring.ts).
  const selfScoreMilestoneId = milestones.filter((m) => m.kind === 'self-score').sort(byOrder)[0]?.milestoneId;
  return {
    clusterName: link.cluster.name,
    provinceName: link.cluster.province.name,
    unitName: link.unit.name,
    unitRoleLabel: UNIT_ROLE_LABELS[link.unit.role],
    unitIsSample: link.unit.isSample,
    planTitle: link.plan.title,
    ...(link.plan.contact ? { contact: link.plan.contact } : {}),
    scopedToMilestone: !!link.payload.m,
    milestones: linkMilestones(milestones, link.unit, link.payload.m).map((m) =>
      milestoneView(m, link.plan, items.submissions, extensionOf(m.milestoneId), now, selfScoreMilestoneId),
    ),
    generatedAtLabel: `Cập nhật lúc ${formatInstantVi(now)}`,
    maxUploadLabel: formatBytesVi(deps.maxUploadBytes),
    maxUploadBytes: deps.maxUploadBytes,
    acceptedTypes: types,
    acceptAttribute: Object.values(ALLOWED_FILE_TYPES)
      .flatMap((t) => t.extensions.map((e) => `.${e}`))
      .concat(types)
      .join(','),
    acceptedTypesLabel: ACCEPTED_TYPES_LABEL,
  };
}

export const CreateUploadBodySchema = z.object({
  milestoneId: MilestoneIdSchema,
  fileName: FileNameSchema,
  contentType: AllowedFileTypeSchema,
  size: z.number({ message: 'Thiếu kích thước tệp' }).int().min(1, 'Tệp rỗng (0 byte), vui lòng chọn tệp khác'),
});
export type CreateUploadBody = z.infer<typeof CreateUploadBodySchema>;

export interface CreatedUpload {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
  /** The upload will be recorded as late. */
  late: boolean;
}

/**
 * POST /u/{token}/uploads: checks the request against the plan and issues a presigned POST for one exact key. The
 * request's correlation id is kept on the intent, so the recorder's logs and the receipt carry it.
 */
export async function createUpload(
  deps: MemberDeps,
  token: string,
  body: CreateUploadBody,
  options: { correlationId?: string } = {},
): Promise<CreatedUpload> {
  const link = await resolveLink(deps, token, { milestoneId: body.milestoneId });
  if (link.payload.m && link.payload.m !== body.milestoneId) {
    throw new ForbiddenError('Đường link này chỉ dùng để nộp tài liệu cho một mốc khác.');
  }
  if (!link.milestone || !requiresDocumentFrom(link.milestone, link.unit)) {
    throw new ValidationError('Mốc này không yêu cầu đơn vị nộp tài liệu.');
  }
  if (body.size > deps.maxUploadBytes) {
    throw new ValidationError(`Tệp quá lớn (${formatBytesVi(body.size)}); giới hạn là ${formatBytesVi(deps.maxUploadBytes)}.`);
  }
  const now = deps.clock.now();
  const window = uploadWindow(effectiveDeadline(link.milestone, link.plan, link.extension), now);
  if (!window.open) {
    throw new UploadClosedError('Đã hết thời hạn nhận tài liệu cho mốc này. Vui lòng liên hệ đơn vị Cụm trưởng nếu cần gia hạn.');
  }
  const uploadId = randomUUID();
  const ref = { clusterId: link.plan.clusterId, planId: link.plan.planId, milestoneId: body.milestoneId, unitId: link.unit.unitId, uploadId };
  const objectKey = uploadObjectKey(ref);
  await deps.repos.uploads.putIntent(
    {
      ...ref,
      objectKey,
      fileName: body.fileName,
      contentType: body.contentType,
      maxBytes: deps.maxUploadBytes,
      createdAt: now.toISOString(),
      lateAtIssue: window.late,
      ...(isCorrelationId(options.correlationId) ? { correlationId: options.correlationId } : {}),
    },
    // Long enough for the form to be used and the object-created event to arrive, even delayed.
    24 * 3600,
  );
  const form = await deps.files.presignUpload(objectKey, {
    contentType: body.contentType,
    // S3 refuses a file larger than the page declared (its exact size), not only one over the limit: a form cannot
    // be reused to store more than what was asked for.
    maxBytes: body.size,
    expiresInSeconds: UPLOAD_FORM_TTL_SECONDS,
  });
  return { uploadId, ...form, expiresAt: new Date(now.getTime() + UPLOAD_FORM_TTL_SECONDS * 1000).toISOString(), late: window.late };
}

export interface UploadState {
  state: 'pending' | 'accepted' | 'quarantined';
  late?: boolean;
  rejectReason?: string;
}

/** GET /u/{token}/uploads/{uploadId}: whether the recorder has checked the file yet. */
export async function getUploadState(deps: MemberDeps, token: string, uploadId: string): Promise<UploadState> {
  const link = await resolveLink(deps, token, { uploadId });
  if (link.submission) {
    return { state: link.submission.outcome, late: link.submission.late, ...(link.submission.rejectReason ? { rejectReason: link.submission.rejectReason } : {}) };
  }
  if (link.intent) return { state: 'pending' };
  throw new ValidationError('Không tìm thấy lượt tải lên này.');
}
