/**
 * Writing units from the admin page: add or edit a unit, keeping the admin grants of the Cụm trưởng and Cụm phó
 * addresses in step with it; and a unit's upload link (issue, email, revoke and reissue).
 */
import { CLUSTER_TAG } from '../domain/bounces';
import { correlationTags } from '../domain/correlation';
import { describeDue } from '../domain/deadlines';
import { ConflictError, NotFoundError } from '../domain/errors';
import { UNIT_ROLE_LABELS, type Milestone, type Plan, type Unit } from '../domain/model';
import { effectiveDeadline, requiresDocumentFrom, unitMilestoneStatus, type Extension, type Submission } from '../domain/submission';
import { formatDateVi, ictDateOf } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { LinkKeyStore } from '../ports/link-keys';
import type { Mailer } from '../ports/mailer';
import type { Repositories } from '../ports/repositories';
import { renderUnitLinkEmail } from '../views/link-email';
import { issueLink, revokeLinks, type IssuedLink } from './links';
import { clip } from './plans';

/** Roles whose registered addresses may sign in to the admin page of their cluster. */
export const ADMIN_ROLES: ReadonlySet<Unit['role']> = new Set(['cum-truong', 'cum-pho']);

/** The addresses of a unit that are cluster admins: those of an active Cụm trưởng or Cụm phó unit. */
export const adminEmailsOf = (unit: Unit): string[] => (unit.active && ADMIN_ROLES.has(unit.role) ? [...unit.emails] : []);

/** What the admin edits of a unit (identity, link version and sample flag are not editable). */
export type UnitFields = Pick<Unit, 'name' | 'role' | 'emails' | 'contactName' | 'active'>;

export interface UnitDeps {
  repos: Pick<Repositories, 'units' | 'auth'>;
}

/** A unit's fields as stored: the same address typed twice is kept once. */
function withFields(base: Pick<Unit, 'clusterId' | 'unitId' | 'isSample' | 'linkVersion'>, fields: UnitFields): Unit {
  return {
    clusterId: base.clusterId,
    unitId: base.unitId,
    isSample: base.isSample,
    linkVersion: base.linkVersion,
    name: fields.name,
    role: fields.role,
    emails: [...new Set(fields.emails)],
    ...(fields.contactName !== undefined ? { contactName: fields.contactName } : {}),
    active: fields.active,
  };
}

/** Adds a unit (conflict if its id is taken) and lets its addresses sign in if it is a Cụm trưởng or Cụm phó. */
export async function createUnit(deps: UnitDeps, clusterId: string, input: UnitFields & { unitId: string }): Promise<Unit> {
  const unit = withFields({ clusterId, unitId: input.unitId, isSample: false, linkVersion: 1 }, input);
  if ((await deps.repos.units.createIfAbsent(unit)) === 'exists') {
    throw new ConflictError(`Mã đơn vị "${unit.unitId}" đã được dùng trong cụm này. Hãy chọn mã khác hoặc sửa đơn vị đã có.`);
  }
  await deps.repos.auth.syncUnitGrants(clusterId, unit.unitId, adminEmailsOf(unit));
  return unit;
}

/**
 * Whether saving `after` in place of `before` would leave the cluster with no address that can sign in to the admin
 * page: `before` gave admin access, `after` does not, and no other unit does.
 */
export function wouldLockOutAdmins(units: readonly Unit[], before: Unit, after: Unit): boolean {
  if (adminEmailsOf(before).length === 0 || adminEmailsOf(after).length > 0) return false;
  return !units.some((u) => u.unitId !== before.unitId && adminEmailsOf(u).length > 0);
}

/**
 * Edits a unit and re-syncs its admin grants, so an address removed, a role changed to thành viên or a unit made
 * inactive loses admin access at once. Refuses an edit that would leave the cluster without any admin (nobody
 * could sign in to undo it). One Query, one conditional Update, then the grant sync (one Query, one transaction
 * if the admin addresses changed).
 */
