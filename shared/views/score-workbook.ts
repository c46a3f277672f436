/**
 * The Excel workbook "Bảng tổng hợp kết quả chấm điểm thi đua năm học ...", laid out the way Vietnamese offices print
 * it: the two-sided heading (issuing body left, national motto right), the title, one row per unit with self vs
 * verified points per criteria group, then the place and date and the signature block; A4 landscape, Times New Roman.
 *
 * Cells hold typed values: points are numbers (format "0.0": Excel shows the decimal separator of the reader's
 * locale, a comma on a Vietnamese system), names are strings. A name such as "=HYPERLINK(...)" is stored as a string
 * cell, never as a formula, and text cells carry the Text format ("@") so that editing one in Excel keeps it text.
 */
import type ExcelJS from 'exceljs';
import { ICT_OFFSET_MS } from '../domain/time';
import { cleanText } from './reminder-emails';
import {
  SELF_LABEL,
  ScoreTableViewSchema,
  TIED_LABEL,
  VERIFIED_LABEL,
  bonusHeader,
  groupHeader,
  roundPoints,
  scoreTableTitle,
  type ScoreRow,
  type ScoreTableView,
} from './score-export-model';

/** The standard font of Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP). */
export const WORKBOOK_FONT = 'Times New Roman';
/** Excel sheet names allow diacritics (at most 31 characters, none of []:*?/\). */
export const WORKBOOK_SHEET_NAME = 'Tổng hợp';
export const WORKBOOK_CREATOR = 'cum-thi-dua';
export const POINTS_FORMAT = '0.0';
export const RANK_FORMAT = '0';
/** The rank stays a number; the format only adds the words: 2 shows as "2 (đồng hạng)". */
export const TIED_RANK_FORMAT = `0" (${TIED_LABEL})"`;
const TEXT_FORMAT = '@';

const TABLE_SIZE = 12;
const HEADING_SIZE = 13;
/** 1.5 cm, in inches (exceljs margins are in inches). */
const MARGIN_IN = 0.59;
const SIGNING_SPACE_ROWS = 4;

const THIN: Partial<ExcelJS.Border> = { style: 'thin' };
const ALL_BORDERS: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

type Align = 'left' | 'center' | 'right';

/** One column of the table; widths in Excel character units. */
interface ColumnDef {
  width: number;
}

/**
 * Renders the workbook. The view is validated first (a broken view is a programming error, thrown as a ZodError).
 * The same view always gives the same bytes: the workbook's dates and the zip entries' times are `generatedAt`.
 */
export async function renderScoreWorkbook(input: ScoreTableView): Promise<Buffer> {
  const view = ScoreTableViewSchema.parse(input);
  const generatedAt = new Date(view.generatedAt);
  const layout = columnLayout(view);

  // Loaded on first use, not at import: exceljs takes about 217 ms to evaluate, which a cold start of the export
  // function (and every CSV export) would otherwise pay (docs/benchmarks.md, cold start).
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  workbook.creator = WORKBOOK_CREATOR;
  workbook.lastModifiedBy = WORKBOOK_CREATOR;
  workbook.created = generatedAt;
  workbook.modified = generatedAt;
  workbook.title = clean(scoreTableTitle(view));
  workbook.subject = clean(view.clusterName);

  // No default row height: exceljs would then mark every row as fixed, and unit rows must grow with wrapped text.
  const sheet = workbook.addWorksheet(WORKBOOK_SHEET_NAME);
  sheet.columns = layout.columns.map((c) => ({ width: c.width, style: { font: font(TABLE_SIZE) } }));

  let row = 1;
  row = writeHeading(sheet, view, layout, row);
  const headerTop = row;
  row = writeTableHeader(sheet, view, layout, row);
  const headerBottom = row - 1;
  view.rows.forEach((unit, i) => {
    writeUnitRow(sheet, view, layout, row, i + 1, unit);
    row += 1;
  });
  row += 1;
  writeSignatures(sheet, view, layout, row);

  sheet.views = [
    {
      state: 'frozen',
      xSplit: 2,
      ySplit: headerBottom,
      topLeftCell: `C${headerBottom + 1}`,
      activeCell: `C${headerBottom + 1}`,
    },
  ];
  sheet.pageSetup = {
    paperSize: 9 as ExcelJS.PaperSize, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0, // as many pages down as needed
    horizontalCentered: true,
    margins: { left: MARGIN_IN, right: MARGIN_IN, top: MARGIN_IN, bottom: MARGIN_IN, header: 0.3, footer: 0.3 },
    printTitlesRow: `${headerTop}:${headerBottom}`,
    // No print area: exceljs writes it half-relative ($A1:$M18); the used range, signatures included, prints anyway.
  };
  sheet.headerFooter = { oddFooter: `&C&"${WORKBOOK_FONT},Regular"&11Trang &P/&N` };

  const written = Buffer.from(await workbook.xlsx.writeBuffer());
  return pinZipTimes(written, generatedAt);
}

