/**
 * What scoring reads and what people enter: deductions from the submission records (on the reference plan's real
 * milestones), the registration gate, sheet and verification validation, ballot counts, and the freeze.
 */
import { describe, expect, it } from 'vitest';
import {
  INITIAL_RESULTS_LOCK,
  SelfScoreSheetSchema,
  VerificationSchema,
  VoteTallySchema,
  applyDeductionOverrides,
  checkSelfScoreSheet,
  checkVerification,
  computeDeductions,
  describeApplied,
  registrationOf,
  scoresEditable,
  selfScoreSheetSchemaFor,
  transitionLock,
  type ExtensionRecord,
  type ResultsLock,
  type SelfScoreSheet,
  type SubmissionRecord,
} from '../../shared/domain/scoring';
import { MilestoneSchema, type Milestone } from '../../shared/domain/model';
import { DEFAULT_SCORING_SCHEME } from '../../shared/reference/scoring-template';
import { referenceMilestones, referencePlan, referenceUnits } from '../../shared/reference/thanh-hoa-cum-5';

const ict = (local: string): Date => new Date(`${local}+07:00`);
const scheme = DEFAULT_SCORING_SCHEME;
const unit = referenceUnits.find((u) => u.unitId === 'don-vi-mau-a')!;
const MID = 'bao-cao-so-ket-6-thang';
const END = 'bao-cao-tong-ket-nam-hoc';
const SELF = 'bang-tu-cham-diem';

const rec = (milestoneId: string, local: string, late: boolean, outcome: 'accepted' | 'quarantined' = 'accepted'): SubmissionRecord => ({
  unitId: unit.unitId,
  milestoneId,
  receivedAt: ict(local).toISOString(),
  late,
  outcome,
});
const deductions = (p: { submissions?: SubmissionRecord[]; extensions?: ExtensionRecord[]; selfScore?: Pick<SelfScoreSheet, 'status' | 'submittedAt'>; now: Date; milestones?: Milestone[] }) =>
  computeDeductions({
    scheme,
    plan: referencePlan,
    milestones: p.milestones ?? referenceMilestones,
    unit,
    submissions: p.submissions ?? [],
    extensions: p.extensions ?? [],
    ...(p.selfScore ? { selfScore: p.selfScore } : {}),
    now: p.now,
  });
/** Everything except the milestones under test sent on time, so only those produce lines. */
const onTimeExcept = (...skip: string[]): SubmissionRecord[] =>
  [[MID, '2021-12-08T10:00:00'], [END, '2022-05-27T10:00:00'], [SELF, '2022-05-27T10:00:00']].filter(([m]) => !skip.includes(m!)).map(([m, t]) => rec(m!, t!, false));

