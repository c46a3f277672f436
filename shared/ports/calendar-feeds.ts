/**
 * The revocation state of a cluster's calendar feed links: one version per plan. A feed link carries the version it
 * was issued under; revoking bumps the version, so every link issued before stops working (as a unit's `linkVersion`
 * does for its member links).
 */
export interface CalendarFeedStore {
  /** The current version of a plan's feed links (1 when never revoked). */
  currentVersion(clusterId: string, planId: string): Promise<number>;
  /** Revokes every feed link of the plan issued so far: returns the new version. */
  bumpVersion(clusterId: string, planId: string): Promise<number>;
}
