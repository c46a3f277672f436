/**
 * Self-scoring by a member unit through its signed link (no account): the form's view, saving a draft, submitting
 * (on time or late against the plan's self-score milestone), and the printable copy for signature.
 *
 * Reads: the link context (one BatchGetItem), the plan's milestones and the unit's items (one Query each) and the
 * unit's scoring (current scheme, settings, its sheet: two calls), in parallel after the link: five in all.
 */
import * as z from 'zod';
import { describeDue } from '../domain/deadlines';
import { ConflictError, ForbiddenError, UploadClosedError, ValidationError } from '../domain/errors';
import { UNIT_ROLE_LABELS, type Milestone } from '../domain/model';
import {
  SelfScoreSheetSchema,
  checkSelfScoreSheet,
  criteriaById,
  formatPointsVi,
  groupCode,
  sampleNoteOf,
  scoresEditable,
  selfScoreMilestoneOf,
  sheetLate,
  sumPoints,
  type ScoringScheme,
  type SelfScoreSheet,
} from '../domain/scoring';
import { selfScoringOpen } from '../domain/scoring-state';
import { effectiveDeadline, requiresDocumentFrom, uploadWindow, type Extension, type Submission } from '../domain/submission';
import { formatDateVi, formatInstantVi } from '../domain/time';
import type { Repositories } from '../ports/repositories';
import type { UnitScoring } from '../ports/scoring';
import { resolveLink, type LinkDeps, type ResolvedLink } from './links';

export interface SelfScoreDeps extends LinkDeps {
  repos: Pick<Repositories, 'units' | 'plans' | 'uploads' | 'scoring' | 'audit'>;
}

/** Where the unit's self-scoring stands, which decides what the page offers. */
export const SELF_SCORE_FORM_STATES = ['no-scheme', 'not-open', 'not-required', 'open', 'submitted', 'closed', 'frozen'] as const;
export type SelfScoreFormState = (typeof SELF_SCORE_FORM_STATES)[number];

export interface SelfScoreCriterionView {
  criterionId: string;
  /** "2.3". */
  code: string;
  title: string;
  maximum: number;
  guidance?: string;
}

export interface SelfScoreFormView {
  clusterName: string;
  provinceName: string;
  unitName: string;
  unitRoleLabel: string;
  planTitle: string;
  /** "2021 - 2022". */
  schoolYearLabel: string;
  state: SelfScoreFormState;
  /** What the state means for the unit, in one or two sentences. */
  stateMessage: string;
  /** Whether the form may be edited and sent now. */
  editable: boolean;
  milestone?: {
    milestoneId: string;
    title: string;
    dueLabel: string;
    /** Submitting now would be recorded as late. */
    wouldBeLate: boolean;
    extensionLabel?: string;
  };
  scheme?: {
    version: number;
    base: number;
    /** "Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC …" for a sample scheme. */
    sampleNote?: string;
    groups: { groupId: string; code: string; title: string; maximum: number; criteria: SelfScoreCriterionView[] }[];
    bonus: { cap: number; items: { itemId: string; title: string; maximum: number; guidance?: string }[] };
  };
  sheet?: {
    status: SelfScoreSheet['status'];
    /** The stored version the next save must name. */
    version: number;
    schemeVersion: number;
    criteria: Record<string, { points: number; justification?: string; evidenceUploadId?: string }>;
    bonus: Record<string, { points: number; justification?: string; evidenceUploadId?: string }>;
    submittedAtLabel?: string;
    late?: boolean;
    updatedAtLabel?: string;
    /** Sum of the criteria and the (capped) bonus the unit claims; automatic deductions are the cluster's to apply. */
    selfTotal: number;
    selfTotalLabel: string;
  };
  /** Files the unit has sent for this plan that it may name as evidence (accepted ones), newest first. */
  evidence: { uploadId: string; fileName: string; milestoneTitle: string; receivedAtLabel: string }[];
  contact?: { name: string; position?: string; email?: string; phone?: string; address?: string };
  generatedAtLabel: string;
}

interface Loaded {
  link: ResolvedLink;
  milestones: Milestone[];
  submissions: Submission[];
  extensions: Extension[];
  scoring: UnitScoring;
  milestone?: Milestone;
  now: Date;
}

