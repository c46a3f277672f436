/**
 * The worked example (test/fixtures/scoring-example.ts) on the reference plan, with the expected table written out
 * by hand: six units, one late report (B), one missing report (C), a tie at 92 broken by bonus (Cụm phó over A), an
 * unregistered unit (D) passed over by the proposals, a unit not yet verified (C), then the same year with the suy
 * tôn ballots recorded.
 *
 * By hand, per unit (self criteria are full marks except what the fixture lists; verification changes listed there):
 *   H   self 100 − 0,5 (1.2) − 1 (3.3) = 98,5; verified 1.2 → 8, 5.2 → 3,5: 95,5; bonus 2 + 2 claimed, 2 verified
 *       (innovation not recognised); no deduction. Total 95,5 + 2 = 97,5 (self 98,5 + 4 = 102,5).
 *   D   self 95; verified 2.2 → 7, 5.1 → 8: 93; bonus 1. Total 94 (self 96). Not registered.
 *   P   self 92; verified 2.2 → 9, 3.3 → 8: 89; bonus 3. Total 92 (self 95).
 *   A   self 92; verified 1.3 → 4, 4.3 → 4: 90; bonus 2. Total 92 (self 94). Tied with P: P has more bonus.
 *   B   self 92; verified 3.2 → 8,75, 5.2 → 3,5: 89,25; bonus 2; sơ kết report 3 days late: −1. Total 90,25 (self 93).
 *   C   self 86,5 (not verified: counts as is); bonus 1; year-end report missing: −3. Total 84,5, Khá.
 */
import { describe, expect, it } from 'vitest';
import { ScoringSchemeSchema, computeScoring, formatPointsVi, proposedUnitIds, type Verification } from '../../shared/domain/scoring';
import { DEFAULT_SCORING_SCHEME } from '../../shared/reference/scoring-template';
import { A, B, C, D, H, P, exampleInput, exampleTally, exampleVerifications } from '../fixtures/scoring-example';

const results = computeScoring(exampleInput);
const row = (unitId: string) => results.rows.find((r) => r.unitId === unitId)!;

