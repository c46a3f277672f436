/** POST /u/{token}/uploads: a presigned POST form for one file, straight to S3. */
import { parseJsonBody } from '../../shared/http/body';
import { httpHandler } from '../../shared/http/handler';
import { correlationIdOf, jsonResponse } from '../../shared/http/middleware';
import { memberDeps } from '../../shared/runtime/member-deps';
import { CreateUploadBodySchema, createUpload } from '../../shared/use-cases/member-uploads';

export const handler = httpHandler(async (event) => {
  const body = parseJsonBody(event, CreateUploadBodySchema);
  const created = await createUpload(memberDeps, event.pathParameters?.token ?? '', body, { correlationId: correlationIdOf(event) });
  return jsonResponse(201, created);
});