async function load(deps: SelfScoreDeps, token: string): Promise<Loaded> {
  const link = await resolveLink(deps, token);
  const { clusterId, planId } = link.plan;
  const [milestones, items, scoring] = await Promise.all([
    deps.repos.plans.listMilestones(clusterId, planId),
    deps.repos.uploads.listUnitItems(clusterId, planId, link.unit.unitId),
    deps.repos.scoring.getUnitScoring(clusterId, planId, link.unit.unitId),
  ]);
  const milestone = selfScoreMilestoneOf(milestones);
  if (link.payload.m && link.payload.m !== milestone?.milestoneId) {
    throw new ForbiddenError('Đường link này chỉ dùng để nộp tài liệu cho một mốc khác, không dùng để tự chấm điểm.');
  }
  return { link, milestones, submissions: items.submissions, extensions: items.extensions, scoring, ...(milestone ? { milestone } : {}), now: deps.clock.now() };
}

function stateOf(l: Loaded): { state: SelfScoreFormState; message: string; late: boolean } {
  const scheme = l.scoring.scheme?.scheme;
  const settings = l.scoring.state.value;
  const sheet = l.scoring.sheet?.value;
  const m = l.milestone;
  const effective = m ? effectiveDeadline(m, l.link.plan, l.extensions.find((e) => e.milestoneId === m.milestoneId)) : undefined;
  const window = effective ? uploadWindow(effective, l.now) : ({ open: true, late: false } as const);
  const late = window.open && window.late;
  if (!scheme) return { state: 'no-scheme', message: 'Cụm chưa ban hành thang điểm thi đua năm học này.', late };
  if (!selfScoringOpen(settings, l.now)) {
    const when = settings.selfScoreOpensAt ? ` từ ${formatInstantVi(new Date(settings.selfScoreOpensAt))}` : '';
    return { state: 'not-open', message: `Cụm chưa mở tự chấm điểm${when ? '' : '.'}${when ? `: đơn vị tự chấm được${when}.` : ''}`, late };
  }
  if (m && !requiresDocumentFrom(m, l.link.unit)) return { state: 'not-required', message: 'Đơn vị không thuộc diện tự chấm điểm năm học này.', late };
  if (sheet?.status === 'submitted') {
    return { state: 'submitted', message: `Đơn vị đã nộp bảng tự chấm điểm lúc ${formatInstantVi(new Date(sheet.submittedAt!))}. Muốn sửa, vui lòng liên hệ đơn vị Cụm trưởng.`, late };
  }
  const lock = scoresEditable(settings.lock);
  if (!lock.ok) return { state: 'frozen', message: 'Cụm đã chốt kết quả chấm điểm thi đua năm học này.', late };
  if (!window.open) return { state: 'closed', message: 'Đã hết thời hạn nộp bảng tự chấm điểm. Vui lòng liên hệ đơn vị Cụm trưởng nếu cần gia hạn.', late };
  return {
    state: 'open',
    message: late
      ? 'Hạn nộp đã qua: bảng tự chấm điểm nộp bây giờ sẽ được ghi nhận là nộp muộn và bị trừ điểm theo quy định.'
      : 'Nhập điểm tự chấm từng tiêu chí (không vượt điểm tối đa), giải trình ngắn gọn; có thể lưu nháp và nộp sau.',
    late,
  };
}

/** The (capped) points a sheet claims, before the cluster's automatic deductions. */
function selfTotalOf(scheme: ScoringScheme | undefined, sheet: SelfScoreSheet): number {
  const criteria = sumPoints(sheet.criteria.map((c) => c.points));
  const bonus = Math.min(sumPoints(sheet.bonus.map((b) => b.points)), scheme?.bonus.cap ?? Infinity);
  return sumPoints([criteria, bonus]);
}

