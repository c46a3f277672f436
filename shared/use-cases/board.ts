/**
 * Bảng theo dõi (status board): the active units x the milestones that ask for a document, each cell's status at
 * one instant, the versions behind it, and counts per milestone and per unit.
 *
 * The reads are a fixed five whatever the number of units or milestones (plan, milestones, units, every submission
 * of the plan, every extension of the plan); everything else is {@link assembleBoard}, pure.
 */
import type { z } from 'zod';
import { describeDue } from '../domain/deadlines';
import { NotFoundError, ValidationError } from '../domain/errors';
import { byOrder, type Milestone, type Plan, type Unit } from '../domain/model';
import { UNIT_STATUS_LABELS, effectiveDeadline, requiresDocumentFrom, unitMilestoneStatus, type Extension, type Submission } from '../domain/submission';
import { formatDateVi, type LocalDate } from '../domain/time';
import { BOARD_CELL_STATUSES, type BoardSchema } from '../http/admin-api';
import type { Clock } from '../ports/clock';
import type { Repositories } from '../ports/repositories';
import { grantExtension } from './admin-submissions';
import { byRoleThenName } from './read-cluster';

export type Board = z.input<typeof BoardSchema>;
export type BoardCellStatus = (typeof BOARD_CELL_STATUSES)[number];
export type BoardCell = Board['cells'][number];

/** What a cell says, in Vietnamese (the date of an extension is in the cell's `extendedUntil`). */
export const BOARD_STATUS_LABELS: Record<BoardCellStatus, string> = {
  ...UNIT_STATUS_LABELS,
  extended: 'Được gia hạn',
  'not-required': 'Không yêu cầu',
};

export interface BoardInput {
  plan: Plan;
  milestones: readonly Milestone[];
  units: readonly Unit[];
  submissions: readonly Submission[];
  extensions: readonly Extension[];
  now: Date;
}

const cellKey = (milestoneId: string, unitId: string): string => `${milestoneId}\u0000${unitId}`;

/** Every status with zero, so the page shows the same columns whatever the data. */
const zeroCounts = (): Record<BoardCellStatus, number> =>
  Object.fromEntries(BOARD_CELL_STATUSES.map((s) => [s, 0])) as Record<BoardCellStatus, number>;

/**
 * A cell's status: the domain's {@link unitMilestoneStatus} under the unit's extension, except that
 * - a milestone that asks nothing of the unit is `not-required`;
 * - a unit that has not sent yet and is still inside its extension is `extended` (rather than `not-due`).
 */
export function cellStatus(
  plan: Pick<Plan, 'beforeDayInclusive'>,
  milestone: Milestone,
  unit: Unit,
  accepted: readonly Pick<Submission, 'receivedAt' | 'late'>[],
  extension: Pick<Extension, 'until'> | undefined,
  now: Date,
): BoardCellStatus {
  if (!requiresDocumentFrom(milestone, unit)) return 'not-required';
  const status = unitMilestoneStatus(effectiveDeadline(milestone, plan, extension), accepted, now);
  return status === 'not-due' && extension ? 'extended' : status;
}