// ---------------------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------------------

interface Layout {
  columns: ColumnDef[];
  /** First column of each group's pair (self; verified is the next one). */
  groupCol: number[];
  bonusCol: number;
  deductionCol: number;
  totalCol: number;
  rankCol: number;
  bandCol: number;
  awardCol: number;
  noteCol: number;
  lastCol: number;
  /** The heading's and the signatures' left and right blocks: [first, last] columns. */
  left: [number, number];
  right: [number, number];
}

function columnLayout(view: ScoreTableView): Layout {
  const columns: ColumnDef[] = [{ width: 5 }, { width: 32 }];
  const groupCol = view.groups.map(() => {
    columns.push({ width: 9 }, { width: 10 });
    return columns.length - 1;
  });
  const bonusCol = columns.length + 1;
  columns.push({ width: 10 }, { width: 9 }, { width: 9 }, { width: 10 }, { width: 11 }, { width: 18 }, { width: 30 });
  const lastCol = columns.length;
  return {
    columns,
    groupCol,
    bonusCol,
    deductionCol: bonusCol + 1,
    totalCol: bonusCol + 2,
    rankCol: bonusCol + 3,
    bandCol: bonusCol + 4,
    awardCol: bonusCol + 5,
    noteCol: bonusCol + 6,
    lastCol,
    // STT, Đơn vị and the first group's pair: wide enough for "CÔNG ĐOÀN VIÊN CHỨC TỈNH THANH HÓA".
    left: [1, 4],
    // Xếp hạng to Ghi chú: wide enough for "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
    right: [bonusCol + 3, lastCol],
  };
}

function writeHeading(sheet: ExcelJS.Worksheet, view: ScoreTableView, layout: Layout, first: number): number {
  let row = first;
  const [l1, l2] = layout.left;
  const [r1, r2] = layout.right;
  put(sheet, row, l1, l2, upper(view.provinceUnionName), { size: HEADING_SIZE });
  put(sheet, row, r1, r2, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { size: HEADING_SIZE, bold: true });
  sheet.getRow(row).height = 18;
  row += 1;
  put(sheet, row, l1, l2, upper(view.clusterName), { size: HEADING_SIZE, bold: true, underline: true });
  put(sheet, row, r1, r2, 'Độc lập - Tự do - Hạnh phúc', { size: HEADING_SIZE, bold: true, underline: true });
  sheet.getRow(row).height = 18;
  row += 2;

  const widthAll = widthOf(layout, 1, layout.lastCol);
  const title = clean(scoreTableTitle(view));
  put(sheet, row, 1, layout.lastCol, title, { size: HEADING_SIZE, bold: true });
  sheet.getRow(row).height = lineHeight(title, widthAll, HEADING_SIZE);
  row += 1;
  const plan = clean(view.planTitle);
  put(sheet, row, 1, layout.lastCol, plan, { size: HEADING_SIZE, italic: true });
  sheet.getRow(row).height = lineHeight(plan, widthAll, HEADING_SIZE);
  row += 1;
  if (view.isSample) {
    const note = `(${clean(view.sampleNote) || 'Mẫu'})`;
    put(sheet, row, 1, layout.lastCol, note, { size: TABLE_SIZE, italic: true });
    sheet.getRow(row).height = lineHeight(note, widthAll, TABLE_SIZE);
    row += 1;
  }
  return row + 1;
}

