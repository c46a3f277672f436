/** GET /u/{token}/uploads/{uploadId}: pending until the recorder has checked the file, then accepted or quarantined. */
import * as z from 'zod';
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/middleware';
import { UploadIdSchema } from '../../shared/domain/submission';
import { memberDeps } from '../../shared/runtime/member-deps';
import { getUploadState } from '../../shared/use-cases/member-uploads';

const PathSchema = z.object({ token: z.string(), uploadId: UploadIdSchema });

export const handler = httpHandler(async (event) => {
  const { token, uploadId } = PathSchema.parse(event.pathParameters ?? {});
  return jsonResponse(200, await getUploadState(memberDeps, token, uploadId));
});
