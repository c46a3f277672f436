/**
 * A plan's calendar feed link: issue it (to copy into Google Calendar or Outlook) and revoke every one issued so far.
 * Cluster admins and the cluster's API keys only (`write`), like a unit's link: a feed link is a standing secret handed
 * to a third party (the calendar service fetches it), so only those who can revoke it may mint it. Province viewers
 * still see the plan itself on the page.
 */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import { issueClusterFeed, revokeClusterFeed } from '../../../shared/use-cases/calendar-feeds';

type Impl = Implementations<'admin'>;

const target = (planId: string) => `plan:${planId}`;

export const calendarEndpoints = (deps: AdminDeps): Pick<Impl, 'IssueCalendarFeed' | 'RevokeCalendarFeed'> => ({
  IssueCalendarFeed: async ({ params }) => {
    const feed = await issueClusterFeed(deps, params);
    return {
      // The token is in the URL only, never in the audit entry or a log line.
      body: { url: feed.url, expiresAt: feed.expiresAt.toISOString(), planId: feed.plan.planId, feedVersion: feed.feedVersion },
      audit: {
        action: 'calendar.feed-issue',
        target: target(feed.plan.planId),
        summary: `Lấy đường link lịch của kế hoạch năm học ${feed.plan.planId} (lần cấp ${feed.feedVersion}).`,
      },
    };
  },
  RevokeCalendarFeed: async ({ params }) => {
    const revoked = await revokeClusterFeed(deps, params);
    return {
      body: { planId: revoked.plan.planId, feedVersion: revoked.feedVersion },
      audit: {
        action: 'calendar.feed-revoke',
        target: target(revoked.plan.planId),
        summary: `Thu hồi mọi đường link lịch đã cấp của kế hoạch năm học ${revoked.plan.planId}; link lấy sau đây là lần cấp ${revoked.feedVersion}.`,
      },
    };
  },
});
