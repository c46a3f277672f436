/**
 * What plan import proposes, as zod schemas (the proposal goes to the admin, who may edit it, and comes back to be
 * confirmed), and how a confirmed proposal becomes real milestones (`toMilestoneInput`, `toPlanInput`) or the flat
 * JSON the CLI prints (`toImportJson`).
 */
import * as z from 'zod';
import {
  MilestoneSchema,
  PlanIdSchema,
  RecipientSchema,
  TextSchema,
  planIdFor,
  type MilestoneInput,
  type PlanInput,
  type Recipient,
  type UnitSelector,
} from '../model';
import { LocalDateSchema } from '../time';

/** Who acts or sends, as a plan says it: the head unit, the deputy, every unit, or the units proposed for an award. */
export const WHO = ['cum-truong', 'cum-pho', 'all', 'proposed-for-award'] as const;
export const WhoSchema = z.enum(WHO);
export type Who = z.infer<typeof WhoSchema>;
export const WHO_LABELS: Record<Who, string> = {
  'cum-truong': 'Đơn vị Cụm trưởng',
  'cum-pho': 'Đơn vị Cụm phó',
  all: 'Mọi đơn vị',
  'proposed-for-award': 'Đơn vị được đề nghị khen thưởng',
};

export const ResponsibilitySchema = z.object({ who: WhoSchema, task: TextSchema });
export type Responsibility = z.infer<typeof ResponsibilitySchema>;

/** A document the units must send, and to whom; `to` is never empty in a proposal (see milestones.ts). */
export const ProposedDocumentSchema = z.object({ title: TextSchema, from: WhoSchema, to: z.array(RecipientSchema).min(1) });
export type ProposedDocument = z.infer<typeof ProposedDocumentSchema>;

const SchoolYearSchema = z
  .object({ startYear: z.number().int().min(2000).max(2100), endYear: z.number().int() })
  .refine((y) => y.endYear === y.startYear + 1, 'Năm học phải gồm hai năm liền nhau');

/** A milestone's own fields as the model checks them, plus who acts and the documents as the text says them. */
export const ProposedMilestoneSchema = MilestoneSchema.pick({
  milestoneId: true,
  order: true,
  kind: true,
  title: true,
  due: true,
  dueText: true,
  place: true,
  participants: true,
  content: true,
  notes: true,
  recurring: true,
}).extend({
  responsible: z.array(ResponsibilitySchema).default([]),
  /** At most one: a sentence that asks for several documents gives one milestone per document. */
  documents: z.array(ProposedDocumentSchema).max(1).default([]),
  /** The heading or sentence the milestone was read from. */
  source: z.string().max(5000),
  /** Its line in the imported text. */
  line: z.number().int().min(0),
  /** 0..1, see milestones.ts `confidenceOf`. */
  confidence: z.number().min(0).max(1),
  /** Why the confidence is what it is, in Vietnamese. */
  reasons: z.array(z.string()).default([]),
});
export type ProposedMilestone = z.infer<typeof ProposedMilestoneSchema>;

export const PlanImportProposalSchema = z.object({
  /** Read from the text ("năm học 2021 - 2022") or given; dates written without a year are placed in it. */
  schoolYear: SchoolYearSchema.optional(),
  title: TextSchema.optional(),
  issuedPlace: TextSchema.optional(),
  issuedOn: LocalDateSchema.optional(),
  milestones: z.array(ProposedMilestoneSchema).max(99, 'Tối đa 99 mốc trong một kế hoạch'),
  /** What the reader should check, in Vietnamese. */
  warnings: z.array(z.string()).default([]),
});
export type PlanImportProposal = z.infer<typeof PlanImportProposalSchema>;

/** The selector a plan's "who" stands for. */
export function selectorOf(who: Who): UnitSelector {
  switch (who) {
    case 'all':
      return { type: 'all' };
    case 'proposed-for-award':
      return { type: 'proposed-for-award' };
    default:
      return { type: 'roles', roles: [who] };
  }
}

/** The milestone a confirmed proposal creates (checked by MilestoneSchema when saved). */
export function toMilestoneInput(p: ProposedMilestone, clusterId: string, planId: string): MilestoneInput {
  const document = p.documents[0];
  return {
    clusterId,
    planId,
    milestoneId: p.milestoneId,
    order: p.order,
    kind: p.kind,
    title: p.title,
    due: p.due,
    ...(p.dueText ? { dueText: p.dueText } : {}),
    ...(p.place ? { place: p.place } : {}),
    ...(p.participants ? { participants: p.participants } : {}),
    content: p.content,
    assignments: p.responsible.map((r) => ({ who: selectorOf(r.who), task: r.task })),
    ...(document ? { document: { title: document.title, from: selectorOf(document.from), recipients: document.to } } : {}),
    recurring: p.recurring,
    notes: p.notes,
  };
}

/** The plan a confirmed proposal creates; undefined without a school year (the plan is identified by it). */
export function toPlanInput(proposal: PlanImportProposal, clusterId: string): PlanInput | undefined {
  const year = proposal.schoolYear;
  if (!year) return undefined;
  const planId = PlanIdSchema.parse(planIdFor(year.startYear));
  return {
    clusterId,
    planId,
    schoolYear: { startYear: year.startYear, endYear: year.endYear },
    title: proposal.title ?? `Kế hoạch hoạt động năm học ${year.startYear} - ${year.endYear}`,
    ...(proposal.issuedPlace ? { issuedPlace: proposal.issuedPlace } : {}),
    ...(proposal.issuedOn ? { issuedOn: proposal.issuedOn } : {}),
  };
}

/** One milestone as the CLI prints it with --json (and as an API client would read it). */
export interface ImportJsonMilestone {
  milestoneId: string;
  title: string;
  kind: ProposedMilestone['kind'];
  dueDate?: string;
  /** For a due date: "before" is "trước ngày D", "by" is through the end of D. */
  dueRule?: 'before' | 'by';
  dueMonth?: string;
  dueText?: string;
  place?: string;
  responsible: Responsibility[];
  documents: Array<{ title: string; from: Who; to: Recipient[] }>;
  source: string;
  confidence: number;
}

export function toImportJson(p: ProposedMilestone): ImportJsonMilestone {
  return {
    milestoneId: p.milestoneId,
    title: p.title,
    kind: p.kind,
    ...(p.due.type === 'date' ? { dueDate: p.due.date, dueRule: p.due.rule } : {}),
    ...(p.due.type === 'month' ? { dueMonth: p.due.month } : {}),
    ...(p.dueText ? { dueText: p.dueText } : {}),
    ...(p.place ? { place: p.place } : {}),
    responsible: p.responsible,
    documents: p.documents,
    source: p.source,
    confidence: p.confidence,
  };
}
