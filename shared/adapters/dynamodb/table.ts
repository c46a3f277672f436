/**
 * The single table's shape, shared by the CDK app, the local stack and the repositories so they cannot drift.
 * Access patterns: docs/data-model.md.
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Sparse index for listings that cross partitions (every cluster of the deployment, by province). */
  gsi1: { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  /** Epoch seconds; DynamoDB TTL deletes in AWS, and read paths filter on it too (DynamoDB Local never deletes). */
  ttlAttribute: 'expiresAt',
} as const;

/** Key builders: every primary key starts with the cluster. */
export const keys = {
  cluster: (clusterId: string) => ({ PK: `CLUSTER#${clusterId}`, SK: 'CLUSTER' }),
  /** GSI1 entry listing a cluster among all clusters of the deployment, grouped by province. */
  clusterIndex: (provinceId: string, clusterId: string) => ({
    GSI1PK: 'CLUSTERS',
    GSI1SK: `PROVINCE#${provinceId}#CLUSTER#${clusterId}`,
  }),
  clustersPartition: 'CLUSTERS',
  unit: (clusterId: string, unitId: string) => ({ PK: `CLUSTER#${clusterId}`, SK: `UNIT#${unitId}` }),
  unitsPrefix: 'UNIT#',
  plan: (clusterId: string, planId: string) => ({ PK: `CLUSTER#${clusterId}`, SK: `PLAN#${planId}` }),
  plansPrefix: 'PLAN#',
  planPartition: (clusterId: string, planId: string) => `CLUSTER#${clusterId}#PLAN#${planId}`,
  milestone: (clusterId: string, planId: string, milestoneId: string) => ({
    PK: `CLUSTER#${clusterId}#PLAN#${planId}`,
    SK: `MS#${milestoneId}`,
  }),
  milestonesPrefix: 'MS#',
  /** Everything one unit has for one plan (submissions, upload intents, extensions): the member page's one Query. */
  unitPlanPartition: (clusterId: string, planId: string, unitId: string) => `CLUSTER#${clusterId}#PLAN#${planId}#UNIT#${unitId}`,
  submission: (clusterId: string, planId: string, unitId: string, uploadId: string) => ({
    PK: keys.unitPlanPartition(clusterId, planId, unitId),
    SK: `SUB#${uploadId}`,
  }),
  /** GSI1 entry listing every submission of a plan, by milestone then unit: the status board's one Query. */
  submissionIndex: (clusterId: string, planId: string, milestoneId: string, unitId: string, receivedAt: string) => ({
    GSI1PK: `CLUSTER#${clusterId}#PLAN#${planId}#SUBS`,
    GSI1SK: `${milestoneId}#${unitId}#${receivedAt}`,
  }),
  planSubmissionsPartition: (clusterId: string, planId: string) => `CLUSTER#${clusterId}#PLAN#${planId}#SUBS`,
  planExtensionsPartition: (clusterId: string, planId: string) => `CLUSTER#${clusterId}#PLAN#${planId}#EXTS`,
  intent: (clusterId: string, planId: string, unitId: string, uploadId: string) => ({
    PK: keys.unitPlanPartition(clusterId, planId, unitId),
    SK: `INTENT#${uploadId}`,
  }),
  extension: (clusterId: string, planId: string, unitId: string, milestoneId: string) => ({
    PK: keys.unitPlanPartition(clusterId, planId, unitId),
    SK: `EXT#${milestoneId}`,
  }),
  /** Reminder sends, in the plan's partition: one Query lists a reminder's sends whatever the unit count. */
  sendPrefix: (e: { milestoneId: string; kind: string; offset: number }) => `SEND#${e.milestoneId}#${e.kind}#${e.offset}#`,
  send: (e: { clusterId: string; planId: string; milestoneId: string; kind: string; offset: number; recipient: string }) => ({
    PK: keys.planPartition(e.clusterId, e.planId),
    SK: `${keys.sendPrefix(e)}${e.recipient}`,
  }),
  /** An address that bounced or complained, for the cluster that sent to it. */
  undeliverable: (clusterId: string, email: string) => ({ PK: `CLUSTER#${clusterId}`, SK: `UNDELIVERABLE#${email}` }),
  undeliverablePrefix: 'UNDELIVERABLE#',
  extensionIndex: (clusterId: string, planId: string, milestoneId: string, unitId: string) => ({
    GSI1PK: `CLUSTER#${clusterId}#PLAN#${planId}#EXTS`,
    GSI1SK: `${milestoneId}#${unitId}`,
  }),
  /** An address's admin grants (cluster admin via a unit, province viewer). Not under a cluster: one address may
   * administer several clusters, and the lookup at sign-in knows only the address. */
  adminPartition: (email: string) => `ADMIN#${email}`,
  /** GSI1 entry of a unit's grants, to replace them when the unit's addresses change. */
  unitGrantsIndex: (clusterId: string, unitId: string) => `UNITGRANTS#${clusterId}#${unitId}`,
  signIn: (tokenHash: string) => ({ PK: `SIGNIN#${tokenHash}`, SK: 'SIGNIN' }),
  session: (sessionHash: string) => ({ PK: `SESSION#${sessionHash}`, SK: 'SESSION' }),
  apiKeyByHash: (keyHash: string) => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' }),
  apiKey: (clusterId: string, keyId: string) => ({ PK: `CLUSTER#${clusterId}`, SK: `APIKEY#${keyId}` }),
  apiKeysPrefix: 'APIKEY#',
  rate: (bucket: string, windowStart: number) => ({ PK: `RATE#${bucket}`, SK: String(windowStart) }),
  /** A plan's scoring (scheme versions, settings, sheets, verifications, registration flags): one Query reads it all. */
  scoringPartition: (clusterId: string, planId: string) => `CLUSTER#${clusterId}#PLAN#${planId}#SCORES`,
  auditPartition: (clusterId: string) => `CLUSTER#${clusterId}#AUDIT`,
  audit: (clusterId: string, at: string, entryId: string) => ({ PK: `CLUSTER#${clusterId}#AUDIT`, SK: `${at}#${entryId}` }),
};
