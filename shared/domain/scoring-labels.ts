/**
 * The closed vocabularies of scoring and their Vietnamese labels, with no dependency (like ./labels.ts): the scoring
 * schemas build on these tuples and the admin page imports the labels without pulling zod in.
 */
import { formatPointsVi } from './scoring-points';

/** How units with equal totals are separated, in the order a scheme lists them. */
export const TIE_BREAKS = ['bonus', 'fewer-deductions', 'vote'] as const;
export type TieBreak = (typeof TIE_BREAKS)[number];
export const TIE_BREAK_LABELS: Record<TieBreak, string> = {
  bonus: 'Điểm thưởng cao hơn',
  'fewer-deductions': 'Ít điểm trừ hơn',
  vote: 'Nhiều phiếu bầu hơn',
};

export const SELF_SCORE_STATUSES = ['draft', 'submitted'] as const;
export type SelfScoreStatus = (typeof SELF_SCORE_STATUSES)[number];
export const SELF_SCORE_STATUS_LABELS: Record<SelfScoreStatus, string> = {
  draft: 'Bản nháp',
  submitted: 'Đã nộp',
};

/** Where a criterion's final points come from. */
export const POINT_SOURCES = ['verified', 'self', 'none'] as const;
export type PointSource = (typeof POINT_SOURCES)[number];
export const POINT_SOURCE_LABELS: Record<PointSource, string> = {
  verified: 'Điểm thẩm định',
  self: 'Điểm tự chấm (chưa thẩm định)',
  none: 'Chưa chấm',
};

export const DEDUCTION_REASONS = ['late', 'missing'] as const;
export type DeductionReason = (typeof DEDUCTION_REASONS)[number];
export const DEDUCTION_REASON_LABELS: Record<DeductionReason, string> = {
  late: 'Nộp muộn',
  missing: 'Không nộp',
};

/** Chốt kết quả: whether the year's results may still change. */
export const RESULTS_LOCK_STATUSES = ['open', 'frozen'] as const;
export type ResultsLockStatus = (typeof RESULTS_LOCK_STATUSES)[number];
export const RESULTS_LOCK_STATUS_LABELS: Record<ResultsLockStatus, string> = {
  open: 'Đang chấm',
  frozen: 'Đã chốt',
};

/** The label every sample scheme carries until someone has checked it against the province's guidance. */
export const SCORING_SAMPLE_NOTE = 'Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC';

/** I, II, III …: how offices number the groups of a scoring table. */
export function groupCode(index: number): string {
  const numerals: [number, string][] = [[10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let n = index + 1;
  let out = '';
  for (const [value, numeral] of numerals) {
    while (n >= value) {
      out += numeral;
      n -= value;
    }
  }
  return out;
}

/** "trên 50% số phiếu", "từ 66,67% số phiếu": a suy tôn threshold as a sentence fragment. */
export const describeVoteRule = (rule: { threshold: number; comparison: 'more-than' | 'at-least' }): string =>
  `${rule.comparison === 'more-than' ? 'trên' : 'từ'} ${formatPointsVi(rule.threshold * 100)}% số phiếu`;
