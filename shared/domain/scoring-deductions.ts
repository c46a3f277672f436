/**
 * Automatic deductions (điểm trừ) and the registration gate, both read off the submission records: nobody types a
 * deduction, and lateness means exactly what the status board shows (unitMilestoneStatus under the unit's
 * extension, first accepted version).
 */
import { byOrder, type Milestone, type Plan, type Unit } from './model';
import type { DeductionReason } from './scoring-labels';
import { formatPointsVi, fromCenti, sumCenti, toCenti } from './scoring-points';
import { deductionRuleFor, type ScoringScheme } from './scoring-scheme';
import type { DeductionOverride, RegistrationFlag, SelfScoreSheet } from './scoring-sheets';
import { effectiveDeadline, requiresDocumentFrom, unitMilestoneStatus, type Extension, type Submission } from './submission';
import { isLate } from './deadlines';
import { daysBetween, formatDateVi, ictDateOf, type LocalDate } from './time';

export type SubmissionRecord = Pick<Submission, 'unitId' | 'milestoneId' | 'outcome' | 'receivedAt' | 'late'>;
export type ExtensionRecord = Pick<Extension, 'unitId' | 'milestoneId' | 'until'>;

export interface DeductionLine {
  milestoneId: string;
  milestoneTitle: string;
  kind: Milestone['kind'];
  reason: DeductionReason;
  /** Points the scheme deducts for this line (positive). */
  points: number;
  /** Last ICT day that was on time (after any extension), when the milestone has a day. */
  lastDay?: LocalDate;
  extendedTo?: LocalDate;
  /** Late: when the first accepted document arrived, and whether it was an upload or the self-score form. */
  receivedAt?: string;
  via?: 'upload' | 'self-score-form';
  /** Late: whole ICT days after the last day on time (1 = the day after). */
  daysLate?: number;
  /** "Báo cáo sơ kết 06 tháng…: nộp muộn 3 ngày (hạn 09/12/2021, nhận 12/12/2021)". */
  description: string;
}

/**
 * The deduction lines of one unit at `now`, in plan order: one per milestone that asks this unit for a document,
 * has a rule for its kind, and is late or missing (missing includes a locked milestone, past its cut-off).
 * For a self-score milestone, pressing "Nộp" on the self-score form counts as receiving the document (the signed
 * scan may follow as an upload): whichever came first decides, judged against the same effective deadline.
 */
export function computeDeductions(p: {
  scheme: Pick<ScoringScheme, 'deductions'>;
  plan: Pick<Plan, 'beforeDayInclusive'>;
  milestones: readonly Milestone[];
  unit: Unit;
  submissions: readonly SubmissionRecord[];
  extensions: readonly ExtensionRecord[];
  selfScore?: Pick<SelfScoreSheet, 'status' | 'submittedAt'>;
  now: Date;
}): DeductionLine[] {
  const lines: DeductionLine[] = [];
  for (const milestone of [...p.milestones].sort(byOrder)) {
    const rule = deductionRuleFor(p.scheme, milestone.kind);
    if (!rule || !requiresDocumentFrom(milestone, p.unit)) continue;
    const extension = p.extensions.find((e) => e.unitId === p.unit.unitId && e.milestoneId === milestone.milestoneId);
    const effective = effectiveDeadline(milestone, p.plan, extension);
    const accepted: { receivedAt: string; late: boolean; via: 'upload' | 'self-score-form' }[] = p.submissions
      .filter((s) => s.unitId === p.unit.unitId && s.milestoneId === milestone.milestoneId && s.outcome === 'accepted')
      .map((s) => ({ receivedAt: s.receivedAt, late: s.late, via: 'upload' }));
    if (milestone.kind === 'self-score' && p.selfScore?.status === 'submitted' && p.selfScore.submittedAt) {
      const at = new Date(p.selfScore.submittedAt);
      accepted.push({ receivedAt: at.toISOString(), late: isLate(at, effective.deadline), via: 'self-score-form' });
    }
    const status = unitMilestoneStatus(effective, accepted, p.now);
    if (status !== 'late' && status !== 'missing' && status !== 'locked') continue;
    const lastDay = effective.deadline.type === 'exact' ? effective.deadline.lastDay : undefined;
    const base = {
      milestoneId: milestone.milestoneId,
      milestoneTitle: milestone.title,
      kind: milestone.kind,
      ...(lastDay ? { lastDay } : {}),
      ...(effective.extendedTo ? { extendedTo: effective.extendedTo } : {}),
    };
    const due = lastDay ? `hạn ${formatDateVi(lastDay)}${effective.extendedTo ? ' (đã gia hạn)' : ''}` : '';
    if (status === 'late') {
      const first = [...accepted].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))[0]!;
      const receivedDay = ictDateOf(new Date(first.receivedAt));
      const daysLate = lastDay ? Math.max(0, daysBetween(lastDay, receivedDay)) : undefined;
      const how = daysLate ? `nộp muộn ${daysLate} ngày` : 'nộp muộn';
      lines.push({
        ...base,
        reason: 'late',
        points: rule.late,
        receivedAt: first.receivedAt,
        via: first.via,
        ...(daysLate !== undefined ? { daysLate } : {}),
        description: `${milestone.title}: ${how} (${[due, `nhận ${formatDateVi(receivedDay)}`].filter(Boolean).join(', ')})`,
      });
    } else {
      lines.push({ ...base, reason: 'missing', points: rule.missing, description: `${milestone.title}: không nộp${due ? ` (${due})` : ''}` });
    }
  }
  return lines;
}

