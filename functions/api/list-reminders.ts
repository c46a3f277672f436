/**
 * GET /api/clusters/{clusterId}/plans/{planId}/reminders: the schedules the plan needs, which are missing or extra
 * in the Scheduler, and which milestones still lack a day (they get no reminders until one is fixed).
 */
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { requireAdmin } from '../../shared/http/admin-auth';
import { authEnv, scheduleDeps } from '../../shared/runtime/schedule-deps';
import { reconcileSchedules } from '../../shared/use-cases/reminders';
import { PlanPathSchema } from './params';
import { scheduleReportView } from './reminder-view';

export const handler = httpHandler(async (event) => {
  requireAdmin(event, authEnv);
  const { clusterId, planId } = PlanPathSchema.parse(event.pathParameters ?? {});
  return jsonResponse(200, scheduleReportView(await reconcileSchedules(scheduleDeps, clusterId, planId, { dryRun: true })));
});
