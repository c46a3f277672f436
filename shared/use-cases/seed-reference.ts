/**
 * Loads the reference cluster (Cụm Thi đua số 5, Thanh Hóa): its units, the 2021-2022 plan from the seed, and the
 * same plan cloned into the current school year so upcoming deadlines show today. Idempotent: what exists is left
 * as it is (an admin's edits are never overwritten).
 */
import { clonePlan } from '../domain/plan-clone';
import { ictDateOf, schoolYearOf } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { CreateOutcome, Repositories } from '../ports/repositories';
import { referenceCluster, referenceMilestones, referencePlan, referenceProvinceViewer, referenceUnits } from '../reference/thanh-hoa-cum-5';
import { defaultScoringScheme } from '../reference/scoring-template';
import { adminEmailsOf } from './units';

export interface SeedReport {
  cluster: CreateOutcome;
  units: Record<string, CreateOutcome>;
  plans: Record<string, CreateOutcome>;
}

export async function seedReferenceData(repos: Repositories, clock: Clock): Promise<SeedReport> {
  const cluster = await repos.clusters.createIfAbsent(referenceCluster);
  const units: Record<string, CreateOutcome> = {};
  for (const unit of referenceUnits) {
    units[unit.unitId] = await repos.units.createIfAbsent(unit);
    if (units[unit.unitId] === 'created') await repos.auth.syncUnitGrants(unit.clusterId, unit.unitId, adminEmailsOf(unit));
  }
  await repos.auth.putProvinceGrant(referenceProvinceViewer);

  const plans: Record<string, CreateOutcome> = {};
  plans[referencePlan.planId] = await repos.plans.createPlanIfAbsent(referencePlan, referenceMilestones);
  const current = schoolYearOf(ictDateOf(clock.now())).startYear;
  if (current !== referencePlan.schoolYear.startYear) {
    const cloned = clonePlan(referencePlan, referenceMilestones, current);
    plans[cloned.plan.planId] = await repos.plans.createPlanIfAbsent(
      { ...cloned.plan, isSample: true },
      cloned.milestones,
    );
  }
  // Each new reference plan starts with the sample scoring scheme (labelled as a sample), not yet open for self-scoring.
  for (const [planId, outcome] of Object.entries(plans)) {
    if (outcome !== 'created') continue;
    const registration = referenceMilestones.find((m) => m.kind === 'registration')!.milestoneId;
    const stored = { scheme: defaultScoringScheme(registration), savedAt: clock.now().toISOString(), savedBy: 'dữ liệu mẫu' };
    await repos.scoring.saveScheme({ clusterId: referenceCluster.clusterId, planId, stored, replace: false, stateVersion: 0 });
  }
  return { cluster, units, plans };
}
