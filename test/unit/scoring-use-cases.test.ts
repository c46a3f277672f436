/**
 * The pure parts of the scoring use cases (shared/use-cases/scoring.ts) on the worked example: the view the admin
 * page reads, lateness of a submitted sheet, and the audit sentences of a verification and a scheme save.
 */
import { describe, expect, it } from 'vitest';
import { VerificationSchema, selfScoreMilestoneOf, sheetLate } from '../../shared/domain/scoring';
import { INITIAL_SCORING_STATE } from '../../shared/domain/scoring-state';
import { referenceCluster, referenceMilestones, referencePlan, referenceUnits } from '../../shared/reference/thanh-hoa-cum-5';
import { addDays, type LocalDate } from '../../shared/domain/time';
import { DEFAULT_SCORING_SCHEME } from '../../shared/reference/scoring-template';
import {
  describeVerificationChanges,
  schemeSaveSummary,
  scoringView,
  type ScoringContext,
} from '../../shared/use-cases/scoring';
import { A, EXAMPLE_NOW, H, exampleRegistrationFlags, exampleSheets, exampleSubmissions, exampleVerifications } from '../fixtures/scoring-example';

const context = (overrides: Partial<ScoringContext> = {}): ScoringContext => ({
  cluster: referenceCluster,
  plan: referencePlan,
  milestones: [...referenceMilestones],
  units: [...referenceUnits],
  scoring: {
    schemes: [{ scheme: DEFAULT_SCORING_SCHEME, savedAt: '2021-09-01T01:00:00.000Z', savedBy: 'cum-truong@example.com' }],
    state: { value: { ...INITIAL_SCORING_STATE, selfScoreOpensAt: '2022-05-01T00:00:00.000Z' }, version: 3 },
    sheets: Object.values(exampleSheets).map((value) => ({ value, version: 2 })),
    verifications: exampleVerifications.map((value) => ({ value, version: 1 })),
    flags: exampleRegistrationFlags,
  },
  submissions: exampleSubmissions,
  extensions: [],
  scheme: DEFAULT_SCORING_SCHEME,
  now: EXAMPLE_NOW,
  ...overrides,
});

describe('scoringView', () => {
  it('gives the scheme, its history, the settings, each unit with its sheet and verification, and the ranked results', () => {
    const view = scoringView(context());
    expect(view.scheme?.version).toBe(1);
    expect(view.schemeVersions).toEqual([{ version: 1, savedAt: '2021-09-01T01:00:00.000Z', savedBy: 'cum-truong@example.com' }]);
    expect(view.state).toMatchObject({ selfScoringOpen: true, version: 3, lock: { status: 'open' } });
    expect(view.selfScoreMilestone?.milestoneId).toBe(selfScoreMilestoneOf(referenceMilestones)!.milestoneId);
    expect(view.units.map((u) => u.unitId).sort()).toEqual(referenceUnits.filter((u) => u.active).map((u) => u.unitId).sort());
    const a = view.units.find((u) => u.unitId === A)!;
    expect(a.sheet).toMatchObject({ status: 'submitted', schemeVersion: 1, late: false });
    expect(a.verification).toMatchObject({ version: 1, schemeVersion: 1, deductionOverrides: [] });
    // The head leads the example (see test/unit/scoring-example.test.ts for the whole table).
    expect(view.results?.rows[0]).toMatchObject({ unitId: H, rank: 1 });
    expect(view.template.isSample).toBe(true);
  });

  it('has no results and offers the sample while no scheme is saved', () => {
    const view = scoringView(context({ scheme: undefined, scoring: { ...context().scoring, schemes: [] } }));
    expect(view.scheme).toBeNull();
    expect(view.results).toBeNull();
    expect(view.template.registrationMilestoneId).toBe(referenceMilestones.find((m) => m.kind === 'registration')!.milestoneId);
  });
});

