/**
 * The closed vocabularies of the domain and their Vietnamese labels, with no dependency at all: the domain's zod
 * schemas build on these tuples, and the admin page's browser bundle imports the labels without pulling zod in.
 */

export const UNIT_ROLES = ['cum-truong', 'cum-pho', 'thanh-vien'] as const;
export type UnitRole = (typeof UNIT_ROLES)[number];
export const UNIT_ROLE_LABELS: Record<UnitRole, string> = {
  'cum-truong': 'Cụm trưởng',
  'cum-pho': 'Cụm phó',
  'thanh-vien': 'Thành viên',
};

export const MILESTONE_KINDS = ['registration', 'covenant', 'report', 'self-score', 'conference', 'event', 'award-dossier'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];
export const MILESTONE_KIND_LABELS: Record<MilestoneKind, string> = {
  registration: 'Đăng ký thi đua',
  covenant: 'Giao ước thi đua',
  report: 'Báo cáo',
  'self-score': 'Bảng tự chấm điểm',
  conference: 'Hội nghị',
  event: 'Sự kiện',
  'award-dossier': 'Hồ sơ khen thưởng',
};

export const RECIPIENTS = ['cum-truong', 'cdvc-tinh'] as const;
export type Recipient = (typeof RECIPIENTS)[number];
export const RECIPIENT_LABELS: Record<Recipient, string> = {
  'cum-truong': 'Đơn vị Cụm trưởng',
  'cdvc-tinh': 'Công đoàn Viên chức tỉnh',
};

export const ACTOR_TYPES = ['admin', 'api-key', 'unit', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];
export const ACTOR_TYPE_LABELS: Record<ActorType, string> = {
  admin: 'Quản trị',
  'api-key': 'Khóa API',
  unit: 'Đơn vị',
  system: 'Hệ thống',
};

export const REMINDER_KINDS = ['reminder', 'overdue', 'digest'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
export const REMINDER_KIND_LABELS: Record<ReminderKind, string> = {
  reminder: 'Nhắc trước hạn',
  overdue: 'Báo quá hạn',
  digest: 'Tổng hợp gửi Cụm trưởng',
};
