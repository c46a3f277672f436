/**
 * Scoring, the cluster head's side: the scheme and its versions, opening self-scoring, verification (thẩm định) with
 * deduction overrides, registration records, the suy tôn ballot count, the year's freeze, and the results table.
 *
 * Reads are a fixed seven whatever the number of units (cluster, plan, milestones, units, the plan's scoring
 * partition, every submission and every extension of the plan), in parallel. The arithmetic is the pure domain's
 * (computeScoring); every write that changes a total is conditional on the scoring settings' version, so a freeze
 * and an edit cannot both win (shared/ports/scoring.ts).
 */
import { describeDue } from '../domain/deadlines';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { byOrder, type Cluster, type Milestone, type Plan, type Unit } from '../domain/model';
import {
  ScoringSchemeSchema,
  VoteTallySchema,
  checkVerification,
  computeDeductions,
  computeScoring,
  criteriaById,
  decideSchemeEdit,
  formatPointsVi,
  registrationOf,
  schemeProblemsWithPlan,
  scoresEditable,
  selfScoreMilestoneOf,
  sheetLate,
  transitionLock,
  type DeductionOverride,
  type RegistrationFlag,
  type ScoreIssue,
  type ScoringResults,
  type ScoringScheme,
  type SelfScoreSheet,
  type Verification,
  type VoteTally,
} from '../domain/scoring';
import { selfScoringOpen, type ScoringState } from '../domain/scoring-state';
import type { Extension, Submission } from '../domain/submission';
import { formatDateVi, formatInstantVi, ictDateOf, startOfIctDay, type LocalDate } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { Repositories } from '../ports/repositories';
import type { PlanScoring, StoredScheme } from '../ports/scoring';
import { defaultScoringScheme } from '../reference/scoring-template';

export interface ScoringDeps {
  repos: Pick<Repositories, 'clusters' | 'units' | 'plans' | 'uploads' | 'scoring'>;
  clock: Clock;
}

/** Everything a plan's scoring is computed from, read at one instant. */
export interface ScoringContext {
  cluster: Cluster;
  plan: Plan;
  milestones: Milestone[];
  units: Unit[];
  scoring: PlanScoring;
  submissions: Submission[];
  extensions: Extension[];
  /** The current scheme version, if one was saved. */
  scheme?: ScoringScheme;
  now: Date;
}

/** The seven reads, in parallel; 404 for an unknown cluster or plan. */
export async function loadScoring(deps: ScoringDeps, clusterId: string, planId: string): Promise<ScoringContext> {
  const { repos } = deps;
  const [cluster, plan, milestones, units, scoring, submissions, extensions] = await Promise.all([
    repos.clusters.get(clusterId),
    repos.plans.getPlan(clusterId, planId),
    repos.plans.listMilestones(clusterId, planId),
    repos.units.list(clusterId),
    repos.scoring.getPlanScoring(clusterId, planId),
    repos.uploads.listPlanSubmissions(clusterId, planId),
    repos.uploads.listPlanExtensions(clusterId, planId),
  ]);
  if (!cluster) throw new NotFoundError(`Không tìm thấy cụm thi đua "${clusterId}".`);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  const scheme = scoring.schemes[scoring.schemes.length - 1]?.scheme;
  return { cluster, plan, milestones: milestones.sort(byOrder), units, scoring, submissions, extensions, ...(scheme ? { scheme } : {}), now: deps.clock.now() };
}

/** The year's table at the context's instant (undefined while no scheme is saved). */
export function resultsOf(ctx: ScoringContext): ScoringResults | undefined {
  if (!ctx.scheme) return undefined;
  return computeScoring({
    scheme: ctx.scheme,
    plan: ctx.plan,
    milestones: ctx.milestones,
    units: ctx.units,
    submissions: ctx.submissions,
    extensions: ctx.extensions,
    sheets: ctx.scoring.sheets.map((s) => s.value),
    verifications: ctx.scoring.verifications.map((v) => v.value),
    registrationFlags: ctx.scoring.flags,
    ...(ctx.scoring.state.value.tally ? { tally: ctx.scoring.state.value.tally } : {}),
    now: ctx.now,
  });
}

