/**
 * The admin API: one function for every endpoint with `fn: 'admin'` in shared/http/admin-api.ts. One function (not
 * one per route) because these routes share one permission set, the cluster head's, and one warm container then
 * serves the page's many calls; the router checks who may do what on each route.
 */
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
import { adminDepsFromEnv } from '../../shared/runtime/admin-deps';
import { boardEndpoints } from './endpoints/board';
import { calendarEndpoints } from './endpoints/calendar';
import { clusterEndpoints } from './endpoints/clusters';
import { planImportEndpoints } from './endpoints/plan-import';
import { planEndpoints } from './endpoints/plans';
import { scoringEndpoints } from './endpoints/scoring';
import { unitEndpoints } from './endpoints/units';

const deps = adminDepsFromEnv();

export const handler = adminRouter<'admin'>(
  adminEndpoints.filter((e) => e.fn === 'admin'),
  {
    ...clusterEndpoints(deps),
    ...unitEndpoints(deps),
    ...planEndpoints(deps),
    ...planImportEndpoints(deps),
    ...boardEndpoints(deps),
    ...scoringEndpoints(deps),
    ...calendarEndpoints(deps),
  },
  { deps, checkResponses: deps.checkResponses },
);
