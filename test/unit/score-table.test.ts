/**
 * The worked scoring example (test/fixtures/scoring-example.ts) through computeScoring -> scoreTableView -> the
 * workbook and the CSV, read back and checked cell by cell against the table written out by hand below (the
 * numbers are those of test/unit/scoring-example.test.ts, which derives them by hand).
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ScoringSchemeSchema, computeScoring, type ScoringInput, type Verification } from '../../shared/domain/scoring';
import { DEFAULT_SCORING_SCHEME } from '../../shared/reference/scoring-template';
import { referenceCluster, referenceMilestones, referencePlan, referenceUnits } from '../../shared/reference/thanh-hoa-cum-5';
import { deductionSources, scoreTableView, signingPlaceDate, type ScoreTableParams } from '../../shared/use-cases/score-table';
import { renderScoreCsv } from '../../shared/views/score-csv';
import { ScoreTableViewSchema } from '../../shared/views/score-export-model';
import { POINTS_FORMAT, RANK_FORMAT, TIED_RANK_FORMAT, renderScoreWorkbook } from '../../shared/views/score-workbook';
import { A, exampleInput, exampleVerifications } from '../fixtures/scoring-example';

const GENERATED_AT = new Date('2022-06-30T10:00:00+07:00');

const HEAD = 'Công đoàn Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa';
const DEPUTY = 'Công đoàn Trường Cao đẳng Nghề Công nghiệp Thanh Hóa';
const SAMPLE = (letter: string): string => `Công đoàn Trường mẫu ${letter} (đơn vị mẫu)`;
const SAMPLE_NOTE = 'Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC ngày 17/3/2021 của Công đoàn Viên chức tỉnh trước khi áp dụng';
const B_SOURCES = 'Báo cáo sơ kết 06 tháng đầu năm học nộp muộn 3 ngày (−1)';
const C_SOURCES = 'Không nộp Báo cáo tổng kết năm học và phương hướng, nhiệm vụ năm học tiếp theo (−3)';

type N = number | null;
interface Expected {
  name: string;
  /** Groups I..V, self then verified. */
  groups: [N, N][];
  bonus: number;
  deductions: number;
  sources: string;
  total: number;
  rank: number;
  band: string;
  award: string;
  note: string;
}

/** The table by hand, in printed (ranked) order. */
const EXPECTED: Expected[] = [
  {
    name: HEAD,
    groups: [[19.5, 18], [25, 25], [24, 24], [15, 15], [15, 13.5]],
    bonus: 2, deductions: 0, sources: '', total: 97.5, rank: 1, band: 'Xuất sắc', award: 'Cờ thi đua',
    note: 'Dẫn đầu cụm, 97,5 điểm, Xuất sắc',
  },
  {
    name: SAMPLE('D'),
    groups: [[20, 20], [23, 22], [24, 24], [14, 14], [14, 13]],
    bonus: 1, deductions: 0, sources: '', total: 94, rank: 2, band: 'Tốt', award: '',
    note: 'Không đủ điều kiện: chưa đăng ký thi đua',
  },
  {
    name: DEPUTY,
    groups: [[18, 18], [24, 23], [23, 21], [14, 14], [13, 13]],
    bonus: 3, deductions: 0, sources: '', total: 92, rank: 3, band: 'Tốt', award: 'Bằng khen',
    note: 'Xếp thứ 3, 92 điểm, Tốt',
  },
  {
    name: SAMPLE('A'),
    groups: [[18, 17], [23, 23], [23, 23], [14, 13], [14, 14]],
    bonus: 2, deductions: 0, sources: '', total: 92, rank: 4, band: 'Tốt', award: 'Bằng khen',
    note: 'Xếp thứ 4, 92 điểm, Tốt',
  },
  {
    name: SAMPLE('B'),
    groups: [[18.5, 18.5], [22, 22], [24, 22.75], [14.5, 14.5], [13, 11.5]],
    bonus: 2, deductions: 1, sources: B_SOURCES, total: 90.25, rank: 5, band: 'Tốt', award: '',
    note: 'Xếp thứ 5, 90,25 điểm, Tốt; không đề nghị: đã đủ chỉ tiêu khen thưởng',
  },
  {
    // Not verified yet: the verified columns stay empty, the total counts the unit's own points.
    name: SAMPLE('C'),
    groups: [[16, null], [21, null], [22.5, null], [15, null], [12, null]],
    bonus: 1, deductions: 3, sources: C_SOURCES, total: 84.5, rank: 6, band: 'Khá', award: '',
    note: 'Xếp thứ 6, 84,5 điểm, Khá; không đề nghị: đã đủ chỉ tiêu khen thưởng',
  },
];

