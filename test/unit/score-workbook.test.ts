import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AT_SUM, DEPUTY, HEAD, HYPERLINK, fixture } from '../fixtures/score-view';
import { POINTS_FORMAT, TIED_RANK_FORMAT, renderScoreWorkbook } from '../../shared/views/score-workbook';


async function readBack(buffer: Buffer): Promise<{ workbook: ExcelJS.Workbook; sheet: ExcelJS.Worksheet }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  expect(workbook.worksheets).toHaveLength(1);
  return { workbook, sheet: workbook.worksheets[0]! };
}

/** Values of A..O in one row; empty cells as null. */
function rowValues(sheet: ExcelJS.Worksheet, r: number): unknown[] {
  return Array.from({ length: 15 }, (_, i) => sheet.getCell(r, i + 1).value ?? null);
}

const COLUMNS = 'ABCDEFGHIJKLMNO'.split('');

describe('renderScoreWorkbook', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lays out the heading, title and sample line, merged and in Times New Roman', async () => {
    const { sheet } = await readBack(await renderScoreWorkbook(fixture()));
    expect(sheet.name).toBe('Tổng hợp');

    expect(sheet.getCell('A1').value).toBe('CÔNG ĐOÀN VIÊN CHỨC TỈNH THANH HÓA');
    expect(sheet.getCell('L1').value).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(sheet.getCell('A2').value).toBe('CỤM THI ĐUA SỐ 5');
    expect(sheet.getCell('L2').value).toBe('Độc lập - Tự do - Hạnh phúc');
    expect(sheet.getCell('A4').value).toBe('BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022');
    expect(sheet.getCell('A5').value).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(sheet.getCell('A6').value).toBe('(Mẫu, cần đối chiếu Hướng dẫn 40/HD-CĐVC)');
    expect(rowValues(sheet, 3).every((v) => v === null)).toBe(true);
    expect(rowValues(sheet, 7).every((v) => v === null)).toBe(true);

    expect(sheet.getCell('A1').font).toMatchObject({ name: 'Times New Roman', size: 13 });
    expect(sheet.getCell('A1').font.bold).toBeFalsy();
    expect(sheet.getCell('L1').font).toMatchObject({ name: 'Times New Roman', size: 13, bold: true });
    expect(sheet.getCell('A2').font).toMatchObject({ name: 'Times New Roman', size: 13, bold: true, underline: true });
    expect(sheet.getCell('L2').font).toMatchObject({ bold: true, underline: true });
    expect(sheet.getCell('A4').font).toMatchObject({ name: 'Times New Roman', size: 13, bold: true });
    expect(sheet.getCell('A4').alignment).toMatchObject({ horizontal: 'center', vertical: 'middle' });
    expect(sheet.getCell('A6').font).toMatchObject({ italic: true });

    const merges = [...(sheet.model as unknown as { merges: string[] }).merges].sort();
    expect(merges).toEqual(
      [
        // heading
        'A1:D1', 'L1:O1', 'A2:D2', 'L2:O2', 'A4:O4', 'A5:O5', 'A6:O6',
        // table header: single columns over two rows, group headers over their pair
        'A8:A9', 'B8:B9', 'C8:D8', 'E8:F8', 'G8:H8', 'I8:I9', 'J8:J9', 'K8:K9', 'L8:L9', 'M8:M9', 'N8:N9', 'O8:O9',
        // place and date, signatures
        'L17:O17', 'A18:D18', 'L18:O18', 'L19:O19', 'A24:D24', 'L24:O24',
      ].sort(),
    );
  });

  it('writes the two header rows with the group maximums and the bonus cap', async () => {
    const { sheet } = await readBack(await renderScoreWorkbook(fixture()));
    expect(rowValues(sheet, 8)).toEqual([
      'STT', 'Đơn vị',
      'Nhóm 1 (40 điểm)', 'Nhóm 1 (40 điểm)',
      'Nhóm 2 (52,5 điểm)', 'Nhóm 2 (52,5 điểm)',
      'Nhóm 3 (7,5 điểm)', 'Nhóm 3 (7,5 điểm)',
      'Điểm thưởng (tối đa 5)', 'Điểm trừ', 'Tổng điểm', 'Xếp hạng', 'Xếp loại', 'Đề nghị khen thưởng', 'Ghi chú',
    ]);
    // Merged cells read back with their master's value; check the second row's own cells.
    expect(['C9', 'D9', 'E9', 'F9', 'G9', 'H9'].map((a) => sheet.getCell(a).value)).toEqual([
      'Tự chấm', 'Thẩm định', 'Tự chấm', 'Thẩm định', 'Tự chấm', 'Thẩm định',
    ]);
    for (const a of ['A8', 'C8', 'C9', 'O8']) {
      expect(sheet.getCell(a).font, a).toMatchObject({ name: 'Times New Roman', size: 12, bold: true });
      expect(sheet.getCell(a).alignment, a).toMatchObject({ horizontal: 'center', vertical: 'middle', wrapText: true });
    }
  });

  it('writes one row per unit: numbers as numbers, names as plain strings, every cell bordered', async () => {
    const { sheet } = await readBack(await renderScoreWorkbook(fixture()));
    expect(rowValues(sheet, 10)).toEqual([1, HEAD, 39, 38.5, 52, 51, 7.5, 7, 3, 0, 99.5, 1, 'Xuất sắc', 'Cờ thi đua', 'Dẫn đầu Cụm']);
    expect(rowValues(sheet, 11)).toEqual([
      2, HYPERLINK, 38, 37, 50, 49.5, 7, 7, 2, 2, 93.5, 2, 'Xuất sắc', 'Bằng khen',
      'Trừ điểm: Báo cáo sơ kết 06 tháng nộp muộn 3 ngày (2 điểm)',
    ]);
    expect(rowValues(sheet, 12)).toEqual([3, '+1', 36, 36, 50, 50, 6.5, 6.5, 1, 0, 93.5, 2, 'Xuất sắc', 'Bằng khen', '']);
    expect(rowValues(sheet, 13)).toEqual([
      4, AT_SUM, 35, 33, 48, 45, 6, 5, 0, 5, 78, 4, 'Tốt', '',
      '- Thiếu báo cáo tổng kết\nTrừ điểm: Báo cáo tổng kết năm học không nộp (5 điểm)',
    ]);
    expect(rowValues(sheet, 14)).toEqual([5, '-2', 30, null, 40, null, 5, null, 0, 0, 75, 5, 'Khá', '', 'Chưa thẩm định']);
    expect(rowValues(sheet, 15)).toEqual([
      6, DEPUTY, null, null, null, null, null, null, 0, 0, 0, null, '', '',
      'Không đăng ký thi đua, không xét khen thưởng ("ngoài danh sách")',
    ]);
    expect(sheet.getCell('B15').value).toBe(DEPUTY.normalize('NFC'));
    expect(DEPUTY.normalize('NFD')).not.toBe(DEPUTY);

    // The hostile names are string cells, not formulas, and keep the Text format so that editing keeps them text.
    for (const a of ['B11', 'B12', 'B13', 'B14']) {
      const cell = sheet.getCell(a);
      expect(cell.type, a).toBe(ExcelJS.ValueType.String);
      expect(cell.formula, a).toBeUndefined();
      expect(typeof cell.value, a).toBe('string');
      expect(cell.numFmt, a).toBe('@');
    }

    for (let r = 10; r <= 15; r++) {
      for (const c of ['C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K']) {
        const cell = sheet.getCell(`${c}${r}`);
        expect(cell.numFmt, cell.address).toBe(POINTS_FORMAT);
        if (cell.value !== null) expect(cell.type, cell.address).toBe(ExcelJS.ValueType.Number);
      }
      expect(sheet.getCell(`A${r}`).type).toBe(ExcelJS.ValueType.Number);
      expect(sheet.getCell(`B${r}`).alignment).toMatchObject({ horizontal: 'left', vertical: 'middle', wrapText: true });
      expect(sheet.getCell(`O${r}`).alignment).toMatchObject({ horizontal: 'left', wrapText: true });
      expect(sheet.getCell(`C${r}`).font).toMatchObject({ name: 'Times New Roman', size: 12 });
      expect(sheet.getCell(`K${r}`).font).toMatchObject({ bold: true });
    }
    expect(POINTS_FORMAT).toBe('0.0');

    // The rank stays a number; a tie only changes the format ("2 (đồng hạng)").
    expect(TIED_RANK_FORMAT).toBe('0" (đồng hạng)"');
    expect(['L10', 'L11', 'L12', 'L13', 'L14'].map((a) => sheet.getCell(a).numFmt)).toEqual([
      '0', TIED_RANK_FORMAT, TIED_RANK_FORMAT, '0', '0',
    ]);

    for (let r = 8; r <= 15; r++) {
      for (const c of COLUMNS) {
        const border = sheet.getCell(`${c}${r}`).border;
        expect(border, `${c}${r}`).toMatchObject({
          top: { style: 'thin' },
          left: { style: 'thin' },
          bottom: { style: 'thin' },
          right: { style: 'thin' },
        });
      }
    }
    expect(sheet.getCell('A16').border ?? {}).not.toHaveProperty('top');
    expect(sheet.getCell('A7').border ?? {}).not.toHaveProperty('bottom');
  });

  it('ends with the place and date and the signature block, right side for the cluster head', async () => {
    const { sheet } = await readBack(await renderScoreWorkbook(fixture()));
    expect(rowValues(sheet, 16).every((v) => v === null)).toBe(true);
    expect(sheet.getCell('L17').value).toBe('Thanh Hóa, ngày 30 tháng 6 năm 2022');
    expect(sheet.getCell('L17').font).toMatchObject({ name: 'Times New Roman', italic: true });
    expect(sheet.getCell('L17').alignment).toMatchObject({ horizontal: 'center' });
    expect(sheet.getCell('A17').value).toBeNull();
    expect(sheet.getCell('A18').value).toBe('NGƯỜI LẬP BẢNG');
    expect(sheet.getCell('L18').value).toBe('TM. CỤM TRƯỞNG');
    expect(sheet.getCell('A19').value).toBeNull();
    expect(sheet.getCell('L19').value).toBe('CHỦ TỊCH');
    for (const a of ['A18', 'L18', 'L19', 'A24', 'L24']) expect(sheet.getCell(a).font, a).toMatchObject({ bold: true });
    for (let r = 20; r <= 23; r++) expect(rowValues(sheet, r).every((v) => v === null), `row ${r}`).toBe(true);
    expect(sheet.getCell('A24').value).toBe('Nguyễn Thanh Tâm');
    expect(sheet.getCell('L24').value).toBe('Trịnh Thị Thúy Khuyên');
    expect(sheet.rowCount).toBe(24);
  });

  it('prints on A4 landscape, one page wide, header rows repeated, frozen below the header', async () => {
    const { sheet } = await readBack(await renderScoreWorkbook(fixture()));
    expect(sheet.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      printTitlesRow: '8:9',
    });
    expect(sheet.pageSetup.margins).toMatchObject({ left: 0.59, right: 0.59, top: 0.59, bottom: 0.59 });
    expect(sheet.views).toHaveLength(1);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 9, topLeftCell: 'C10' });
    expect(sheet.headerFooter.oddFooter).toBe('&C&"Times New Roman,Regular"&11Trang &P/&N');
    expect(sheet.getColumn(1).width).toBe(5);
    expect(sheet.getColumn(2).width).toBe(32);
    // Unit rows keep an automatic height, so wrapped names and notes are not cut.
    for (let r = 10; r <= 15; r++) expect(sheet.getRow(r).height, `row ${r}`).toBeUndefined();
  });

  it('without a sample scheme there is no sample line and the table moves up', async () => {
    const { sheet } = await readBack(await renderScoreWorkbook(fixture({ isSample: false })));
    expect(sheet.getCell('A5').value).toBe('Kế hoạch hoạt động của Cụm Thi đua số 5 năm học 2021 - 2022');
    expect(rowValues(sheet, 6).every((v) => v === null)).toBe(true);
    expect(sheet.getCell('A7').value).toBe('STT');
    expect(sheet.getCell('B9').value).toBe(HEAD);
    expect(sheet.pageSetup.printTitlesRow).toBe('7:8');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 8, topLeftCell: 'C9' });
    const values = sheet.getSheetValues().flat().filter((v) => typeof v === 'string');
    expect(values.some((v) => (v as string).includes('40/HD-CĐVC'))).toBe(false);
  });

  it('sets the workbook properties and gives the same bytes for the same view, whatever the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2023-01-02T03:04:05Z'));
    const first = await renderScoreWorkbook(fixture());
    vi.setSystemTime(new Date('2024-07-08T09:10:11Z'));
    const second = await renderScoreWorkbook(fixture());
    vi.useRealTimers();
    expect(second.equals(first)).toBe(true);

    const { workbook } = await readBack(first);
    expect(workbook.creator).toBe('cum-thi-dua');
    expect(workbook.lastModifiedBy).toBe('cum-thi-dua');
    expect(workbook.created.toISOString()).toBe('2022-06-30T02:00:00.000Z');
    expect(workbook.modified.toISOString()).toBe('2022-06-30T02:00:00.000Z');
    expect(workbook.title).toBe('BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM HỌC 2021 - 2022');

    // The zip entries carry generatedAt as ICT wall time (MS-DOS date and time of the first local header).
    expect(first.readUInt32LE(0)).toBe(0x04034b50);
    const time = first.readUInt16LE(10);
    const date = first.readUInt16LE(12);
    expect([(date >> 9) + 1980, (date >> 5) & 0xf, date & 0x1f, time >> 11, (time >> 5) & 0x3f]).toEqual([2022, 6, 30, 9, 0]);

    const later = await renderScoreWorkbook(fixture({ generatedAt: '2022-07-01T10:30:00+07:00' }));
    expect(later.equals(first)).toBe(false);
  });

  it('refuses a view that breaks its invariants', async () => {
    const [first, ...rest] = fixture().rows;
    await expect(
      renderScoreWorkbook(fixture({ rows: [{ ...first!, deductions: { total: -3, sources: '' } }, ...rest] })),
    ).rejects.toThrow();
    await expect(
      renderScoreWorkbook(fixture({ rows: [{ ...first!, points: { 'khong-co': { self: 1, verified: 1 } } }] })),
    ).rejects.toMatchObject({
      issues: [{ path: ['rows', 0, 'points', 'khong-co'], message: 'Không có nhóm tiêu chí "khong-co"' }],
    });
    await expect(renderScoreWorkbook(fixture({ groups: [] }))).rejects.toThrow();
  });
});