describe('automatic deductions from the records', () => {
  it('a late report costs the late points, with how late and from which record', () => {
    expect(deductions({ submissions: [...onTimeExcept(MID), rec(MID, '2021-12-12T10:00:00', true)], now: ict('2022-06-20T09:00:00') })).toEqual([
      {
        milestoneId: MID,
        milestoneTitle: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022',
        kind: 'report',
        reason: 'late',
        points: 1,
        lastDay: '2021-12-09',
        receivedAt: ict('2021-12-12T10:00:00').toISOString(),
        via: 'upload',
        daysLate: 3,
        description: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022: nộp muộn 3 ngày (hạn 09/12/2021, nhận 12/12/2021)',
      },
    ]);
  });

  it('the first accepted version decides: a late re-upload after an on-time one costs nothing', () => {
    const records = [...onTimeExcept(), rec(MID, '2021-12-20T10:00:00', true)];
    expect(deductions({ submissions: records, now: ict('2022-06-20T09:00:00') })).toEqual([]);
  });

  it('a missing report costs the missing points once its deadline has passed, not before', () => {
    const records = onTimeExcept(MID);
    expect(deductions({ submissions: records, now: ict('2021-12-09T23:59:59') })).toEqual([]);
    expect(deductions({ submissions: records, now: ict('2021-12-10T00:00:00') })).toEqual([
      {
        milestoneId: MID,
        milestoneTitle: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022',
        kind: 'report',
        reason: 'missing',
        points: 3,
        lastDay: '2021-12-09',
        description: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022: không nộp (hạn 09/12/2021)',
      },
    ]);
  });

  it('a quarantined file is not a report; past the cut-off the report is still missing', () => {
    const quarantined = [...onTimeExcept(MID), rec(MID, '2021-12-08T10:00:00', false, 'quarantined')];
    expect(deductions({ submissions: quarantined, now: ict('2022-06-20T09:00:00') }).map((l) => [l.milestoneId, l.reason])).toEqual([[MID, 'missing']]);
    const withCutoff = referenceMilestones.map((m) => (m.milestoneId === MID ? MilestoneSchema.parse({ ...m, cutoffDate: '2021-12-15' }) : m));
    expect(deductions({ milestones: withCutoff, submissions: onTimeExcept(MID), now: ict('2021-12-16T00:00:00') }).map((l) => [l.milestoneId, l.reason, l.points])).toEqual([[MID, 'missing', 3]]);
  });

  it('an extension moves the deadline: nothing is missing inside it, and a document sent inside it is on time', () => {
    const extensions = [{ unitId: unit.unitId, milestoneId: MID, until: '2021-12-15' }];
    expect(deductions({ submissions: onTimeExcept(MID), extensions, now: ict('2021-12-15T23:00:00') })).toEqual([]);
    expect(deductions({ submissions: [...onTimeExcept(MID), rec(MID, '2021-12-14T10:00:00', false)], extensions, now: ict('2022-06-20T09:00:00') })).toEqual([]);
    expect(deductions({ submissions: [...onTimeExcept(MID), rec(MID, '2021-12-17T10:00:00', true)], extensions, now: ict('2022-06-20T09:00:00') })).toMatchObject([
      { reason: 'late', daysLate: 2, lastDay: '2021-12-15', extendedTo: '2021-12-15', description: 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022: nộp muộn 2 ngày (hạn 15/12/2021 (đã gia hạn), nhận 17/12/2021)' },
    ]);
  });

  it('a late self-score submission (the form) is deducted per the scheme; a draft is not a submission', () => {
    const records = onTimeExcept(SELF);
    const now = ict('2022-06-20T09:00:00');
    expect(deductions({ submissions: records, selfScore: { status: 'submitted', submittedAt: ict('2022-05-31T08:00:00').toISOString() }, now })).toMatchObject([
      { milestoneId: SELF, kind: 'self-score', reason: 'late', points: 1, daysLate: 1, via: 'self-score-form', description: 'Bảng tự chấm điểm thi đua năm học 2021 – 2022: nộp muộn 1 ngày (hạn 30/05/2022, nhận 31/05/2022)' },
    ]);
    expect(deductions({ submissions: records, selfScore: { status: 'submitted', submittedAt: ict('2022-05-30T23:59:59').toISOString() }, now })).toEqual([]);
    expect(deductions({ submissions: records, selfScore: { status: 'draft' }, now })).toMatchObject([{ milestoneId: SELF, reason: 'missing', points: 3 }]);
    // The signed scan uploaded on time counts even if the form was pressed later.
    expect(deductions({ submissions: onTimeExcept(), selfScore: { status: 'submitted', submittedAt: ict('2022-06-01T08:00:00').toISOString() }, now })).toEqual([]);
  });

  it('only milestones with a rule and a document asked of this unit are deducted', () => {
    // Registration (the gate, not a deduction), the covenant (month only: never late), conferences, the award dossier.
    expect(deductions({ submissions: onTimeExcept(), now: ict('2023-01-01T00:00:00') })).toEqual([]);
    const headOnly = referenceMilestones.map((m) => (m.milestoneId === MID ? MilestoneSchema.parse({ ...m, document: { ...m.document!, from: { type: 'roles', roles: ['cum-truong'] } } }) : m));
    expect(deductions({ milestones: headOnly, submissions: onTimeExcept(MID), now: ict('2022-06-20T09:00:00') })).toEqual([]);
  });
});

describe('overriding automatic deductions', () => {
  const lines = deductions({ submissions: onTimeExcept(MID, END), now: ict('2022-06-20T09:00:00') });

  it('an override replaces a line with its written reason; the total follows', () => {
    const result = applyDeductionOverrides(scheme, lines, [{ milestoneId: MID, points: 0, reason: 'Đơn vị đã gửi qua bưu điện đúng hạn (dấu bưu điện 08/12/2021)' }]);
    expect(result.automatic).toBe(6);
    expect(result.total).toBe(3);
    expect(result.capped).toBe(false);
    expect(result.lines.map(describeApplied)).toEqual([
      '−0: Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022: không nộp (hạn 09/12/2021) (điều chỉnh từ 3, lý do: Đơn vị đã gửi qua bưu điện đúng hạn (dấu bưu điện 08/12/2021))',
      '−3: Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023: không nộp (hạn 30/05/2022)',
    ]);
  });

  it("the scheme's cap limits the total deducted", () => {
    expect(applyDeductionOverrides({ deductions: { ...scheme.deductions, cap: 4 } }, lines, [])).toMatchObject({ automatic: 6, total: 4, capped: true });
  });

  it('an override without a written reason does not parse; one naming no deduction is reported', () => {
    const base = { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022', unitId: unit.unitId, schemeVersion: 1 };
    const bad = VerificationSchema.safeParse({ ...base, deductionOverrides: [{ milestoneId: MID, points: 0, reason: '  ' }] });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.message)).toEqual(['Cần ghi rõ lý do (ít nhất 5 ký tự)']);
    const missingReason = VerificationSchema.safeParse({ ...base, deductionOverrides: [{ milestoneId: MID, points: 0 }] });
    expect(missingReason.success).toBe(false);
    const v = VerificationSchema.parse({ ...base, deductionOverrides: [{ milestoneId: 'hoi-nghi-tong-ket', points: 0, reason: 'Nhầm mốc' }] });
    expect(checkVerification(scheme, v, lines.map((l) => l.milestoneId))).toEqual([
      { path: ['deductionOverrides', 0, 'milestoneId'], message: 'Mốc «hoi-nghi-tong-ket» không có điểm trừ tự động để điều chỉnh' },
    ]);
  });
});

