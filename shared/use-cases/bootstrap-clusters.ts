/**
 * Creates the clusters a deployment starts with (cdk.json `stages.<stage>.clusters`, read by the CLI verb
 * `bootstrap-clusters`): each cluster and its Cụm trưởng unit, whose addresses are the cluster's first admins, and,
 * for a cluster without any plan, the current school year's plan made from the reference plan's milestones (marked as
 * sample data, without the reference cluster's signer, contact and venues) with the sample scoring scheme, for the
 * head to adapt on the admin page (Kế hoạch, Chấm điểm).
 * Idempotent: what exists is left as it is (an admin's later edits of the cluster or unit always win), and only the
 * head unit's admin grants are re-synced from the unit as stored, which repairs missing grants and changes nothing
 * otherwise.
 */
import { UnitSchema, type Cluster, type Milestone, type Plan, type Unit } from '../domain/model';
import { clonePlan } from '../domain/plan-clone';
import { ictDateOf, schoolYearOf } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { CreateOutcome, Repositories } from '../ports/repositories';
import { defaultScoringScheme } from '../reference/scoring-template';
import { referenceMilestones, referencePlan } from '../reference/thanh-hoa-cum-5';
import { adminEmailsOf } from './units';

/** One cluster to start with: the cluster, its head unit and that unit's addresses (the first admins). */
export interface ClusterBootstrap {
  readonly clusterId: string;
  readonly name: string;
  readonly province: Readonly<Cluster['province']>;
  readonly headUnit: { readonly unitId: string; readonly name: string };
  readonly adminEmails: readonly string[];
}

/** What bootstrapping one cluster did. */
export interface ClusterBootstrapOutcome {
  readonly clusterId: string;
  readonly cluster: CreateOutcome;
  readonly headUnit: CreateOutcome;
  /** The addresses that may sign in to the cluster's admin page through the head unit, as stored. */
  readonly admins: readonly string[];
  /**
   * Configured addresses the stored head unit does not have (it existed with others: nothing is overwritten). Add
   * them on the admin page (Đơn vị) or with the API if they should be admins.
   */
  readonly notApplied: readonly string[];
  /** The first plan (current school year, from the template), or 'exists' when the cluster already had a plan. */
  readonly plan: { readonly planId: string; readonly outcome: CreateOutcome };
}

export interface BootstrapDeps {
  repos: Pick<Repositories, 'clusters' | 'units' | 'auth' | 'audit' | 'plans' | 'scoring'>;
  clock: Clock;
}

/**
 * The template plan of a new cluster for the school year starting in `startYear`: the reference plan's recurring
 * milestones shifted to that year, under the cluster's id, without what belongs to the reference cluster (signer,
 * contact, place of issue, venues). Selectors are by role or "all units" only, so they fit any cluster.
 */
export function templatePlanFor(cluster: Pick<Cluster, 'clusterId' | 'name'>, startYear: number): { plan: Plan; milestones: Milestone[] } {
  const cloned = clonePlan(referencePlan, referenceMilestones, startYear);
  const { signedBy: _signedBy, contact: _contact, issuedPlace: _issuedPlace, issuedOn: _issuedOn, clonedFrom: _clonedFrom, ...rest } = cloned.plan;
  const plan: Plan = { ...rest, clusterId: cluster.clusterId, title: `Kế hoạch hoạt động ${cluster.name} năm học ${startYear} - ${startYear + 1}`, isSample: true };
  const milestones = cloned.milestones.map(({ place: _place, ...m }) => ({ ...m, clusterId: cluster.clusterId }));
  return { plan, milestones };
}

/** The actor of the audit entries: the deployment's configuration, applied by the operator CLI. */
const ACTOR = { type: 'system', id: 'bootstrap-clusters' } as const;

/** Creates what is missing of each cluster, in order; see the module comment. */
export async function bootstrapClusters(deps: BootstrapDeps, clusters: readonly ClusterBootstrap[]): Promise<ClusterBootstrapOutcome[]> {
  const outcomes: ClusterBootstrapOutcome[] = [];
  for (const config of clusters) outcomes.push(await bootstrapCluster(deps, config));
  return outcomes;
}

async function bootstrapCluster({ repos, clock }: BootstrapDeps, config: ClusterBootstrap): Promise<ClusterBootstrapOutcome> {
  const { clusterId } = config;
  const cluster = await repos.clusters.createIfAbsent({ clusterId, name: config.name, province: { ...config.province } });
  const wanted: Unit = UnitSchema.parse({
    clusterId,
    unitId: config.headUnit.unitId,
    name: config.headUnit.name,
    role: 'cum-truong',
    emails: [...new Set(config.adminEmails)],
  });
  const headUnit = await repos.units.createIfAbsent(wanted);
  const stored = headUnit === 'created' ? wanted : ((await repos.units.get(clusterId, wanted.unitId)) ?? wanted);
  const admins = adminEmailsOf(stored);
  await repos.auth.syncUnitGrants(clusterId, stored.unitId, admins);

  if (cluster === 'created' || headUnit === 'created') {
    const created = [cluster === 'created' ? `cụm "${config.name}"` : undefined, headUnit === 'created' ? `đơn vị Cụm trưởng "${stored.name}"` : undefined];
    await repos.audit.append({
      clusterId,
      actor: ACTOR,
      action: 'cluster.bootstrap',
      target: `unit:${stored.unitId}`,
      summary: `Khởi tạo ${created.filter(Boolean).join(' và ')} từ cấu hình triển khai; quản trị: ${admins.join(', ') || 'chưa có'}.`,
    });
  }
  const plan = await firstPlan({ repos, clock }, config);
  return { clusterId, cluster, headUnit, admins, notApplied: wanted.emails.filter((email) => !stored.emails.includes(email)), plan };
}

/** The template plan and the sample scheme for a cluster that has no plan yet (never a second plan). */
async function firstPlan({ repos, clock }: BootstrapDeps, config: ClusterBootstrap): Promise<ClusterBootstrapOutcome['plan']> {
  const now = clock.now();
  const { plan, milestones } = templatePlanFor(config, schoolYearOf(ictDateOf(now)).startYear);
  if ((await repos.plans.listPlans(config.clusterId)).length > 0) return { planId: plan.planId, outcome: 'exists' };
  const outcome = await repos.plans.createPlanIfAbsent(plan, milestones);
  if (outcome === 'created') {
    const registration = milestones.find((m) => m.kind === 'registration')!.milestoneId;
    const stored = { scheme: defaultScoringScheme(registration), savedAt: now.toISOString(), savedBy: 'bootstrap-clusters' };
    await repos.scoring.saveScheme({ clusterId: config.clusterId, planId: plan.planId, stored, replace: false, stateVersion: 0 });
    await repos.audit.append({
      clusterId: config.clusterId,
      actor: ACTOR,
      action: 'plan.bootstrap',
      target: `plan:${plan.planId}`,
      summary: `Tạo kế hoạch năm học ${plan.planId} từ kế hoạch mẫu (${milestones.length} mốc) và thang điểm mẫu; Cụm trưởng cần rà soát, sửa ngày và địa điểm.`,
    });
  }
  return { planId: plan.planId, outcome };
}
