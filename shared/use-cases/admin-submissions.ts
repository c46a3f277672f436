/**
 * What the cluster head does with submissions: list them, download any version, grant an extension.
 */
import { NotFoundError, ValidationError } from '../domain/errors';
import { requiresDocumentFrom, type Extension, type Submission } from '../domain/submission';
import type { LocalDate } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { FileStore } from '../ports/files';
import type { Repositories } from '../ports/repositories';
import { attachmentDisposition } from '../http/content-disposition';

type Repos = Pick<Repositories, 'plans' | 'units' | 'uploads'>;

/** How long a download link works. */
export const DOWNLOAD_TTL_SECONDS = 5 * 60;

/** Every version of every submission of a plan, newest first. */
export async function listSubmissions(repos: Repos, clusterId: string, planId: string): Promise<Submission[]> {
  const [plan, submissions] = await Promise.all([repos.plans.getPlan(clusterId, planId), repos.uploads.listPlanSubmissions(clusterId, planId)]);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  return submissions.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
}

export interface DownloadLink {
  url: string;
  fileName: string;
  expiresAt: string;
}

/** A short-lived link that downloads one stored version under the unit's original (Vietnamese) file name. */
export async function downloadSubmission(
  deps: { repos: Repos; files: FileStore; clock: Clock },
  ref: { clusterId: string; planId: string; unitId: string; uploadId: string },
): Promise<DownloadLink> {
  const submission = await deps.repos.uploads.getSubmission(ref.clusterId, ref.planId, ref.unitId, ref.uploadId);
  if (!submission) throw new NotFoundError('Không tìm thấy tài liệu này.');
  const url = await deps.files.presignDownload(submission.objectKey, {
    contentDisposition: attachmentDisposition(submission.fileName),
    expiresInSeconds: DOWNLOAD_TTL_SECONDS,
  });
  return { url, fileName: submission.fileName, expiresAt: new Date(deps.clock.now().getTime() + DOWNLOAD_TTL_SECONDS * 1000).toISOString() };
}

/** Gia hạn: lets one unit send one milestone's document until the end of `until` (replaces an earlier extension). */
export async function grantExtension(
  deps: { repos: Repos; clock: Clock },
  request: { clusterId: string; planId: string; milestoneId: string; unitId: string; until: LocalDate; reason?: string },
): Promise<Extension> {
  const [unit, milestones] = await Promise.all([
    deps.repos.units.get(request.clusterId, request.unitId),
    deps.repos.plans.listMilestones(request.clusterId, request.planId),
  ]);
  const milestone = milestones.find((m) => m.milestoneId === request.milestoneId);
  if (!unit) throw new NotFoundError(`Không tìm thấy đơn vị "${request.unitId}".`);
  if (!milestone) throw new NotFoundError(`Không tìm thấy mốc "${request.milestoneId}" trong kế hoạch ${request.planId}.`);
  if (!requiresDocumentFrom(milestone, unit)) throw new ValidationError('Mốc này không yêu cầu đơn vị nộp tài liệu, không cần gia hạn.');
  const extension: Extension = {
    ...request,
    ...(request.reason ? { reason: request.reason } : {}),
    grantedAt: deps.clock.now().toISOString(),
  };
  await deps.repos.uploads.putExtension(extension);
  return extension;
}
