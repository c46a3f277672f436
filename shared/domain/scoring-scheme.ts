/**
 * The scoring scheme of a plan (thang điểm thi đua): every number the year's scoring uses is data here, so a cluster
 * can follow its province's guidance without a code change. The default values (shared/reference/scoring-template.ts)
 * are a sample, not the guidance itself: Hướng dẫn 40/HD-CĐVC is not available to us.
 *
 * Points are written with at most two decimals and added in hundredths (./scoring-points.ts). Deductions are written
 * as positive numbers: the points a late or missing document takes off.
 */
import * as z from 'zod';
import { MILESTONE_KIND_LABELS } from './labels';
import { MilestoneIdSchema, MilestoneKindSchema, SlugSchema, TextSchema, type Milestone, type MilestoneKind } from './model';
import { SCORING_SAMPLE_NOTE, TIE_BREAKS, TIE_BREAK_LABELS, groupCode } from './scoring-labels';
import { formatPointsVi, fromCenti, hasAtMostTwoDecimals, sumCenti, toCenti } from './scoring-points';
import { formatInstantVi } from './time';

/** Points as entered: a number >= 0 with at most two decimals. */
export const PointsSchema = z
  .number({ error: 'Điểm phải là một số' })
  .min(0, 'Điểm không được âm')
  .max(1000, 'Điểm quá lớn')
  .refine(hasAtMostTwoDecimals, 'Điểm chỉ được có tối đa hai chữ số thập phân');

const MaximumSchema = PointsSchema.refine((n) => n > 0, 'Điểm tối đa phải lớn hơn 0');

export const CriterionSchema = z.object({
  id: SlugSchema,
  title: TextSchema,
  maximum: MaximumSchema,
  /** Cách chấm: how to award the points, shown next to the field. */
  guidance: TextSchema.optional(),
});
export type Criterion = z.infer<typeof CriterionSchema>;

export const CriteriaGroupSchema = z.object({
  id: SlugSchema,
  title: TextSchema,
  maximum: MaximumSchema,
  criteria: z.array(CriterionSchema).min(1, 'Mỗi nhóm cần ít nhất một tiêu chí').max(50),
});
export type CriteriaGroup = z.infer<typeof CriteriaGroupSchema>;

/** Điểm thưởng: each item has its own maximum, and the items together never count for more than `cap`. */
export const BonusSchema = z.object({
  cap: PointsSchema,
  items: z
    .array(z.object({ id: SlugSchema, title: TextSchema, maximum: MaximumSchema, guidance: TextSchema.optional() }))
    .max(30)
    .default([]),
});
export type Bonus = z.infer<typeof BonusSchema>;
export type BonusItem = Bonus['items'][number];

/** Điểm trừ for one kind of milestone, computed from the submission records. */
export const DeductionRuleSchema = z.object({
  kind: MilestoneKindSchema,
  /** Per document sent after its (extended) deadline. */
  late: PointsSchema,
  /** Per document not sent once its deadline has passed. */
  missing: PointsSchema,
});
export type DeductionRule = z.infer<typeof DeductionRuleSchema>;

export const DeductionsSchema = z.object({
  rules: z.array(DeductionRuleSchema).max(20).default([]),
  /** At most this many points are deducted in all (after overrides); none when absent. */
  cap: PointsSchema.optional(),
});

/** Mức xếp loại: listed from the highest; a total belongs to the first band whose minimum it reaches. */
export const BandSchema = z.object({ id: SlugSchema, label: TextSchema, minimum: PointsSchema });
export type Band = z.infer<typeof BandSchema>;

export const TieBreakSchema = z.enum(TIE_BREAKS);

/** Chỉ tiêu khen thưởng: filled in this order, best-ranked eligible units first. */
export const AwardQuotaSchema = z.object({
  award: SlugSchema,
  label: TextSchema,
  count: z.number().int().min(0).max(100),
  /** Only units of this band or better (e.g. Cờ thi đua: Xuất sắc). */
  minBand: SlugSchema.optional(),
  /** Whether, once ballots are recorded, the unit must also reach the suy tôn threshold. */
  voteRequired: z.boolean().default(true),
});
export type AwardQuota = z.infer<typeof AwardQuotaSchema>;

