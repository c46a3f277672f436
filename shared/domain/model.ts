/**
 * The domain model: zod schemas are the single source of truth, types come from z.infer.
 *
 * Province union > Cluster (Cụm) > Plan for a school year > Milestones; Units belong to a cluster with a role.
 * Every identifier is a readable slug; every stored key starts with the cluster (see docs/data-model.md).
 */
import { wellFormed } from './unicode';
import * as z from 'zod';
import { MILESTONE_KINDS, RECIPIENTS, UNIT_ROLES } from './labels';
import { LocalDateSchema, LocalMonthSchema, ictDateOf, schoolYearOf } from './time';

export { MILESTONE_KINDS, MILESTONE_KIND_LABELS, RECIPIENTS, RECIPIENT_LABELS, UNIT_ROLES, UNIT_ROLE_LABELS } from './labels';
export type { MilestoneKind, Recipient, UnitRole } from './labels';

/** A readable, URL-safe identifier: lowercase ASCII words joined by hyphens. */
export const SlugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Mã chỉ gồm chữ thường không dấu, số và dấu gạch ngang');

export const ClusterIdSchema = SlugSchema;
export const UnitIdSchema = SlugSchema;
export const MilestoneIdSchema = SlugSchema;

/** A plan is identified by its school year, "2021-2022": one plan per cluster per school year. */
export const PlanIdSchema = z
  .string()
  .regex(/^\d{4}-\d{4}$/, 'Mã kế hoạch là năm học, dạng 2021-2022')
  .refine((id) => Number(id.slice(5)) === Number(id.slice(0, 4)) + 1, 'Năm học phải gồm hai năm liền nhau');

export const planIdFor = (startYear: number): string => `${startYear}-${startYear + 1}`;

/** Vietnamese text a person reads: trimmed and NFC-normalised so comparisons and display are stable. */
export const TextSchema = z
  .string()
  .transform((s) => wellFormed(s).normalize('NFC').trim())
  .pipe(z.string().min(1, 'Không được để trống').max(2000, 'Quá dài (tối đa 2000 ký tự)'));

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Địa chỉ email không hợp lệ' }).max(254));

export const UnitRoleSchema = z.enum(UNIT_ROLES);

export const ContactSchema = z.object({
  name: TextSchema,
  position: TextSchema.optional(),
  address: TextSchema.optional(),
  phone: z.string().trim().max(40).optional(),
  email: EmailSchema.optional(),
});
export type Contact = z.infer<typeof ContactSchema>;

export const ProvinceUnionSchema = z.object({
  id: SlugSchema,
  name: TextSchema,
  email: EmailSchema.optional(),
});
export type ProvinceUnion = z.infer<typeof ProvinceUnionSchema>;

export const ClusterSchema = z.object({
  clusterId: ClusterIdSchema,
  name: TextSchema,
  province: ProvinceUnionSchema,
});
export type Cluster = z.infer<typeof ClusterSchema>;

export const UnitSchema = z.object({
  clusterId: ClusterIdSchema,
  unitId: UnitIdSchema,
  name: TextSchema,
  role: UnitRoleSchema,
  emails: z.array(EmailSchema).min(1, 'Cần ít nhất một email liên hệ').max(10),
  contactName: TextSchema.optional(),
  /** Demo data invented for the reference cluster, shown as such in every view. */
  isSample: z.boolean().default(false),
  /** Bumped to revoke every signed link issued to the unit (issue: signed-link uploads). */
  linkVersion: z.number().int().min(1).default(1),
  active: z.boolean().default(true),
});
export type Unit = z.infer<typeof UnitSchema>;

export const MilestoneKindSchema = z.enum(MILESTONE_KINDS);

/**
 * When a milestone falls due.
 * - `date`: a fixed day. `rule: 'before'` is "trước ngày 10/12/2021" (whether the 10th itself is accepted is the
 *   plan's `beforeDayInclusive` setting); `rule: 'by'` is "đến hết ngày 10/12/2021" (the 10th is accepted).
 * - `month`: only a month is known ("dự kiến tháng 06/2022"); no reminders until a day is fixed.
 * - `none`: no date yet ("tùy thuộc tình hình thực tế sẽ triển khai kế hoạch sau").
 */
export const DueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('date'), date: LocalDateSchema, rule: z.enum(['before', 'by']).default('before') }),
  z.object({ type: z.literal('month'), month: LocalMonthSchema }),
  z.object({ type: z.literal('none') }),
]);
export type Due = z.infer<typeof DueSchema>;

/** Who a task or a document request is addressed to. */
export const UnitSelectorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('all') }),
  z.object({ type: z.literal('roles'), roles: z.array(UnitRoleSchema).min(1) }),
  z.object({ type: z.literal('units'), unitIds: z.array(UnitIdSchema).min(1) }),
  /** The units the cluster proposes for an award (known once scores are ranked). */
  z.object({ type: z.literal('proposed-for-award') }),
]);
export type UnitSelector = z.infer<typeof UnitSelectorSchema>;

