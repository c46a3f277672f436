/**
 * What people enter during scoring: the unit's self-score sheet (bảng tự chấm điểm), the cluster head's verification
 * (thẩm định), the suy tôn ballot count and explicit registration flags. The schemas check shape; whether points fit
 * a given scheme is checked against that scheme ({@link checkSelfScoreSheet}, {@link checkVerification}), with
 * Vietnamese messages naming the criterion.
 */
import * as z from 'zod';
import { ClusterIdSchema, MilestoneIdSchema, PlanIdSchema, SlugSchema, UnitIdSchema } from './model';
import { SELF_SCORE_STATUSES } from './scoring-labels';
import { formatPointsVi, fromCenti, sumCenti, toCenti } from './scoring-points';
import { PointsSchema, criteriaById, criterionName, type ScoringScheme } from './scoring-scheme';
import { UploadIdSchema } from './submission';

/** A short free text (justification, comment): NFC, trimmed, empty means absent. */
const NoteSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(z.string().max(1000, 'Quá dài (tối đa 1000 ký tự)'))
  .transform((s) => (s === '' ? undefined : s));

const unique = <T>(items: readonly T[], key: (t: T) => string): string[] => {
  const seen = new Set<string>();
  return items.map(key).filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
};

const ScoreKeySchema = z.object({ clusterId: ClusterIdSchema, planId: PlanIdSchema, unitId: UnitIdSchema });

export const SelfScoreSheetSchema = ScoreKeySchema.extend({
  /** The scheme version the unit scored under. */
  schemeVersion: z.number().int().min(1),
  criteria: z
    .array(
      z.object({
        criterionId: SlugSchema,
        points: PointsSchema,
        /** Giải trình: one or two sentences on what was done. */
        justification: NoteSchema.optional(),
        /** Minh chứng: a file sent through the ordinary upload path. */
        evidenceUploadId: UploadIdSchema.optional(),
      }),
    )
    .max(200)
    .default([]),
  bonus: z
    .array(z.object({ itemId: SlugSchema, points: PointsSchema, justification: NoteSchema.optional(), evidenceUploadId: UploadIdSchema.optional() }))
    .max(50)
    .default([]),
  status: z.enum(SELF_SCORE_STATUSES),
  /** When the unit pressed "Nộp": judged late or on time against the self-score milestone. */
  submittedAt: z.iso.datetime({ offset: true }).optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
}).superRefine((s, ctx) => {
  if (s.status === 'submitted' && !s.submittedAt) ctx.addIssue({ code: 'custom', message: 'Bảng đã nộp phải có thời điểm nộp', path: ['submittedAt'] });
  if (s.status === 'draft' && s.submittedAt) ctx.addIssue({ code: 'custom', message: 'Bản nháp chưa có thời điểm nộp', path: ['submittedAt'] });
  for (const id of unique(s.criteria, (c) => c.criterionId)) ctx.addIssue({ code: 'custom', message: `Tiêu chí «${id}» được chấm hai lần`, path: ['criteria'] });
  for (const id of unique(s.bonus, (b) => b.itemId)) ctx.addIssue({ code: 'custom', message: `Mục điểm thưởng «${id}» được chấm hai lần`, path: ['bonus'] });
});
export type SelfScoreSheet = z.infer<typeof SelfScoreSheetSchema>;
export type SelfScoreSheetInput = z.input<typeof SelfScoreSheetSchema>;

/** A written reason: what an override of an automatic deduction cannot do without. */
const ReasonSchema = z
  .string({ error: 'Cần ghi lý do' })
  .transform((s) => s.normalize('NFC').trim())
  .pipe(z.string().min(5, 'Cần ghi rõ lý do (ít nhất 5 ký tự)').max(1000, 'Lý do quá dài (tối đa 1000 ký tự)'));

export const DeductionOverrideSchema = z.object({
  /** The deduction line being replaced: one per milestone. */
  milestoneId: MilestoneIdSchema,
  /** The points deducted instead (0 waives the deduction). */
  points: PointsSchema,
  reason: ReasonSchema,
});
export type DeductionOverride = z.infer<typeof DeductionOverrideSchema>;

