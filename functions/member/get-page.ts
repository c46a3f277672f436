/** GET /u/{token}: the member unit's page (server-rendered HTML). */
import { pageHandler } from '../../shared/http/page';
import { memberDeps } from '../../shared/runtime/member-deps';
import { getMemberPage } from '../../shared/use-cases/member-uploads';
import { renderMemberPage } from '../../shared/views/member-page';

export const handler = pageHandler(
  async (event, nonce) => {
    const token = event.pathParameters?.token ?? '';
    return { body: renderMemberPage(await getMemberPage(memberDeps, token), { token, nonce }) };
  },
  { connectSrc: [memberDeps.files.uploadOrigin] },
);