function writeTableHeader(sheet: ExcelJS.Worksheet, view: ScoreTableView, layout: Layout, top: number): number {
  const bottom = top + 1;
  const spanning: [number, string][] = [
    [1, 'STT'],
    [2, 'Đơn vị'],
    [layout.bonusCol, bonusHeader(view.bonusCap)],
    [layout.deductionCol, 'Điểm trừ'],
    [layout.totalCol, 'Tổng điểm'],
    [layout.rankCol, 'Xếp hạng'],
    [layout.bandCol, 'Xếp loại'],
    [layout.awardCol, 'Đề nghị khen thưởng'],
    [layout.noteCol, 'Ghi chú'],
  ];
  for (const [col, label] of spanning) {
    sheet.mergeCells(top, col, bottom, col);
    headerCell(sheet.getCell(top, col), label);
  }
  let topLines = 1;
  view.groups.forEach((group, i) => {
    const col = layout.groupCol[i]!;
    const label = clean(groupHeader(group));
    sheet.mergeCells(top, col, top, col + 1);
    headerCell(sheet.getCell(top, col), label);
    headerCell(sheet.getCell(bottom, col), SELF_LABEL);
    headerCell(sheet.getCell(bottom, col + 1), VERIFIED_LABEL);
    topLines = Math.max(topLines, lines(label, widthOf(layout, col, col + 1), TABLE_SIZE));
  });
  // Merged cells never grow to fit their text: give both rows room for the longest label (two lines at least).
  sheet.getRow(top).height = Math.max(2, topLines) * 16.5;
  sheet.getRow(bottom).height = 33;
  return bottom + 1;
}

function writeUnitRow(sheet: ExcelJS.Worksheet, view: ScoreTableView, layout: Layout, r: number, stt: number, unit: ScoreRow): void {
  numberCell(sheet.getCell(r, 1), stt, '0');
  textCell(sheet.getCell(r, 2), clean(unit.unitName), 'left');
  view.groups.forEach((group, i) => {
    const col = layout.groupCol[i]!;
    const pair = unit.points[group.id];
    numberCell(sheet.getCell(r, col), pair?.self ?? null, POINTS_FORMAT);
    numberCell(sheet.getCell(r, col + 1), pair?.verified ?? null, POINTS_FORMAT);
  });
  numberCell(sheet.getCell(r, layout.bonusCol), unit.bonus, POINTS_FORMAT);
  numberCell(sheet.getCell(r, layout.deductionCol), unit.deductions.total, POINTS_FORMAT);
  numberCell(sheet.getCell(r, layout.totalCol), unit.total, POINTS_FORMAT, true);
  numberCell(sheet.getCell(r, layout.rankCol), unit.rank?.position ?? null, unit.rank?.tied ? TIED_RANK_FORMAT : RANK_FORMAT);
  textCell(sheet.getCell(r, layout.bandCol), clean(unit.bandLabel), 'center');
  textCell(sheet.getCell(r, layout.awardCol), clean(unit.awardLabel), 'center');
  textCell(sheet.getCell(r, layout.noteCol), noteText(unit), 'left');
}

/** The row's note, then where its deductions come from: the printed table has one "Ghi chú" column for both. */
function noteText(unit: Pick<ScoreRow, 'note' | 'deductions'>): string {
  const sources = clean(unit.deductions.sources);
  return [clean(unit.note), sources && `Trừ điểm: ${sources}`].filter((s) => s !== '').join('\n');
}

function writeSignatures(sheet: ExcelJS.Worksheet, view: ScoreTableView, layout: Layout, first: number): void {
  const [l1, l2] = layout.left;
  const [r1, r2] = layout.right;
  let row = first;
  put(sheet, row, r1, r2, clean(view.signingPlaceDate), { size: HEADING_SIZE, italic: true });
  sheet.getRow(row).height = 18;
  row += 1;
  const { left, right } = view.signatures;
  const titleRows = Math.max(left.titles.length, right.titles.length);
  for (let i = 0; i < titleRows; i++) {
    const l = left.titles[i];
    const r = right.titles[i];
    if (l !== undefined) put(sheet, row, l1, l2, clean(l), { size: HEADING_SIZE, bold: true });
    if (r !== undefined) put(sheet, row, r1, r2, clean(r), { size: HEADING_SIZE, bold: true });
    sheet.getRow(row).height = 18;
    row += 1;
  }
  for (let i = 0; i < SIGNING_SPACE_ROWS; i++) sheet.getRow(row + i).height = 18;
  row += SIGNING_SPACE_ROWS;
  put(sheet, row, l1, l2, clean(left.name), { size: HEADING_SIZE, bold: true });
  put(sheet, row, r1, r2, clean(right.name), { size: HEADING_SIZE, bold: true });
  sheet.getRow(row).height = 18;
}

