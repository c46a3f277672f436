/**
 * The plan import preview (POST …/plans/import/preview): its own function, with read access to the table only, so the
 * Word reader's weight falls on this route alone and the code that parses an uploaded file can write nothing
 * (shared/http/admin-api.ts, fn 'import').
 */
import { adminEndpoints } from '../../shared/http/admin-api';
import { adminRouter } from '../../shared/http/admin-router';
import { readOnlyAdminDepsFromEnv } from '../../shared/runtime/admin-deps';
import { planImportPreviewEndpoints } from './endpoints/plan-import-preview';

const deps = readOnlyAdminDepsFromEnv();

export const handler = adminRouter<'import'>(
  adminEndpoints.filter((e) => e.fn === 'import'),
  planImportPreviewEndpoints(deps),
  { deps, checkResponses: deps.checkResponses },
);