export async function updateUnit(deps: UnitDeps, clusterId: string, unitId: string, fields: UnitFields): Promise<{ unit: Unit; before: Unit }> {
  const units = await deps.repos.units.listVersioned(clusterId);
  const current = units.find((u) => u.unit.unitId === unitId);
  if (!current) throw new NotFoundError(`Không tìm thấy đơn vị "${unitId}" trong cụm "${clusterId}".`);
  const before = current.unit;
  const wanted = withFields(before, fields);
  if (
    wouldLockOutAdmins(
      units.map((u) => u.unit),
      before,
      wanted,
    )
  ) {
    throw new ConflictError(
      `Không lưu được: "${before.name}" là đơn vị Cụm trưởng/Cụm phó cuối cùng còn hoạt động; nếu đổi vai trò hoặc ngừng hoạt động, cụm sẽ không còn ai đăng nhập được trang quản trị. Hãy giao vai trò Cụm trưởng hoặc Cụm phó cho một đơn vị khác trước.`,
    );
  }
  const unit = await deps.repos.units.update(wanted, current.version);
  await deps.repos.auth.syncUnitGrants(clusterId, unitId, adminEmailsOf(unit));
  return { unit, before };
}

/** What an edit changed, one short Vietnamese phrase per field, for the audit entry. */
export function unitChanges(before: Unit, after: Unit): string[] {
  const out: string[] = [];
  if (before.name !== after.name) out.push(`tên "${clip(before.name, 80)}" → "${clip(after.name, 80)}"`);
  if (before.role !== after.role) out.push(`vai trò ${UNIT_ROLE_LABELS[before.role]} → ${UNIT_ROLE_LABELS[after.role]}`);
  const added = after.emails.filter((e) => !before.emails.includes(e));
  const removed = before.emails.filter((e) => !after.emails.includes(e));
  if (added.length > 0) out.push(`thêm email ${added.join(', ')}`);
  if (removed.length > 0) out.push(`bỏ email ${removed.join(', ')}`);
  if (before.contactName !== after.contactName) out.push('sửa người liên hệ');
  if (before.active !== after.active) out.push(after.active ? 'hoạt động trở lại' : 'ngừng hoạt động');
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Links

export interface UnitLinkDeps {
  repos: Pick<Repositories, 'units' | 'plans' | 'uploads'>;
  linkKeys: LinkKeyStore;
  clock: Clock;
  baseUrl: string;
}

export interface UnitLinkRequest {
  clusterId: string;
  unitId: string;
  /** Default: the plan of the current school year. */
  planId?: string;
  /** The request's correlation id, tagged on the email. */
  correlationId?: string;
}

/** The last ICT day on which a link expiring at `expiresAt` still works. */
export const linkValidThrough = (expiresAt: Date): string => ictDateOf(new Date(expiresAt.getTime() - 1));

const inactiveUnitError = (unit: Unit): ConflictError =>
  new ConflictError(`Đơn vị "${unit.name}" đang ngừng hoạt động nên không được cấp đường link. Hãy bật lại đơn vị trước.`);

/** A unit that exists but is inactive gets a clear refusal rather than "not found" (one more read, on failure only). */
async function explainRefusal(deps: Pick<UnitLinkDeps, 'repos'>, request: UnitLinkRequest, error: unknown): Promise<never> {
  if (error instanceof NotFoundError) {
    const unit = await deps.repos.units.get(request.clusterId, request.unitId);
    if (unit && !unit.active) throw inactiveUnitError(unit);
  }
  throw error;
}

/** The unit's link for a plan, to copy. */
export async function issueUnitLink(deps: UnitLinkDeps, request: UnitLinkRequest): Promise<IssuedLink> {
  try {
    return await issueLink(deps, request, deps.baseUrl);
  } catch (error) {
    return explainRefusal(deps, request, error);
  }
}

/** Revokes every link the unit was given (they then answer "đã được thay thế") and issues a new one. */
export async function reissueUnitLink(deps: UnitLinkDeps, request: UnitLinkRequest): Promise<IssuedLink> {
  // Checked first so an inactive or unknown unit is refused before anything changes.
  const unit = await deps.repos.units.get(request.clusterId, request.unitId);
  if (!unit) throw new NotFoundError(`Không tìm thấy đơn vị "${request.unitId}" trong cụm "${request.clusterId}".`);
  if (!unit.active) throw inactiveUnitError(unit);
  await revokeLinks(deps, request.clusterId, request.unitId);
  return issueUnitLink(deps, request);
}

export interface EmailLinkDeps extends UnitLinkDeps {
  repos: Pick<Repositories, 'clusters' | 'units' | 'plans' | 'uploads'>;
  mailer: Mailer;
}

/** At most this many upcoming documents are listed in the email. */
const UPCOMING_LIMIT = 5;

/**
 * The documents a unit still owes in a plan, in plan order: asked of it, nothing accepted yet, uploads still open
 * (not yet due, overdue but before any cut-off, or not yet dated). Extensions count.
 */
export function upcomingDocuments(
  p: { plan: Plan; milestones: readonly Milestone[]; unit: Unit; submissions: readonly Submission[]; extensions: readonly Extension[]; now: Date },
  limit = UPCOMING_LIMIT,
): Array<{ title: string; dueLabel: string }> {
  const out: Array<{ title: string; dueLabel: string }> = [];
  for (const m of p.milestones) {
    if (out.length >= limit) break;
    if (!m.document || !requiresDocumentFrom(m, p.unit)) continue;
    const extension = p.extensions.find((e) => e.milestoneId === m.milestoneId);
    const effective = effectiveDeadline(m, p.plan, extension);
    const accepted = p.submissions.filter((s) => s.milestoneId === m.milestoneId && s.outcome === 'accepted');
    const status = unitMilestoneStatus(effective, accepted, p.now);
    if (status !== 'not-due' && status !== 'missing' && status !== 'open') continue;
    const due = effective.extendedTo ? `được gia hạn đến hết ngày ${formatDateVi(effective.extendedTo)}` : describeDue(m, p.plan);
    out.push({ title: m.document.title, dueLabel: status === 'missing' ? `${due}, đã quá hạn (vẫn nhận nộp muộn)` : due });
  }
  return out;
}

/**
 * Emails the unit's link to every address of the unit, with the plan, how long the link works and what is due next.
 * Tagged with the cluster so a bounce is recorded against it.
 */
export async function emailUnitLink(deps: EmailLinkDeps, request: UnitLinkRequest): Promise<{ link: IssuedLink; sentTo: string[] }> {
  const link = await issueUnitLink(deps, request);
  const { unit, plan } = link;
  const [cluster, milestones, items] = await Promise.all([
    deps.repos.clusters.get(unit.clusterId),
    deps.repos.plans.listMilestones(unit.clusterId, plan.planId),
    deps.repos.uploads.listUnitItems(unit.clusterId, plan.planId, unit.unitId),
  ]);
  if (!cluster) throw new NotFoundError(`Không tìm thấy cụm thi đua "${unit.clusterId}".`);
  const rendered = renderUnitLinkEmail({
    clusterName: cluster.name,
    unitName: unit.name,
    planTitle: plan.title,
    url: link.url,
    validThroughLabel: formatDateVi(linkValidThrough(link.expiresAt)),
    upcoming: upcomingDocuments({ plan, milestones, unit, submissions: items.submissions, extensions: items.extensions, now: deps.clock.now() }),
    ...(plan.contact ? { contact: plan.contact } : {}),
  });
  const sentTo = [...unit.emails];
  await deps.mailer.send({
    to: sentTo,
    ...rendered,
    tags: { kind: 'unit-link', [CLUSTER_TAG]: unit.clusterId, ...correlationTags(request.correlationId) },
    ...(plan.contact?.email ? { replyTo: [plan.contact.email] } : {}),
  });
  return { link, sentTo };
}