export interface AppliedDeduction extends DeductionLine {
  /** What is actually deducted: the override's points when there is one. */
  applied: number;
  override?: { points: number; reason: string };
}

export interface DeductionTotal {
  lines: AppliedDeduction[];
  /** Before overrides and cap. */
  automatic: number;
  /** After overrides and the scheme's cap. */
  total: number;
  capped: boolean;
}

/**
 * Applies the verifier's overrides (each with its written reason) and the scheme's cap. An override is keyed by
 * milestone: it replaces whatever that milestone's line is now (so a waiver survives the unit sending the document
 * late after all). An override naming no line is ignored here (checkVerification reports it).
 */
export function applyDeductionOverrides(scheme: Pick<ScoringScheme, 'deductions'>, lines: readonly DeductionLine[], overrides: readonly DeductionOverride[]): DeductionTotal {
  const byMilestone = new Map(overrides.map((o) => [o.milestoneId, o]));
  const applied = lines.map((line): AppliedDeduction => {
    const o = byMilestone.get(line.milestoneId);
    return o ? { ...line, applied: o.points, override: { points: o.points, reason: o.reason } } : { ...line, applied: line.points };
  });
  const sum = sumCenti(applied.map((l) => toCenti(l.applied)));
  const cap = scheme.deductions.cap === undefined ? undefined : toCenti(scheme.deductions.cap);
  const total = cap === undefined ? sum : Math.min(sum, cap);
  return { lines: applied, automatic: fromCenti(sumCenti(lines.map((l) => toCenti(l.points)))), total: fromCenti(total), capped: total < sum };
}

/** "−3 (Không nộp)": a line as the verification view shows it. */
export const describeApplied = (line: AppliedDeduction): string =>
  `−${formatPointsVi(line.applied)}: ${line.description}${line.override ? ` (điều chỉnh từ ${formatPointsVi(line.points)}, lý do: ${line.override.reason})` : ''}`;

export interface RegistrationStatus {
  registered: boolean;
  source: 'flag' | 'submission' | 'none';
  /** "Đã đăng ký thi đua (bản đăng ký nhận ngày 20/09/2021)", "Chưa đăng ký thi đua". */
  note: string;
}

/**
 * The registration gate. Evidence, strongest first:
 * 1. the newest explicit flag for the unit (a registration sent on paper or by email, or a file that was not one):
 *    recorded with a reason, so the exception is visible and audited;
 * 2. an accepted document on the scheme's registration milestone, on time or late (late registration is still
 *    registration; its lateness is a deduction if the scheme says so);
 * 3. otherwise not registered.
 * Evidence rather than a separate yes/no field, so the usual case needs no extra entry and cannot disagree with the
 * board; the flag exists for what the uploads cannot know.
 */
export function registrationOf(p: {
  scheme: Pick<ScoringScheme, 'registrationMilestoneId'>;
  unitId: string;
  submissions: readonly SubmissionRecord[];
  flags?: readonly RegistrationFlag[];
}): RegistrationStatus {
  const flag = (p.flags ?? [])
    .filter((f) => f.unitId === p.unitId)
    .sort((a, b) => new Date(b.recordedAt).getTime() - new Date(a.recordedAt).getTime())[0];
  if (flag) {
    return {
      registered: flag.registered,
      source: 'flag',
      note: `${flag.registered ? 'Đã đăng ký thi đua' : 'Chưa đăng ký thi đua'} (ghi nhận ngày ${formatDateVi(ictDateOf(new Date(flag.recordedAt)))}: ${flag.reason})`,
    };
  }
  const first = p.submissions
    .filter((s) => s.unitId === p.unitId && s.milestoneId === p.scheme.registrationMilestoneId && s.outcome === 'accepted')
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))[0];
  if (first) return { registered: true, source: 'submission', note: `Đã đăng ký thi đua (bản đăng ký nhận ngày ${formatDateVi(ictDateOf(new Date(first.receivedAt)))})` };
  return { registered: false, source: 'none', note: 'Chưa đăng ký thi đua' };
}

/** The plan's self-score milestone (bảng tự chấm điểm): the first of kind 'self-score', if any. */
export const selfScoreMilestoneOf = (milestones: readonly Milestone[]): Milestone | undefined =>
  [...milestones].sort(byOrder).find((m) => m.kind === 'self-score');

/** Whether a submitted sheet came after the self-score milestone's deadline (the unit's extension included). */
export function sheetLate(
  p: { plan: Pick<Plan, 'beforeDayInclusive'>; milestones: readonly Milestone[]; extensions: readonly ExtensionRecord[] },
  sheet: Pick<SelfScoreSheet, 'unitId' | 'submittedAt'>,
): boolean {
  const milestone = selfScoreMilestoneOf(p.milestones);
  if (!milestone || !sheet.submittedAt) return false;
  const extension = p.extensions.find((e) => e.unitId === sheet.unitId && e.milestoneId === milestone.milestoneId);
  return isLate(new Date(sheet.submittedAt), effectiveDeadline(milestone, p.plan, extension).deadline);
}
