/**
 * Vietnamese labels the page shows. Copies of tables in shared/domain (model.ts, audit.ts, reminders): those modules
 * build zod schemas at load time, so importing them would put zod in the bundle. test/unit/admin-assets.test.ts
 * checks that these copies equal the originals.
 */
import type { ACTOR_TYPES } from '../../shared/domain/audit';
import type { MilestoneKind, Recipient, UnitRole } from '../../shared/domain/model';
import type { ReminderKind } from '../../shared/domain/reminders';
import type { BoardCellStatus } from './types';

type ActorType = (typeof ACTOR_TYPES)[number];

export const MILESTONE_KIND_LABELS: Record<MilestoneKind, string> = {
  registration: 'Đăng ký thi đua',
  covenant: 'Giao ước thi đua',
  report: 'Báo cáo',
  'self-score': 'Bảng tự chấm điểm',
  conference: 'Hội nghị',
  event: 'Sự kiện',
  'award-dossier': 'Hồ sơ khen thưởng',
};

export const UNIT_ROLE_LABELS: Record<UnitRole, string> = {
  'cum-truong': 'Cụm trưởng',
  'cum-pho': 'Cụm phó',
  'thanh-vien': 'Thành viên',
};

export const RECIPIENT_LABELS: Record<Recipient, string> = {
  'cum-truong': 'Đơn vị Cụm trưởng',
  'cdvc-tinh': 'Công đoàn Viên chức tỉnh',
};

export const ACTOR_TYPE_LABELS: Record<ActorType, string> = {
  admin: 'Quản trị',
  'api-key': 'Khóa API',
  unit: 'Đơn vị',
  system: 'Hệ thống',
};

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

export const REMINDER_KIND_LABELS: Record<ReminderKind, string> = {
  reminder: 'Nhắc trước hạn',
  overdue: 'Báo quá hạn',
  digest: 'Tổng hợp gửi Cụm trưởng',
};