describe('registration gate', () => {
  const reg = (local: string, outcome: 'accepted' | 'quarantined' = 'accepted'): SubmissionRecord => ({ ...rec('dang-ky-thi-dua', local, false, outcome) });
  const flag = (registered: boolean, at: string, reason: string) => ({ unitId: unit.unitId, registered, reason, recordedAt: ict(at).toISOString() });

  it('an accepted registration document registers the unit; a quarantined one does not', () => {
    expect(registrationOf({ scheme, unitId: unit.unitId, submissions: [reg('2021-09-15T10:00:00')] })).toEqual({
      registered: true,
      source: 'submission',
      note: 'Đã đăng ký thi đua (bản đăng ký nhận ngày 15/09/2021)',
    });
    expect(registrationOf({ scheme, unitId: unit.unitId, submissions: [reg('2021-09-15T10:00:00', 'quarantined'), rec(MID, '2021-12-08T10:00:00', false)] })).toEqual({
      registered: false,
      source: 'none',
      note: 'Chưa đăng ký thi đua',
    });
  });

  it('the newest explicit flag wins over the uploads, either way', () => {
    const flags = [flag(true, '2021-09-20T08:00:00', 'Gửi bản giấy ngày 18/09/2021'), flag(false, '2021-10-01T08:00:00', 'Tệp đã gửi là báo cáo, không phải bản đăng ký')];
    expect(registrationOf({ scheme, unitId: unit.unitId, submissions: [reg('2021-09-15T10:00:00')], flags })).toEqual({
      registered: false,
      source: 'flag',
      note: 'Chưa đăng ký thi đua (ghi nhận ngày 01/10/2021: Tệp đã gửi là báo cáo, không phải bản đăng ký)',
    });
    expect(registrationOf({ scheme, unitId: unit.unitId, submissions: [], flags: flags.slice(0, 1) })).toMatchObject({ registered: true, source: 'flag' });
    expect(registrationOf({ scheme, unitId: 'don-vi-mau-b', submissions: [], flags })).toMatchObject({ registered: false, source: 'none' });
  });
});

