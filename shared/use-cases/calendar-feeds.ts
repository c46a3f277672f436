/**
 * Calendar feeds (shared/domain/calendar.ts) behind their links:
 * - a unit's feed, through its own signed member link (`/u/{token}/calendar.ics`): same checks as its page (forged,
 *   revoked, expired), same scope (a link narrowed to one milestone shows that milestone only);
 * - a cluster's feed for its admins (`/cal/{token}/calendar.ics`). Calendar apps fetch feeds from their own servers,
 *   without the admin's cookie, so the feed needs a secret URL: a signed link of the same machinery as the member
 *   links (shared/domain/link-token.ts), signed with keys DERIVED for this purpose only (HMAC of the link key with
 *   {@link FEED_KEY_PURPOSE}). A feed token therefore fails every member route (wrong MAC) and a member token fails
 *   the feed route; neither is a session or an API key, so a feed link grants no upload and no admin access. Its
 *   payload names the cluster and plan, `u` is the fixed {@link CLUSTER_FEED_MARKER}, `v` the plan's feed version:
 *   revoking bumps it (CalendarFeedStore), which stops every feed link issued before. It expires with the plan's
 *   member links (the school year plus the grace period).
 */
import { createHmac } from 'node:crypto';
import { renderCalendar } from '../domain/calendar';
import { LinkExpiredError, LinkInvalidError, LinkReplacedError, NotFoundError } from '../domain/errors';
import { defaultLinkExpiry, signLink, verifyLink, type LinkKey, type LinkPayload } from '../domain/link-token';
import type { Plan } from '../domain/model';
import type { Repositories } from '../ports/repositories';
import { memberPagePath, resolveLink, type LinkDeps } from './links';

/** Domain separation of the feed keys from the member link keys. */
export const FEED_KEY_PURPOSE = 'cum-thi-dua/calendar-feed/v1';
/** The payload's unit field in a cluster feed token: the whole cluster ("toàn cụm"), not a unit. */
export const CLUSTER_FEED_MARKER = 'toan-cum';

export interface UnitCalendarDeps extends LinkDeps {
  /** The app's origin: the unit's page link written in each event. */
  baseUrl: string;
}

export interface ClusterCalendarDeps extends LinkDeps {
  /** With the feed version store: a cluster feed link carries its plan's current version. */
  repos: LinkDeps['repos'] & Pick<Repositories, 'calendarFeeds'>;
  baseUrl: string;
}

/** A feed as served: the VCALENDAR text and a file name for Content-Disposition. */
export interface CalendarFile {
  body: string;
  fileName: string;
}

export interface IssuedFeed {
  url: string;
  expiresAt: Date;
  plan: Plan;
  feedVersion: number;
}

const origin = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

/** The unit feed's path for a member link token. */
export const unitCalendarPath = (token: string): string => `${memberPagePath(token)}/calendar.ics`;
/** The cluster feed's path for a feed token. */
export const clusterCalendarPath = (token: string): string => `/cal/${token}/calendar.ics`;

const fileName = (...parts: string[]): string => `lich-${parts.join('-')}.ics`;

/** GET /u/{token}/calendar.ics: three reads, as the page (link context, milestones, the unit's extensions). */
export async function getUnitCalendar(deps: UnitCalendarDeps, token: string): Promise<CalendarFile> {
  const link = await resolveLink(deps, token);
  const { plan, unit, cluster } = link;
  const [milestones, items] = await Promise.all([
    deps.repos.plans.listMilestones(plan.clusterId, plan.planId),
    deps.repos.uploads.listUnitItems(plan.clusterId, plan.planId, unit.unitId),
  ]);
  const body = renderCalendar({
    cluster,
    plan,
    milestones: link.payload.m ? milestones.filter((m) => m.milestoneId === link.payload.m) : milestones,
    now: deps.clock.now(),
    forUnit: { unit, extensions: items.extensions, pageUrl: `${origin(deps.baseUrl)}${memberPagePath(token)}` },
  });
  return { body, fileName: fileName(cluster.clusterId, plan.planId, unit.unitId) };
}