describe('worked example: Cụm Thi đua số 5, 2021 - 2022, as of 20/06/2022', () => {
  it('gives the table written out by hand', () => {
    const table = results.rows.map((r) => [
      r.position,
      r.rank,
      r.unitId,
      r.selfTotal,
      r.groups.map((g) => g.verified),
      r.bonus.final,
      r.deductions.total,
      r.total,
      r.band.label,
      r.proposal.award?.label ?? '',
    ]);
    expect(table).toEqual([
      // #  rank  unit  self    I     II  III    IV    V     bonus  trừ  total  band        proposal
      [1, 1, H, 102.5, [18, 25, 24, 15, 13.5], 2, 0, 97.5, 'Xuất sắc', 'Cờ thi đua'],
      [2, 2, D, 96, [20, 22, 24, 14, 13], 1, 0, 94, 'Tốt', ''],
      [3, 3, P, 95, [18, 23, 21, 14, 13], 3, 0, 92, 'Tốt', 'Bằng khen'],
      [4, 4, A, 94, [17, 23, 23, 13, 14], 2, 0, 92, 'Tốt', 'Bằng khen'],
      [5, 5, B, 93, [18.5, 22, 22.75, 14.5, 11.5], 2, 1, 90.25, 'Tốt', ''],
      [6, 6, C, 84.5, [16, 21, 22.5, 15, 12], 1, 3, 84.5, 'Khá', ''],
    ]);
  });

  it('keeps the self-scores per group beside the verified ones', () => {
    expect(results.rows.map((r) => [r.unitId, r.groups.map((g) => g.self), r.selfBase, r.base])).toEqual([
      [H, [19.5, 25, 24, 15, 15], 98.5, 95.5],
      [D, [20, 23, 24, 14, 14], 95, 93],
      [P, [18, 24, 23, 14, 13], 92, 89],
      [A, [18, 23, 23, 14, 14], 92, 90],
      [B, [18.5, 22, 24, 14.5, 13], 92, 89.25],
      [C, [16, 21, 22.5, 15, 12], 86.5, 86.5],
    ]);
    expect(row(H).groups[0]!.criteria[1]).toMatchObject({ code: '1.2', self: 9.5, verified: 8, final: 8, source: 'verified', difference: -1.5, comment: 'Điều chỉnh theo minh chứng tại hội nghị thẩm định' });
    expect(row(H).bonus).toEqual({ self: 4, final: 2, cap: 5, capped: false });
  });

  it('shows each deduction with its source: which report, how late', () => {
    expect(results.rows.flatMap((r) => r.deductions.lines.map((l) => [r.unitId, l.milestoneId, l.reason, l.daysLate, l.applied, l.description]))).toEqual([
      [B, 'bao-cao-so-ket-6-thang', 'late', 3, 1, 'Báo cáo sơ kết 06 tháng đầu năm học 2021 - 2022: nộp muộn 3 ngày (hạn 09/12/2021, nhận 12/12/2021)'],
      [C, 'bao-cao-tong-ket-nam-hoc', 'missing', undefined, 3, 'Báo cáo tổng kết năm học 2021 – 2022 và phương hướng, nhiệm vụ năm học 2022 – 2023: không nộp (hạn 30/05/2022)'],
    ]);
  });

  it('says where verified points fall back to self-scores', () => {
    expect(results.rows.map((r) => [r.unitId, r.fullyVerified])).toEqual([[H, true], [D, true], [P, true], [A, true], [B, true], [C, false]]);
    expect(row(C).selfFallbacks).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2', '2.3', '3.1', '3.2', '3.3', '4.1', '4.2', '4.3', '5.1', '5.2']);
    expect(row(C).groups.flatMap((g) => g.criteria.map((c) => c.source))).toEqual(Array(14).fill('self'));
    expect(results.warnings).toEqual([
      'Chưa thẩm định đủ (đang tính theo điểm tự chấm): Công đoàn Trường mẫu C (đơn vị mẫu)',
      'Chưa ghi kết quả bỏ phiếu suy tôn',
    ]);
  });

  it('reports the tie at 92 as broken by bonus points', () => {
    expect(results.ties).toEqual([{ total: 92, unitIds: [P, A], steps: [{ above: P, below: A, by: 'bonus' }], needsVote: false }]);
  });

  it('proposes by quota, passing over the unregistered unit, with a reason per line (before the ballot)', () => {
    expect(results.rows.map((r) => [r.unitId, r.registration.registered, r.proposal.status, r.proposal.reason, r.proposal.notes])).toEqual([
      [H, true, 'proposed', 'Dẫn đầu cụm, 97,5 điểm, Xuất sắc', ['Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)']],
      [D, false, 'ineligible', 'Không đủ điều kiện: chưa đăng ký thi đua', []],
      [P, true, 'proposed', 'Xếp thứ 3, 92 điểm, Tốt', ['Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)']],
      [A, true, 'proposed', 'Xếp thứ 4, 92 điểm, Tốt', ['Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)']],
      [B, true, 'not-proposed', 'Xếp thứ 5, 90,25 điểm, Tốt; không đề nghị: đã đủ chỉ tiêu khen thưởng', []],
      [C, true, 'not-proposed', 'Xếp thứ 6, 84,5 điểm, Khá; không đề nghị: đã đủ chỉ tiêu khen thưởng', []],
    ]);
    expect(row(C).registration.source).toBe('flag');
    expect(proposedUnitIds(results.rows.map((r) => r.proposal))).toEqual([H, P, A]);
    expect(formatPointsVi(row(B).total)).toBe('90,25');
  });

  it('with the ballots recorded (12 cast), a unit at exactly half is passed over and the next one proposed', () => {
    const voted = computeScoring({ ...exampleInput, tally: exampleTally });
    expect(voted.rows.map((r) => [r.position, r.unitId, r.total, r.votes, r.proposal.status, r.proposal.award?.label ?? '', r.proposal.reason])).toEqual([
      [1, H, 97.5, 11, 'proposed', 'Cờ thi đua', 'Dẫn đầu cụm, 97,5 điểm, Xuất sắc, suy tôn 11/12 phiếu (91,7%)'],
      [2, D, 94, 9, 'ineligible', '', 'Không đủ điều kiện: chưa đăng ký thi đua'],
      [3, P, 92, 7, 'proposed', 'Bằng khen', 'Xếp thứ 3, 92 điểm, Tốt, suy tôn 7/12 phiếu (58,3%)'],
      [4, A, 92, 6, 'not-proposed', '', 'Xếp thứ 4, 92 điểm, Tốt; không đề nghị: không đạt tỷ lệ phiếu suy tôn Bằng khen (6/12 phiếu, 50%; cần trên 50% số phiếu)'],
      [5, B, 90.25, 8, 'proposed', 'Bằng khen', 'Xếp thứ 5, 90,25 điểm, Tốt, suy tôn 8/12 phiếu (66,7%)'],
      [6, C, 84.5, 2, 'not-proposed', '', 'Xếp thứ 6, 84,5 điểm, Khá; không đề nghị: đã đủ chỉ tiêu khen thưởng'],
    ]);
    // The ballots do not reorder P and A: bonus comes first in the tie-break order.
    expect(voted.ties).toEqual(results.ties);
    expect(voted.warnings).toEqual(['Chưa thẩm định đủ (đang tính theo điểm tự chấm): Công đoàn Trường mẫu C (đơn vị mẫu)']);
  });
});

