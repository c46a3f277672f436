/** GET /api/clusters/{clusterId}/plans: the cluster's plans, newest school year first. */
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { requireAdmin } from '../../shared/http/admin-auth';
import { authEnv, repositories } from '../../shared/runtime/read-deps';
import { listPlans } from '../../shared/use-cases/read-cluster';
import { ClusterPathSchema } from './params';

export const handler = httpHandler(async (event) => {
  requireAdmin(event, authEnv);
  const { clusterId } = ClusterPathSchema.parse(event.pathParameters ?? {});
  return jsonResponse(200, await listPlans(repositories, clusterId));
});
