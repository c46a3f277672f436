/**
 * The scoring results as CSV: a header row and one row per unit, flat columns (each criteria group gives a "Tự chấm"
 * and a "Thẩm định" column). UTF-8 with a byte order mark so Excel reads the diacritics, CRLF line ends and RFC 4180
 * quoting; numbers with a decimal point ("27.5"), for programs rather than eyes (the workbook is the printable copy).
 *
 * Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with = + - @ (or tab, CR) as a
 * formula, so every TEXT cell that does is prefixed with a single quote, which Excel shows as text. Number cells are
 * written by this module from validated numbers (never negative: deductions are points deducted, see
 * score-export-model.ts), only as digits with an optional decimal point, so they are left as they are and stay numbers.
 */
import { cleanText } from './reminder-emails';
import {
  SELF_LABEL,
  ScoreTableViewSchema,
  TIED_LABEL,
  VERIFIED_LABEL,
  bonusHeader,
  groupHeader,
  roundPoints,
  type ScoreTableView,
} from './score-export-model';

const BOM = '\uFEFF';
const CRLF = '\r\n';
/** The first characters a spreadsheet may take as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as written: text (to clean and neutralise) or a number (written as is). */
type Cell = { text: string } | { number: number | null };

/** Renders the CSV. The view is validated first (a broken view is a programming error, thrown as a ZodError). */
export function renderScoreCsv(input: ScoreTableView): string {
  const view = ScoreTableViewSchema.parse(input);
  const header: Cell[] = [text('STT'), text('Đơn vị')];
  for (const group of view.groups) {
    header.push(text(`${groupHeader(group)} - ${SELF_LABEL}`), text(`${groupHeader(group)} - ${VERIFIED_LABEL}`));
  }
  header.push(
    text(bonusHeader(view.bonusCap)),
    text('Điểm trừ'),
    text('Lý do trừ điểm'),
    text('Tổng điểm'),
    text('Xếp hạng'),
    text('Đồng hạng'),
    text('Xếp loại'),
    text('Đề nghị khen thưởng'),
    text('Ghi chú'),
  );

  const rows = view.rows.map((unit, i): Cell[] => {
    const cells: Cell[] = [{ number: i + 1 }, text(unit.unitName)];
    for (const group of view.groups) {
      const pair = unit.points[group.id];
      cells.push({ number: pair?.self ?? null }, { number: pair?.verified ?? null });
    }
    cells.push(
      { number: unit.bonus },
      { number: unit.deductions.total },
      text(unit.deductions.sources),
      { number: unit.total },
      { number: unit.rank?.position ?? null },
      text(unit.rank?.tied ? TIED_LABEL : ''),
      text(unit.bandLabel),
      text(unit.awardLabel),
      text(unit.note),
    );
    return cells;
  });

  return BOM + [header, ...rows].map((cells) => cells.map(field).join(',') + CRLF).join('');
}

/**
 * A text cell's content as the CSV holds it (before quoting): one line of NFC text (see cleanText: line breaks,
 * tabs and control characters become a space, bidi controls go), then a leading formula character neutralised.
 * Cleaning comes first, so " =1+1" (trimmed to "=1+1") is caught too.
 */
export function csvText(value: string): string {
  const cleaned = cleanText(value);
  return FORMULA_START.test(cleaned) ? `'${cleaned}` : cleaned;
}

/** A number cell: digits and an optional decimal point, rounded to 2 decimals; empty for null. */
export function csvNumber(value: number | null): string {
  if (value === null) return '';
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  return String(roundPoints(value));
}

function text(value: string): Cell {
  return { text: value };
}

/** RFC 4180: a field with a comma, a double quote, CR or LF is quoted, its double quotes doubled. */
function field(cell: Cell): string {
  const raw = 'text' in cell ? csvText(cell.text) : csvNumber(cell.number);
  return /[",\r\n]/.test(raw) ? `"${raw.replaceAll('"', '""')}"` : raw;
}