/** What the admin page's scoring views read: one call. */
export function scoringView(ctx: ScoringContext) {
  const { scoring } = ctx;
  const state = scoring.state.value;
  const selfScore = selfScoreMilestoneOf(ctx.milestones);
  const registration = ctx.milestones.find((m) => m.kind === 'registration');
  const sheets = new Map(scoring.sheets.map((s) => [s.value.unitId, s]));
  const verifications = new Map(scoring.verifications.map((v) => [v.value.unitId, v]));
  return {
    plan: { planId: ctx.plan.planId, title: ctx.plan.title, schoolYear: ctx.plan.schoolYear },
    scheme: ctx.scheme ?? null,
    schemeVersions: scoring.schemes.map((s) => ({
      version: s.scheme.version,
      savedAt: s.savedAt,
      savedBy: s.savedBy,
      ...(s.scheme.changeReason ? { changeReason: s.scheme.changeReason } : {}),
    })),
    /** The sample to start from when no scheme is saved (registration gate on the plan's registration milestone). */
    template: defaultScoringScheme(registration?.milestoneId ?? 'dang-ky-thi-dua'),
    state: {
      ...state,
      selfScoringOpen: selfScoringOpen(state, ctx.now),
      version: scoring.state.version,
    },
    ...(selfScore ? { selfScoreMilestone: { milestoneId: selfScore.milestoneId, title: selfScore.title, dueLabel: describeDue(selfScore, ctx.plan) } } : {}),
    milestones: ctx.milestones.map((m) => ({ milestoneId: m.milestoneId, title: m.title, kind: m.kind })),
    units: ctx.units
      .filter((u) => u.active)
      .map((u) => {
        const sheet = sheets.get(u.unitId);
        const verification = verifications.get(u.unitId);
        return {
          unitId: u.unitId,
          name: u.name,
          role: u.role,
          sheet: sheet
            ? {
                status: sheet.value.status,
                schemeVersion: sheet.value.schemeVersion,
                bonus: sheet.value.bonus,
                ...(sheet.value.submittedAt ? { submittedAt: sheet.value.submittedAt, late: sheetLate(ctx, sheet.value) } : {}),
                ...(sheet.value.updatedAt ? { updatedAt: sheet.value.updatedAt } : {}),
              }
            : null,
          verification: verification
            ? {
                version: verification.version,
                schemeVersion: verification.value.schemeVersion,
                ...(verification.value.updatedAt ? { updatedAt: verification.value.updatedAt } : {}),
                ...(verification.value.updatedBy ? { updatedBy: verification.value.updatedBy } : {}),
                deductionOverrides: verification.value.deductionOverrides,
                bonus: verification.value.bonus,
              }
            : null,
        };
      }),
    registrationFlags: scoring.flags,
    results: plainResults(resultsOf(ctx)),
    asOf: ctx.now.toISOString(),
  };
}
export type ScoringView = ReturnType<typeof scoringView>;

/** The results as plain objects (for the JSON response's schema, which allows fields it does not list). */
const plainResults = (r: ScoringResults | undefined) =>
  r ? { ...r, rows: r.rows.map((row) => ({ ...row })), ties: r.ties.map((t) => ({ ...t })) } : null;

export async function getScoring(deps: ScoringDeps, clusterId: string, planId: string): Promise<ScoringView> {
  return scoringView(await loadScoring(deps, clusterId, planId));
}

/** Issues as a 400 with each message; the first few in the message itself. */
function invalid(what: string, issues: readonly ScoreIssue[] | readonly string[]): ValidationError {
  const messages = issues.map((i) => (typeof i === 'string' ? i : i.message));
  const shown = messages.slice(0, 5).join('; ');
  return new ValidationError(`${what}: ${shown}${messages.length > 5 ? ` (và ${messages.length - 5} lỗi khác)` : ''}.`, { issues });
}

function requireEditable(state: ScoringState): void {
  const editable = scoresEditable(state.lock);
  if (!editable.ok) throw new ConflictError(editable.message);
}

function requireScheme(ctx: ScoringContext): ScoringScheme {
  if (!ctx.scheme) throw new ConflictError('Kế hoạch này chưa có thang điểm: hãy tạo thang điểm (có thể bắt đầu từ thang điểm mẫu) trước.');
  return ctx.scheme;
}

function requireUnit(ctx: ScoringContext, unitId: string): Unit {
  const unit = ctx.units.find((u) => u.unitId === unitId && u.active);
  if (!unit) throw new NotFoundError(`Không tìm thấy đơn vị "${unitId}" trong cụm.`);
  return unit;
}

/** An audit summary is one sentence of at most 1000 characters. */
export const clipSummary = (text: string, max = 1000): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

// ---- Scheme ---------------------------------------------------------------------------------------------------------

export interface SavedScheme {
  scheme: ScoringScheme;
  created: boolean;
  asNewVersion: boolean;
  changes: string[];
  message: string;
}

