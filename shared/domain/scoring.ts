/**
 * Scoring (chấm điểm thi đua), the pure domain: scheme, self-score sheets, verification, automatic deductions,
 * totals, ranking, award proposals and the year's freeze. No I/O and no clock: "now" is always a parameter.
 *
 * The pieces live in scoring-*.ts; this module re-exports them and runs the whole computation for a plan.
 */
import { type Milestone, type Plan, type Unit } from './model';
import { applyDeductionOverrides, computeDeductions, registrationOf, type ExtensionRecord, type RegistrationStatus, type SubmissionRecord } from './scoring-deductions';
import { proposeAwards, type ProposalLine } from './scoring-proposals';
import type { ScoringScheme } from './scoring-scheme';
import type { RegistrationFlag, SelfScoreSheet, Verification, VoteTally } from './scoring-sheets';
import { rankUnits, scoreUnit, type RankedUnit, type TieReport } from './scoring-totals';

export * from './scoring-labels';
export * from './scoring-points';
export * from './scoring-scheme';
export * from './scoring-sheets';
export * from './scoring-deductions';
export * from './scoring-totals';
export * from './scoring-proposals';
export * from './scoring-lock';

export interface ScoringInput {
  scheme: ScoringScheme;
  plan: Pick<Plan, 'beforeDayInclusive'>;
  milestones: readonly Milestone[];
  /** The cluster's units; inactive ones are left out. */
  units: readonly Unit[];
  submissions: readonly SubmissionRecord[];
  extensions: readonly ExtensionRecord[];
  sheets: readonly SelfScoreSheet[];
  verifications: readonly Verification[];
  registrationFlags?: readonly RegistrationFlag[];
  tally?: VoteTally;
  now: Date;
}

export interface ResultRow extends RankedUnit {
  name: string;
  registration: RegistrationStatus;
  proposal: ProposalLine;
}

export interface ScoringResults {
  asOf: string;
  schemeVersion: number;
  /** One row per active unit, in ranked order. */
  rows: ResultRow[];
  ties: TieReport[];
  /** Things to settle before freezing, in Vietnamese (sheets not submitted, criteria not verified, votes). */
  warnings: string[];
}

/** The year's table at `now`: scores, ranking and proposals for every active unit of the cluster. */
export function computeScoring(input: ScoringInput): ScoringResults {
  const { scheme } = input;
  const units = input.units.filter((u) => u.active);
  const sheets = new Map(input.sheets.map((s) => [s.unitId, s]));
  const verifications = new Map(input.verifications.map((v) => [v.unitId, v]));
  const names = new Map(units.map((u) => [u.unitId, u.name]));

  const scores = units.map((unit) => {
    const sheet = sheets.get(unit.unitId);
    const verification = verifications.get(unit.unitId);
    const lines = computeDeductions({
      scheme,
      plan: input.plan,
      milestones: input.milestones,
      unit,
      submissions: input.submissions,
      extensions: input.extensions,
      ...(sheet ? { selfScore: sheet } : {}),
      now: input.now,
    });
    const deductions = applyDeductionOverrides(scheme, lines, verification?.deductionOverrides ?? []);
    return scoreUnit({ scheme, unitId: unit.unitId, ...(sheet ? { sheet } : {}), ...(verification ? { verification } : {}), deductions });
  });
  const ranking = rankUnits(scheme, scores, input.tally);
  const registration = new Map(
    units.map((u) => [u.unitId, registrationOf({ scheme, unitId: u.unitId, submissions: input.submissions, ...(input.registrationFlags ? { flags: input.registrationFlags } : {}) })]),
  );
  const proposals = new Map(proposeAwards({ scheme, ranking, registration, ...(input.tally ? { tally: input.tally } : {}), names }).map((l) => [l.unitId, l]));

  const rows = ranking.ranked.map((r): ResultRow => ({ ...r, name: names.get(r.unitId)!, registration: registration.get(r.unitId)!, proposal: proposals.get(r.unitId)! }));
  const warnings: string[] = [];
  const notSubmitted = rows.filter((r) => r.selfScoreStatus !== 'submitted');
  if (notSubmitted.length) warnings.push(`Chưa nộp bảng tự chấm điểm: ${notSubmitted.map((r) => r.name).join(', ')}`);
  const unverified = rows.filter((r) => !r.fullyVerified);
  if (unverified.length) warnings.push(`Chưa thẩm định đủ (đang tính theo điểm tự chấm): ${unverified.map((r) => r.name).join(', ')}`);
  if (rows.some((r) => r.proposal.needsVote)) warnings.push('Có đơn vị bằng điểm chưa phân định được thứ hạng ảnh hưởng đến đề xuất khen thưởng: cần bỏ phiếu');
  if (rows.some((r) => r.proposal.pendingVote)) warnings.push('Chưa ghi kết quả bỏ phiếu suy tôn');
  return { asOf: input.now.toISOString(), schemeVersion: scheme.version, rows, ties: ranking.ties, warnings };
}
