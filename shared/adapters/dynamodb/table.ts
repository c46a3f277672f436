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
} as const;
