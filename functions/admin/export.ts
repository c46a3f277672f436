/**
 * The scores export (GET …/scoring/export?format=xlsx|csv): its own function, with read access to the table only,
 * so the spreadsheet library's weight falls on this route alone (shared/http/admin-api.ts, fn 'export').
 */
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
import { attachmentDisposition } from '../../shared/http/content-disposition';
import { SECURITY_HEADERS } from '../../shared/http/middleware';
import { readOnlyAdminDepsFromEnv } from '../../shared/runtime/admin-deps';
import { exportScores } from '../../shared/use-cases/score-export';

const deps = readOnlyAdminDepsFromEnv();

export const handler = adminRouter<'export'>(
  adminEndpoints.filter((e) => e.fn === 'export'),
  {
    ExportScores: async ({ params, query }) => {
      const file = await exportScores(deps, { ...params, format: query.format });
      return {
        raw: {
          statusCode: 200,
          headers: {
            ...SECURITY_HEADERS,
            'content-type': file.contentType,
            'content-disposition': attachmentDisposition(file.fileName),
            'cache-control': 'no-store',
          },
          body: file.body.toString('base64'),
          isBase64Encoded: true,
        },
      };
    },
  },
  { deps, checkResponses: deps.checkResponses },
);
