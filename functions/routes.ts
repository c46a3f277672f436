/**
 * Every HTTP route and the Lambda handler behind it. One list drives both the CDK app (one function per entry)
 * and the local gateway, so what runs locally is what deploys.
 */
export interface HttpRoute {
  /** Stable PascalCase id, used for the CDK construct and the function name. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway HTTP API route path, with {param} placeholders. */
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** What the function needs from the table. */
  readonly tableAccess: 'read' | 'readWrite';
}

export const httpRoutes: readonly HttpRoute[] = [
  {
    id: 'ListUnits',
    method: 'GET',
    path: '/api/clusters/{clusterId}/units',
    entry: 'functions/api/list-units.ts',
    tableAccess: 'read',
  },
  {
    id: 'ListPlans',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans',
    entry: 'functions/api/list-plans.ts',
    tableAccess: 'read',
  },
  {
    id: 'GetPlan',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}',
    entry: 'functions/api/get-plan.ts',
    tableAccess: 'read',
  },
];
