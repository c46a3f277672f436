/**
 * Plan import, pure part: from the text of a "Kế hoạch hoạt động" (markdown, plain text, the raw text of a .docx)
 * to proposed milestones that the admin reviews, edits and confirms (shared/use-cases/plan-import.ts reads files and
 * saves). dates.ts reads date expressions, text.ts splits the text, milestones.ts proposes, proposal.ts holds the
 * schemas and the mapping onto MilestoneSchema.
 */
export { findDates, findSchoolYears, firstDue, inferYear, isDeadlineRole, NON_DEADLINE_ROLES, SCHOOL_YEAR_FIRST_MONTH } from './dates';
export type { DateForm, DateMention, DateRole, DateValue, FindDatesOptions, NonDeadlineRole, SchoolYear } from './dates';
export { normalizeText, parseBlocks, sectionsOf, splitSentences } from './text';
export type { Block, Section } from './text';
export { confidenceOf, documentsIn, kindOf, proposeMilestones } from './milestones';
export type { ProposeOptions } from './milestones';
export {
  PlanImportProposalSchema,
  ProposedDocumentSchema,
  ProposedMilestoneSchema,
  ResponsibilitySchema,
  WHO,
  WHO_LABELS,
  WhoSchema,
  selectorOf,
  toImportJson,
  toMilestoneInput,
  toPlanInput,
} from './proposal';
export type { ImportJsonMilestone, PlanImportProposal, ProposedDocument, ProposedMilestone, Responsibility, Who } from './proposal';