/** Suy tôn by secret ballot: the share of ballots in favour must be more than (or at least) `threshold`. */
export const VoteRuleSchema = z.object({
  threshold: z
    .number()
    .min(0)
    .max(1)
    .refine((n) => Math.abs(n * 10_000 - Math.round(n * 10_000)) < 1e-6, 'Tỷ lệ phiếu có tối đa bốn chữ số thập phân')
    .default(0.5),
  comparison: z.enum(['more-than', 'at-least']).default('more-than'),
});
export type VoteRule = z.infer<typeof VoteRuleSchema>;

const ScoringSchemeObject = z.object({
  /** Bumped for every change made once self-scoring has opened; sheets record the version they were made under. */
  version: z.number().int().min(1),
  /** Why this version differs from the previous one (required for a new version once self-scoring has opened). */
  changeReason: TextSchema.optional(),
  /** Điểm chuẩn: what the groups' maxima add up to. */
  base: MaximumSchema.default(100),
  groups: z.array(CriteriaGroupSchema).min(1, 'Cần ít nhất một nhóm tiêu chí').max(12, 'Tối đa 12 nhóm tiêu chí (bảng tổng hợp in trên một trang A4 ngang)'),
  bonus: BonusSchema,
  deductions: DeductionsSchema,
  bands: z.array(BandSchema).min(1, 'Cần ít nhất một mức xếp loại').max(10),
  tieBreak: z.array(TieBreakSchema).max(TIE_BREAKS.length).default([...TIE_BREAKS]),
  /**
   * Điều kiện đăng ký thi đua: the milestone whose accepted document counts as registration. A unit with no
   * accepted document there, and no explicit registration flag, is not eligible for any award.
   */
  registrationMilestoneId: MilestoneIdSchema,
  awards: z.array(AwardQuotaSchema).max(10).default([]),
  vote: VoteRuleSchema.default({ threshold: 0.5, comparison: 'more-than' }),
  isSample: z.boolean().default(false),
  /** Shown with a sample scheme: what to check before using it. */
  sampleNote: TextSchema.optional(),
});

/** Ids that repeat in a list, each once. */
function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) (seen.has(id) ? repeated : seen).add(id);
  return [...repeated];
}

export const ScoringSchemeSchema = ScoringSchemeObject.superRefine((s, ctx) => {
  const issue = (message: string, path: (string | number)[]): void => ctx.addIssue({ code: 'custom', message, path });
  const groupsTotal = sumCenti(s.groups.map((g) => toCenti(g.maximum)));
  if (groupsTotal !== toCenti(s.base)) {
    issue(`Tổng điểm tối đa của các nhóm tiêu chí (${formatPointsVi(fromCenti(groupsTotal))}) phải bằng điểm chuẩn (${formatPointsVi(s.base)})`, ['groups']);
  }
  s.groups.forEach((g, i) => {
    const criteriaTotal = sumCenti(g.criteria.map((c) => toCenti(c.maximum)));
    if (criteriaTotal !== toCenti(g.maximum)) {
      issue(
        `Nhóm ${groupCode(i)} «${g.title}»: tổng điểm tối đa các tiêu chí (${formatPointsVi(fromCenti(criteriaTotal))}) phải bằng điểm tối đa của nhóm (${formatPointsVi(g.maximum)})`,
        ['groups', i, 'criteria'],
      );
    }
  });
  for (const id of duplicates(s.groups.map((g) => g.id))) issue(`Mã nhóm tiêu chí «${id}» bị trùng`, ['groups']);
  for (const id of duplicates(s.groups.flatMap((g) => g.criteria.map((c) => c.id)))) issue(`Mã tiêu chí «${id}» bị trùng`, ['groups']);
  for (const id of duplicates(s.bonus.items.map((b) => b.id))) issue(`Mã mục điểm thưởng «${id}» bị trùng`, ['bonus', 'items']);
  for (const kind of duplicates(s.deductions.rules.map((r) => r.kind))) {
    issue(`Quy định điểm trừ cho loại «${MILESTONE_KIND_LABELS[kind as MilestoneKind]}» bị lặp`, ['deductions', 'rules']);
  }
  s.deductions.rules.forEach((r, i) => {
    if (toCenti(r.late) > toCenti(r.missing)) {
      issue(
        `Loại «${MILESTONE_KIND_LABELS[r.kind]}»: điểm trừ nộp muộn (${formatPointsVi(r.late)}) không được lớn hơn điểm trừ không nộp (${formatPointsVi(r.missing)})`,
        ['deductions', 'rules', i],
      );
    }
  });
  for (const id of duplicates(s.bands.map((b) => b.id))) issue(`Mã mức xếp loại «${id}» bị trùng`, ['bands']);
  s.bands.forEach((b, i) => {
    const previous = s.bands[i - 1];
    if (previous && toCenti(b.minimum) >= toCenti(previous.minimum)) {
      issue(`Các mức xếp loại phải có điểm tối thiểu giảm dần: «${b.label}» (${formatPointsVi(b.minimum)}) không thấp hơn «${previous.label}» (${formatPointsVi(previous.minimum)})`, ['bands', i, 'minimum']);
    }
  });
  const ceiling = toCenti(s.base) + toCenti(s.bonus.cap);
  if (s.bands[0] && toCenti(s.bands[0].minimum) > ceiling) {
    issue(`Mức «${s.bands[0].label}» đòi hỏi ${formatPointsVi(s.bands[0].minimum)} điểm, vượt quá số điểm có thể đạt (${formatPointsVi(fromCenti(ceiling))})`, ['bands', 0, 'minimum']);
  }
  const last = s.bands[s.bands.length - 1];
  if (last && last.minimum !== 0) issue(`Mức xếp loại cuối cùng («${last.label}») phải có điểm tối thiểu 0 để đơn vị nào cũng được xếp loại`, ['bands', s.bands.length - 1, 'minimum']);
  if (duplicates(s.tieBreak).length > 0) issue('Thứ tự xét khi bằng điểm có cách xét bị lặp', ['tieBreak']);
  for (const id of duplicates(s.awards.map((a) => a.award))) issue(`Mã hình thức khen thưởng «${id}» bị trùng`, ['awards']);
  s.awards.forEach((a, i) => {
    if (a.minBand && !s.bands.some((b) => b.id === a.minBand)) {
      issue(`Hình thức «${a.label}» yêu cầu mức xếp loại «${a.minBand}» không có trong thang điểm`, ['awards', i, 'minBand']);
    }
  });
});
export type ScoringScheme = z.infer<typeof ScoringSchemeSchema>;
export type ScoringSchemeInput = z.input<typeof ScoringSchemeSchema>;

