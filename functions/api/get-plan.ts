/** GET /api/clusters/{clusterId}/plans/{planId}: a plan and its milestones in order, each with its due date in words. */
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { requireAdmin } from '../../shared/http/admin-auth';
import { authEnv, repositories } from '../../shared/runtime/read-deps';
import { getPlan } from '../../shared/use-cases/read-cluster';
import { PlanPathSchema } from './params';

export const handler = httpHandler(async (event) => {
  requireAdmin(event, authEnv);
  const { clusterId, planId } = PlanPathSchema.parse(event.pathParameters ?? {});
  return jsonResponse(200, await getPlan(repositories, clusterId, planId));
});
