/**
 * Read use cases for a cluster: its units, plans, and a plan with its milestones.
 * Each checks the cluster exists so an unknown cluster is a clear 404, not an empty list.
 */
import { describeDue } from '../domain/deadlines';
import { NotFoundError } from '../domain/errors';
import { UNIT_ROLES, type Cluster, type Milestone, type Plan, type Unit } from '../domain/model';
import type { Repositories } from '../ports/repositories';

export type ReadDeps = Pick<Repositories, 'clusters' | 'units' | 'plans'>;

/** A milestone as the API shows it: the stored fields plus its due date in words. */
export type MilestoneView = Milestone & { dueLabel: string };

export interface PlanView {
  plan: Plan;
  milestones: MilestoneView[];
}

async function requireCluster(deps: ReadDeps, clusterId: string): Promise<Cluster> {
  const cluster = await deps.clusters.get(clusterId);
  if (!cluster) throw new NotFoundError(`Không tìm thấy cụm thi đua "${clusterId}".`);
  return cluster;
}

/** Cụm trưởng first, then cụm phó, then members by name (Vietnamese collation). */
export const byRoleThenName = (a: Unit, b: Unit): number =>
  UNIT_ROLES.indexOf(a.role) - UNIT_ROLES.indexOf(b.role) || a.name.localeCompare(b.name, 'vi');

export async function listClusters(deps: ReadDeps): Promise<Cluster[]> {
  return deps.clusters.list();
}

export async function listUnits(deps: ReadDeps, clusterId: string): Promise<{ cluster: Cluster; units: Unit[] }> {
  const [cluster, units] = await Promise.all([requireCluster(deps, clusterId), deps.units.list(clusterId)]);
  return { cluster, units: units.sort(byRoleThenName) };
}

export async function listPlans(deps: ReadDeps, clusterId: string): Promise<{ cluster: Cluster; plans: Plan[] }> {
  const [cluster, plans] = await Promise.all([requireCluster(deps, clusterId), deps.plans.listPlans(clusterId)]);
  return { cluster, plans: plans.sort((a, b) => b.schoolYear.startYear - a.schoolYear.startYear) };
}

/** A plan and its milestones in order; 404 if the plan does not exist in that cluster. */
export async function getPlan(deps: ReadDeps, clusterId: string, planId: string): Promise<PlanView> {
  const [plan, milestones] = await Promise.all([
    deps.plans.getPlan(clusterId, planId),
    deps.plans.listMilestones(clusterId, planId),
  ]);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  return { plan, milestones: milestones.map((m) => ({ ...m, dueLabel: describeDue(m, plan) })) };
}