describe('self-score sheets and verification against the scheme', () => {
  const base = { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022', unitId: unit.unitId, schemeVersion: 1 };
  const all = scheme.groups.flatMap((g) => g.criteria).map((c) => ({ criterionId: c.id, points: c.maximum }));

  it('points within the maximum, with messages naming the criterion; bonus within item maxima and the cap', () => {
    const sheet = SelfScoreSheetSchema.parse({
      ...base,
      status: 'draft',
      criteria: [{ criterionId: 'tai-chinh-cong-doan', points: 10.5 }, { criterionId: 'khong-co', points: 1 }, { criterionId: 'nu-cong', points: 5 }],
      bonus: [{ itemId: 'mo-hinh-sang-kien', points: 2.5 }, { itemId: 'khen-thuong-cap-tren', points: 2 }, { itemId: 'dang-cai-hoat-dong-cum', points: 2 }],
    });
    expect(checkSelfScoreSheet(scheme, sheet)).toEqual([
      { path: ['criteria', 0, 'points'], message: 'Tiêu chí 3.3 «Thu, chi, quản lý tài chính công đoàn (đoàn phí, kinh phí…»: 10,5 điểm vượt quá điểm tối đa 10' },
      { path: ['criteria', 1, 'criterionId'], message: 'Tiêu chí «khong-co» không có trong thang điểm (phiên bản 1)' },
      { path: ['bonus', 0, 'points'], message: 'Điểm thưởng «Có mô hình, cách làm hay, sáng kiến được cấp có thẩm quyền công nhận»: 2,5 điểm vượt quá mức tối đa 2' },
      { path: ['bonus'], message: 'Tổng điểm thưởng đề nghị (6,5) vượt quá mức trần 5' },
    ]);
  });

  it('a draft may be partial; a submitted sheet scores every criterion, under the current version', () => {
    expect(checkSelfScoreSheet(scheme, SelfScoreSheetSchema.parse({ ...base, status: 'draft', criteria: all.slice(0, 3) }))).toEqual([]);
    const submitted = SelfScoreSheetSchema.parse({ ...base, schemeVersion: 2, status: 'submitted', submittedAt: '2022-05-28T09:00:00.000Z', criteria: all.slice(0, 12) });
    expect(checkSelfScoreSheet(scheme, submitted).map((i) => i.message)).toEqual([
      'Bảng điểm theo thang điểm phiên bản 2, thang điểm hiện hành là phiên bản 1: cần chấm lại theo phiên bản mới',
      'Chưa chấm Tiêu chí 5.1 «Gửi đăng ký thi đua, báo cáo sơ kết, tổng kết và bảng tự…»',
      'Chưa chấm Tiêu chí 5.2 «Tham dự đầy đủ hội nghị, các hoạt động chung của Cụm»',
    ]);
    expect(checkSelfScoreSheet(scheme, { ...submitted, schemeVersion: 1, criteria: all })).toEqual([]);
  });

  it('the bound schema parses a form in one step; the shape is checked too', () => {
    const bound = selfScoreSheetSchemaFor(scheme);
    const parsed = bound.safeParse({ ...base, status: 'draft', criteria: [{ criterionId: 'nu-cong', points: 6 }] });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.message)).toEqual(['Tiêu chí 4.2 «Công tác nữ công, bình đẳng giới; chăm lo con đoàn viên»: 6 điểm vượt quá điểm tối đa 5']);
    expect(bound.safeParse({ ...base, status: 'submitted', submittedAt: '2022-05-28T09:00:00.000Z', criteria: all }).success).toBe(true);
    const noDate = bound.safeParse({ ...base, status: 'submitted', criteria: all });
    expect(noDate.success ? [] : noDate.error.issues.map((i) => i.message)).toEqual(['Bảng đã nộp phải có thời điểm nộp']);
    const shape = SelfScoreSheetSchema.safeParse({ ...base, status: 'draft', criteria: [{ criterionId: 'nu-cong', points: -1 }, { criterionId: 'tuyen-truyen', points: 1.234 }] });
    expect(shape.success ? [] : shape.error.issues.map((i) => i.message)).toEqual(['Điểm không được âm', 'Điểm chỉ được có tối đa hai chữ số thập phân']);
    const twice = SelfScoreSheetSchema.safeParse({ ...base, status: 'draft', criteria: [{ criterionId: 'nu-cong', points: 1 }, { criterionId: 'nu-cong', points: 2 }] });
    expect(twice.success ? [] : twice.error.issues.map((i) => i.message)).toEqual(['Tiêu chí «nu-cong» được chấm hai lần']);
  });

  it('justifications are trimmed, NFC, and empty means none', () => {
    const s = SelfScoreSheetSchema.parse({ ...base, status: 'draft', criteria: [{ criterionId: 'nu-cong', points: 5, justification: '  Có 3 chuyên đề\u0301 ' }, { criterionId: 'tuyen-truyen', points: 5, justification: '   ' }] });
    expect(s.criteria[0]!.justification).toBe('Có 3 chuyên đề\u0301'.normalize('NFC'));
    expect(s.criteria[1]!.justification).toBeUndefined();
  });

  it('verified points are checked like self points', () => {
    const v = VerificationSchema.parse({ ...base, criteria: [{ criterionId: 'nu-cong', points: 5.5, comment: 'Quá mức' }], bonus: [{ itemId: 'dang-cai-hoat-dong-cum', points: 2 }] });
    expect(checkVerification(scheme, v)).toEqual([{ path: ['criteria', 0, 'points'], message: 'Tiêu chí 4.2 «Công tác nữ công, bình đẳng giới; chăm lo con đoàn viên»: 5,5 điểm vượt quá điểm tối đa 5' }]);
  });

  it('a ballot count never gives a unit more ballots than were cast', () => {
    const t = VoteTallySchema.safeParse({ ballotsCast: 12, votes: [{ unitId: 'don-vi-mau-a', count: 13 }, { unitId: 'don-vi-mau-a', count: 1 }] });
    expect(t.success ? [] : t.error.issues.map((i) => i.message)).toEqual([
      'Số phiếu đồng ý của đơn vị «don-vi-mau-a» (13) vượt quá số phiếu hợp lệ (12)',
      'Đơn vị «don-vi-mau-a» được ghi phiếu hai lần',
    ]);
  });
});

