/**
 * The scoring scheme: the sample template, the schema's refinements (with their Vietnamese messages), the editing
 * rule once self-scoring has opened, the change description, and points formatting.
 */
import { describe, expect, it } from 'vitest';
import {
  ScoringSchemeSchema,
  bandOf,
  criteriaById,
  criterionName,
  decideSchemeEdit,
  describeSchemeChanges,
  formatPercentVi,
  formatPointsVi,
  sampleNoteOf,
  schemeProblemsWithPlan,
  sumPoints,
  type ScoringScheme,
  type ScoringSchemeInput,
} from '../../shared/domain/scoring';
import { DEFAULT_SCORING_SCHEME, defaultScoringScheme } from '../../shared/reference/scoring-template';
import { referenceMilestones } from '../../shared/reference/thanh-hoa-cum-5';

const ict = (local: string): Date => new Date(`${local}+07:00`);
const clone = (s: ScoringScheme): ScoringSchemeInput => structuredClone(s) as ScoringSchemeInput;
const messages = (input: unknown): string[] => {
  const parsed = ScoringSchemeSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
};

describe('the sample template', () => {
  const s = DEFAULT_SCORING_SCHEME;

  it('is a valid scheme of 100 points in five groups, each group the sum of its criteria', () => {
    expect(ScoringSchemeSchema.parse(s)).toEqual(s);
    expect(s.base).toBe(100);
    expect(s.groups.map((g) => [g.title, g.maximum])).toEqual([
      ['Tổ chức phong trào thi đua', 20],
      ['Chăm lo đời sống, bảo vệ quyền, lợi ích hợp pháp, chính đáng của đoàn viên', 25],
      ['Xây dựng tổ chức công đoàn vững mạnh', 25],
      ['Công tác tuyên truyền, nữ công, văn hóa, thể thao', 15],
      ['Thực hiện chế độ thông tin, báo cáo của Cụm', 15],
    ]);
    for (const g of s.groups) expect(sumPoints(g.criteria.map((c) => c.maximum))).toBe(g.maximum);
    expect(criteriaById(s).size).toBe(14);
  });

  it('carries the typical values: bonus cap 5, late 1 / missing 3, bands 95/85, ties, quotas, more than half', () => {
    expect(s.bonus.cap).toBe(5);
    expect(s.deductions.rules).toEqual([
      { kind: 'covenant', late: 1, missing: 3 },
      { kind: 'report', late: 1, missing: 3 },
      { kind: 'self-score', late: 1, missing: 3 },
    ]);
    expect(s.deductions.cap).toBeUndefined();
    expect(s.bands).toEqual([
      { id: 'xuat-sac', label: 'Xuất sắc', minimum: 95 },
      { id: 'tot', label: 'Tốt', minimum: 85 },
      { id: 'kha', label: 'Khá', minimum: 0 },
    ]);
    expect(s.tieBreak).toEqual(['bonus', 'fewer-deductions', 'vote']);
    expect(s.awards).toEqual([
      { award: 'co-thi-dua', label: 'Cờ thi đua', count: 1, minBand: 'xuat-sac', voteRequired: true },
      { award: 'bang-khen', label: 'Bằng khen', count: 2, voteRequired: true },
    ]);
    expect(s.vote).toEqual({ threshold: 0.5, comparison: 'more-than' });
    expect(s.version).toBe(1);
  });

  it('is labelled as a sample to check against Hướng dẫn 40/HD-CĐVC', () => {
    expect(s.isSample).toBe(true);
    expect(sampleNoteOf(s)).toBe('Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC ngày 17/3/2021 của Công đoàn Viên chức tỉnh trước khi áp dụng');
    expect(sampleNoteOf({ ...s, isSample: false })).toBeUndefined();
  });

  it("fits the reference plan: its registration milestone exists and is a registration; another plan's id is reported", () => {
    expect(s.registrationMilestoneId).toBe('dang-ky-thi-dua');
    expect(schemeProblemsWithPlan(s, referenceMilestones)).toEqual([]);
    expect(schemeProblemsWithPlan(defaultScoringScheme('dang-ky'), referenceMilestones)).toEqual([
      'Kế hoạch không có mốc «dang-ky» dùng để xét điều kiện đăng ký thi đua',
    ]);
    expect(schemeProblemsWithPlan(defaultScoringScheme('bao-cao-so-ket-6-thang'), referenceMilestones)).toEqual([
      'Mốc «Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022» dùng để xét đăng ký thi đua nhưng không phải loại «Đăng ký thi đua»',
    ]);
  });

  it('puts a total in the first band it reaches', () => {
    expect([100, 95, 94.99, 85, 84.75, 0, 105].map((t) => bandOf(s, t).label)).toEqual(['Xuất sắc', 'Xuất sắc', 'Tốt', 'Tốt', 'Khá', 'Khá', 'Xuất sắc']);
  });
});

