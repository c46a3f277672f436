/**
 * Writing milestones: every create, move or delete re-syncs the plan's reminder schedules in the same call, so the
 * live schedules always follow the plan (the admin's plan editor and any script go through here).
 */
import { NotFoundError } from '../domain/errors';
import { MilestoneSchema, type Milestone, type MilestoneInput } from '../domain/model';
import { reconcileSchedules, type ScheduleDeps, type ScheduleReport } from './reminders';

/** The plan repository (which writes milestones) and the schedule store. */
export type MilestoneDeps = ScheduleDeps;

/** Creates or replaces a milestone and re-syncs the schedules; returns the saved milestone and what changed. */
export async function saveMilestone(deps: MilestoneDeps, input: MilestoneInput): Promise<{ milestone: Milestone; schedules: ScheduleReport }> {
  const milestone = MilestoneSchema.parse(input);
  const plan = await deps.repos.plans.getPlan(milestone.clusterId, milestone.planId);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${milestone.planId} của cụm "${milestone.clusterId}".`);
  await deps.repos.plans.saveMilestone(milestone);
  return { milestone, schedules: await reconcileSchedules(deps, milestone.clusterId, milestone.planId) };
}

/** Deletes a milestone and the schedules it had. */
export async function deleteMilestone(deps: MilestoneDeps, clusterId: string, planId: string, milestoneId: string): Promise<ScheduleReport> {
  if (!(await deps.repos.plans.getMilestone(clusterId, planId, milestoneId))) {
    throw new NotFoundError(`Không tìm thấy mốc "${milestoneId}" trong kế hoạch ${planId}.`);
  }
  await deps.repos.plans.deleteMilestone(clusterId, planId, milestoneId);
  return reconcileSchedules(deps, clusterId, planId);
}
