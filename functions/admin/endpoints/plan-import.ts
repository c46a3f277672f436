/**
 * Plan import from the admin page, the confirming half: create the plan from the proposal the admin reviewed; the
 * router writes the one `plan.import` audit entry. The preview (reading text or a file) is AdminImport's
 * (`plan-import-preview.ts`), so the Word reader is not bundled here.
 */
import { describeDue } from '../../../shared/domain/deadlines';
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import { importAuditOf, importPlan } from '../../../shared/use-cases/plan-import';
import { scheduleReportView } from './schedule-view';

type Impl = Implementations<'admin'>;

export const planImportEndpoints = (deps: AdminDeps): Pick<Impl, 'ConfirmPlanImport'> => ({
  ConfirmPlanImport: async ({ params, body }) => {
    const imported = await importPlan(deps, params.clusterId, body);
    return {
      body: {
        plan: imported.plan,
        milestones: imported.milestones.map((m) => ({ ...m, dueLabel: describeDue(m, imported.plan) })),
        schedules: scheduleReportView(imported.schedules),
      },
      audit: importAuditOf(imported),
    };
  },
});
