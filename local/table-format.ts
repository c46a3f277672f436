/** Plain-text tables for the CLI (Vietnamese text is NFC, so one code point is one column). */
export type Column<T> = readonly [header: string, value: (row: T) => string];

const MAX_WIDTH = 70;

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '(không có dữ liệu)';
  const cells = rows.map((row) => columns.map(([, value]) => truncate(value(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function truncate(text: string): string {
  const clean = text.normalize('NFC').replace(/\s+/g, ' ');
  return clean.length > MAX_WIDTH ? `${clean.slice(0, MAX_WIDTH - 1)}…` : clean;
}
