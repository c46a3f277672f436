/** PUT /u/{token}/self-score: saves the unit's self-score sheet as a draft, or submits it (final). */
import { parseJsonBody } from '../../shared/http/body';
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { selfScoreDeps } from '../../shared/runtime/self-score-deps';
import { SaveSelfScoreBodySchema, saveSelfScore } from '../../shared/use-cases/self-score';

export const handler = httpHandler(async (event) => {
  const body = parseJsonBody(event, SaveSelfScoreBodySchema);
  return jsonResponse(200, await saveSelfScore(selfScoreDeps, event.pathParameters?.token ?? '', body));
});
