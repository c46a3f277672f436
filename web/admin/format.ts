/** Dates and times the way Vietnamese offices write them (dd/mm/yyyy, HH:mm), always in ICT whatever the device; points. */
import { formatPointsVi } from '../../shared/domain/scoring-points';

/** Points as Vietnamese write them: "97,5" (the domain's formatter, dependency-free). */
export const formatPoints = formatPointsVi;

const ICT = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function ictParts(instant: string | Date): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const p of ICT.formatToParts(typeof instant === 'string' ? new Date(instant) : instant)) parts[p.type] = p.value;
  return parts;
}

/** "2021-11-25T02:05:00Z" -> "25/11/2021 09:05". */
export function formatDateTime(instant: string | Date): string {
  const p = ictParts(instant);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** "09:05:07". */
export function formatTime(instant: string | Date): string {
  const p = ictParts(instant);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** The ICT calendar date of an instant, "2021-11-25". */
export function ictDate(instant: string | Date): string {
  const p = ictParts(instant);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "2021-12-10" -> "10/12/2021". */
export const formatDate = (date: string): string => date.split('-').reverse().join('/');

/** "1,5 MB", "320 KB", "512 B" (as shared/domain/submission.ts formatBytesVi). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.round(kb).toLocaleString('vi-VN')} KB`;
  return `${(kb / 1024).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB`;
}

/** "2021-2022" -> "2022-2023". */
export function nextPlanId(planId: string): string {
  const start = Number(planId.slice(0, 4)) + 1;
  return `${start}-${start + 1}`;
}

/** A difference in points with its sign: "+2", "−1,5" (a real minus sign), "0". */
export function formatDelta(points: number): string {
  const text = formatPoints(Math.abs(points));
  return points > 0 ? `+${text}` : points < 0 ? `−${text}` : text;
}

/** Points taken off, as the tables write them: "−3", "−0,5"; "0" when nothing is (a waived deduction). */
export const formatDeduction = (points: number): string => formatDelta(-points);

/** Points as typed ("8,5", "8.5", " 7 "): undefined when empty, NaN when not a number. */
export function parsePoints(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  return t === '' ? undefined : /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
}