// ---------------------------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------------------------

function font(size: number, extra: Partial<ExcelJS.Font> = {}): Partial<ExcelJS.Font> {
  return { name: WORKBOOK_FONT, family: 1, size, ...extra };
}

/** A line of the heading or the signature block: merged across [c1, c2], centred, no border. */
function put(
  sheet: ExcelJS.Worksheet,
  row: number,
  c1: number,
  c2: number,
  text: string,
  style: { size: number; bold?: boolean; italic?: boolean; underline?: boolean },
): void {
  if (c2 > c1) sheet.mergeCells(row, c1, row, c2);
  const cell = sheet.getCell(row, c1);
  cell.value = text;
  cell.numFmt = TEXT_FORMAT;
  cell.font = font(style.size, { bold: style.bold ?? false, italic: style.italic ?? false, underline: style.underline ?? false });
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
}

function headerCell(cell: ExcelJS.Cell, text: string): void {
  cell.value = text;
  cell.numFmt = TEXT_FORMAT;
  cell.font = font(TABLE_SIZE, { bold: true });
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  cell.border = ALL_BORDERS;
}

function textCell(cell: ExcelJS.Cell, text: string, horizontal: Align): void {
  // An empty string still makes a string cell, so the border and the Text format apply to a blank too.
  cell.value = text;
  cell.numFmt = TEXT_FORMAT;
  cell.font = font(TABLE_SIZE);
  cell.alignment = { horizontal, vertical: 'middle', wrapText: true };
  cell.border = ALL_BORDERS;
}

function numberCell(cell: ExcelJS.Cell, value: number | null, numFmt: string, bold = false): void {
  cell.value = value === null ? null : roundPoints(value);
  cell.numFmt = numFmt;
  cell.font = font(TABLE_SIZE, { bold });
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  cell.border = ALL_BORDERS;
}

/** One line of NFC text without control characters (see cleanText); the workbook only breaks lines itself. */
function clean(text: string): string {
  return cleanText(text);
}

/** Upper case the Vietnamese way ("Thanh Hóa" -> "THANH HÓA"), NFC. */
function upper(text: string): string {
  return clean(text).toLocaleUpperCase('vi').normalize('NFC');
}

function widthOf(layout: Layout, c1: number, c2: number): number {
  return layout.columns.slice(c1 - 1, c2).reduce((sum, c) => sum + c.width, 0);
}

/** A rough count of printed lines: a Times New Roman character is about 1.1 width units at 12 pt. */
function lines(text: string, width: number, size: number): number {
  const perLine = Math.max(1, Math.floor((width * 12) / (1.1 * size)));
  return Math.max(1, Math.ceil([...text].length / perLine));
}

function lineHeight(text: string, width: number, size: number): number {
  return lines(text, width, size) * (size + 5);
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic bytes
// ---------------------------------------------------------------------------------------------------------------

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/**
 * Sets every zip entry's modification time to `at` (ICT wall clock, MS-DOS format). exceljs stamps entries with the
 * time of writing, so without this two exports of the same view differ in a few bytes. Times are outside the CRCs,
 * so only those 4 bytes per header change. A buffer that is not the expected zip is returned unchanged.
 */
export function pinZipTimes(zip: Buffer, at: Date): Buffer {
  const local = new Date(at.getTime() + ICT_OFFSET_MS);
  const year = Math.min(Math.max(local.getUTCFullYear(), 1980), 2107);
  const dosTime = (local.getUTCHours() << 11) | (local.getUTCMinutes() << 5) | Math.floor(local.getUTCSeconds() / 2);
  const dosDate = ((year - 1980) << 9) | ((local.getUTCMonth() + 1) << 5) | local.getUTCDate();

  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return zip;
  const out = Buffer.from(zip);
  const entries = out.readUInt16LE(eocd + 10);
  let p = out.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (p + 46 > out.length || out.readUInt32LE(p) !== CENTRAL_SIGNATURE) return zip;
    out.writeUInt16LE(dosTime, p + 12);
    out.writeUInt16LE(dosDate, p + 14);
    const localHeader = out.readUInt32LE(p + 42);
    if (localHeader + 30 > out.length || out.readUInt32LE(localHeader) !== LOCAL_SIGNATURE) return zip;
    out.writeUInt16LE(dosTime, localHeader + 10);
    out.writeUInt16LE(dosDate, localHeader + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}
