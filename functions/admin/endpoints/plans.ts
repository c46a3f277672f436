/** The plan editor: milestones (create, edit, delete; schedules re-synced) and cloning into the next year. */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import { clip, clonePlanInto, editMilestone, milestoneSaveSummary, removeMilestone } from '../../../shared/use-cases/plans';
import { scheduleReportView } from './schedule-view';

type Impl = Implementations<'admin'>;

export const planEndpoints = (deps: AdminDeps): Pick<Impl, 'ClonePlan' | 'SaveMilestone' | 'DeleteMilestone'> => ({
  ClonePlan: async ({ params, body }) => {
    const cloned = await clonePlanInto(deps, { ...params, targetPlanId: body.targetPlanId });
    const skipped = cloned.skipped.length > 0 ? `, bỏ ${cloned.skipped.length} mốc chỉ diễn ra một lần` : '';
    return {
      body: { ...cloned, schedules: scheduleReportView(cloned.schedules) },
      audit: {
        action: 'plan.clone',
        target: `plan:${cloned.plan.planId}`,
        summary: `Sao chép kế hoạch ${params.planId} sang năm học ${cloned.plan.planId}: ${cloned.milestones.length} mốc${skipped}; lịch nhắc: tạo ${cloned.schedules.created}.`,
      },
    };
  },
  SaveMilestone: async ({ params, body }) => {
    const saved = await editMilestone(deps, { ...body, ...params });
    return {
      body: { milestone: saved.milestone, created: !saved.before, schedules: scheduleReportView(saved.schedules) },
      audit: { action: 'milestone.save', target: `milestone:${params.planId}/${params.milestoneId}`, summary: milestoneSaveSummary(saved) },
    };
  },
  DeleteMilestone: async ({ params }) => {
    const { milestone, schedules } = await removeMilestone(deps, params);
    return {
      body: { schedules: scheduleReportView(schedules) },
      audit: {
        action: 'milestone.delete',
        target: `milestone:${params.planId}/${params.milestoneId}`,
        summary: `Xóa mốc "${clip(milestone.title)}" khỏi kế hoạch ${params.planId}; lịch nhắc: xóa ${schedules.deleted}.`,
      },
    };
  },
});