describe('scheme refinements', () => {
  it('group maxima must add up to the base', () => {
    const s = clone(DEFAULT_SCORING_SCHEME);
    s.base = 90;
    expect(messages(s)).toEqual(['Tổng điểm tối đa của các nhóm tiêu chí (100) phải bằng điểm chuẩn (90)']);
  });

  it("criteria maxima must add up to their group's maximum, counted exactly in hundredths", () => {
    const s = clone(DEFAULT_SCORING_SCHEME);
    s.groups[0]!.criteria[0]!.maximum = 4.5;
    expect(messages(s)).toEqual(['Nhóm I «Tổ chức phong trào thi đua»: tổng điểm tối đa các tiêu chí (19,5) phải bằng điểm tối đa của nhóm (20)']);
    // 0.1 + 0.2 is not 0.3 in floating point; in hundredths it is.
    expect(0.1 + 0.2).not.toBe(0.3);
    const t = clone(DEFAULT_SCORING_SCHEME);
    t.base = 0.3;
    t.groups = [{ id: 'nho', title: 'Nhóm nhỏ', maximum: 0.3, criteria: [{ id: 'a', title: 'A', maximum: 0.1 }, { id: 'b', title: 'B', maximum: 0.2 }] }];
    t.bands = [{ id: 'kha', label: 'Khá', minimum: 0 }];
    t.awards = [];
    expect(messages(t)).toEqual([]);
  });

  it('ids are unique: groups, criteria across groups, bonus items, bands, awards', () => {
    const s = clone(DEFAULT_SCORING_SCHEME);
    s.groups[1]!.criteria[0]!.id = 'phat-dong-dang-ky';
    s.bonus!.items![1]!.id = 'mo-hinh-sang-kien';
    s.groups[2]!.id = 'phong-trao-thi-dua';
    expect(messages(s)).toEqual([
      'Mã nhóm tiêu chí «phong-trao-thi-dua» bị trùng',
      'Mã tiêu chí «phat-dong-dang-ky» bị trùng',
      'Mã mục điểm thưởng «mo-hinh-sang-kien» bị trùng',
    ]);
    const t = clone(DEFAULT_SCORING_SCHEME);
    t.bands![1]!.id = 'xuat-sac';
    t.awards![1]!.award = 'co-thi-dua';
    expect(messages(t)).toEqual(['Mã mức xếp loại «xuat-sac» bị trùng', 'Mã hình thức khen thưởng «co-thi-dua» bị trùng']);
  });

  it('bands strictly decrease, end at 0 and start within reach', () => {
    const s = clone(DEFAULT_SCORING_SCHEME);
    s.bands![1]!.minimum = 95;
    expect(messages(s)).toEqual(['Các mức xếp loại phải có điểm tối thiểu giảm dần: «Tốt» (95) không thấp hơn «Xuất sắc» (95)']);
    const t = clone(DEFAULT_SCORING_SCHEME);
    t.bands = [{ id: 'xuat-sac', label: 'Xuất sắc', minimum: 106 }, { id: 'kha', label: 'Khá', minimum: 50 }];
    t.awards = [];
    expect(messages(t)).toEqual([
      'Mức «Xuất sắc» đòi hỏi 106 điểm, vượt quá số điểm có thể đạt (105)',
      'Mức xếp loại cuối cùng («Khá») phải có điểm tối thiểu 0 để đơn vị nào cũng được xếp loại',
    ]);
  });

  it('a quota names an existing band; deduction kinds are unique; a late document never costs more than a missing one', () => {
    const s = clone(DEFAULT_SCORING_SCHEME);
    s.awards![0]!.minBand = 'gioi';
    s.deductions!.rules = [
      { kind: 'report', late: 4, missing: 3 },
      { kind: 'report', late: 1, missing: 3 },
    ];
    expect(messages(s)).toEqual([
      'Quy định điểm trừ cho loại «Báo cáo» bị lặp',
      'Loại «Báo cáo»: điểm trừ nộp muộn (4) không được lớn hơn điểm trừ không nộp (3)',
      'Hình thức «Cờ thi đua» yêu cầu mức xếp loại «gioi» không có trong thang điểm',
    ]);
  });

  it('points are non-negative with at most two decimals; tie-breaks do not repeat', () => {
    const s = clone(DEFAULT_SCORING_SCHEME);
    s.bonus!.cap = 5.125;
    s.deductions!.rules![0]!.late = -1;
    s.tieBreak = ['bonus', 'bonus'];
    expect(messages(s)).toEqual(['Điểm chỉ được có tối đa hai chữ số thập phân', 'Điểm không được âm', 'Thứ tự xét khi bằng điểm có cách xét bị lặp']);
  });
});

