/**
 * GET /u/{token}/self-score (the form) and GET /u/{token}/self-score/print (the copy to sign): one function, the
 * same five reads. Link errors become the member page's 404/410 pages (pageHandler); a link narrowed to another
 * milestone gets a 403 page that says so.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError } from '../../shared/domain/errors';
import { pageHandler } from '../../shared/http/page';
import { selfScoreDeps } from '../../shared/runtime/self-score-deps';
import { getSelfScoreForm } from '../../shared/use-cases/self-score';
import { renderSelfScorePage, renderSelfScorePrint, renderSelfScoreRefused } from '../../shared/views/self-score-page';

/** The printable copy's route ("GET /u/{token}/self-score/print"); the raw path where no route key is given. */
const isPrint = (event: APIGatewayProxyEventV2): boolean => [event.routeKey, event.rawPath].some((s) => s?.endsWith('/self-score/print'));

export const handler = pageHandler(async (event, nonce) => {
  const token = event.pathParameters?.token ?? '';
  try {
    const view = await getSelfScoreForm(selfScoreDeps, token);
    return { body: isPrint(event) ? renderSelfScorePrint(view, { nonce }) : renderSelfScorePage(view, { token, nonce }) };
  } catch (error) {
    if (error instanceof ForbiddenError) return { statusCode: 403, body: renderSelfScoreRefused({ message: error.messageVi, nonce }) };
    throw error;
  }
});