describe('freezing the results (chốt)', () => {
  const by = 'congdoan.dvtdt@gmail.com';
  const at = ict('2022-06-25T16:30:00');

  it('open -> frozen -> (unlock with a reason) -> open, each step an audit event', () => {
    const frozen = transitionLock(INITIAL_RESULTS_LOCK, { type: 'freeze', at, by, schemeVersion: 2, note: ' Theo biên bản hội nghị tổng kết ' });
    expect(frozen).toEqual({
      ok: true,
      state: { status: 'frozen', frozenAt: at.toISOString(), frozenBy: by, schemeVersion: 2, note: 'Theo biên bản hội nghị tổng kết' },
      event: { action: 'scores.freeze', at: at.toISOString(), by, summary: 'Chốt kết quả chấm điểm thi đua (thang điểm phiên bản 2). Ghi chú: Theo biên bản hội nghị tổng kết' },
    });
    const state = (frozen as { state: ResultsLock }).state;
    expect(scoresEditable(state)).toEqual({ ok: false, message: 'Đã chốt kết quả lúc 16:30 25/06/2022: cần mở khóa (ghi rõ lý do) trước khi sửa.' });
    const later = ict('2022-07-02T08:00:00');
    const unlocked = transitionLock(state, { type: 'unlock', at: later, by, reason: 'CĐVC tỉnh yêu cầu thẩm định lại tiêu chí 3.3 của Trường mẫu B' });
    expect(unlocked).toEqual({
      ok: true,
      state: { status: 'open', unlockedAt: later.toISOString(), unlockedBy: by, unlockReason: 'CĐVC tỉnh yêu cầu thẩm định lại tiêu chí 3.3 của Trường mẫu B' },
      event: {
        action: 'scores.unlock',
        at: later.toISOString(),
        by,
        summary: 'Mở khóa kết quả chấm điểm thi đua đã chốt lúc 16:30 25/06/2022. Lý do: CĐVC tỉnh yêu cầu thẩm định lại tiêu chí 3.3 của Trường mẫu B',
      },
    });
    expect(scoresEditable((unlocked as { state: ResultsLock }).state)).toEqual({ ok: true });
  });

  it('refuses freezing twice, unlocking what is open, and an unlock without a reason', () => {
    const frozen = (transitionLock(INITIAL_RESULTS_LOCK, { type: 'freeze', at, by, schemeVersion: 1 }) as { state: ResultsLock }).state;
    expect(transitionLock(frozen, { type: 'freeze', at, by, schemeVersion: 1 })).toEqual({ ok: false, message: 'Kết quả đã được chốt lúc 16:30 25/06/2022.' });
    expect(transitionLock(INITIAL_RESULTS_LOCK, { type: 'unlock', at, by, reason: 'Sửa điểm' })).toEqual({ ok: false, message: 'Kết quả chưa được chốt, không cần mở khóa.' });
    expect(transitionLock(frozen, { type: 'unlock', at, by, reason: '  ok ' })).toEqual({ ok: false, message: 'Cần ghi rõ lý do mở khóa (ít nhất 5 ký tự).' });
  });
});
