/**
 * The plan editor: save a milestone (checked, then written and the reminder schedules re-synced by
 * use-cases/milestones), delete one that has received nothing, and clone a plan into a later school year. Each
 * returns what the page shows afterwards and what the audit entry needs to say what changed.
 */
import { isDeepStrictEqual } from 'node:util';
import { deadlineOf, describeDue, describeDueShort } from '../domain/deadlines';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { MILESTONE_KIND_LABELS, MilestoneSchema, planIdFor, type Milestone, type MilestoneInput, type Plan } from '../domain/model';
import { clonePlan } from '../domain/plan-clone';
import { addDays, firstDayAfterMonth, formatDateVi } from '../domain/time';
import type { Repositories } from '../ports/repositories';
import { deleteMilestone, saveMilestone } from './milestones';
import type { MilestoneView } from './read-cluster';
import { reconcileSchedules, type ScheduleDeps, type ScheduleReport } from './reminders';

export interface PlanEditDeps extends ScheduleDeps {
  repos: Pick<Repositories, 'plans' | 'uploads' | 'units'>;
}

const viewOf = (m: Milestone, plan: Pick<Plan, 'beforeDayInclusive'>): MilestoneView => ({ ...m, dueLabel: describeDue(m, plan) });

/** A field error in the shape the router gives zod's (`details: [{ field, message }]`), so the form can place it. */
const fieldError = (field: string, message: string): ValidationError => new ValidationError(message, [{ field, message }]);

/**
 * Rules the schema cannot check alone: reminder offsets are distinct, and a hard cut-off is not before the last day
 * a document is on time (a cut-off on that very day means "no late uploads").
 */
export function checkMilestone(m: Milestone, plan: Pick<Plan, 'beforeDayInclusive'>): void {
  const repeated = [...new Set(m.reminderOffsets.filter((o, i) => m.reminderOffsets.indexOf(o) !== i))];
  if (repeated.length > 0) {
    throw fieldError('reminderOffsets', `Các lần nhắc trước hạn bị trùng: ${repeated.join(', ')} ngày. Mỗi số ngày chỉ ghi một lần.`);
  }
  if (!m.cutoffDate) return;
  const deadline = deadlineOf(m, plan);
  const lastOnTime = deadline.type === 'exact' ? deadline.lastDay : deadline.type === 'month' ? addDays(firstDayAfterMonth(deadline.month), -1) : undefined;
  if (lastOnTime && m.cutoffDate < lastOnTime) {
    throw fieldError(
      'cutoffDate',
      `Hạn chót nhận nộp muộn (${formatDateVi(m.cutoffDate)}) không được trước ngày cuối của hạn nộp (${formatDateVi(lastOnTime)}, theo “${describeDueShort(m)}”). Hãy chọn từ ngày ${formatDateVi(lastOnTime)} trở đi.`,
    );
  }
}

/** The unit ids a milestone names explicitly (document from, tasks for), with the field each is in. */
function namedUnits(m: Milestone): Array<{ field: string; unitId: string }> {
  const out: Array<{ field: string; unitId: string }> = [];
  if (m.document?.from.type === 'units') out.push(...m.document.from.unitIds.map((unitId) => ({ field: 'document.from.unitIds', unitId })));
  m.assignments.forEach((a, i) => {
    if (a.who.type === 'units') out.push(...a.who.unitIds.map((unitId) => ({ field: `assignments.${i}.who.unitIds`, unitId })));
  });
  return out;
}

/** A milestone that names units by id must name units of the cluster (a typo would silently ask nobody). */
async function checkNamedUnits(deps: Pick<PlanEditDeps, 'repos'>, m: Milestone): Promise<void> {
  const named = namedUnits(m);
  if (named.length === 0) return;
  const known = new Set((await deps.repos.units.list(m.clusterId)).map((u) => u.unitId));
  const unknown = named.find((n) => !known.has(n.unitId));
  if (unknown) throw fieldError(unknown.field, `Không có đơn vị "${unknown.unitId}" trong cụm này.`);
}

export interface SavedMilestone {
  milestone: MilestoneView;
  /** The milestone as it was before, absent when it is new. */
  before?: Milestone;
  schedules: ScheduleReport;
}