function params(input: ScoringInput = exampleInput, signing: ScoreTableParams['signing'] = {}): ScoreTableParams {
  return {
    cluster: referenceCluster,
    plan: referencePlan,
    scheme: input.scheme,
    result: computeScoring(input),
    milestones: referenceMilestones,
    units: referenceUnits,
    generatedAt: GENERATED_AT,
    signing,
  };
}

async function readBack(buffer: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  expect(workbook.worksheets).toHaveLength(1);
  return workbook.worksheets[0]!;
}

/** RFC 4180 with CRLF records (what renderScoreCsv writes), BOM removed. */
function parseCsv(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.slice(1);
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

const GROUP_COLUMNS = ['C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'];
const FIRST_UNIT_ROW = 10;

describe('scoreTableView: the worked example as the export shows it', () => {
  it('maps the results to the view: groups, rows, sample note, place and date, signatures', () => {
    const view = scoreTableView(params());
    expect(ScoreTableViewSchema.safeParse(view).success).toBe(true);
    expect(view).toMatchObject({
      clusterName: 'Cụm Thi đua số 5',
      provinceUnionName: 'Công đoàn Viên chức tỉnh Thanh Hóa',
      schoolYearLabel: '2021 - 2022',
      planTitle: 'Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022',
      bonusCap: 5,
      isSample: true,
      sampleNote: SAMPLE_NOTE,
      signingPlaceDate: 'Thanh Hóa, ngày 30 tháng 6 năm 2022',
      signatures: {
        left: { titles: ['NGƯỜI LẬP BẢNG'], name: 'Nguyễn Thanh Tâm' },
        right: { titles: ['TM. CỤM TRƯỞNG'], name: 'Trịnh Thị Thúy Khuyên' },
      },
      generatedAt: '2022-06-30T03:00:00.000Z',
    });
    expect(view.groups).toEqual([
      { id: 'phong-trao-thi-dua', shortTitle: 'Nhóm I', maximum: 20 },
      { id: 'cham-lo-bao-ve', shortTitle: 'Nhóm II', maximum: 25 },
      { id: 'xay-dung-to-chuc', shortTitle: 'Nhóm III', maximum: 25 },
      { id: 'nu-cong-van-hoa', shortTitle: 'Nhóm IV', maximum: 15 },
      { id: 'thong-tin-bao-cao', shortTitle: 'Nhóm V', maximum: 15 },
    ]);
    expect(view.rows.map((r) => [r.unitName, r.total, r.rank, r.deductions, r.bandLabel, r.awardLabel, r.note])).toEqual(
      EXPECTED.map((e) => [e.name, e.total, { position: e.rank, tied: false }, { total: e.deductions, sources: e.sources }, e.band, e.award, e.note]),
    );
    expect(view.rows[0]!.points['thong-tin-bao-cao']).toEqual({ self: 15, verified: 13.5 });
    expect(view.rows[5]!.points['phong-trao-thi-dua']).toEqual({ self: 16, verified: null });
  });

  it('writes the workbook cell by cell as the table by hand says', async () => {
    const sheet = await readBack(await renderScoreWorkbook(scoreTableView(params())));
    expect(sheet.getCell('A1').value).toBe('CÔNG ĐOÀN VIÊN CHỨC TỈNH THANH HÓA');
    expect(sheet.getCell('A2').value).toBe('CỤM THI ĐUA SỐ 5');
    expect(sheet.getCell('A4').value).toBe('BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022');
    expect(sheet.getCell('A5').value).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(sheet.getCell('A6').value).toBe(`(${SAMPLE_NOTE})`);
    expect(['C8', 'E8', 'G8', 'I8', 'K8', 'M8', 'N8', 'O8', 'P8', 'Q8', 'R8', 'S8'].map((a) => sheet.getCell(a).value)).toEqual([
      'Nhóm I (20 điểm)',
      'Nhóm II (25 điểm)',
      'Nhóm III (25 điểm)',
      'Nhóm IV (15 điểm)',
      'Nhóm V (15 điểm)',
      'Điểm thưởng (tối đa 5)',
      'Điểm trừ',
      'Tổng điểm',
      'Xếp hạng',
      'Xếp loại',
      'Đề nghị khen thưởng',
      'Ghi chú',
    ]);
    expect(['C9', 'D9', 'K9', 'L9'].map((a) => sheet.getCell(a).value)).toEqual(['Tự chấm', 'Thẩm định', 'Tự chấm', 'Thẩm định']);

    EXPECTED.forEach((e, i) => {
      const r = FIRST_UNIT_ROW + i;
      const at = (col: string): unknown => sheet.getCell(`${col}${r}`).value;
      expect(at('A'), `STT ${r}`).toBe(i + 1);
      expect(at('B'), `B${r}`).toBe(e.name);
      expect(GROUP_COLUMNS.map(at), `groups ${r}`).toEqual(e.groups.flat());
      expect([at('M'), at('N'), at('O'), at('P'), at('Q'), at('R')], `M..R ${r}`).toEqual([e.bonus, e.deductions, e.total, e.rank, e.band, e.award]);
      expect(at('S'), `S${r}`).toBe(e.sources ? `${e.note}\nTrừ điểm: ${e.sources}` : e.note);
      expect(sheet.getCell(`O${r}`).numFmt).toBe(POINTS_FORMAT);
      expect(sheet.getCell(`P${r}`).numFmt).toBe(RANK_FORMAT);
    });
    // Nothing after the last unit but the blank line before the signatures.
    expect(sheet.getCell(`B${FIRST_UNIT_ROW + EXPECTED.length}`).value).toBeNull();

    expect(sheet.getCell('P17').value).toBe('Thanh Hóa, ngày 30 tháng 6 năm 2022');
    expect(sheet.getCell('A18').value).toBe('NGƯỜI LẬP BẢNG');
    expect(sheet.getCell('P18').value).toBe('TM. CỤM TRƯỞNG');
    expect(sheet.getCell('A23').value).toBe('Nguyễn Thanh Tâm');
    expect(sheet.getCell('P23').value).toBe('Trịnh Thị Thúy Khuyên');
  });

  it('writes the CSV as the table by hand says', () => {
    const rows = parseCsv(renderScoreCsv(scoreTableView(params())));
    expect(rows[0]).toEqual([
      'STT',
      'Đơn vị',
      ...['I (20', 'II (25', 'III (25', 'IV (15', 'V (15'].flatMap((g) => [`Nhóm ${g} điểm) - Tự chấm`, `Nhóm ${g} điểm) - Thẩm định`]),
      'Điểm thưởng (tối đa 5)',
      'Điểm trừ',
      'Lý do trừ điểm',
      'Tổng điểm',
      'Xếp hạng',
      'Đồng hạng',
      'Xếp loại',
      'Đề nghị khen thưởng',
      'Ghi chú',
    ]);
    const num = (n: N): string => (n === null ? '' : String(n));
    expect(rows.slice(1)).toEqual(
      EXPECTED.map((e, i) => [
        String(i + 1),
        e.name,
        ...e.groups.flat().map(num),
        num(e.bonus),
        num(e.deductions),
        e.sources,
        num(e.total),
        String(e.rank),
        '',
        e.band,
        e.award,
        e.note,
      ]),
    );
    // Spot checks of the literal text, so the helpers above cannot hide a formatting change.
    expect(rows[5]!.slice(12, 16)).toEqual(['2', '1', B_SOURCES, '90.25']);
    expect(rows[6]!.slice(2, 4)).toEqual(['16', '']);
  });

  it('a tie no tie-break separates prints as a shared rank ("đồng hạng") in both exports', async () => {
    // As in the domain test's variant: A at 92 with bonus 3 like the Cụm phó, one Bằng khen only.
    const tiedA: Verification[] = exampleVerifications.map((v) =>
      v.unitId === A
        ? { ...v, criteria: v.criteria.map((c) => (c.criterionId === 'tuyen-truyen' ? { ...c, points: 3 } : c)), bonus: [...v.bonus, { itemId: 'khen-thuong-cap-tren', points: 1 }] }
        : v,
    );
    const scheme = ScoringSchemeSchema.parse({ ...DEFAULT_SCORING_SCHEME, awards: [DEFAULT_SCORING_SCHEME.awards[0]!, { ...DEFAULT_SCORING_SCHEME.awards[1]!, count: 1 }] });
    const view = scoreTableView(params({ ...exampleInput, scheme, verifications: tiedA }));
    expect(view.rows.map((r) => [r.unitName, r.total, r.rank, r.awardLabel])).toEqual([
      [HEAD, 97.5, { position: 1, tied: false }, 'Cờ thi đua'],
      [SAMPLE('D'), 94, { position: 2, tied: false }, ''],
      [DEPUTY, 92, { position: 3, tied: true }, 'Bằng khen'],
      [SAMPLE('A'), 92, { position: 3, tied: true }, ''],
      [SAMPLE('B'), 90.25, { position: 5, tied: false }, ''],
      [SAMPLE('C'), 84.5, { position: 6, tied: false }, ''],
    ]);

    const sheet = await readBack(await renderScoreWorkbook(view));
    expect(['P10', 'P11', 'P12', 'P13', 'P14', 'P15'].map((a) => sheet.getCell(a).value)).toEqual([1, 2, 3, 3, 5, 6]);
    expect(['P11', 'P12', 'P13', 'P14'].map((a) => sheet.getCell(a).numFmt)).toEqual([RANK_FORMAT, TIED_RANK_FORMAT, TIED_RANK_FORMAT, RANK_FORMAT]);

    const csv = parseCsv(renderScoreCsv(view));
    expect(csv.slice(1).map((r) => [r[1], r[16], r[17]])).toEqual([
      [HEAD, '1', ''],
      [SAMPLE('D'), '2', ''],
      [DEPUTY, '3', 'đồng hạng'],
      [SAMPLE('A'), '3', 'đồng hạng'],
      [SAMPLE('B'), '5', ''],
      [SAMPLE('C'), '6', ''],
    ]);
  });

  it('takes the signing place, date and names given, and the note-free scheme once checked', () => {
    const checked = ScoringSchemeSchema.parse({ ...DEFAULT_SCORING_SCHEME, isSample: false });
    const view = scoreTableView(params({ ...exampleInput, scheme: checked }, { place: 'TP. Thanh Hóa', date: '2022-02-05', preparedBy: 'Lê Văn Bình', signedBy: 'Trịnh Thị Thúy Khuyên' }));
    expect([view.isSample, view.sampleNote, view.signingPlaceDate, view.signatures.left.name, view.signatures.right.name]).toEqual([
      false,
      '',
      'TP. Thanh Hóa, ngày 05 tháng 02 năm 2022',
      'Lê Văn Bình',
      'Trịnh Thị Thúy Khuyên',
    ]);
    // Without a head unit contact, the preparer's name is left to be written by hand.
    const noContact = scoreTableView({ ...params(), units: referenceUnits.map(({ contactName: _, ...u }) => u) });
    expect(noContact.signatures.left).toEqual({ titles: ['NGƯỜI LẬP BẢNG'], name: '' });
  });

  it('refuses results computed under another scheme version', () => {
    expect(() => scoreTableView({ ...params(), scheme: { ...DEFAULT_SCORING_SCHEME, version: 2 } })).toThrow(/version 1, not 2/);
  });
});

describe('score table helpers', () => {
  it('writes the place and date the way Nghị định 30 says', () => {
    expect(signingPlaceDate('Thanh Hóa', '2022-06-30')).toBe('Thanh Hóa, ngày 30 tháng 6 năm 2022');
    expect(signingPlaceDate('Thanh Hóa', '2022-01-09')).toBe('Thanh Hóa, ngày 09 tháng 01 năm 2022');
    expect(signingPlaceDate('Thanh Hóa', '2021-12-10')).toBe('Thanh Hóa, ngày 10 tháng 12 năm 2021');
    expect(signingPlaceDate(undefined, '2022-06-30')).toBe('Ngày 30 tháng 6 năm 2022');
  });

  it('shows an override beside what the rule said, and the cap when it bit', () => {
    const line = { milestoneId: 'bao-cao-tong-ket-nam-hoc', milestoneTitle: 'Báo cáo tổng kết', kind: 'report' as const, description: '' };
    const docs = new Map([['bao-cao-tong-ket-nam-hoc', 'Báo cáo tổng kết năm học']]);
    expect(
      deductionSources(
        {
          deductions: {
            lines: [
              { ...line, reason: 'missing', points: 3, applied: 1, override: { points: 1, reason: 'Gửi bản giấy' } },
              { ...line, milestoneId: 'khac', reason: 'late', points: 1, applied: 0, override: { points: 0, reason: 'Lỗi hệ thống' } },
              { ...line, milestoneId: 'khac-2', reason: 'late', points: 1, applied: 1 },
            ],
            automatic: 5,
            total: 1,
            capped: true,
          },
        },
        docs,
      ),
    ).toBe('Không nộp Báo cáo tổng kết năm học (−1, điều chỉnh từ −3); Báo cáo tổng kết nộp muộn (không trừ, điều chỉnh từ −1); Báo cáo tổng kết nộp muộn (−1); trừ tối đa 1 điểm');
  });
});
