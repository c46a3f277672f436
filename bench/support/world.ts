/**
 * The simulated province the benches run against: clusters of units with a 2021-2022 plan of dated milestones
 * that all ask every unit for a document, the sample scoring scheme, and an API key for each cluster head. Made
 * directly through the repositories (setting up is not what the benches measure), labelled as simulated data.
 */
import { MilestoneSchema, PlanSchema, UnitSchema, type Milestone, type MilestoneKind, type Plan, type Unit } from '../../shared/domain/model';
import type { Clock } from '../../shared/ports/clock';
import type { Repositories } from '../../shared/ports/repositories';
import { referenceCluster } from '../../shared/reference/thanh-hoa-cum-5';
import { defaultScoringScheme } from '../../shared/reference/scoring-template';
import { createApiKey } from '../../shared/use-cases/admin-auth';

export const SIM_PLAN_ID = '2021-2022';

/** Twelve milestones over the school year, each a dated "trước ngày" deadline for a document from every unit. */
const MILESTONES: ReadonlyArray<{ id: string; kind: MilestoneKind; title: string; date: string }> = [
  { id: 'dang-ky-thi-dua', kind: 'registration', title: 'Đăng ký thi đua', date: '2021-09-15' },
  { id: 'ky-ket-giao-uoc', kind: 'covenant', title: 'Giao ước thi đua đã ký', date: '2021-09-30' },
  { id: 'bao-cao-thang-10', kind: 'report', title: 'Báo cáo tháng 10', date: '2021-11-05' },
  { id: 'bao-cao-thang-11', kind: 'report', title: 'Báo cáo tháng 11', date: '2021-12-03' },
  { id: 'bao-cao-so-ket', kind: 'report', title: 'Báo cáo sơ kết 06 tháng', date: '2021-12-10' },
  { id: 'bao-cao-thang-01', kind: 'report', title: 'Báo cáo tháng 01', date: '2022-02-11' },
  { id: 'bao-cao-thang-02', kind: 'report', title: 'Báo cáo tháng 02', date: '2022-03-04' },
  { id: 'bao-cao-thang-03', kind: 'report', title: 'Báo cáo tháng 03', date: '2022-04-05' },
  { id: 'bao-cao-thang-04', kind: 'report', title: 'Báo cáo tháng 04', date: '2022-05-06' },
  { id: 'bao-cao-tong-ket', kind: 'report', title: 'Báo cáo tổng kết năm học', date: '2022-05-31' },
  { id: 'bang-tu-cham-diem', kind: 'self-score', title: 'Bảng tự chấm điểm thi đua', date: '2022-05-31' },
  { id: 'ho-so-khen-thuong', kind: 'award-dossier', title: 'Hồ sơ đề nghị khen thưởng', date: '2022-06-24' },
];

export interface SimCluster {
  clusterId: string;
  plan: Plan;
  milestones: Milestone[];
  units: Unit[];
  /** The head's API key (Bearer) for the admin API. */
  apiKey: string;
}

/** `count` milestones: the twelve above, repeated with a suffix if more are asked for. */
function milestonesFor(clusterId: string, count: number): Milestone[] {
  return Array.from({ length: count }, (_, i) => {
    const base = MILESTONES[i % MILESTONES.length]!;
    const round = Math.floor(i / MILESTONES.length);
    return MilestoneSchema.parse({
      clusterId,
      planId: SIM_PLAN_ID,
      milestoneId: round === 0 ? base.id : `${base.id}-${round + 1}`,
      order: i + 1,
      kind: base.kind,
      title: `${base.title} (mô phỏng)`,
      due: { type: 'date', date: base.date, rule: 'before' },
      document: { title: base.title, from: { type: 'all' }, recipients: ['cum-truong'] },
    });
  });
}

export async function createSimCluster(
  deps: { repos: Repositories; clock: Clock },
  index: number,
  unitCount: number,
  milestoneCount: number,
): Promise<SimCluster> {
  const { repos } = deps;
  const clusterId = `mo-phong-cum-${index + 1}`;
  await repos.clusters.createIfAbsent({ ...referenceCluster, clusterId, name: `Cụm thi đua mô phỏng số ${index + 1}` });
  const units = Array.from({ length: unitCount }, (_, u) =>
    UnitSchema.parse({
      clusterId,
      unitId: `don-vi-${String(u + 1).padStart(2, '0')}`,
      name: `Công đoàn đơn vị mô phỏng ${u + 1} (cụm ${index + 1})`,
      role: u === 0 ? 'cum-truong' : u === 1 ? 'cum-pho' : 'thanh-vien',
      emails: [`c${index + 1}-u${u + 1}@mo-phong.example.com`],
      isSample: true,
    }),
  );
  for (const unit of units) await repos.units.createIfAbsent(unit);
  const plan = PlanSchema.parse({
    clusterId,
    planId: SIM_PLAN_ID,
    schoolYear: { startYear: 2021, endYear: 2022 },
    title: `Kế hoạch hoạt động năm học 2021 - 2022 (cụm mô phỏng ${index + 1})`,
    isSample: true,
  });
  const milestones = milestonesFor(clusterId, milestoneCount);
  await repos.plans.createPlanIfAbsent(plan, milestones);
  const stored = { scheme: defaultScoringScheme('dang-ky-thi-dua'), savedAt: deps.clock.now().toISOString(), savedBy: 'mô phỏng' };
  await repos.scoring.saveScheme({ clusterId, planId: SIM_PLAN_ID, stored, replace: false, stateVersion: 0 });
  const { key } = await createApiKey(deps, { clusterId, name: 'Mô phỏng', createdBy: 'bench' });
  return { clusterId, plan, milestones, units, apiKey: key };
}

/** The ICT instant of a local date and time ("2021-12-09", "08:00"). */
export function ict(date: string, time = '00:00'): Date {
  return new Date(`${date}T${time}:00+07:00`);
}
