/**
 * Vietnamese labels the page shows: the domain's tables (shared/domain/labels.ts, which has no dependency, so the
 * bundle stays free of zod) and the page's own short words for the board's cells.
 */
import type { BoardCellStatus } from './types';

export { ACTOR_TYPE_LABELS, MILESTONE_KIND_LABELS, RECIPIENT_LABELS, REMINDER_KIND_LABELS, UNIT_ROLE_LABELS } from '../../shared/domain/labels';

/** Short words for the board's cells (the cell's full `statusLabel` from the API goes in its accessible name). */
export const CELL_LABELS: Record<BoardCellStatus, string> = {
  'on-time': 'Đúng hạn',
  late: 'Nộp muộn',
  missing: 'Chưa nộp',
  'not-due': 'Chưa đến hạn',
  open: 'Đang mở',
  extended: 'Gia hạn',
  locked: 'Đã khóa',
  'not-required': '—',
};
