/**
 * Signed links for member units: issue one, revoke all of a unit's links, and resolve an incoming token into the
 * unit, plan and cluster it grants access to.
 */
import { LinkExpiredError, LinkInvalidError, LinkReplacedError, NotFoundError, ValidationError } from '../domain/errors';
import { defaultLinkExpiry, signLink, verifyLink, type LinkKey, type LinkPayload } from '../domain/link-token';
import { currentPlanOf, type Cluster, type Milestone, type Plan, type Unit } from '../domain/model';
import { requiresDocumentFrom, type Extension, type Submission, type UploadIntent } from '../domain/submission';
import type { Clock } from '../ports/clock';
import type { LinkKeyStore } from '../ports/link-keys';
import type { Repositories } from '../ports/repositories';

export interface LinkDeps {
  repos: Pick<Repositories, 'units' | 'plans' | 'uploads'>;
  linkKeys: LinkKeyStore;
  clock: Clock;
}

export interface IssuedLink {
  url: string;
  token: string;
  expiresAt: Date;
  unit: Unit;
  plan: Plan;
  milestoneId?: string;
}

/** Link path for a token, relative to the app's origin. */
export const memberPagePath = (token: string): string => `/u/${token}`;

/**
 * Issues a unit's link for a plan (default: the plan of the current school year), optionally narrowed to one
 * milestone that asks this unit for a document.
 */
export async function issueLink(
  deps: LinkDeps,
  request: { clusterId: string; unitId: string; planId?: string; milestoneId?: string },
  baseUrl: string,
): Promise<IssuedLink> {
  const planId = request.planId ?? (await currentPlanId(deps, request.clusterId));
  const ctx = await deps.repos.uploads.getLinkContext({ clusterId: request.clusterId, planId, unitId: request.unitId, milestoneId: request.milestoneId });
  if (!ctx.unit || !ctx.unit.active) throw new NotFoundError(`Không tìm thấy đơn vị "${request.unitId}" trong cụm "${request.clusterId}".`);
  if (!ctx.plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${request.clusterId}".`);
  if (request.milestoneId && (!ctx.milestone || !requiresDocumentFrom(ctx.milestone, ctx.unit))) {
    throw new ValidationError(`Mốc "${request.milestoneId}" không yêu cầu đơn vị này nộp tài liệu.`);
  }
  const [key] = await deps.linkKeys.keys();
  if (!key) throw new Error('No link signing key configured');
  return signUnitLink({ unit: ctx.unit, plan: ctx.plan, key, baseUrl, milestoneId: request.milestoneId });
}

/** Signs a unit's link for a plan it was loaded with (no I/O): used to issue links and inside reminder emails. */
export function signUnitLink(p: { unit: Unit; plan: Plan; key: LinkKey; baseUrl: string; milestoneId?: string }): IssuedLink {
  const expiresAt = defaultLinkExpiry(p.plan);
  const payload: LinkPayload = {
    k: p.key.id,
    c: p.unit.clusterId,
    p: p.plan.planId,
    u: p.unit.unitId,
    ...(p.milestoneId ? { m: p.milestoneId } : {}),
    e: Math.floor(expiresAt.getTime() / 1000),
    v: p.unit.linkVersion,
  };
  const token = signLink(payload, p.key);
  return { url: `${p.baseUrl.replace(/\/$/, '')}${memberPagePath(token)}`, token, expiresAt, unit: p.unit, plan: p.plan, milestoneId: p.milestoneId };
}

async function currentPlanId(deps: LinkDeps, clusterId: string): Promise<string> {
  const plan = currentPlanOf(await deps.repos.plans.listPlans(clusterId), deps.clock.now());
  if (!plan) throw new NotFoundError(`Cụm "${clusterId}" chưa có kế hoạch nào.`);
  return plan.planId;
}

/** Revokes every link of a unit: older links then get "link đã được thay thế". */
export async function revokeLinks(deps: Pick<LinkDeps, 'repos'>, clusterId: string, unitId: string): Promise<{ linkVersion: number }> {
  return { linkVersion: await deps.repos.units.bumpLinkVersion(clusterId, unitId) };
}

export interface ResolvedLink {
  payload: LinkPayload;
  cluster: Cluster;
  unit: Unit;
  plan: Plan;
  milestone?: Milestone;
  extension?: Extension;
  intent?: UploadIntent;
  submission?: Submission;
}

const INVALID = 'Đường link không đúng hoặc không còn tồn tại.';

/**
 * Checks a token and loads what it grants, in one read (plus whatever milestone or upload the request names).
 * Forged, malformed or dangling links are all "invalid" with no detail; a revoked link is "replaced"; an old one
 * "expired".
 */
export async function resolveLink(deps: LinkDeps, token: string, extra: { milestoneId?: string; uploadId?: string } = {}): Promise<ResolvedLink> {
  const verified = verifyLink(token, await deps.linkKeys.keys());
  if (!verified.ok) throw new LinkInvalidError(INVALID);
  const payload = verified.payload;
  if (payload.e * 1000 <= deps.clock.now().getTime()) throw new LinkExpiredError('Đường link đã hết hạn.');
  const ctx = await deps.repos.uploads.getLinkContext({ clusterId: payload.c, planId: payload.p, unitId: payload.u, ...extra });
  if (!ctx.cluster || !ctx.plan || !ctx.unit || !ctx.unit.active) throw new LinkInvalidError(INVALID);
  if (ctx.unit.linkVersion !== payload.v) throw new LinkReplacedError('Đường link đã được thay thế bằng một đường link mới.');
  return { payload, ...ctx, cluster: ctx.cluster, plan: ctx.plan, unit: ctx.unit };
}
