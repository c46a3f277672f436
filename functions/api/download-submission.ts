/**
 * GET /api/clusters/{clusterId}/plans/{planId}/units/{unitId}/submissions/{uploadId}/download: a 5-minute download
 * link for one stored version, with the unit's original file name.
 */
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { requireAdmin } from '../../shared/http/admin-auth';
import { adminFilesDeps, authEnv } from '../../shared/runtime/admin-files-deps';
import { downloadSubmission } from '../../shared/use-cases/admin-submissions';
import { SubmissionPathSchema } from './params';

export const handler = httpHandler(async (event) => {
  requireAdmin(event, authEnv);
  const ref = SubmissionPathSchema.parse(event.pathParameters ?? {});
  return jsonResponse(200, await downloadSubmission(adminFilesDeps, ref));
});