/** The board from what was read (pure): columns in plan order, rows Cụm trưởng, Cụm phó, then members by name. */
export function assembleBoard(input: BoardInput): Board {
  const columns = input.milestones.filter((m) => m.document).sort(byOrder);
  const rows = input.units.filter((u) => u.active).sort(byRoleThenName);

  const accepted = new Map<string, Submission[]>();
  for (const s of input.submissions) {
    if (s.outcome !== 'accepted') continue;
    const key = cellKey(s.milestoneId, s.unitId);
    accepted.set(key, [...(accepted.get(key) ?? []), s]);
  }
  const extensions = new Map(input.extensions.map((e) => [cellKey(e.milestoneId, e.unitId), e]));

  const milestoneCounts = new Map(columns.map((m) => [m.milestoneId, zeroCounts()]));
  const unitCounts = new Map(rows.map((u) => [u.unitId, zeroCounts()]));
  const cells: BoardCell[] = [];
  for (const unit of rows) {
    for (const milestone of columns) {
      const key = cellKey(milestone.milestoneId, unit.unitId);
      const versions = [...(accepted.get(key) ?? [])].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
      const extension = extensions.get(key);
      const status = cellStatus(input.plan, milestone, unit, versions, extension, input.now);
      milestoneCounts.get(milestone.milestoneId)![status] += 1;
      unitCounts.get(unit.unitId)![status] += 1;
      cells.push({
        unitId: unit.unitId,
        milestoneId: milestone.milestoneId,
        status,
        statusLabel: BOARD_STATUS_LABELS[status],
        ...(extension && status !== 'not-required' ? { extendedUntil: extension.until } : {}),
        versions: versions.map((v) => ({ uploadId: v.uploadId, fileName: v.fileName, sizeBytes: v.size, receivedAt: v.receivedAt, late: v.late })),
      });
    }
  }

  return {
    plan: input.plan,
    asOf: input.now.toISOString(),
    milestones: columns.map((m) => ({
      milestoneId: m.milestoneId,
      title: m.title,
      kind: m.kind,
      documentTitle: m.document!.title,
      dueLabel: describeDue(m, input.plan),
      counts: milestoneCounts.get(m.milestoneId)!,
    })),
    units: rows.map((u) => ({ unitId: u.unitId, name: u.name, role: u.role, isSample: u.isSample, counts: unitCounts.get(u.unitId)! })),
    cells,
  };
}

export interface BoardDeps {
  repos: Pick<Repositories, 'plans' | 'units' | 'uploads'>;
  clock: Clock;
}

/** The status board of a plan at the clock's now: five DynamoDB reads, in parallel, whatever the unit count. */
export async function getBoard(deps: BoardDeps, clusterId: string, planId: string): Promise<Board> {
  const [plan, milestones, units, submissions, extensions] = await Promise.all([
    deps.repos.plans.getPlan(clusterId, planId),
    deps.repos.plans.listMilestones(clusterId, planId),
    deps.repos.units.list(clusterId),
    deps.repos.uploads.listPlanSubmissions(clusterId, planId),
    deps.repos.uploads.listPlanExtensions(clusterId, planId),
  ]);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  return assembleBoard({ plan, milestones, units, submissions, extensions, now: deps.clock.now() });
}

/**
 * Gia hạn from the board: {@link grantExtension}, after checking that the milestone has a fixed day and that the new
 * day is not before it (an "extension" to an earlier day would shorten the deadline). Returns what the audit entry
 * names: the unit, the milestone and the extension it replaces, if any.
 */
export async function extendDeadline(
  deps: BoardDeps,
  request: { clusterId: string; planId: string; milestoneId: string; unitId: string; until: LocalDate; reason?: string },
): Promise<{ extension: Extension; unit: Unit; milestone: Milestone; previous?: Extension }> {
  const { clusterId, planId, unitId, milestoneId } = request;
  const ctx = await deps.repos.uploads.getLinkContext({ clusterId, planId, unitId, milestoneId });
  if (!ctx.unit) throw new NotFoundError(`Không tìm thấy đơn vị "${unitId}" trong cụm "${clusterId}".`);
  if (!ctx.plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  const milestone = ctx.milestone;
  if (!milestone) throw new NotFoundError(`Không tìm thấy mốc "${milestoneId}" trong kế hoạch ${planId}.`);
  if (milestone.due.type !== 'date') {
    throw new ValidationError(`Mốc "${milestone.title}" chưa có ngày hạn cụ thể nên chưa cần gia hạn.`);
  }
  if (request.until < milestone.due.date) {
    throw new ValidationError(
      `Ngày gia hạn (${formatDateVi(request.until)}) không được trước ngày hạn của mốc (${formatDateVi(milestone.due.date)}).`,
      [{ field: 'until', message: `Chọn từ ngày ${formatDateVi(milestone.due.date)} trở đi` }],
    );
  }
  const extension = await grantExtension(deps, request);
  return { extension, unit: ctx.unit, milestone, ...(ctx.extension ? { previous: ctx.extension } : {}) };
}