/**
 * Saves the plan's scheme. Before self-scoring opens it may change in place; once open, only as the next version
 * with a reason (decideSchemeEdit); never while the results are frozen.
 */
export async function saveScheme(deps: ScoringDeps, p: { clusterId: string; planId: string; scheme: unknown; by: string }): Promise<SavedScheme> {
  const parsed = ScoringSchemeSchema.safeParse(p.scheme);
  if (!parsed.success) throw invalid('Thang điểm chưa hợp lệ', parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  const proposed = parsed.data;
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  const problems = schemeProblemsWithPlan(proposed, ctx.milestones);
  if (problems.length) throw invalid('Thang điểm chưa khớp với kế hoạch', problems);
  if (!ctx.scheme && proposed.version !== 1) throw new ValidationError('Thang điểm đầu tiên của kế hoạch phải là phiên bản 1.');
  const state = ctx.scoring.state.value;
  const decision = decideSchemeEdit({
    current: ctx.scheme,
    proposed,
    selfScoreOpensAt: state.selfScoreOpensAt ? new Date(state.selfScoreOpensAt) : undefined,
    now: ctx.now,
    resultsFrozen: state.lock.status === 'frozen',
  });
  if (decision.outcome === 'refused') throw new ConflictError(decision.message);
  if (decision.outcome === 'needs-new-version-with-reason') throw new ConflictError(decision.message, { changes: decision.changes, needsNewVersion: true });
  const stored: StoredScheme = { scheme: proposed, savedAt: ctx.now.toISOString(), savedBy: p.by };
  await deps.repos.scoring.saveScheme({
    clusterId: p.clusterId,
    planId: p.planId,
    stored,
    replace: !!ctx.scheme && proposed.version === ctx.scheme.version,
    stateVersion: ctx.scoring.state.version,
  });
  return { scheme: proposed, created: !ctx.scheme, asNewVersion: decision.asNewVersion, changes: decision.changes, message: decision.message };
}

export function schemeSaveSummary(planId: string, saved: SavedScheme): string {
  const head = saved.created
    ? `Tạo thang điểm kế hoạch ${planId} (phiên bản ${saved.scheme.version}${saved.scheme.isSample ? ', thang điểm mẫu' : ''})`
    : saved.asNewVersion
      ? `Lưu thang điểm kế hoạch ${planId} phiên bản ${saved.scheme.version}${saved.scheme.changeReason ? `, lý do: ${saved.scheme.changeReason}` : ''}`
      : `Sửa thang điểm kế hoạch ${planId} (phiên bản ${saved.scheme.version}, chưa mở tự chấm điểm)`;
  return clipSummary(`${head}${saved.changes.length ? `. Thay đổi: ${saved.changes.join('; ')}` : ''}.`);
}

// ---- Opening self-scoring -------------------------------------------------------------------------------------------

/**
 * Sets when units may start self-scoring: today (the default) or a later ICT day. Once that moment has passed it
 * cannot be moved: sheets exist and the scheme is under version control from then on.
 */
export async function openSelfScoring(deps: ScoringDeps, p: { clusterId: string; planId: string; from?: LocalDate }): Promise<{ opensAt: string }> {
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  requireScheme(ctx);
  const state = ctx.scoring.state.value;
  requireEditable(state);
  if (selfScoringOpen(state, ctx.now)) {
    throw new ConflictError(`Các đơn vị đã được tự chấm điểm từ ${formatInstantVi(new Date(state.selfScoreOpensAt!))}.`);
  }
  const opensAt = p.from ? startOfIctDay(p.from) : ctx.now;
  if (opensAt.getTime() < startOfIctDay(ictDateOf(ctx.now)).getTime()) {
    throw new ValidationError(`Ngày mở tự chấm điểm (${formatDateVi(p.from!)}) đã qua: chọn hôm nay hoặc một ngày sau.`);
  }
  const next: ScoringState = { ...state, selfScoreOpensAt: (opensAt.getTime() < ctx.now.getTime() ? ctx.now : opensAt).toISOString() };
  await deps.repos.scoring.putState(p.clusterId, p.planId, next, ctx.scoring.state.version);
  return { opensAt: next.selfScoreOpensAt! };
}

// ---- Verification -------------------------------------------------------------------------------------------------

export interface VerificationInput {
  criteria: { criterionId: string; points: number; comment?: string | undefined }[];
  bonus: { itemId: string; points: number; comment?: string | undefined }[];
  deductionOverrides: DeductionOverride[];
  /** The verification's version the page read (0: none yet); a mismatch is a conflict, not a silent overwrite. */
  expectedVersion?: number | undefined;
}

export interface SavedVerification {
  verification: Verification;
  /** The stored version, for the next save's `expectedVersion`. */
  version: number;
  unit: Unit;
  changes: string[];
}

/** Saves the thẩm định of one unit's sheet: verified points per criterion, comments, deduction overrides (reasons). */
export async function saveVerification(
  deps: ScoringDeps,
  p: { clusterId: string; planId: string; unitId: string; input: VerificationInput; by: string },
): Promise<SavedVerification> {
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  const scheme = requireScheme(ctx);
  requireEditable(ctx.scoring.state.value);
  const unit = requireUnit(ctx, p.unitId);
  const stored = ctx.scoring.verifications.find((v) => v.value.unitId === p.unitId);
  const storedVersion = stored?.version ?? 0;
  if (p.input.expectedVersion !== undefined && p.input.expectedVersion !== storedVersion) {
    throw new ConflictError('Kết quả thẩm định của đơn vị này vừa được người khác lưu. Vui lòng tải lại trang để xem trước khi sửa.');
  }
  const sheet = ctx.scoring.sheets.find((s) => s.value.unitId === p.unitId)?.value;
  const lines = computeDeductions({
    scheme,
    plan: ctx.plan,
    milestones: ctx.milestones,
    unit,
    submissions: ctx.submissions,
    extensions: ctx.extensions,
    ...(sheet ? { selfScore: sheet } : {}),
    now: ctx.now,
  });
  const issues = checkVerification(scheme, p.input, lines.map((l) => l.milestoneId));
  if (issues.length) throw invalid('Kết quả thẩm định chưa hợp lệ', issues);
  const verification: Verification = {
    clusterId: p.clusterId,
    planId: p.planId,
    unitId: p.unitId,
    schemeVersion: scheme.version,
    criteria: p.input.criteria.map((c) => ({ criterionId: c.criterionId, points: c.points, ...(c.comment ? { comment: c.comment } : {}) })),
    bonus: p.input.bonus.map((b) => ({ itemId: b.itemId, points: b.points, ...(b.comment ? { comment: b.comment } : {}) })),
    deductionOverrides: p.input.deductionOverrides,
    updatedAt: ctx.now.toISOString(),
    updatedBy: p.by,
  };
  const version = await deps.repos.scoring.putVerification(verification, { verificationVersion: storedVersion, stateVersion: ctx.scoring.state.version });
  const before = stored?.value;
  return { verification, version, unit, changes: describeVerificationChanges(scheme, before, verification, sheet, lines) };
}

/** One Vietnamese phrase per change, for the audit: points with the unit's own, overrides with their reasons. */
export function describeVerificationChanges(
  scheme: ScoringScheme,
  before: Verification | undefined,
  after: Verification,
  sheet: SelfScoreSheet | undefined,
  lines: readonly { milestoneId: string; milestoneTitle: string; points: number }[],
): string[] {
  const out: string[] = [];
  const refs = criteriaById(scheme);
  const self = new Map((sheet?.status === 'submitted' ? sheet.criteria : []).map((c) => [c.criterionId, c.points]));
  const old = new Map((before?.criteria ?? []).map((c) => [c.criterionId, c.points]));
  for (const c of after.criteria) {
    const prev = old.get(c.criterionId);
    if (prev === c.points) continue;
    const own = self.get(c.criterionId);
    const code = refs.get(c.criterionId)?.code ?? c.criterionId;
    out.push(`tiêu chí ${code}: ${prev !== undefined ? `${formatPointsVi(prev)} → ` : ''}${formatPointsVi(c.points)} điểm${own !== undefined ? ` (tự chấm ${formatPointsVi(own)})` : ''}`);
  }
  for (const id of old.keys()) if (!after.criteria.some((c) => c.criterionId === id)) out.push(`bỏ thẩm định tiêu chí ${refs.get(id)?.code ?? id}`);
  const oldBonus = new Map((before?.bonus ?? []).map((b) => [b.itemId, b.points]));
  for (const b of after.bonus) if (oldBonus.get(b.itemId) !== b.points) out.push(`điểm thưởng «${b.itemId}»: ${formatPointsVi(b.points)}`);
  const oldOverrides = new Map((before?.deductionOverrides ?? []).map((o) => [o.milestoneId, o]));
  const titles = new Map(lines.map((l) => [l.milestoneId, l]));
  for (const o of after.deductionOverrides) {
    const prev = oldOverrides.get(o.milestoneId);
    if (prev && prev.points === o.points && prev.reason === o.reason) continue;
    const line = titles.get(o.milestoneId);
    out.push(`điều chỉnh điểm trừ mốc «${line?.milestoneTitle ?? o.milestoneId}» từ ${formatPointsVi(line?.points ?? 0)} còn ${formatPointsVi(o.points)}, lý do: ${o.reason}`);
  }
  for (const id of oldOverrides.keys()) {
    if (!after.deductionOverrides.some((o) => o.milestoneId === id)) out.push(`bỏ điều chỉnh điểm trừ mốc «${titles.get(id)?.milestoneTitle ?? id}» (trừ lại theo quy định)`);
  }
  return out;
}

// ---- Registration, ballots, freeze ----------------------------------------------------------------------------------

/** Records that a unit did (or did not) register, when the uploads cannot tell: with a reason, audited. */
export async function recordRegistration(
  deps: ScoringDeps,
  p: { clusterId: string; planId: string; unitId: string; registered: boolean; reason: string; by: string },
): Promise<{ flag: RegistrationFlag; unit: Unit; before: boolean }> {
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  const scheme = requireScheme(ctx);
  requireEditable(ctx.scoring.state.value);
  const unit = requireUnit(ctx, p.unitId);
  const reason = p.reason.normalize('NFC').trim();
  if (reason.length < 5) throw new ValidationError('Cần ghi rõ lý do (ít nhất 5 ký tự).');
  const before = registrationOf({ scheme, unitId: unit.unitId, submissions: ctx.submissions, flags: ctx.scoring.flags }).registered;
  const flag: RegistrationFlag = { unitId: unit.unitId, registered: p.registered, reason, recordedAt: ctx.now.toISOString(), recordedBy: p.by };
  await deps.repos.scoring.addRegistrationFlag({ clusterId: p.clusterId, planId: p.planId, flag, stateVersion: ctx.scoring.state.version });
  return { flag, unit, before };
}

/** Records the suy tôn ballot count (replacing any earlier count): every unit named must be an active unit. */
export async function recordTally(deps: ScoringDeps, p: { clusterId: string; planId: string; tally: unknown }): Promise<{ tally: VoteTally; names: Map<string, string> }> {
  const parsed = VoteTallySchema.safeParse(p.tally);
  if (!parsed.success) throw invalid('Kết quả bỏ phiếu chưa hợp lệ', parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  requireScheme(ctx);
  requireEditable(ctx.scoring.state.value);
  const names = new Map(ctx.units.filter((u) => u.active).map((u) => [u.unitId, u.name]));
  const unknown = parsed.data.votes.filter((v) => !names.has(v.unitId)).map((v) => v.unitId);
  if (unknown.length) throw new ValidationError(`Không có đơn vị ${unknown.map((u) => `"${u}"`).join(', ')} trong cụm.`);
  const tally: VoteTally = { ...parsed.data, recordedAt: ctx.now.toISOString() };
  await deps.repos.scoring.putState(p.clusterId, p.planId, { ...ctx.scoring.state.value, tally }, ctx.scoring.state.version);
  return { tally, names };
}

/** Chốt kết quả (freeze) or mở khóa (unlock, with a reason): the transition and its audit sentence. */
export async function changeLock(
  deps: ScoringDeps,
  p: { clusterId: string; planId: string; by: string } & ({ type: 'freeze'; note?: string | undefined } | { type: 'unlock'; reason: string }),
): Promise<{ state: ScoringState; summary: string; action: 'scores.freeze' | 'scores.unlock' }> {
  const ctx = await loadScoring(deps, p.clusterId, p.planId);
  const scheme = requireScheme(ctx);
  const state = ctx.scoring.state.value;
  const transition = transitionLock(
    state.lock,
    p.type === 'freeze'
      ? { type: 'freeze', at: ctx.now, by: p.by, schemeVersion: scheme.version, ...(p.note ? { note: p.note } : {}) }
      : { type: 'unlock', at: ctx.now, by: p.by, reason: p.reason },
  );
  if (!transition.ok) throw new ConflictError(transition.message);
  const next: ScoringState = { ...state, lock: transition.state };
  await deps.repos.scoring.putState(p.clusterId, p.planId, next, ctx.scoring.state.version);
  return { state: next, summary: clipSummary(`${transition.event.summary} (kế hoạch ${p.planId}).`), action: transition.event.action };
}
