/**
 * The plan import view's DOM-free parts (views/plan-import.ts), testable without a browser: the file cap checked
 * before sending, the confidence below which a row is highlighted, and how a proposed due reads (dd/mm/yyyy).
 */
import { formatDate } from './format';
import type { Res } from './types';

/** PLAN_IMPORT_UPLOAD_MAX_BYTES of shared/http/admin-api.ts (Lambda's 6 MB request, base64); a unit test keeps them equal. */
export const UPLOAD_MAX_BYTES = 4 * 1024 * 1024;
/** Below this, a row is highlighted and its reasons listed. */
export const LOW_CONFIDENCE = 0.7;

export type Proposal = Res<'PreviewPlanImport'>['proposal'];
export type Proposed = Proposal['milestones'][number];

/** "Trước ngày 10/12/2021", "Tháng 12/2021", "Chưa có hạn". */
export function dueLabel(due: Proposed['due']): string {
  if (due.type === 'date') return `${due.rule === 'by' ? 'Đến hết ngày' : 'Trước ngày'} ${formatDate(due.date)}`;
  return due.type === 'month' ? `Tháng ${due.month.slice(5)}/${due.month.slice(0, 4)}` : 'Chưa có hạn';
}
