/** GET /api/clusters/{clusterId}/plans/{planId}/submissions: every version of every document sent, newest first. */
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { requireAdmin } from '../../shared/http/admin-auth';
import { authEnv, repositories } from '../../shared/runtime/read-deps';
import { listSubmissions } from '../../shared/use-cases/admin-submissions';
import { PlanPathSchema } from './params';

export const handler = httpHandler(async (event) => {
  requireAdmin(event, authEnv);
  const { clusterId, planId } = PlanPathSchema.parse(event.pathParameters ?? {});
  return jsonResponse(200, { submissions: await listSubmissions(repositories, clusterId, planId) });
});