describe('sheetLate', () => {
  const milestone = selfScoreMilestoneOf(referenceMilestones)!;
  it('judges a submitted sheet against the self-score milestone, extensions included', () => {
    const ctx = context();
    expect(milestone.due).toMatchObject({ type: 'date' });
    const lastDay = (milestone.due as { date: string }).date;
    const afterDeadline = new Date(new Date(`${lastDay}T00:00:00+07:00`).getTime() + 3 * 86_400_000).toISOString();
    expect(sheetLate(ctx, { unitId: A, submittedAt: afterDeadline })).toBe(true);
    const extended = { ...ctx, extensions: [{ clusterId: ctx.cluster.clusterId, planId: ctx.plan.planId, unitId: A, milestoneId: milestone.milestoneId, until: addDays(lastDay as LocalDate, 5), grantedAt: afterDeadline }] } as unknown as ScoringContext;
    expect(sheetLate(extended, { unitId: A, submittedAt: afterDeadline })).toBe(false);
    expect(sheetLate(ctx, { unitId: A })).toBe(false);
  });
});

describe('describeVerificationChanges', () => {
  const sheet = exampleSheets[A]!;
  const lines = [{ milestoneId: 'bao-cao-so-ket-6-thang', milestoneTitle: 'Báo cáo sơ kết 6 tháng', points: 1 }];
  const base = VerificationSchema.parse({ clusterId: sheet.clusterId, planId: sheet.planId, unitId: A, schemeVersion: 1 });

  it('names each criterion by its code with the old, new and self points, and each override with its reason', () => {
    const after = VerificationSchema.parse({
      ...base,
      criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 6 }],
      deductionOverrides: [{ milestoneId: 'bao-cao-so-ket-6-thang', points: 0, reason: 'Gửi đúng hạn qua email, hệ thống lỗi' }],
    });
    expect(describeVerificationChanges(DEFAULT_SCORING_SCHEME, undefined, after, sheet, lines)).toEqual([
      'tiêu chí 1.2: 6 điểm (tự chấm 8)',
      'điều chỉnh điểm trừ mốc «Báo cáo sơ kết 6 tháng» từ 1 còn 0, lý do: Gửi đúng hạn qua email, hệ thống lỗi',
    ]);
    const again = VerificationSchema.parse({ ...after, criteria: [{ criterionId: 'phong-trao-chuyen-mon', points: 7.5 }], deductionOverrides: [] });
    expect(describeVerificationChanges(DEFAULT_SCORING_SCHEME, after, again, sheet, lines)).toEqual([
      'tiêu chí 1.2: 6 → 7,5 điểm (tự chấm 8)',
      'bỏ điều chỉnh điểm trừ mốc «Báo cáo sơ kết 6 tháng» (trừ lại theo quy định)',
    ]);
    expect(describeVerificationChanges(DEFAULT_SCORING_SCHEME, again, again, sheet, lines)).toEqual([]);
  });
});

describe('schemeSaveSummary', () => {
  it('says whether the scheme was created, edited in place or saved as a new version with its reason', () => {
    const scheme = DEFAULT_SCORING_SCHEME;
    expect(schemeSaveSummary('2021-2022', { scheme, created: true, asNewVersion: false, changes: [], message: '' })).toBe(
      'Tạo thang điểm kế hoạch 2021-2022 (phiên bản 1, thang điểm mẫu).',
    );
    const v2 = { ...scheme, version: 2, changeReason: 'Theo hướng dẫn mới của CĐVC tỉnh' };
    expect(schemeSaveSummary('2021-2022', { scheme: v2, created: false, asNewVersion: true, changes: ['Mức trần điểm thưởng: 5 → 4'], message: '' })).toBe(
      'Lưu thang điểm kế hoạch 2021-2022 phiên bản 2, lý do: Theo hướng dẫn mới của CĐVC tỉnh. Thay đổi: Mức trần điểm thưởng: 5 → 4.',
    );
  });
});
