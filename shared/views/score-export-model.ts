/**
 * What the exports of scoring results (the Excel workbook, shared/views/score-workbook.ts, and the CSV,
 * shared/views/score-csv.ts) show, already in words and final numbers: the renderers only lay it out. A use case
 * fills it from the scheme, the scores and the ranking; the same shape can be sent as JSON (dates are ISO strings).
 *
 * Deductions are points deducted, never negative: the table's column is "Điểm trừ", so 3 means "minus 3". This also
 * keeps every number the CSV writes free of a leading "-" (see score-csv.ts).
 */
import * as z from 'zod';
import { TextSchema } from '../domain/model';

/** Text that may be empty ("" when there is nothing to say), NFC and trimmed like {@link TextSchema}. */
const LabelSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(z.string().max(2000, 'Quá dài (tối đa 2000 ký tự)'));

/** Points as stored: finite, never negative, and small enough to print as plain digits. */
const PointsSchema = z.number().min(0).max(100_000);

export const ScoreGroupColumnSchema = z.object({
  id: z.string().min(1).max(64),
  /** e.g. "Nhóm 1"; the header adds the maximum: "Nhóm 1 (30 điểm)". */
  shortTitle: TextSchema,
  maximum: PointsSchema,
});
export type ScoreGroupColumn = z.infer<typeof ScoreGroupColumnSchema>;

/** One group's points for one unit; null while not given (not self-scored, not yet verified). */
export const ScorePairSchema = z.object({
  self: PointsSchema.nullable(),
  verified: PointsSchema.nullable(),
});
export type ScorePair = z.infer<typeof ScorePairSchema>;

export const ScoreRowSchema = z.object({
  unitName: TextSchema,
  /** Keyed by group id; a group missing here prints as empty cells. */
  points: z.record(z.string(), ScorePairSchema),
  bonus: PointsSchema,
  deductions: z.object({
    /** Points deducted (3 means minus 3). */
    total: PointsSchema,
    /** Where they come from, short, e.g. "Báo cáo sơ kết 06 tháng nộp muộn 3 ngày (2 điểm)"; "" when none. */
    sources: LabelSchema,
  }),
  total: PointsSchema,
  /** Place in the ranking (1 = dẫn đầu); `tied` when another unit shares it ("đồng hạng"); null when not ranked. */
  rank: z.object({ position: z.int().min(1), tied: z.boolean() }).nullable(),
  /** e.g. "Xuất sắc"; "" when not classified. */
  bandLabel: LabelSchema,
  /** e.g. "Cờ thi đua", "Bằng khen"; "" when none is proposed. */
  awardLabel: LabelSchema,
  /** The reason for the line, short, e.g. "Dẫn đầu Cụm", "Không đăng ký thi đua"; "" when none. */
  note: LabelSchema,
});
export type ScoreRow = z.infer<typeof ScoreRowSchema>;

/** The signature of one side: its title lines (bold, upper case as written) and the signer's name ("" to fill by hand). */
export const ScoreSignatureSchema = z.object({
  /** e.g. ["NGƯỜI LẬP BẢNG"], ["TM. CỤM TRƯỞNG", "CHỦ TỊCH"]. */
  titles: z.array(TextSchema).min(1).max(3),
  name: LabelSchema,
});
export type ScoreSignature = z.infer<typeof ScoreSignatureSchema>;

export const ScoreTableViewSchema = z
  .object({
    /** e.g. "Cụm Thi đua số 5". */
    clusterName: TextSchema,
    /** e.g. "Công đoàn Viên chức tỉnh Thanh Hóa". */
    provinceUnionName: TextSchema,
    /** e.g. "2021 - 2022". */
    schoolYearLabel: TextSchema,
    /** e.g. "Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022". */
    planTitle: TextSchema,
    /** The scheme's criteria groups, in order. */
    groups: z.array(ScoreGroupColumnSchema).min(1).max(12),
    bonusCap: PointsSchema,
    /** In the order printed (by rank); STT is the position in this list. */
    rows: z.array(ScoreRowSchema).max(1000),
    /** The scheme is the shipped sample, not checked against the guide: the workbook says so under the title. */
    isSample: z.boolean(),
    /** e.g. "Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC" (the workbook adds the parentheses). */
    sampleNote: LabelSchema,
    /** e.g. "Thanh Hóa, ngày 30 tháng 6 năm 2022". */
    signingPlaceDate: TextSchema,
    signatures: z.object({
      /** e.g. { titles: ["NGƯỜI LẬP BẢNG"], name: "" }. */
      left: ScoreSignatureSchema,
      /** e.g. { titles: ["TM. CỤM TRƯỞNG"], name: "Trịnh Thị Thúy Khuyên" }. */
      right: ScoreSignatureSchema,
    }),
    /** When the table was produced; the workbook's created date, so the same view gives the same file. */
    generatedAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((view, ctx) => {
    const ids = new Set<string>();
    view.groups.forEach((g, i) => {
      if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'id'], message: `Nhóm tiêu chí "${g.id}" bị trùng` });
      ids.add(g.id);
    });
    view.rows.forEach((row, i) => {
      for (const id of Object.keys(row.points)) {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['rows', i, 'points', id], message: `Không có nhóm tiêu chí "${id}"` });
      }
    });
  });
export type ScoreTableView = z.infer<typeof ScoreTableViewSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Shared by both renderers, so the workbook and the CSV say and round the same things
// ---------------------------------------------------------------------------------------------------------------

/** Points rounded to 2 decimals, so float sums (27.499999999999996) print as meant. */
export function roundPoints(points: number): number {
  return Math.round(points * 100) / 100;
}

/** Points in Vietnamese writing, decimal comma: 7.5 -> "7,5", 30 -> "30". */
export function formatPointsVi(points: number): string {
  return String(roundPoints(points)).replace('.', ',');
}

/** "Nhóm 1 (30 điểm)". */
export function groupHeader(group: ScoreGroupColumn): string {
  return `${group.shortTitle} (${formatPointsVi(group.maximum)} điểm)`;
}

/** "Điểm thưởng (tối đa 5)", or just "Điểm thưởng" when the scheme gives no bonus. */
export function bonusHeader(bonusCap: number): string {
  return bonusCap > 0 ? `Điểm thưởng (tối đa ${formatPointsVi(bonusCap)})` : 'Điểm thưởng';
}

/** "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022". */
export function scoreTableTitle(view: Pick<ScoreTableView, 'schoolYearLabel'>): string {
  return `BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM HỌC ${view.schoolYearLabel}`;
}

export const SELF_LABEL = 'Tự chấm';
export const VERIFIED_LABEL = 'Thẩm định';
export const TIED_LABEL = 'đồng hạng';