export interface CriterionRef {
  criterion: Criterion;
  group: CriteriaGroup;
  groupIndex: number;
  /** "2.3": group number and position, as printed in the table. */
  code: string;
}

/** Every criterion of a scheme by id, with its group and printed code. */
export function criteriaById(scheme: Pick<ScoringScheme, 'groups'>): Map<string, CriterionRef> {
  const out = new Map<string, CriterionRef>();
  scheme.groups.forEach((group, groupIndex) =>
    group.criteria.forEach((criterion, i) => out.set(criterion.id, { criterion, group, groupIndex, code: `${groupIndex + 1}.${i + 1}` })),
  );
  return out;
}

/** A title cut at a word boundary to at most 60 characters, for messages. */
function shortTitle(title: string): string {
  if (title.length <= 60) return title;
  const cut = title.slice(0, 60);
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, '')}…`;
}

/** "Tiêu chí 2.3 «Thu, chi, quản lý tài chính…»": how messages name a criterion. */
export const criterionName = (ref: CriterionRef): string => `Tiêu chí ${ref.code} «${shortTitle(ref.criterion.title)}»`;

/** The band a total falls in (the schema guarantees the last band starts at 0, so there always is one). */
export function bandOf(scheme: Pick<ScoringScheme, 'bands'>, total: number): Band {
  const centi = toCenti(total);
  return scheme.bands.find((b) => centi >= toCenti(b.minimum)) ?? scheme.bands[scheme.bands.length - 1]!;
}

/** Whether `band` is `minBand` or better (earlier in the list). */
export function bandAtLeast(scheme: Pick<ScoringScheme, 'bands'>, band: Band, minBand: string | undefined): boolean {
  if (!minBand) return true;
  const at = scheme.bands.findIndex((b) => b.id === band.id);
  const min = scheme.bands.findIndex((b) => b.id === minBand);
  return min < 0 || (at >= 0 && at <= min);
}

export const deductionRuleFor = (scheme: Pick<ScoringScheme, 'deductions'>, kind: MilestoneKind): DeductionRule | undefined =>
  scheme.deductions.rules.find((r) => r.kind === kind);

/**
 * What a scheme refers to in the plan that is not there: checked when a scheme is saved for a plan (the schema alone
 * cannot see the plan's milestones).
 */
export function schemeProblemsWithPlan(scheme: ScoringScheme, milestones: readonly Pick<Milestone, 'milestoneId' | 'kind' | 'title'>[]): string[] {
  const registration = milestones.find((m) => m.milestoneId === scheme.registrationMilestoneId);
  if (!registration) return [`Kế hoạch không có mốc «${scheme.registrationMilestoneId}» dùng để xét điều kiện đăng ký thi đua`];
  if (registration.kind !== 'registration') return [`Mốc «${registration.title}» dùng để xét đăng ký thi đua nhưng không phải loại «${MILESTONE_KIND_LABELS.registration}»`];
  return [];
}

// ---------------------------------------------------------------------------------------------------------------
// Editing: a scheme cannot change silently once self-scoring has opened.

type Field<T> = [label: string, get: (t: T) => string | number | boolean | undefined];

/** Additions, removals and field changes between two lists of things with ids, in Vietnamese. */
function diffList<T>(what: string, before: readonly T[], after: readonly T[], id: (t: T) => string, name: (t: T) => string, fields: Field<T>[]): string[] {
  const out: string[] = [];
  const old = new Map(before.map((t) => [id(t), t]));
  const next = new Map(after.map((t) => [id(t), t]));
  for (const t of before) if (!next.has(id(t))) out.push(`Bỏ ${what} «${shortTitle(name(t))}»`);
  for (const t of after) {
    const previous = old.get(id(t));
    if (!previous) {
      out.push(`Thêm ${what} «${shortTitle(name(t))}»`);
      continue;
    }
    for (const [label, get] of fields) {
      const [a, b] = [get(previous), get(t)];
      if (a !== b) out.push(`${what[0]!.toUpperCase()}${what.slice(1)} «${shortTitle(name(t))}»: ${label} ${show(a)} → ${show(b)}`);
    }
  }
  return out;
}

const show = (v: string | number | boolean | undefined): string =>
  v === undefined ? '(không có)' : typeof v === 'number' ? formatPointsVi(v) : typeof v === 'boolean' ? (v ? 'có' : 'không') : `«${shortTitle(v)}»`;

/** What changed between two versions of a scheme, one Vietnamese line per change (for the audit and the reason). */
export function describeSchemeChanges(before: ScoringScheme, after: ScoringScheme): string[] {
  const out: string[] = [];
  const scalar = (label: string, a: string | number | boolean | undefined, b: string | number | boolean | undefined): void => {
    if (a !== b) out.push(`${label}: ${show(a)} → ${show(b)}`);
  };
  scalar('Điểm chuẩn', before.base, after.base);
  out.push(...diffList('nhóm tiêu chí', before.groups, after.groups, (g) => g.id, (g) => g.title, [['tên', (g) => g.title], ['điểm tối đa', (g) => g.maximum]]));
  const criteria = (s: ScoringScheme): Criterion[] => s.groups.flatMap((g) => g.criteria);
  out.push(
    ...diffList('tiêu chí', criteria(before), criteria(after), (c) => c.id, (c) => c.title, [
      ['tên', (c) => c.title],
      ['điểm tối đa', (c) => c.maximum],
      ['cách chấm', (c) => c.guidance],
    ]),
  );
  scalar('Mức trần điểm thưởng', before.bonus.cap, after.bonus.cap);
  out.push(...diffList('mục điểm thưởng', before.bonus.items, after.bonus.items, (b) => b.id, (b) => b.title, [['tên', (b) => b.title], ['điểm tối đa', (b) => b.maximum]]));
  out.push(
    ...diffList('điểm trừ loại', before.deductions.rules, after.deductions.rules, (r) => r.kind, (r) => MILESTONE_KIND_LABELS[r.kind], [
      ['nộp muộn', (r) => r.late],
      ['không nộp', (r) => r.missing],
    ]),
  );
  scalar('Mức trần điểm trừ', before.deductions.cap, after.deductions.cap);
  out.push(...diffList('mức xếp loại', before.bands, after.bands, (b) => b.id, (b) => b.label, [['tên', (b) => b.label], ['điểm tối thiểu', (b) => b.minimum]]));
  const order = (s: ScoringScheme): string => s.tieBreak.map((t) => TIE_BREAK_LABELS[t]).join(', ') || '(không xét)';
  scalar('Thứ tự xét khi bằng điểm', order(before), order(after));
  scalar('Mốc xét đăng ký thi đua', before.registrationMilestoneId, after.registrationMilestoneId);
  const awards = diffList('hình thức khen thưởng', before.awards, after.awards, (a) => a.award, (a) => a.label, [
    ['tên', (a) => a.label],
    ['số lượng', (a) => a.count],
    ['mức xếp loại tối thiểu', (a) => a.minBand],
    ['cần đạt tỷ lệ phiếu suy tôn', (a) => a.voteRequired],
  ]);
  const sameAwardSet = [...before.awards.map((a) => a.award)].sort().join() === [...after.awards.map((a) => a.award)].sort().join();
  if (sameAwardSet && before.awards.map((a) => a.award).join() !== after.awards.map((a) => a.award).join()) awards.push('Đổi thứ tự xét các hình thức khen thưởng');
  out.push(...awards);
  const share = (v: VoteRule): string => `${v.comparison === 'more-than' ? 'trên' : 'từ'} ${formatPointsVi(v.threshold * 100)}% số phiếu`;
  scalar('Tỷ lệ phiếu suy tôn', share(before.vote), share(after.vote));
  scalar('Nhãn mẫu', before.isSample, after.isSample);
  return out;
}

export type SchemeEditDecision =
  /** Save it: in place before self-scoring opens, or as the new version it declares. */
  | { outcome: 'allowed'; asNewVersion: boolean; changes: string[]; message: string }
  /** The change is fine but must be saved as version current + 1 with a reason. */
  | { outcome: 'needs-new-version-with-reason'; changes: string[]; message: string }
  | { outcome: 'refused'; message: string };

/**
 * Whether a scheme may be replaced by `proposed` at `now`.
 * - Results frozen (chốt): refused, whatever the change; unlock first.
 * - Before self-scoring opens (`selfScoreOpensAt` undefined or later than now): any change, in place or as the next
 *   version.
 * - Once it has opened: a change must be saved as version current + 1 with a reason of its own, so that every sheet
 *   can say which version it was scored under and the audit shows why the rules moved.
 * Skipping versions or going back is refused at any time.
 */
export function decideSchemeEdit(p: {
  current: ScoringScheme | undefined;
  proposed: ScoringScheme;
  selfScoreOpensAt: Date | undefined;
  now: Date;
  resultsFrozen?: boolean;
}): SchemeEditDecision {
  const { current, proposed } = p;
  if (p.resultsFrozen) return { outcome: 'refused', message: 'Kết quả chấm điểm đã chốt: cần mở khóa (ghi rõ lý do) trước khi sửa thang điểm.' };
  if (!current) return { outcome: 'allowed', asNewVersion: false, changes: [], message: 'Tạo thang điểm.' };
  const changes = describeSchemeChanges(current, proposed);
  const sameVersion = proposed.version === current.version;
  if (!sameVersion && proposed.version !== current.version + 1) {
    return { outcome: 'refused', message: `Phiên bản thang điểm không hợp lệ: đang là ${current.version}, phiên bản mới phải là ${current.version + 1}.` };
  }
  if (changes.length === 0 && sameVersion) return { outcome: 'allowed', asNewVersion: false, changes, message: 'Thang điểm không thay đổi.' };
  const opened = p.selfScoreOpensAt !== undefined && p.now.getTime() >= p.selfScoreOpensAt.getTime();
  if (!opened) {
    return { outcome: 'allowed', asNewVersion: !sameVersion, changes, message: sameVersion ? 'Lưu thay đổi thang điểm (chưa mở tự chấm điểm).' : `Lưu thang điểm phiên bản ${proposed.version}.` };
  }
  const since = `Các đơn vị đã được tự chấm điểm từ ${formatInstantVi(p.selfScoreOpensAt!)}`;
  if (sameVersion) {
    return {
      outcome: 'needs-new-version-with-reason',
      changes,
      message: `${since}: thay đổi thang điểm phải lưu thành phiên bản mới (phiên bản ${current.version + 1}) kèm lý do thay đổi.`,
    };
  }
  if (!proposed.changeReason || proposed.changeReason === current.changeReason) {
    return { outcome: 'needs-new-version-with-reason', changes, message: `${since}: cần ghi lý do thay đổi của phiên bản ${proposed.version}.` };
  }
  return { outcome: 'allowed', asNewVersion: true, changes, message: `Lưu thang điểm phiên bản ${proposed.version}. Lý do: ${proposed.changeReason}` };
}

/** The note a sample scheme shows. */
export const sampleNoteOf = (scheme: Pick<ScoringScheme, 'isSample' | 'sampleNote'>): string | undefined =>
  scheme.isSample ? (scheme.sampleNote ?? SCORING_SAMPLE_NOTE) : undefined;