/** The link keys, derived for feeds: same ids (so rotation works alike), different secrets. */
export function feedKeysOf(keys: readonly LinkKey[]): LinkKey[] {
  return keys.map((k) => ({ id: k.id, secret: createHmac('sha256', k.secret).update(FEED_KEY_PURPOSE, 'utf8').digest() }));
}

async function existingPlan(deps: Pick<LinkDeps, 'repos'>, clusterId: string, planId: string): Promise<Plan> {
  const plan = await deps.repos.plans.getPlan(clusterId, planId);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  return plan;
}

/** Issues the plan's feed link (the same URL until the next revocation: the token is deterministic). */
export async function issueClusterFeed(deps: ClusterCalendarDeps, request: { clusterId: string; planId: string }): Promise<IssuedFeed> {
  const [plan, feedVersion, keys] = await Promise.all([
    existingPlan(deps, request.clusterId, request.planId),
    deps.repos.calendarFeeds.currentVersion(request.clusterId, request.planId),
    deps.linkKeys.keys(),
  ]);
  const [key] = feedKeysOf(keys);
  if (!key) throw new Error('No link signing key configured');
  const expiresAt = defaultLinkExpiry(plan);
  const payload: LinkPayload = {
    k: key.id,
    c: plan.clusterId,
    p: plan.planId,
    u: CLUSTER_FEED_MARKER,
    e: Math.floor(expiresAt.getTime() / 1000),
    v: feedVersion,
  };
  return { url: `${origin(deps.baseUrl)}${clusterCalendarPath(signLink(payload, key))}`, expiresAt, plan, feedVersion };
}

/** Revokes every feed link of the plan issued so far; a new one is issued on request. */
export async function revokeClusterFeed(deps: ClusterCalendarDeps, request: { clusterId: string; planId: string }): Promise<{ plan: Plan; feedVersion: number }> {
  const plan = await existingPlan(deps, request.clusterId, request.planId);
  return { plan, feedVersion: await deps.repos.calendarFeeds.bumpVersion(plan.clusterId, plan.planId) };
}

const INVALID_FEED = 'Đường link lịch không đúng hoặc không còn tồn tại.';

/**
 * GET /cal/{token}/calendar.ics: checks the token (form, feed signature, expiry) and its version (one read) before
 * loading anything, then three reads in parallel: the link context (cluster and plan in one BatchGetItem, as for a
 * member link; the marker names no unit), the milestones and the units.
 */
export async function getClusterCalendar(deps: ClusterCalendarDeps, token: string): Promise<CalendarFile> {
  const verified = verifyLink(token, feedKeysOf(await deps.linkKeys.keys()));
  if (!verified.ok || verified.payload.u !== CLUSTER_FEED_MARKER || verified.payload.m) throw new LinkInvalidError(INVALID_FEED);
  const { c: clusterId, p: planId, e, v } = verified.payload;
  if (e * 1000 <= deps.clock.now().getTime()) throw new LinkExpiredError('Đường link lịch đã hết hạn. Vui lòng lấy đường link mới trên trang quản trị.');
  if ((await deps.repos.calendarFeeds.currentVersion(clusterId, planId)) !== v) {
    throw new LinkReplacedError('Đường link lịch đã bị thu hồi. Vui lòng lấy đường link mới trên trang quản trị.');
  }
  const [{ cluster, plan }, milestones, units] = await Promise.all([
    deps.repos.uploads.getLinkContext({ clusterId, planId, unitId: CLUSTER_FEED_MARKER }),
    deps.repos.plans.listMilestones(clusterId, planId),
    deps.repos.units.list(clusterId),
  ]);
  if (!cluster || !plan) throw new LinkInvalidError(INVALID_FEED);
  const body = renderCalendar({ cluster, plan, milestones, units, now: deps.clock.now(), adminUrl: `${origin(deps.baseUrl)}/admin` });
  return { body, fileName: fileName(cluster.clusterId, plan.planId) };
}