/**
 * Thẩm định by the cluster head or deputy. Partial by nature: a criterion without a verified entry keeps the unit's
 * own points in the totals (and the totals say so).
 */
export const VerificationSchema = ScoreKeySchema.extend({
  schemeVersion: z.number().int().min(1),
  criteria: z.array(z.object({ criterionId: SlugSchema, points: PointsSchema, comment: NoteSchema.optional() })).max(200).default([]),
  bonus: z.array(z.object({ itemId: SlugSchema, points: PointsSchema, comment: NoteSchema.optional() })).max(50).default([]),
  deductionOverrides: z.array(DeductionOverrideSchema).max(50).default([]),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
  updatedBy: z.string().max(300).optional(),
}).superRefine((v, ctx) => {
  for (const id of unique(v.criteria, (c) => c.criterionId)) ctx.addIssue({ code: 'custom', message: `Tiêu chí «${id}» được thẩm định hai lần`, path: ['criteria'] });
  for (const id of unique(v.bonus, (b) => b.itemId)) ctx.addIssue({ code: 'custom', message: `Mục điểm thưởng «${id}» được thẩm định hai lần`, path: ['bonus'] });
  for (const id of unique(v.deductionOverrides, (d) => d.milestoneId)) ctx.addIssue({ code: 'custom', message: `Điểm trừ của mốc «${id}» được điều chỉnh hai lần`, path: ['deductionOverrides'] });
});
export type Verification = z.infer<typeof VerificationSchema>;
export type VerificationInput = z.input<typeof VerificationSchema>;

/**
 * The suy tôn ballot count the cluster head records after the secret ballot: how many valid ballots were cast and,
 * per unit, how many were in favour. One count per plan: the same ballots break ties ('vote') and decide whether a
 * proposed unit reaches the threshold.
 */
export const VoteTallySchema = z.object({
  ballotsCast: z.number().int().min(1, 'Số phiếu hợp lệ phải lớn hơn 0').max(10_000),
  votes: z.array(z.object({ unitId: UnitIdSchema, count: z.number().int().min(0) })).max(200),
  recordedAt: z.iso.datetime({ offset: true }).optional(),
}).superRefine((t, ctx) => {
  t.votes.forEach((v, i) => {
    if (v.count > t.ballotsCast) ctx.addIssue({ code: 'custom', message: `Số phiếu đồng ý của đơn vị «${v.unitId}» (${v.count}) vượt quá số phiếu hợp lệ (${t.ballotsCast})`, path: ['votes', i, 'count'] });
  });
  for (const id of unique(t.votes, (v) => v.unitId)) ctx.addIssue({ code: 'custom', message: `Đơn vị «${id}» được ghi phiếu hai lần`, path: ['votes'] });
});
export type VoteTally = z.infer<typeof VoteTallySchema>;

/**
 * An explicit registration record, for a registration that did not come through an upload (on paper, by email to
 * the CĐVC tỉnh) or to declare that an uploaded file was not one. It wins over the upload evidence.
 */
export const RegistrationFlagSchema = z.object({
  unitId: UnitIdSchema,
  registered: z.boolean(),
  reason: ReasonSchema,
  recordedAt: z.iso.datetime({ offset: true }),
  recordedBy: z.string().max(300).optional(),
});
export type RegistrationFlag = z.infer<typeof RegistrationFlagSchema>;

export interface ScoreIssue {
  path: (string | number)[];
  message: string;
}