export const RecipientSchema = z.enum(RECIPIENTS);

export const AssignmentSchema = z.object({ who: UnitSelectorSchema, task: TextSchema });
export type Assignment = z.infer<typeof AssignmentSchema>;

/** A document each selected unit must send, and to whom. */
export const DocumentRequirementSchema = z.object({
  title: TextSchema,
  from: UnitSelectorSchema,
  recipients: z.array(RecipientSchema).min(1),
});
export type DocumentRequirement = z.infer<typeof DocumentRequirementSchema>;

export const DEFAULT_REMINDER_OFFSETS = [7, 3, 1, 0] as const;

export const MilestoneSchema = z.object({
  clusterId: ClusterIdSchema,
  planId: PlanIdSchema,
  milestoneId: MilestoneIdSchema,
  /** Position in the plan, for display. */
  order: z.number().int().min(0),
  kind: MilestoneKindSchema,
  title: TextSchema,
  due: DueSchema,
  /** The plan's own wording of the date, e.g. "dự kiến tháng 06/2022". */
  dueText: TextSchema.optional(),
  place: TextSchema.optional(),
  /** Thành phần tham dự, for conferences. */
  participants: TextSchema.optional(),
  /** Nội dung: what the milestone covers. */
  content: z.array(TextSchema).default([]),
  assignments: z.array(AssignmentSchema).default([]),
  document: DocumentRequirementSchema.optional(),
  /** Days before the due day at which reminders go out; 0 is the due day itself. */
  reminderOffsets: z
    .array(z.number().int().min(0).max(60))
    .max(10)
    .default([...DEFAULT_REMINDER_OFFSETS]),
  /** Hard cut-off: late uploads are accepted through the end of this ICT day, refused after it. */
  cutoffDate: LocalDateSchema.optional(),
  /** False for one-off milestones (an anniversary) that cloning into the next year leaves out. */
  recurring: z.boolean().default(true),
  notes: z.array(TextSchema).default([]),
});
export type Milestone = z.infer<typeof MilestoneSchema>;
export type MilestoneInput = z.input<typeof MilestoneSchema>;

export const PlanSchema = z.object({
  clusterId: ClusterIdSchema,
  planId: PlanIdSchema,
  schoolYear: z.object({ startYear: z.number().int().min(2000).max(2100), endYear: z.number().int() }),
  title: TextSchema,
  /** Where and when the plan was issued ("Thanh Hóa, ngày 23 tháng 8 năm 2021"). */
  issuedPlace: TextSchema.optional(),
  issuedOn: LocalDateSchema.optional(),
  signedBy: z.object({ name: TextSchema, position: TextSchema }).optional(),
  /** Căn cứ: the guidance the plan follows. */
  basis: TextSchema.optional(),
  /** Where reports are sent (Địa chỉ gửi báo cáo). */
  contact: ContactSchema.optional(),
  /**
   * Whether "trước ngày D" still accepts a document on D. Default false: accepted until 23:59:59 of D - 1.
   * Shown explicitly wherever a deadline is displayed.
   */
  beforeDayInclusive: z.boolean().default(false),
  /** ICT hour at which reminders are sent. */
  reminderHour: z.number().int().min(0).max(23).default(8),
  clonedFrom: PlanIdSchema.optional(),
  isSample: z.boolean().default(false),
});
export type Plan = z.infer<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

/** A plan with its milestones, in display order. */
export interface PlanWithMilestones {
  plan: Plan;
  milestones: Milestone[];
}

/** Resolves a selector against a cluster's units (proposed-for-award resolves to nobody until scoring exists). */
export function selectUnits(selector: UnitSelector, units: readonly Unit[], proposed: readonly string[] = []): Unit[] {
  const active = units.filter((u) => u.active);
  switch (selector.type) {
    case 'all':
      return active;
    case 'roles':
      return active.filter((u) => selector.roles.includes(u.role));
    case 'units':
      return active.filter((u) => selector.unitIds.includes(u.unitId));
    case 'proposed-for-award':
      return active.filter((u) => proposed.includes(u.unitId));
  }
}

/**
 * The plan a person means by "this year's plan": the one of the school year containing `now`, else the newest.
 */
export function currentPlanOf<P extends Pick<Plan, 'schoolYear'>>(plans: readonly P[], now: Date): P | undefined {
  const year = schoolYearOf(ictDateOf(now)).startYear;
  return plans.find((p) => p.schoolYear.startYear === year) ?? [...plans].sort((a, b) => b.schoolYear.startYear - a.schoolYear.startYear)[0];
}

export const byOrder = (a: Milestone, b: Milestone): number => a.order - b.order || a.milestoneId.localeCompare(b.milestoneId);