function viewOf(l: Loaded): SelfScoreFormView {
  const { link } = l;
  const scheme = l.scoring.scheme?.scheme;
  const stored = l.scoring.sheet;
  const { state, message, late } = stateOf(l);
  const m = l.milestone;
  const extension = m ? l.extensions.find((e) => e.milestoneId === m.milestoneId) : undefined;
  const refs = scheme ? criteriaById(scheme) : new Map();
  const titles = new Map(l.milestones.map((x) => [x.milestoneId, x.title]));
  const note = scheme ? sampleNoteOf(scheme) : undefined;
  const sheet = stored?.value;
  const selfTotal = sheet ? selfTotalOf(scheme, sheet) : 0;
  return {
    clusterName: link.cluster.name,
    provinceName: link.cluster.province.name,
    unitName: link.unit.name,
    unitRoleLabel: UNIT_ROLE_LABELS[link.unit.role],
    planTitle: link.plan.title,
    schoolYearLabel: `${link.plan.schoolYear.startYear} - ${link.plan.schoolYear.endYear}`,
    state,
    stateMessage: message,
    editable: state === 'open',
    ...(m
      ? {
          milestone: {
            milestoneId: m.milestoneId,
            title: m.title,
            dueLabel: describeDue(m, link.plan),
            wouldBeLate: late,
            ...(extension ? { extensionLabel: `Được gia hạn đến hết ngày ${formatDateVi(extension.until)}` } : {}),
          },
        }
      : {}),
    ...(scheme
      ? {
          scheme: {
            version: scheme.version,
            base: scheme.base,
            ...(note ? { sampleNote: note } : {}),
            groups: scheme.groups.map((g, gi) => ({
              groupId: g.id,
              code: groupCode(gi),
              title: g.title,
              maximum: g.maximum,
              criteria: g.criteria.map((c) => ({
                criterionId: c.id,
                code: refs.get(c.id)!.code,
                title: c.title,
                maximum: c.maximum,
                ...(c.guidance ? { guidance: c.guidance } : {}),
              })),
            })),
            bonus: { cap: scheme.bonus.cap, items: scheme.bonus.items.map((b) => ({ itemId: b.id, title: b.title, maximum: b.maximum, ...(b.guidance ? { guidance: b.guidance } : {}) })) },
          },
        }
      : {}),
    ...(sheet && stored
      ? {
          sheet: {
            status: sheet.status,
            version: stored.version,
            schemeVersion: sheet.schemeVersion,
            criteria: Object.fromEntries(sheet.criteria.map((c) => [c.criterionId, entry(c)])),
            bonus: Object.fromEntries(sheet.bonus.map((b) => [b.itemId, entry(b)])),
            ...(sheet.submittedAt
              ? { submittedAtLabel: formatInstantVi(new Date(sheet.submittedAt)), late: sheetLate({ plan: link.plan, milestones: l.milestones, extensions: l.extensions }, sheet) }
              : {}),
            ...(sheet.updatedAt ? { updatedAtLabel: formatInstantVi(new Date(sheet.updatedAt)) } : {}),
            selfTotal,
            selfTotalLabel: `${formatPointsVi(selfTotal)} điểm`,
          },
        }
      : {}),
    evidence: l.submissions
      .filter((s) => s.outcome === 'accepted')
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
      .map((s) => ({ uploadId: s.uploadId, fileName: s.fileName, milestoneTitle: titles.get(s.milestoneId) ?? s.milestoneId, receivedAtLabel: formatInstantVi(new Date(s.receivedAt)) })),
    ...(link.plan.contact ? { contact: link.plan.contact } : {}),
    generatedAtLabel: `Cập nhật lúc ${formatInstantVi(l.now)}`,
  };
}

const entry = (e: { points: number; justification?: string | undefined; evidenceUploadId?: string | undefined }) => ({
  points: e.points,
  ...(e.justification ? { justification: e.justification } : {}),
  ...(e.evidenceUploadId ? { evidenceUploadId: e.evidenceUploadId } : {}),
});

/** GET /u/{token}/self-score (and its printable copy): five DynamoDB calls. */
export async function getSelfScoreForm(deps: SelfScoreDeps, token: string): Promise<SelfScoreFormView> {
  return viewOf(await load(deps, token));
}

const LineSchema = z.object({
  points: z.number({ error: 'Điểm phải là một số' }),
  justification: z.string().max(2000, 'Giải trình quá dài (tối đa 1000 ký tự)').optional(),
  evidenceUploadId: z.string().max(100).optional(),
});

export const SaveSelfScoreBodySchema = z.object({
  /** 'save': keep as a draft; 'submit': send it to the cluster (final). */
  action: z.enum(['save', 'submit'], { error: 'Thao tác phải là "save" (lưu nháp) hoặc "submit" (nộp)' }),
  /** The sheet's version the page showed (0: none yet): a save from an older page is refused, not merged. */
  expectedVersion: z.number().int().min(0),
  criteria: z.array(LineSchema.extend({ criterionId: z.string().max(100) })).max(200).default([]),
  bonus: z.array(LineSchema.extend({ itemId: z.string().max(100) })).max(50).default([]),
});
export type SaveSelfScoreBody = z.infer<typeof SaveSelfScoreBodySchema>;