/** Points against a scheme's criteria and bonus items: unknown ids, over the maximum, bonus over the cap. */
function checkPoints(
  scheme: ScoringScheme,
  criteria: readonly { criterionId: string; points: number }[],
  bonus: readonly { itemId: string; points: number }[],
  who: string,
): ScoreIssue[] {
  const issues: ScoreIssue[] = [];
  const refs = criteriaById(scheme);
  criteria.forEach((c, i) => {
    const ref = refs.get(c.criterionId);
    if (!ref) issues.push({ path: ['criteria', i, 'criterionId'], message: `Tiêu chí «${c.criterionId}» không có trong thang điểm (phiên bản ${scheme.version})` });
    else if (toCenti(c.points) > toCenti(ref.criterion.maximum)) {
      issues.push({ path: ['criteria', i, 'points'], message: `${criterionName(ref)}: ${formatPointsVi(c.points)} điểm vượt quá điểm tối đa ${formatPointsVi(ref.criterion.maximum)}` });
    }
  });
  const items = new Map(scheme.bonus.items.map((b) => [b.id, b]));
  bonus.forEach((b, i) => {
    const item = items.get(b.itemId);
    if (!item) issues.push({ path: ['bonus', i, 'itemId'], message: `Mục điểm thưởng «${b.itemId}» không có trong thang điểm (phiên bản ${scheme.version})` });
    else if (toCenti(b.points) > toCenti(item.maximum)) {
      issues.push({ path: ['bonus', i, 'points'], message: `Điểm thưởng «${item.title}»: ${formatPointsVi(b.points)} điểm vượt quá mức tối đa ${formatPointsVi(item.maximum)}` });
    }
  });
  const bonusTotal = sumCenti(bonus.map((b) => toCenti(b.points)));
  if (bonusTotal > toCenti(scheme.bonus.cap)) {
    issues.push({ path: ['bonus'], message: `Tổng điểm thưởng ${who} (${formatPointsVi(fromCenti(bonusTotal))}) vượt quá mức trần ${formatPointsVi(scheme.bonus.cap)}` });
  }
  return issues;
}

/**
 * Whether a sheet fits the scheme: every point within its criterion's maximum, bonus within item maxima and the cap,
 * and, for a submitted sheet, every criterion scored and the scheme version current. A draft may be partial.
 */
export function checkSelfScoreSheet(scheme: ScoringScheme, sheet: Pick<SelfScoreSheet, 'criteria' | 'bonus' | 'status' | 'schemeVersion'>): ScoreIssue[] {
  const issues: ScoreIssue[] = [];
  if (sheet.schemeVersion !== scheme.version) {
    issues.push({ path: ['schemeVersion'], message: `Bảng điểm theo thang điểm phiên bản ${sheet.schemeVersion}, thang điểm hiện hành là phiên bản ${scheme.version}: cần chấm lại theo phiên bản mới` });
  }
  issues.push(...checkPoints(scheme, sheet.criteria, sheet.bonus, 'đề nghị'));
  if (sheet.status === 'submitted') {
    const scored = new Set(sheet.criteria.map((c) => c.criterionId));
    for (const ref of criteriaById(scheme).values()) {
      if (!scored.has(ref.criterion.id)) issues.push({ path: ['criteria'], message: `Chưa chấm ${criterionName(ref)}` });
    }
  }
  return issues;
}

/**
 * Whether a verification fits the scheme; overrides must name a milestone that has an automatic deduction for the
 * unit (`deductedMilestoneIds`, from computeDeductions) when that list is given.
 */
export function checkVerification(
  scheme: ScoringScheme,
  verification: Pick<Verification, 'criteria' | 'bonus' | 'deductionOverrides'>,
  deductedMilestoneIds?: readonly string[],
): ScoreIssue[] {
  const issues = checkPoints(scheme, verification.criteria, verification.bonus, 'thẩm định');
  if (deductedMilestoneIds) {
    verification.deductionOverrides.forEach((o, i) => {
      if (!deductedMilestoneIds.includes(o.milestoneId)) {
        issues.push({ path: ['deductionOverrides', i, 'milestoneId'], message: `Mốc «${o.milestoneId}» không có điểm trừ tự động để điều chỉnh` });
      }
    });
  }
  return issues;
}

/** The sheet schema bound to a scheme, for parsing a form in one step. */
export const selfScoreSheetSchemaFor = (scheme: ScoringScheme) =>
  SelfScoreSheetSchema.superRefine((sheet, ctx) => {
    for (const issue of checkSelfScoreSheet(scheme, sheet)) ctx.addIssue({ code: 'custom', ...issue });
  });

export const verificationSchemaFor = (scheme: ScoringScheme) =>
  VerificationSchema.superRefine((v, ctx) => {
    for (const issue of checkVerification(scheme, v)) ctx.addIssue({ code: 'custom', ...issue });
  });