describe('editing a scheme', () => {
  const v1 = DEFAULT_SCORING_SCHEME;
  const opens = ict('2022-05-01T00:00:00');
  const lowerCap = (version: number, changeReason?: string): ScoringScheme =>
    ScoringSchemeSchema.parse({ ...clone(v1), version, bonus: { ...v1.bonus, cap: 3 }, ...(changeReason ? { changeReason } : {}) });

  it('before self-scoring opens, changes are saved in place (or as the next version)', () => {
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(1), selfScoreOpensAt: opens, now: ict('2022-04-30T23:59:59') })).toEqual({
      outcome: 'allowed',
      asNewVersion: false,
      changes: ['Mức trần điểm thưởng: 5 → 3'],
      message: 'Lưu thay đổi thang điểm (chưa mở tự chấm điểm).',
    });
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(1), selfScoreOpensAt: undefined, now: ict('2022-06-30T00:00:00') }).outcome).toBe('allowed');
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(2), selfScoreOpensAt: undefined, now: opens })).toMatchObject({ outcome: 'allowed', asNewVersion: true });
  });

  it('once it has opened, a change in place needs a new version with a reason', () => {
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(1), selfScoreOpensAt: opens, now: opens })).toEqual({
      outcome: 'needs-new-version-with-reason',
      changes: ['Mức trần điểm thưởng: 5 → 3'],
      message: 'Các đơn vị đã được tự chấm điểm từ 00:00 01/05/2022: thay đổi thang điểm phải lưu thành phiên bản mới (phiên bản 2) kèm lý do thay đổi.',
    });
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(2), selfScoreOpensAt: opens, now: opens })).toEqual({
      outcome: 'needs-new-version-with-reason',
      changes: ['Mức trần điểm thưởng: 5 → 3'],
      message: 'Các đơn vị đã được tự chấm điểm từ 00:00 01/05/2022: cần ghi lý do thay đổi của phiên bản 2.',
    });
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(2, 'Theo ý kiến Ban Thường vụ CĐVC tỉnh'), selfScoreOpensAt: opens, now: opens })).toEqual({
      outcome: 'allowed',
      asNewVersion: true,
      changes: ['Mức trần điểm thưởng: 5 → 3'],
      message: 'Lưu thang điểm phiên bản 2. Lý do: Theo ý kiến Ban Thường vụ CĐVC tỉnh',
    });
  });

  it("a reason copied from the previous version is not this version's reason", () => {
    const v2 = lowerCap(2, 'Theo ý kiến Ban Thường vụ CĐVC tỉnh');
    const v3 = ScoringSchemeSchema.parse({ ...clone(v2), version: 3, vote: { threshold: 0.6, comparison: 'at-least' } });
    expect(decideSchemeEdit({ current: v2, proposed: v3, selfScoreOpensAt: opens, now: opens })).toMatchObject({
      outcome: 'needs-new-version-with-reason',
      changes: ['Tỷ lệ phiếu suy tôn: «trên 50% số phiếu» → «từ 60% số phiếu»'],
    });
  });

  it('refuses skipped or earlier versions at any time, and any change while results are frozen', () => {
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(3, 'Lý do bất kỳ'), selfScoreOpensAt: undefined, now: opens })).toEqual({
      outcome: 'refused',
      message: 'Phiên bản thang điểm không hợp lệ: đang là 1, phiên bản mới phải là 2.',
    });
    expect(decideSchemeEdit({ current: lowerCap(2, 'Lý do bất kỳ'), proposed: v1, selfScoreOpensAt: undefined, now: opens }).outcome).toBe('refused');
    expect(decideSchemeEdit({ current: v1, proposed: lowerCap(2, 'Lý do bất kỳ'), selfScoreOpensAt: opens, now: opens, resultsFrozen: true })).toEqual({
      outcome: 'refused',
      message: 'Kết quả chấm điểm đã chốt: cần mở khóa (ghi rõ lý do) trước khi sửa thang điểm.',
    });
  });

  it('saving the same scheme is not a change; the first scheme of a plan is always allowed', () => {
    expect(decideSchemeEdit({ current: v1, proposed: v1, selfScoreOpensAt: opens, now: opens })).toMatchObject({ outcome: 'allowed', asNewVersion: false, changes: [] });
    expect(decideSchemeEdit({ current: undefined, proposed: v1, selfScoreOpensAt: opens, now: opens })).toMatchObject({ outcome: 'allowed' });
  });
});