export interface SavedSelfScore {
  status: SelfScoreSheet['status'];
  version: number;
  late: boolean;
  selfTotal: number;
  message: string;
}

/** PUT /u/{token}/self-score: saves the draft or submits it; refused when closed, frozen, submitted or stale. */
export async function saveSelfScore(deps: SelfScoreDeps, token: string, body: SaveSelfScoreBody): Promise<SavedSelfScore> {
  const l = await load(deps, token);
  const { state, message, late } = stateOf(l);
  if (state === 'closed') throw new UploadClosedError(message);
  if (state !== 'open') throw new ConflictError(message);
  const scheme = l.scoring.scheme!.scheme;
  const stored = l.scoring.sheet;
  if (body.expectedVersion !== (stored?.version ?? 0)) {
    throw new ConflictError('Bảng tự chấm điểm vừa được lưu ở một cửa sổ khác. Vui lòng tải lại trang để xem bản mới nhất trước khi sửa.');
  }
  const submit = body.action === 'submit';
  const now = l.now.toISOString();
  const parsed = SelfScoreSheetSchema.safeParse({
    clusterId: l.link.plan.clusterId,
    planId: l.link.plan.planId,
    unitId: l.link.unit.unitId,
    schemeVersion: scheme.version,
    criteria: body.criteria,
    bonus: body.bonus,
    status: submit ? 'submitted' : 'draft',
    ...(submit ? { submittedAt: now } : {}),
    updatedAt: now,
  });
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => labelIssue(scheme, body, i.path, i.message)));
  const sheet = parsed.data;
  const issues = checkSelfScoreSheet(scheme, sheet).map((i) => i.message);
  const accepted = new Set(l.submissions.filter((s) => s.outcome === 'accepted').map((s) => s.uploadId));
  for (const line of [...sheet.criteria, ...sheet.bonus]) {
    if (line.evidenceUploadId && !accepted.has(line.evidenceUploadId)) issues.push('Tệp minh chứng không có trong các tệp đơn vị đã nộp (hoặc chưa được chấp nhận)');
  }
  if (issues.length) throw invalid([...new Set(issues)]);
  const version = await deps.repos.scoring.putSheet(sheet, { sheetVersion: stored?.version ?? 0, stateVersion: l.scoring.state.version });
  const selfTotal = selfTotalOf(scheme, sheet);
  if (submit) {
    await deps.repos.audit.append({
      clusterId: sheet.clusterId,
      actor: { type: 'unit', id: sheet.unitId },
      action: 'self-score.submit',
      target: `unit:${sheet.unitId}`,
      summary: `${l.link.unit.name} nộp bảng tự chấm điểm năm học ${l.link.plan.planId}: ${formatPointsVi(selfTotal)} điểm tự chấm (${late ? 'nộp muộn' : 'đúng hạn'}).`,
    });
  }
  return {
    status: sheet.status,
    version,
    late: submit && late,
    selfTotal,
    message: submit
      ? `Đã nộp bảng tự chấm điểm (${formatPointsVi(selfTotal)} điểm)${late ? ', nộp muộn' : ''}. Hãy in bản để ký, đóng dấu và gửi bản scan ở trang nộp tài liệu.`
      : `Đã lưu nháp lúc ${formatInstantVi(l.now)}.`,
  };
}

function invalid(messages: readonly string[]): ValidationError {
  const shown = messages.slice(0, 5).join('; ');
  return new ValidationError(`Bảng tự chấm điểm chưa hợp lệ: ${shown}${messages.length > 5 ? ` (và ${messages.length - 5} lỗi khác)` : ''}.`, { issues: messages });
}

/** A schema issue on criteria[i] or bonus[i], named by the criterion's code or the bonus item's title. */
function labelIssue(scheme: ScoringScheme, body: SaveSelfScoreBody, path: readonly PropertyKey[], message: string): string {
  const index = Number(path[1]);
  if (path[0] === 'criteria' && Number.isInteger(index)) {
    const id = body.criteria[index]?.criterionId ?? '';
    const ref = criteriaById(scheme).get(id);
    return `Tiêu chí ${ref?.code ?? id}: ${message}`;
  }
  if (path[0] === 'bonus' && Number.isInteger(index)) {
    const id = body.bonus[index]?.itemId ?? '';
    return `Điểm thưởng «${scheme.bonus.items.find((b) => b.id === id)?.title ?? id}»: ${message}`;
  }
  return message;
}
