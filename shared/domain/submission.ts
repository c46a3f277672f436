/**
 * Documents sent by units: upload intents, submissions (every version kept), extensions, and the status of a unit
 * for a milestone at a given instant.
 */
import { wellFormed } from './unicode';
import * as z from 'zod';
import { CorrelationIdSchema } from './correlation';
import { deadlineOf, isLate, type Deadline } from './deadlines';
import { ClusterIdSchema, MilestoneIdSchema, PlanIdSchema, TextSchema, UnitIdSchema, selectUnits, type Milestone, type Plan, type Unit } from './model';
import { addDays, daysBetween, LocalDateSchema, startOfIctDay, type LocalDate } from './time';

/** File types a unit may send: the declared MIME type, its usual extensions and a Vietnamese label. */
export const ALLOWED_FILE_TYPES = {
  'application/pdf': { extensions: ['pdf'], label: 'PDF' },
  'application/msword': { extensions: ['doc'], label: 'Word (.doc)' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { extensions: ['docx'], label: 'Word (.docx)' },
  'application/vnd.ms-excel': { extensions: ['xls'], label: 'Excel (.xls)' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { extensions: ['xlsx'], label: 'Excel (.xlsx)' },
  'application/vnd.oasis.opendocument.text': { extensions: ['odt'], label: 'OpenDocument (.odt)' },
  'application/vnd.oasis.opendocument.spreadsheet': { extensions: ['ods'], label: 'OpenDocument (.ods)' },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], label: 'Ảnh JPG' },
  'image/png': { extensions: ['png'], label: 'Ảnh PNG' },
} as const;
export type AllowedFileType = keyof typeof ALLOWED_FILE_TYPES;
export const AllowedFileTypeSchema = z.enum(Object.keys(ALLOWED_FILE_TYPES) as [AllowedFileType, ...AllowedFileType[]], {
  message: 'Loại tệp không được chấp nhận (chỉ nhận PDF, Word, Excel, OpenDocument, JPG, PNG)',
});

export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
/** How long a presigned upload form stays valid. */
export const UPLOAD_FORM_TTL_SECONDS = 10 * 60;

