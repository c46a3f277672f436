/**
 * Plan import: a file (.docx, .md, .txt) or pasted text becomes a proposal of milestones (domain/plan-import); the
 * proposal, reviewed and possibly edited by the admin, is then confirmed into a new plan of the cluster. Nothing is
 * saved before `importPlan` / `confirmImport`, which never overwrite a plan.
 */
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
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
import { formatBytesVi } from '../domain/submission';
import type { Repositories } from '../ports/repositories';
import { checkMilestone, clip } from './plans';
import { reconcileSchedules, type ScheduleDeps, type ScheduleReport } from './reminders';

/** A plan is a few pages of text; a Word file with a letterhead image stays well under this. */
export const PLAN_IMPORT_MAX_BYTES = 5 * 1024 * 1024;
/** Text longer than this is not a plan (the seed is 9 000 characters). */
export const PLAN_IMPORT_MAX_CHARS = 300_000;
export const PLAN_IMPORT_EXTENSIONS = ['.docx', '.md', '.txt'] as const;

export interface PlanFile {
  fileName: string;
  bytes: Uint8Array;
}

const extensionOf = (fileName: string): string => /\.[^./\\]+$/.exec(fileName.trim().toLowerCase())?.[0] ?? '';

function refuseType(fileName: string, extension: string): never {
  const hint =
    extension === '.doc'
      ? ' Tệp Word cũ (.doc): hãy mở bằng Word và lưu lại dưới dạng .docx.'
      : extension === '.pdf'
        ? ' Với tệp PDF: hãy mở tệp, chép toàn bộ nội dung và dán vào ô văn bản, hoặc dùng bản Word (.docx) của kế hoạch.'
        : '';
  throw new ValidationError(`Không đọc được tệp "${clip(fileName, 80)}": chỉ nhận kế hoạch dạng .docx, .md hoặc .txt.${hint}`, [
    { field: 'file', message: 'Chỉ nhận tệp .docx, .md hoặc .txt' },
  ]);
}

async function docxText(bytes: Uint8Array, fileName: string): Promise<string> {
  // Loaded on use: only the import needs it (cold starts of other functions stay as they are).
  const { default: mammoth } = await import('mammoth');
  try {
    return (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value;
  } catch {
    throw new ValidationError(`Không đọc được tệp Word "${clip(fileName, 80)}": tệp bị hỏng hoặc không phải .docx. Hãy mở bằng Word, lưu lại rồi thử lại.`, [
      { field: 'file', message: 'Tệp .docx không đọc được' },
    ]);
  }
}

function utf8Text(bytes: Uint8Array, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ValidationError(`Tệp "${clip(fileName, 80)}" không phải văn bản UTF-8. Hãy lưu lại với bảng mã UTF-8 (Unicode) rồi thử lại.`, [
      { field: 'file', message: 'Tệp văn bản phải dùng bảng mã UTF-8' },
    ]);
  }
}

/** The text of a plan file, refused with a Vietnamese ValidationError when it is not one we can read. */
export async function planTextOf(file: PlanFile): Promise<string> {
  const extension = extensionOf(file.fileName);
  if (!(PLAN_IMPORT_EXTENSIONS as readonly string[]).includes(extension)) refuseType(file.fileName, extension);
  if (file.bytes.byteLength > PLAN_IMPORT_MAX_BYTES) {
    throw new ValidationError(
      `Tệp "${clip(file.fileName, 80)}" quá lớn (${formatBytesVi(file.bytes.byteLength)}); kế hoạch nhập vào tối đa ${formatBytesVi(PLAN_IMPORT_MAX_BYTES)}.`,
      [{ field: 'file', message: `Tối đa ${formatBytesVi(PLAN_IMPORT_MAX_BYTES)}` }],
    );
  }
  const text = extension === '.docx' ? await docxText(file.bytes, file.fileName) : utf8Text(file.bytes, file.fileName);
  return checkedText(text);
}

function checkedText(text: string): string {
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

/** A file to a proposal (nothing is saved). */
export async function proposeImport(file: PlanFile, options: ProposeImportOptions = {}): Promise<PlanImportProposal> {
  return proposeMilestones(await planTextOf(file), options);
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

  const outcome = await deps.repos.plans.createPlanIfAbsent(plan, milestones);
  if (outcome === 'exists') {
    throw new ConflictError(`Cụm đã có kế hoạch năm học ${plan.planId}; nhập kế hoạch không ghi đè kế hoạch đã có. Hãy sửa trực tiếp kế hoạch đó trên trang quản trị.`);
  }
  const schedules = await reconcileSchedules(deps, clusterId, plan.planId);
  return { plan, milestones, schedules, summary: summaryOf(plan, milestones, schedules) };
}

/** `importPlan`, then its audit entry by `actor` (the CLI's way: it has no router to write it). */
export async function confirmImport(deps: PlanImportDeps, clusterId: string, input: unknown, actor: ImportActor = CLI_ACTOR): Promise<ImportedPlan> {
  const imported = await importPlan(deps, clusterId, input);
  await deps.repos.audit.append({ clusterId, actor, ...importAuditOf(imported) });
  return imported;
}
