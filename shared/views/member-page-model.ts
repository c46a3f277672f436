/**
 * What the member page (GET /u/{token}) shows, already in words: the renderer only lays it out.
 * Built by shared/use-cases/member-page.ts from the unit's link, the plan and the unit's submissions.
 */
import type { UnitMilestoneStatus } from '../domain/submission';

export interface MemberFileView {
  uploadId: string;
  /** As the unit named it (NFC); must be HTML-escaped when rendered. */
  fileName: string;
  /** e.g. "1,5 MB". */
  sizeLabel: string;
  /** Receipt time, e.g. "08:15 09/12/2021" (ICT). */
  receivedAtLabel: string;
  late: boolean;
  outcome: 'accepted' | 'quarantined';
  /** Why it was quarantined, in Vietnamese. */
  rejectReason?: string;
  sha256: string;
  /** 1 for the first file sent for this milestone, 2 for the next... */
  versionNumber: number;
}

export interface MemberMilestoneView {
  milestoneId: string;
  title: string;
  /** e.g. "Báo cáo". */
  kindLabel: string;
  /** The document asked for, e.g. "Báo cáo sơ kết 06 tháng đầu năm học". */
  documentTitle: string;
  /** Whom it goes to, e.g. "Đơn vị Cụm trưởng, Công đoàn Viên chức tỉnh". */
  recipientsLabel: string;
  /** The deadline in words, explicit about the last accepted day, e.g. "trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)". */
  dueLabel: string;
  /** When an extension applies: "Được gia hạn đến hết ngày 15/12/2021". */
  extensionLabel?: string;
  /** When a hard cut-off applies: "Khóa nhận sau ngày 20/12/2021". */
  cutoffLabel?: string;
  status: UnitMilestoneStatus;
  /** e.g. "Đã nộp đúng hạn". */
  statusLabel: string;
  /** Whether the upload form is shown (false after the cut-off). */
  canUpload: boolean;
  /** Shown instead of the form when uploads are closed. */
  closedReason?: string;
  /** True when an upload now would be marked late (the form says so before sending). */
  uploadWouldBeLate: boolean;
  /** Newest first. */
  files: MemberFileView[];
  /** The plan's self-score milestone: its card links to the self-score form (GET /u/{token}/self-score). */
  opensSelfScore?: boolean;
}

export interface MemberPageView {
  clusterName: string;
  provinceName: string;
  unitName: string;
  /** e.g. "Cụm trưởng". */
  unitRoleLabel: string;
  unitIsSample: boolean;
  planTitle: string;
  /** Where to ask for help: the plan's contact person. */
  contact?: { name: string; position?: string; email?: string; phone?: string; address?: string };
  /** The link is narrowed to one milestone. */
  scopedToMilestone: boolean;
  milestones: MemberMilestoneView[];
  /** "Cập nhật lúc 08:15 09/12/2021". */
  generatedAtLabel: string;
  /** e.g. "25 MB". */
  maxUploadLabel: string;
  maxUploadBytes: number;
  /** Declared MIME types accepted, and the file-picker `accept` string (".pdf,.doc,..."). */
  acceptedTypes: string[];
  acceptAttribute: string;
  /** "PDF, Word, Excel, OpenDocument, JPG, PNG". */
  acceptedTypesLabel: string;
}
