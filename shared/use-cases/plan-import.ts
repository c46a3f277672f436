/**
 * Plan import: pasted text becomes a proposal of milestones (domain/plan-import; files are read in
 * `plan-import-files.ts`, which only the preview function and the CLI load); the proposal, reviewed and possibly
 * edited by the admin, is then confirmed into a new plan of the cluster. Nothing is saved before `importPlan` /
 * `confirmImport`, which never overwrite a plan.
 */
import { NotFoundError, ValidationError } from '../domain/errors';
import { MilestoneSchema, PlanSchema, type Milestone, type Plan } from '../domain/model';
import type { AuditEntry } from '../domain/audit';
import {
  PlanImportProposalSchema,
  proposeMilestones,
  toMilestoneInput,
  toPlanInput,
  type PlanImportProposal,
  type SchoolYear,
} from '../domain/plan-import';
import type { Repositories } from '../ports/repositories';
import { checkMilestone, createPlan } from './plans';
import type { ScheduleDeps, ScheduleReport } from './reminders';

/** Text longer than this is not a plan (the seed is 9 000 characters). */
export const PLAN_IMPORT_MAX_CHARS = 300_000;

/** Pasted or extracted text, refused when empty or too long for a plan. */
export function checkedText(text: string): string {
  if (text.trim() === '') throw new ValidationError('Văn bản kế hoạch trống: không có nội dung để đọc.', [{ field: 'file', message: 'Không có nội dung' }]);
  if (text.length > PLAN_IMPORT_MAX_CHARS) {
    throw new ValidationError(`Văn bản quá dài (${text.length.toLocaleString('vi-VN')} ký tự); một kế hoạch nhập vào tối đa ${PLAN_IMPORT_MAX_CHARS.toLocaleString('vi-VN')} ký tự.`);
  }
  return text;
}

export interface ProposeImportOptions {
  /** The school year when the admin knows it better than the text. */
  schoolYear?: SchoolYear;
}

/** Pasted text to a proposal (nothing is saved). */
export function proposeImportFromText(text: string, options: ProposeImportOptions = {}): PlanImportProposal {
  return proposeMilestones(checkedText(text), options);
}

export interface PlanImportDeps extends ScheduleDeps {
  repos: Pick<Repositories, 'plans' | 'clusters' | 'audit'>;
}

export interface ImportedPlan {
  plan: Plan;
  milestones: Milestone[];
  schedules: ScheduleReport;
  /** The audit entry's sentence. */
  summary: string;
}

/** Who confirmed, for the audit entry: the CLI passes a system actor, the admin page the signed-in admin. */
export type ImportActor = AuditEntry['actor'];
const CLI_ACTOR: ImportActor = { type: 'system', id: 'cli plan import' };

/** The proposal as sent back by the admin, checked; zod's issues become one Vietnamese ValidationError. */
function parseProposal(input: unknown): PlanImportProposal {
  const parsed = PlanImportProposalSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  throw new ValidationError(`Đề xuất kế hoạch chưa hợp lệ: ${details.map((d) => `${d.field || 'đề xuất'}: ${d.message}`).slice(0, 5).join('; ')}.`, details);
}

function summaryOf(plan: Plan, milestones: readonly Milestone[], schedules: ScheduleReport): string {
  const count = (type: Milestone['due']['type']) => milestones.filter((m) => m.due.type === type).length;
  return (
    `Nhập kế hoạch năm học ${plan.planId} từ văn bản: ${milestones.length} mốc ` +
    `(${count('date')} có ngày, ${count('month')} chỉ có tháng, ${count('none')} chưa có thời gian); lịch nhắc: tạo ${schedules.created}.`
  );
}

/** The audit entry of an import: who wrote it is added by the caller (the CLI here, the admin API's router). */
export function importAuditOf(imported: Pick<ImportedPlan, 'plan' | 'summary'>): Pick<AuditEntry, 'action' | 'target' | 'summary'> {
  return { action: 'plan.import', target: `plan:${imported.plan.planId}`, summary: imported.summary };
}

/**
 * Creates the plan and its milestones from a confirmed proposal, in one transaction, then its reminder schedules;
 * writes no audit entry (see `confirmImport`, and the admin API, whose router writes `importAuditOf` with the
 * request id). Refuses when the cluster does not exist or already has a plan for that school year (an import never
 * overwrites: edit that plan instead).
 */
export async function importPlan(deps: PlanImportDeps, clusterId: string, input: unknown): Promise<ImportedPlan> {
  const proposal = parseProposal(input);
  const planInput = toPlanInput(proposal, clusterId);
  if (!planInput) {
    throw new ValidationError('Chưa xác định được năm học của kế hoạch. Hãy ghi năm học (ví dụ "năm học 2021 - 2022") hoặc chọn năm học khi nhập.', [
      { field: 'schoolYear', message: 'Cần năm học' },
    ]);
  }
  if (!(await deps.repos.clusters.get(clusterId))) throw new NotFoundError(`Không tìm thấy cụm "${clusterId}".`);
  const plan = PlanSchema.parse(planInput);
  const milestones = proposal.milestones.map((p) => MilestoneSchema.parse(toMilestoneInput(p, clusterId, plan.planId)));
  const repeated = milestones.find((m, i) => milestones.findIndex((o) => o.milestoneId === m.milestoneId) !== i);
  if (repeated) throw new ValidationError(`Hai mốc cùng mã "${repeated.milestoneId}": mỗi mốc cần một mã riêng.`, [{ field: 'milestones', message: 'Mã mốc bị trùng' }]);
  milestones.forEach((m) => checkMilestone(m, plan));

  const schedules = await createPlan(
    deps,
    plan,
    milestones,
    `Cụm đã có kế hoạch năm học ${plan.planId}; nhập kế hoạch không ghi đè kế hoạch đã có. Hãy sửa trực tiếp kế hoạch đó trên trang quản trị.`,
  );
  return { plan, milestones, schedules, summary: summaryOf(plan, milestones, schedules) };
}

/** `importPlan`, then its audit entry by `actor` (the CLI's way: it has no router to write it). */
export async function confirmImport(deps: PlanImportDeps, clusterId: string, input: unknown, actor: ImportActor = CLI_ACTOR): Promise<ImportedPlan> {
  const imported = await importPlan(deps, clusterId, input);
  await deps.repos.audit.append({ clusterId, actor, ...importAuditOf(imported) });
  return imported;
}
