/**
 * What reminder emails say, already in words; the renderers in shared/views/reminder-emails.ts only lay it out.
 * Built at fire time by shared/use-cases/reminders.ts.
 */

export interface ContactView {
  name: string;
  position?: string;
  email?: string;
  phone?: string;
  address?: string;
}

/** To one unit that still owes a document (kind 'reminder') or is past the deadline without it ('overdue'). */
export interface DocumentReminderView {
  kind: 'reminder' | 'overdue';
  clusterName: string;
  unitName: string;
  milestoneTitle: string;
  /** The document asked for. */
  documentTitle: string;
  /** Whom it goes to, e.g. "Đơn vị Cụm trưởng, Công đoàn Viên chức tỉnh". */
  recipientsLabel: string;
  /** The plan's wording with the exact rule: "trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)". */
  dueLabel: string;
  /** Short form for the subject: "trước ngày 10/12/2021". */
  dueShort: string;
  /** Whole days left until the last accepted day ends (reminders), e.g. 1; 0 on the last day. */
  daysLeft?: number;
  /** When the unit has an extension: "Đơn vị được gia hạn đến hết ngày 15/12/2021". */
  extensionLabel?: string;
  /** Overdue: whether late uploads are still accepted, and until when ("đến hết ngày 20/12/2021"), or not at all. */
  lateUploadsLabel?: string;
  /** The unit's own signed link. */
  link: string;
  contact?: ContactView;
}

/** To one unit taking part in a conference or event with a fixed day. */
export interface EventReminderView {
  clusterName: string;
  unitName: string;
  milestoneTitle: string;
  /** "ngày 28/12/2021". */
  dateLabel: string;
  daysLeft: number;
  place?: string;
  participants?: string;
  /** This unit's own tasks (e.g. the deputy: "Triển khai giấy mời..."). */
  tasks: string[];
  contact?: ContactView;
}

/** To the cluster head, the day after a document deadline. */
export interface DigestView {
  clusterName: string;
  milestoneTitle: string;
  documentTitle: string;
  dueLabel: string;
  totalUnits: number;
  onTime: Array<{ unitName: string; receivedAtLabel: string }>;
  late: Array<{ unitName: string; receivedAtLabel: string }>;
  missing: Array<{ unitName: string; extensionLabel?: string }>;
  /** Addresses that bounced or complained, so the head can fix them. */
  undeliverable: Array<{ unitName: string; email: string; reason: string }>;
}