/** Creates or replaces a milestone of an existing plan after checking it; the schedules follow (milestones.ts). */
export async function editMilestone(deps: PlanEditDeps, input: MilestoneInput): Promise<SavedMilestone> {
  const milestone = MilestoneSchema.parse(input);
  const [plan, before] = await Promise.all([
    deps.repos.plans.getPlan(milestone.clusterId, milestone.planId),
    deps.repos.plans.getMilestone(milestone.clusterId, milestone.planId, milestone.milestoneId),
  ]);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${milestone.planId} của cụm "${milestone.clusterId}".`);
  checkMilestone(milestone, plan);
  await checkNamedUnits(deps, milestone);
  const saved = await saveMilestone(deps, milestone);
  return { milestone: viewOf(saved.milestone, plan), ...(before ? { before } : {}), schedules: saved.schedules };
}

/**
 * Deletes a milestone and its schedules, unless units have already sent documents for it: those files stay listed
 * under their milestone, so the milestone must stay too (the admin can drop its document request instead).
 */
export async function removeMilestone(
  deps: PlanEditDeps,
  p: { clusterId: string; planId: string; milestoneId: string },
): Promise<{ milestone: Milestone; schedules: ScheduleReport }> {
  const [milestone, items] = await Promise.all([
    deps.repos.plans.getMilestone(p.clusterId, p.planId, p.milestoneId),
    deps.repos.uploads.listMilestoneItems(p.clusterId, p.planId, p.milestoneId),
  ]);
  if (!milestone) throw new NotFoundError(`Không tìm thấy mốc "${p.milestoneId}" trong kế hoạch ${p.planId}.`);
  if (items.submissions.length > 0) {
    const units = new Set(items.submissions.map((s) => s.unitId)).size;
    throw new ConflictError(
      `Không xóa được mốc "${clip(milestone.title)}": đã có ${items.submissions.length} tệp của ${units} đơn vị gửi cho mốc này. Tài liệu đã nhận phải được giữ lại; nếu mốc không còn dùng, hãy sửa mốc (ví dụ bỏ yêu cầu nộp tài liệu) thay vì xóa.`,
    );
  }
  return { milestone, schedules: await deleteMilestone(deps, p.clusterId, p.planId, p.milestoneId) };
}

export interface ClonedPlanView {
  plan: Plan;
  milestones: MilestoneView[];
  /** Titles of the one-off milestones left out. */
  skipped: string[];
  schedules: ScheduleReport;
}

/**
 * Copies a plan into a later school year (dates moved by whole years, one-off milestones left out, see
 * domain/plan-clone) in one transaction, then creates the new year's schedules. Never overwrites a plan.
 */
/**
 * Creates a new plan with its milestones in one write, then its reminder schedules. Never overwrites: a plan of that
 * school year already there is a ConflictError with `existsMessage` (what the admin should do instead).
 */
export async function createPlan(
  deps: ScheduleDeps & { repos: Pick<Repositories, 'plans'> },
  plan: Plan,
  milestones: readonly Milestone[],
  existsMessage: string,
): Promise<ScheduleReport> {
  let outcome;
  try {
    outcome = await deps.repos.plans.createPlanIfAbsent(plan, milestones);
  } catch (error) {
    if (error instanceof RangeError) throw new ValidationError('Kế hoạch có quá nhiều mốc để lưu một lần (tối đa 99 mốc).');
    throw error;
  }
  if (outcome === 'exists') throw new ConflictError(existsMessage);
  return reconcileSchedules(deps, plan.clusterId, plan.planId);
}

export async function clonePlanInto(deps: PlanEditDeps, p: { clusterId: string; planId: string; targetPlanId: string }): Promise<ClonedPlanView> {
  const [source, milestones] = await Promise.all([deps.repos.plans.getPlan(p.clusterId, p.planId), deps.repos.plans.listMilestones(p.clusterId, p.planId)]);
  if (!source) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${p.planId} của cụm "${p.clusterId}".`);
  const targetStartYear = Number(p.targetPlanId.slice(0, 4));
  if (!(targetStartYear > source.schoolYear.startYear)) {
    throw fieldError(
      'targetPlanId',
      `Chỉ sao chép được sang một năm học sau năm học ${source.planId} (ví dụ ${planIdFor(source.schoolYear.startYear + 1)}).`,
    );
  }
  const cloned = clonePlan(source, milestones, targetStartYear);
  const schedules = await createPlan(
    deps,
    cloned.plan,
    cloned.milestones,
    `Cụm đã có kế hoạch năm học ${cloned.plan.planId}; sao chép không ghi đè kế hoạch đã có. Hãy sửa trực tiếp kế hoạch đó.`,
  );
  return {
    plan: cloned.plan,
    milestones: cloned.milestones.map((m) => viewOf(m, cloned.plan)),
    skipped: cloned.skipped.map((m) => m.title),
    schedules,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Audit wording

/** Quotes a person's text in a summary, shortened so a long title cannot overflow the entry. */
export function clip(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const offsetsLabel = (offsets: readonly number[]): string =>
  offsets.length === 0 ? 'không nhắc' : `${[...offsets].sort((a, b) => b - a).join(', ')} ngày`;

function dueChange(before: Milestone['due'], after: Milestone['due']): string {
  if (before.type === 'date' && after.type === 'date' && before.rule === after.rule) {
    return `hạn ${formatDateVi(before.date)} → ${formatDateVi(after.date)}`;
  }
  return `hạn ${describeDueShort({ due: before })} → ${describeDueShort({ due: after })}`;
}

/** What an edit changed, one short Vietnamese phrase per field, in form order. */
export function milestoneChanges(before: Milestone, after: Milestone): string[] {
  const changed = <K extends keyof Milestone>(k: K): boolean => !isDeepStrictEqual(before[k], after[k]);
  const out: string[] = [];
  if (changed('title')) out.push(`tên "${clip(before.title, 60)}" → "${clip(after.title, 60)}"`);
  if (changed('kind')) out.push(`loại ${MILESTONE_KIND_LABELS[before.kind]} → ${MILESTONE_KIND_LABELS[after.kind]}`);
  if (changed('order')) out.push(`thứ tự ${before.order} → ${after.order}`);
  if (changed('due')) out.push(dueChange(before.due, after.due));
  if (changed('dueText')) out.push('sửa cách ghi thời hạn');
  if (changed('cutoffDate')) {
    out.push(
      !after.cutoffDate
        ? 'bỏ hạn chót nhận nộp muộn'
        : before.cutoffDate
          ? `hạn chót nhận nộp muộn ${formatDateVi(before.cutoffDate)} → ${formatDateVi(after.cutoffDate)}`
          : `thêm hạn chót nhận nộp muộn ${formatDateVi(after.cutoffDate)}`,
    );
  }
  if (!isDeepStrictEqual([...before.reminderOffsets].sort(), [...after.reminderOffsets].sort())) {
    out.push(`nhắc trước ${offsetsLabel(before.reminderOffsets)} → ${offsetsLabel(after.reminderOffsets)}`);
  }
  if (changed('document')) {
    out.push(
      !after.document
        ? 'bỏ yêu cầu nộp tài liệu'
        : !before.document
          ? `thêm yêu cầu nộp "${clip(after.document.title, 60)}"`
          : 'sửa yêu cầu nộp tài liệu',
    );
  }
  if (changed('place')) out.push('sửa địa điểm');
  if (changed('participants')) out.push('sửa thành phần tham dự');
  if (changed('content')) out.push('sửa nội dung');
  if (changed('assignments')) out.push('sửa nhiệm vụ');
  if (changed('notes')) out.push('sửa ghi chú');
  if (changed('recurring')) out.push(after.recurring ? 'lặp lại hằng năm' : 'chỉ diễn ra một lần');
  return out;
}

const schedulesPhrase = (s: Pick<ScheduleReport, 'created' | 'deleted'>): string => `lịch nhắc: tạo ${s.created}, xóa ${s.deleted}.`;

/** The audit summary of a save: `Thêm mốc "..." (...)` or `Sửa mốc "...": hạn 10/12/2021 → 15/12/2021; lịch nhắc: tạo 4, xóa 4.` */
export function milestoneSaveSummary(saved: { milestone: Milestone; before?: Milestone; schedules: Pick<ScheduleReport, 'created' | 'deleted'> }): string {
  const title = clip(saved.milestone.title);
  if (!saved.before) return `Thêm mốc "${title}" (${describeDueShort(saved.milestone)}); ${schedulesPhrase(saved.schedules)}`;
  const changes = milestoneChanges(saved.before, saved.milestone);
  if (changes.length === 0) return `Lưu mốc "${title}" (không có thay đổi); ${schedulesPhrase(saved.schedules)}`;
  return `Sửa mốc "${title}": ${changes.join('; ')}; ${schedulesPhrase(saved.schedules)}`;
}