describe('worked example, variants', () => {
  const verifications = (unitId: string, change: (v: Verification) => Verification): Verification[] =>
    exampleVerifications.map((v) => (v.unitId === unitId ? change(v) : v));
  const setPoints = (v: Verification, criterionId: string, points: number): Verification => ({
    ...v,
    criteria: v.criteria.map((c) => (c.criterionId === criterionId ? { ...c, points } : c)),
  });
  /** A: 4.1 verified 3 instead of 4, plus one point of bonus: still 92, now with bonus 3 like the Cụm phó. */
  const tiedA = verifications(A, (v) => ({ ...setPoints(v, 'tuyen-truyen', 3), bonus: [...v.bonus, { itemId: 'khen-thuong-cap-tren', points: 1 }] }));
  /** One Bằng khen only, so that the tie decides it. */
  const oneCommendation = ScoringSchemeSchema.parse({
    ...DEFAULT_SCORING_SCHEME,
    awards: [DEFAULT_SCORING_SCHEME.awards[0]!, { ...DEFAULT_SCORING_SCHEME.awards[1]!, count: 1 }],
  });
  const PNAME = 'Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa';
  const ANAME = 'Công đoàn Trường mẫu A (đơn vị mẫu)';

  it('a tie no tie-break separates shares its rank and, where it decides an award, needs a vote', () => {
    const r = computeScoring({ ...exampleInput, scheme: oneCommendation, verifications: tiedA });
    expect(r.ties).toEqual([{ total: 92, unitIds: [P, A], steps: [{ above: P, below: A, by: 'unresolved' }], needsVote: true }]);
    expect(r.rows.map((x) => [x.position, x.rank, x.unitId, x.bonus.final, x.proposal.status, x.proposal.reason, x.proposal.notes, x.proposal.needsVote])).toEqual([
      [1, 1, H, 2, 'proposed', 'Dẫn đầu cụm, 97,5 điểm, Xuất sắc', ['Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)'], false],
      [2, 2, D, 1, 'ineligible', 'Không đủ điều kiện: chưa đăng ký thi đua', [], false],
      [3, 3, P, 3, 'proposed', 'Đồng hạng 3, 92 điểm, Tốt', [`Bằng điểm và chưa phân định được thứ hạng với ${ANAME}: cần bỏ phiếu`, 'Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)'], true],
      [4, 3, A, 3, 'not-proposed', 'Đồng hạng 3, 92 điểm, Tốt; không đề nghị: đã đủ chỉ tiêu khen thưởng', [`Bằng điểm và chưa phân định được thứ hạng với ${PNAME}: cần bỏ phiếu`], true],
      [5, 5, B, 2, 'not-proposed', 'Xếp thứ 5, 90,25 điểm, Tốt; không đề nghị: đã đủ chỉ tiêu khen thưởng', [], false],
      [6, 6, C, 1, 'not-proposed', 'Xếp thứ 6, 84,5 điểm, Khá; không đề nghị: đã đủ chỉ tiêu khen thưởng', [], false],
    ]);
    expect(r.warnings).toContain('Có đơn vị bằng điểm chưa phân định được thứ hạng ảnh hưởng đến đề xuất khen thưởng: cần bỏ phiếu');
  });

  it('with two Bằng khen the same tie decides nothing: shared rank, no vote needed for the proposals', () => {
    const r = computeScoring({ ...exampleInput, verifications: tiedA });
    expect(r.ties[0]!.needsVote).toBe(true);
    expect(r.rows.filter((x) => x.rank === 3).map((x) => [x.unitId, x.proposal.award?.label, x.proposal.needsVote])).toEqual([
      [P, 'Bằng khen', false],
      [A, 'Bằng khen', false],
    ]);
  });

  it('the ballots break what bonus and deductions could not', () => {
    const tally = { ballotsCast: 12, votes: exampleTally.votes.map((v) => (v.unitId === A ? { ...v, count: 9 } : v)) };
    const r = computeScoring({ ...exampleInput, scheme: oneCommendation, verifications: tiedA, tally });
    expect(r.ties).toEqual([{ total: 92, unitIds: [A, P], steps: [{ above: A, below: P, by: 'vote' }], needsVote: false }]);
    expect(r.rows.slice(2, 4).map((x) => [x.position, x.rank, x.unitId, x.votes, x.proposal.award?.label ?? '', x.proposal.reason])).toEqual([
      [3, 3, A, 9, 'Bằng khen', 'Xếp thứ 3, 92 điểm, Tốt, suy tôn 9/12 phiếu (75%)'],
      [4, 4, P, 7, '', 'Xếp thứ 4, 92 điểm, Tốt; không đề nghị: đã đủ chỉ tiêu khen thưởng'],
    ]);
  });

  it('without a Xuất sắc unit the Cờ thi đua stays unfilled and the leader is proposed for Bằng khen', () => {
    // H: 1.1 verified 2 instead of 5: 92,5 + 2 = 94,5, Tốt.
    const r = computeScoring({ ...exampleInput, verifications: verifications(H, (v) => setPoints(v, 'phat-dong-dang-ky', 2)) });
    expect(r.rows.map((x) => [x.unitId, x.total, x.band.label, x.proposal.award?.label ?? '', x.proposal.reason, x.proposal.notes])).toEqual([
      [H, 94.5, 'Tốt', 'Bằng khen', 'Dẫn đầu cụm, 94,5 điểm, Tốt', ['Chưa đạt mức Xuất sắc để đề nghị Cờ thi đua', 'Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)']],
      [D, 94, 'Tốt', '', 'Không đủ điều kiện: chưa đăng ký thi đua', []],
      [P, 92, 'Tốt', 'Bằng khen', 'Xếp thứ 3, 92 điểm, Tốt', ['Chưa đạt mức Xuất sắc để đề nghị Cờ thi đua', 'Chờ bỏ phiếu suy tôn (cần trên 50% số phiếu)']],
      [A, 92, 'Tốt', '', 'Xếp thứ 4, 92 điểm, Tốt; không đề nghị: chưa đạt mức Xuất sắc để đề nghị Cờ thi đua; đã đủ chỉ tiêu Bằng khen', []],
      [B, 90.25, 'Tốt', '', 'Xếp thứ 5, 90,25 điểm, Tốt; không đề nghị: chưa đạt mức Xuất sắc để đề nghị Cờ thi đua; đã đủ chỉ tiêu Bằng khen', []],
      [C, 84.5, 'Khá', '', 'Xếp thứ 6, 84,5 điểm, Khá; không đề nghị: chưa đạt mức Xuất sắc để đề nghị Cờ thi đua; đã đủ chỉ tiêu Bằng khen', []],
    ]);
  });

  it('an override of an automatic deduction (with its reason) changes the total and is shown as such', () => {
    const r = computeScoring({
      ...exampleInput,
      verifications: [
        ...exampleVerifications,
        { clusterId: 'thanh-hoa-cum-5', planId: '2021-2022', unitId: C, schemeVersion: 1, criteria: [], bonus: [], deductionOverrides: [{ milestoneId: 'bao-cao-tong-ket-nam-hoc', points: 1, reason: 'Gửi bản giấy ngày 02/06/2022, Cụm trưởng chấp nhận nộp muộn' }] },
      ],
    });
    expect(r.rows.find((x) => x.unitId === C)).toMatchObject({
      total: 86.5,
      band: { label: 'Tốt' },
      deductions: { automatic: 3, total: 1, lines: [{ points: 3, applied: 1, override: { points: 1, reason: 'Gửi bản giấy ngày 02/06/2022, Cụm trưởng chấp nhận nộp muộn' } }] },
    });
  });
});
