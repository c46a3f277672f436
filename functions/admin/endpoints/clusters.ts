/** Clusters, plans, submissions, schedules and API keys: thin adapters over existing use cases. */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import { clustersOfGrants, createApiKey, revokeApiKey } from '../../../shared/use-cases/admin-auth';
import { downloadSubmission, listSubmissions } from '../../../shared/use-cases/admin-submissions';
import { getPlan, listPlans, listUnits } from '../../../shared/use-cases/read-cluster';
import { reconcileSchedules } from '../../../shared/use-cases/reminders';
import { scheduleReportView } from './schedule-view';

type Impl = Implementations<'admin'>;

export const clusterEndpoints = (
  deps: AdminDeps,
): Pick<
  Impl,
  | 'ListClusters'
  | 'ListUnits'
  | 'ListPlans'
  | 'GetPlan'
  | 'ListSubmissions'
  | 'DownloadSubmission'
  | 'ListReminders'
  | 'ReconcileReminders'
  | 'ListApiKeys'
  | 'CreateApiKey'
  | 'RevokeApiKey'
> => ({
  ListClusters: async ({ principal }) => {
    if (principal.kind === 'api-key') {
      const cluster = await deps.repos.clusters.get(principal.clusterId);
      return { body: { clusters: cluster ? [{ clusterId: cluster.clusterId, name: cluster.name, provinceName: cluster.province.name, access: 'write' }] : [] } };
    }
    const clusters = await clustersOfGrants(deps.repos, await deps.repos.auth.grantsOf(principal.email));
    return {
      body: {
        clusters: clusters.map(({ cluster, access }) => ({ clusterId: cluster.clusterId, name: cluster.name, provinceName: cluster.province.name, access })),
      },
    };
  },
  ListUnits: async ({ params }) => ({ body: await listUnits(deps.repos, params.clusterId) }),
  ListPlans: async ({ params }) => ({ body: await listPlans(deps.repos, params.clusterId) }),
  GetPlan: async ({ params }) => ({ body: await getPlan(deps.repos, params.clusterId, params.planId) }),
  ListSubmissions: async ({ params }) => ({ body: { submissions: await listSubmissions(deps.repos, params.clusterId, params.planId) } }),
  DownloadSubmission: async ({ params }) => ({ body: await downloadSubmission(deps, params) }),
  ListReminders: async ({ params }) => ({
    body: scheduleReportView(await reconcileSchedules(deps, params.clusterId, params.planId, { dryRun: true })),
  }),
  ReconcileReminders: async ({ params }) => {
    const report = await reconcileSchedules(deps, params.clusterId, params.planId);
    return {
      body: scheduleReportView(report),
      audit: {
        action: 'reminders.reconcile',
        target: `plan:${params.planId}`,
        summary: `Đồng bộ lịch nhắc việc kế hoạch ${params.planId}: tạo ${report.created}, xóa ${report.deleted}.`,
      },
    };
  },
  ListApiKeys: async ({ params }) => ({ body: { apiKeys: await deps.repos.auth.listApiKeys(params.clusterId) } }),
  CreateApiKey: async ({ params, body, principal }) => {
    const createdBy = principal.kind === 'session' ? principal.email : principal.keyId;
    const { key, info } = await createApiKey(deps, { clusterId: params.clusterId, name: body.name, createdBy });
    return {
      body: { key, apiKey: info },
      audit: { action: 'api-key.create', target: `api-key:${info.keyId}`, summary: `Tạo khóa API "${info.name}" (${info.keyId}).` },
    };
  },
  RevokeApiKey: async ({ params, principal }) => {
    const revokedBy = principal.kind === 'session' ? principal.email : principal.keyId;
    const info = await revokeApiKey(deps, { clusterId: params.clusterId, keyId: params.keyId, revokedBy });
    return {
      body: { apiKey: info },
      audit: { action: 'api-key.revoke', target: `api-key:${info.keyId}`, summary: `Thu hồi khóa API "${info.name}" (${info.keyId}).` },
    };
  },
});