/** C0, DEL and C1 controls, and the bidirectional marks, embeddings, overrides and isolates. */
function isInvisibleControl(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/**
 * A file name as the unit's computer named it, made safe to show, in this order: lone surrogates become U+FFFD
 * (first, so that removing a character between two halves cannot fuse them into a new one), NFC, no control
 * characters (C0, DEL and C1, so no CR/LF) and no bidirectional controls (U+200E/F, U+202A-E, U+2066-9: a
 * right-to-left override would show "bao-cao\u202Efdp.exe" as "bao-caoexe.pdf"), and only the part after the last /
 * or \ (a path never survives, whatever line separators it holds). Not trimmed: see {@link cleanFileName}.
 */
export function baseFileName(name: string): string {
  const visible = [...wellFormed(name).normalize('NFC')].filter((c) => !isInvisibleControl(c)).join('');
  return visible.slice(Math.max(visible.lastIndexOf('/'), visible.lastIndexOf('\\')) + 1);
}

/** {@link baseFileName}, trimmed: what is stored and shown. */
export function cleanFileName(name: string): string {
  return baseFileName(name).trim();
}

/** A file name as sent by the browser; only ever displayed, never part of a key. */
export const FileNameSchema = z.string().transform(cleanFileName)
  .pipe(z.string().min(1, 'Tên tệp không được để trống').max(255, 'Tên tệp quá dài (tối đa 255 ký tự)'));

export const UploadIdSchema = z.uuid({ message: 'Mã tải lên không hợp lệ' });

/** What identifies one upload and what the unit declared for it; the key is derived from the ids only. */
const UploadRefSchema = z.object({
  clusterId: ClusterIdSchema,
  planId: PlanIdSchema,
  milestoneId: MilestoneIdSchema,
  unitId: UnitIdSchema,
  uploadId: UploadIdSchema,
  objectKey: z.string(),
  fileName: FileNameSchema,
  contentType: AllowedFileTypeSchema,
});

/** Recorded when a presigned form is issued; the recorder trusts only what the server wrote here. */
export const UploadIntentSchema = UploadRefSchema.extend({
  maxBytes: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  /** Whether the unit was already late when it asked to upload (the cut-off was checked then). */
  lateAtIssue: z.boolean(),
  /** The correlation id of the request that asked for the form; the recorder logs and tags the receipt with it. */
  correlationId: CorrelationIdSchema.optional(),
});
export type UploadIntent = z.infer<typeof UploadIntentSchema>;

export const SubmissionSchema = UploadRefSchema.extend({
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  receivedAt: z.iso.datetime(),
  late: z.boolean(),
  outcome: z.enum(['accepted', 'quarantined']),
  /** Why a file was quarantined, in Vietnamese, shown on the member page. */
  rejectReason: TextSchema.optional(),
  /** Whether the receipt email went out: a retried event finds 'pending' and sends it, never twice once 'sent'. */
  receipt: z.enum(['pending', 'sent']).default('pending'),
});
export type Submission = z.infer<typeof SubmissionSchema>;

/** Gia hạn: a unit may send a milestone's document until the end of `until` (ICT). */
export const ExtensionSchema = z.object({
  clusterId: ClusterIdSchema,
  planId: PlanIdSchema,
  milestoneId: MilestoneIdSchema,
  unitId: UnitIdSchema,
  until: LocalDateSchema,
  reason: TextSchema.optional(),
  grantedAt: z.iso.datetime(),
});
export type Extension = z.infer<typeof ExtensionSchema>;

/** Whether a milestone asks this unit for a document (award dossiers: once proposals exist). */
export function requiresDocumentFrom(milestone: Milestone, unit: Unit, proposedUnitIds: readonly string[] = []): boolean {
  return !!milestone.document && selectUnits(milestone.document.from, [unit], proposedUnitIds).length === 1;
}

export interface EffectiveDeadline {
  deadline: Deadline;
  /** First instant at which uploads are refused; undefined when there is no cut-off. */
  cutoffAt?: Date;
  extendedTo?: LocalDate;
}

/**
 * The deadline and cut-off that apply to one unit. An extension replaces the deadline with the end of its day and
 * moves the cut-off by as many days as the deadline moved (never earlier than the extension itself).
 */
export function effectiveDeadline(milestone: Milestone, plan: Pick<Plan, 'beforeDayInclusive'>, extension?: Pick<Extension, 'until'>): EffectiveDeadline {
  const original = deadlineOf(milestone, plan);
  if (!extension) {
    return { deadline: original, cutoffAt: milestone.cutoffDate ? startOfIctDay(addDays(milestone.cutoffDate, 1)) : undefined };
  }
  const deadline = deadlineOf(milestone, plan, extension.until);
  let cutoffDay: LocalDate | undefined;
  if (milestone.cutoffDate) {
    const shift = original.type === 'exact' ? Math.max(0, daysBetween(original.lastDay, extension.until)) : 0;
    const moved = addDays(milestone.cutoffDate, shift);
    cutoffDay = moved >= extension.until ? moved : extension.until;
  }
  return { deadline, cutoffAt: cutoffDay ? startOfIctDay(addDays(cutoffDay, 1)) : undefined, extendedTo: extension.until };
}

export const UNIT_STATUSES = ['on-time', 'late', 'missing', 'not-due', 'open', 'locked'] as const;
export type UnitMilestoneStatus = (typeof UNIT_STATUSES)[number];
export const UNIT_STATUS_LABELS: Record<UnitMilestoneStatus, string> = {
  'on-time': 'Đã nộp đúng hạn',
  late: 'Nộp muộn',
  missing: 'Chưa nộp',
  'not-due': 'Chưa đến hạn',
  open: 'Chưa nộp',
  locked: 'Đã khóa',
};

/**
 * Where a unit stands on one milestone at `now`:
 * - on-time / late: its first accepted submission was before / after the (extended) deadline;
 * - locked: nothing accepted and the cut-off has passed (uploads are refused);
 * - missing: nothing accepted and the deadline has passed;
 * - not-due: nothing accepted and the deadline is still ahead;
 * - open: nothing accepted and no day is fixed yet.
 */
export function unitMilestoneStatus(
  effective: EffectiveDeadline,
  accepted: readonly Pick<Submission, 'receivedAt' | 'late'>[],
  now: Date,
): UnitMilestoneStatus {
  if (accepted.length > 0) {
    const first = [...accepted].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))[0]!;
    return first.late ? 'late' : 'on-time';
  }
  if (effective.cutoffAt && now.getTime() >= effective.cutoffAt.getTime()) return 'locked';
  if (effective.deadline.type !== 'exact') return 'open';
  return isLate(now, effective.deadline) ? 'missing' : 'not-due';
}

/** Whether an upload may start at `now`, and whether it would be late. */
export function uploadWindow(effective: EffectiveDeadline, now: Date): { open: true; late: boolean } | { open: false } {
  if (effective.cutoffAt && now.getTime() >= effective.cutoffAt.getTime()) return { open: false };
  return { open: true, late: isLate(now, effective.deadline) };
}

/** The server-made object key: no user text ever reaches it. */
export function uploadObjectKey(p: { clusterId: string; planId: string; milestoneId: string; unitId: string; uploadId: string }): string {
  return `${UPLOAD_PREFIX}${p.clusterId}/${p.planId}/${p.milestoneId}/${p.unitId}/${p.uploadId}`;
}
export const UPLOAD_PREFIX = 'uploads/';
export const QUARANTINE_PREFIX = 'quarantine/';

const KEY_PATTERN = /^uploads\/([a-z0-9-]+)\/(\d{4}-\d{4})\/([a-z0-9-]+)\/([a-z0-9-]+)\/([0-9a-f-]{36})$/;

/** Reads the parts back from an object key; undefined for anything the server did not make. */
export function parseUploadObjectKey(key: string): { clusterId: string; planId: string; milestoneId: string; unitId: string; uploadId: string } | undefined {
  const m = KEY_PATTERN.exec(key);
  if (!m) return undefined;
  const [, clusterId, planId, milestoneId, unitId, uploadId] = m as unknown as [string, string, string, string, string, string];
  return { clusterId, planId, milestoneId, unitId, uploadId };
}

/** "1,5 MB", "320 KB": sizes the way a Vietnamese reader writes them. */
export function formatBytesVi(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.round(kb).toLocaleString('vi-VN')} KB`;
  return `${(kb / 1024).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB`;
}