describe('describeSchemeChanges', () => {
  it('names each change in Vietnamese', () => {
    const next = clone(DEFAULT_SCORING_SCHEME);
    next.groups[0]!.criteria[1]!.maximum = 9;
    next.groups[0]!.criteria.push({ id: 'phong-trao-moi', title: 'Phong trào mới', maximum: 1 });
    next.groups[4]!.criteria.pop();
    next.groups[4]!.criteria[0]!.maximum = 15;
    next.deductions!.rules![1]!.missing = 5;
    next.deductions!.cap = 10;
    next.bands![1]!.minimum = 80;
    next.tieBreak = ['fewer-deductions', 'bonus'];
    next.awards = [next.awards![1]!, { ...next.awards![0]!, count: 2 }];
    next.isSample = false;
    expect(describeSchemeChanges(DEFAULT_SCORING_SCHEME, ScoringSchemeSchema.parse(next))).toEqual([
      'Bỏ tiêu chí «Tham dự đầy đủ hội nghị, các hoạt động chung của Cụm»',
      'Tiêu chí «Tổ chức các phong trào thi đua: "Giỏi việc nước, đảm việc…»: điểm tối đa 10 → 9',
      'Thêm tiêu chí «Phong trào mới»',
      'Tiêu chí «Gửi đăng ký thi đua, báo cáo sơ kết, tổng kết và bảng tự…»: điểm tối đa 10 → 15',
      'Điểm trừ loại «Báo cáo»: không nộp 3 → 5',
      'Mức trần điểm trừ: (không có) → 10',
      'Mức xếp loại «Tốt»: điểm tối thiểu 85 → 80',
      'Thứ tự xét khi bằng điểm: «Điểm thưởng cao hơn, Ít điểm trừ hơn, Nhiều phiếu bầu hơn» → «Ít điểm trừ hơn, Điểm thưởng cao hơn»',
      'Hình thức khen thưởng «Cờ thi đua»: số lượng 1 → 2',
      'Đổi thứ tự xét các hình thức khen thưởng',
      'Nhãn mẫu: có → không',
    ]);
  });
});

describe('points', () => {
  it('are written the Vietnamese way', () => {
    expect([97.5, 100, 8.25, 0, -3, 0.1 + 0.2, 90.25, 12.05].map(formatPointsVi)).toEqual(['97,5', '100', '8,25', '0', '-3', '0,3', '90,25', '12,05']);
    expect(formatPercentVi(6, 7)).toBe('85,7%');
    expect(formatPercentVi(6, 12)).toBe('50%');
  });

  it('add up exactly', () => {
    expect(sumPoints([0.1, 0.2])).toBe(0.3);
    expect(sumPoints([9.95, 0.05, 87.5])).toBe(97.5);
  });

  it('messages name a criterion by its printed code and a short title', () => {
    const ref = criteriaById(DEFAULT_SCORING_SCHEME).get('tai-chinh-cong-doan')!;
    expect(criterionName(ref)).toBe('Tiêu chí 3.3 «Thu, chi, quản lý tài chính công đoàn (đoàn phí, kinh phí…»');
  });
});
