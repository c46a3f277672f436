/**
 * The admin JSON API as data: every endpoint with its method, path, who may call it and the zod schemas of its
 * input and output. The router (shared/http/admin-router.ts) validates against these schemas, functions/routes.ts
 * turns them into HTTP routes, and /api/openapi.json is generated from them, so the three cannot disagree.
 */
import * as z from 'zod';
import { ApiKeyInfoSchema, SecretTokenSchema } from '../domain/admin';
import { AuditEntrySchema, AuditFilterSchema } from '../domain/audit';
import {
  ClusterIdSchema,
  ClusterSchema,
  EmailSchema,
  MilestoneIdSchema,
  MilestoneSchema,
  PlanIdSchema,
  PlanSchema,
  TextSchema,
  UnitIdSchema,
  UnitRoleSchema,
  UnitSchema,
} from '../domain/model';
import { ExtensionSchema, SubmissionSchema, UNIT_STATUSES, UploadIdSchema } from '../domain/submission';
import { PlanImportProposalSchema } from '../domain/plan-import/proposal';
import { LocalDateSchema } from '../domain/time';
import { DeductionOverrideSchema, PointsSchema, RegistrationFlagSchema, ResultsLockSchema, ScoringSchemeSchema, VoteTallySchema } from '../domain/scoring';

/**
 * Who may call an endpoint.
 * - `public`: anyone (sign-in, the OpenAPI document).
 * - `session`: a signed-in person (their own session).
 * - `any`: any principal; the endpoint itself filters what it returns (the list of clusters).
 * - `read`: any principal with access to the `{clusterId}` of the path (admins, province viewers, the cluster's keys).
 * - `write`: the cluster's admins (with the CSRF token) and the cluster's API keys.
 * - `session-write`: the cluster's admins only, signed in (managing API keys is not for API keys).
 */
export type EndpointAccess = 'public' | 'session' | 'any' | 'read' | 'write' | 'session-write';

/** Which Lambda function serves the endpoint (functions/routes.ts gives each its rights). */
export type EndpointFunction = 'auth' | 'admin' | 'export' | 'import' | 'page';

export interface Endpoint {
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly fn: EndpointFunction;
  readonly access: EndpointAccess;
  /** Vietnamese, one line (OpenAPI summary). */
  readonly summary: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Success status. @default 200 */
  readonly status?: 200 | 201 | 202 | 204;
  /** JSON body of the success response (none for 204 and non-JSON endpoints). */
  readonly response?: z.ZodType;
  /** Not JSON (pages, assets, downloads): the content type of the success response. */
  readonly produces?: string;
  /** Largest JSON body accepted, for the few endpoints that take a file or a whole plan. @default 64 KiB (body.ts) */
  readonly maxBodyBytes?: number;
  /** A POST that computes and saves nothing (a preview): the router writes no audit entry for it. @default false */
  readonly changesNothing?: true;
}

// ---- Shared pieces -------------------------------------------------------------------------------------------------

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Mã lỗi ổn định cho chương trình, ví dụ VALIDATION_FAILED, FORBIDDEN.' }),
    message: z.string().meta({ description: 'Thông báo tiếng Việt cho người đọc.' }),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

const ClusterParams = z.object({ clusterId: ClusterIdSchema });
const PlanParams = ClusterParams.extend({ planId: PlanIdSchema });
const UnitParams = ClusterParams.extend({ unitId: UnitIdSchema });
const MilestoneParams = PlanParams.extend({ milestoneId: MilestoneIdSchema });
const PlanUnitParams = PlanParams.extend({ unitId: UnitIdSchema });
const SubmissionParams = PlanUnitParams.extend({ uploadId: UploadIdSchema });

const AccessSchema = z.enum(['write', 'read']).meta({ description: 'write: quản trị cụm; read: chỉ xem (Công đoàn tỉnh).' });
const ClusterSummarySchema = z.object({ clusterId: ClusterIdSchema, name: z.string(), provinceName: z.string(), access: AccessSchema });

export const SessionViewSchema = z.object({
  email: z.string(),
  csrfToken: z.string().meta({ description: 'Gửi lại trong tiêu đề x-csrf-token ở mọi yêu cầu thay đổi dữ liệu.' }),
  expiresAt: z.string(),
  clusters: z.array(ClusterSummarySchema),
  adminPath: z.string(),
});

const MilestoneViewSchema = MilestoneSchema.extend({ dueLabel: z.string() });

const ScheduleViewSchema = z.looseObject({ name: z.string(), fireAt: z.string(), fireAtLabel: z.string(), milestoneId: z.string(), kind: z.string() });
/** What re-syncing the reminder schedules did (planned, created, deleted), for "saving shows what changed". */
export const ScheduleReportViewSchema = z.object({
  planned: z.array(ScheduleViewSchema),
  missing: z.array(ScheduleViewSchema),
  extra: z.array(z.string()),
  withoutDay: z.array(z.object({ milestoneId: z.string(), title: z.string(), dueText: z.string().optional() })),
  created: z.number().int(),
  deleted: z.number().int(),
});

/** A unit as the admin writes it (identity in the path or the body, link version and sample flag are not editable). */
export const UnitBodySchema = z.object({
  name: TextSchema,
  role: UnitRoleSchema,
  emails: z.array(EmailSchema).min(1, 'Cần ít nhất một email liên hệ').max(10),
  contactName: TextSchema.optional(),
  active: z.boolean().default(true),
});
export const NewUnitBodySchema = UnitBodySchema.extend({ unitId: UnitIdSchema });

/** A milestone as the plan editor sends it (cluster, plan and id come from the path). */
export const MilestoneBodySchema = MilestoneSchema.omit({ clusterId: true, planId: true, milestoneId: true });

const IssuedLinkSchema = z.object({ url: z.string(), expiresAt: z.string(), planId: PlanIdSchema, linkVersion: z.number().int() });

/** A plan's calendar feed link: the https address (the page builds webcal: and Google Calendar links from it). */
const CalendarFeedSchema = z.object({
  url: z.string().meta({ description: 'Địa chỉ https của lịch (.ics); ai có địa chỉ này đều xem được lịch của kế hoạch.' }),
  expiresAt: z.string(),
  planId: PlanIdSchema,
  feedVersion: z.number().int().meta({ description: 'Tăng mỗi lần thu hồi: các link cấp trước đó ngừng hoạt động.' }),
});

export const BOARD_CELL_STATUSES = [...UNIT_STATUSES, 'extended', 'not-required'] as const;

const BoardVersionSchema = z.object({
  uploadId: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  receivedAt: z.string(),
  late: z.boolean(),
});

/** Bảng theo dõi: units x milestones that ask for a document. */
export const BoardSchema = z.object({
  plan: PlanSchema,
  asOf: z.string().meta({ description: 'Thời điểm tính trạng thái (ISO).' }),
  milestones: z.array(
    z.object({
      milestoneId: z.string(),
      title: z.string(),
      kind: z.string(),
      documentTitle: z.string(),
      dueLabel: z.string(),
      counts: z.record(z.string(), z.number().int()),
    }),
  ),
  units: z.array(
    z.object({
      unitId: z.string(),
      name: z.string(),
      role: UnitRoleSchema,
      isSample: z.boolean(),
      counts: z.record(z.string(), z.number().int()),
    }),
  ),
  cells: z.array(
    z.object({
      unitId: z.string(),
      milestoneId: z.string(),
      status: z.enum(BOARD_CELL_STATUSES),
      statusLabel: z.string(),
      extendedUntil: LocalDateSchema.optional(),
      versions: z.array(BoardVersionSchema),
    }),
  ),
});

const SendViewSchema = z.object({
  milestoneId: z.string(),
  milestoneTitle: z.string().optional(),
  kind: z.string(),
  offset: z.number().int(),
  recipient: z.string().meta({ description: 'Mã đơn vị, hoặc "digest" (bản tổng hợp gửi Cụm trưởng).' }),
  recipientName: z.string().optional(),
  status: z.string(),
  statusLabel: z.string().optional(),
  at: z.string().optional(),
  atLabel: z.string().optional(),
});

const UndeliverableViewSchema = z.looseObject({ email: z.string(), reason: z.string().optional() });

// ---- Plan import ----------------------------------------------------------------------------------------------------

/**
 * Lambda takes at most 6 MB in a synchronous request, and the file travels in base64 (4/3 of its size) inside the
 * event with its headers: 4 MiB of file is 5.6 MB of base64, which leaves room for the rest. The web page checks the
 * same figure before sending (web/admin/import-rules.ts, kept equal by test/unit/admin-plan-import.test.ts).
 */
export const PLAN_IMPORT_UPLOAD_MAX_BYTES = 4 * 1024 * 1024;
/** The preview's body: up to Lambda's 6 MB (a file bigger than the cap above is refused with its own message). */
const PLAN_IMPORT_PREVIEW_MAX_BODY = 6 * 1024 * 1024;
/** A reviewed proposal: 99 milestones with their source sentences stay far below 1 MiB. */
const PLAN_IMPORT_CONFIRM_MAX_BODY = 1024 * 1024;

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Pasted text, or a file (.docx, .md, .txt) in base64; one of the two. */
export const PlanImportPreviewBodySchema = z
  .object({
    text: z.string().optional().meta({ description: 'Văn bản kế hoạch dán vào (tối đa 300.000 ký tự).' }),
    fileName: z.string().trim().min(1, 'Thiếu tên tệp').max(255, 'Tên tệp quá dài').optional().meta({ description: 'Tên tệp, quyết định cách đọc: .docx, .md hoặc .txt.' }),
    contentBase64: z
      .string()
      .regex(BASE64_RE, 'Nội dung tệp phải được mã hóa base64')
      .optional()
      .meta({ description: 'Nội dung tệp, mã hóa base64 (tệp tối đa 4 MB).' }),
    planId: PlanIdSchema.optional().meta({ description: 'Năm học của kế hoạch khi văn bản không ghi, dạng 2021-2022.' }),
  })
  .superRefine((body, ctx) => {
    const hasFile = body.fileName !== undefined || body.contentBase64 !== undefined;
    if (body.text !== undefined && hasFile) ctx.addIssue({ code: 'custom', path: ['text'], message: 'Chỉ gửi một trong hai: văn bản dán vào hoặc tệp' });
    else if (body.text === undefined && !hasFile) ctx.addIssue({ code: 'custom', path: ['text'], message: 'Hãy dán văn bản kế hoạch hoặc chọn tệp' });
    else if (hasFile && body.fileName === undefined) ctx.addIssue({ code: 'custom', path: ['fileName'], message: 'Thiếu tên tệp' });
    else if (hasFile && body.contentBase64 === undefined) ctx.addIssue({ code: 'custom', path: ['contentBase64'], message: 'Thiếu nội dung tệp' });
  });

// ---- Scoring --------------------------------------------------------------------------------------------------------

const ScoringStateViewSchema = z.looseObject({
  selfScoreOpensAt: z.string().optional(),
  selfScoringOpen: z.boolean(),
  lock: ResultsLockSchema,
  tally: VoteTallySchema.optional(),
  version: z.number().int(),
});

/** Bảng chấm điểm: the scheme, its versions, the settings, each unit's sheet and verification, and the results. */
export const ScoringViewSchema = z.object({
  plan: z.looseObject({ planId: z.string(), title: z.string() }),
  scheme: ScoringSchemeSchema.nullable(),
  schemeVersions: z.array(z.object({ version: z.number().int(), savedAt: z.string(), savedBy: z.string(), changeReason: z.string().optional() })),
  template: ScoringSchemeSchema.meta({ description: 'Thang điểm mẫu (cần đối chiếu Hướng dẫn 40/HD-CĐVC) để bắt đầu khi chưa có thang điểm.' }),
  state: ScoringStateViewSchema,
  selfScoreMilestone: z.object({ milestoneId: z.string(), title: z.string(), dueLabel: z.string() }).optional(),
  milestones: z.array(z.object({ milestoneId: z.string(), title: z.string(), kind: z.string() })),
  units: z.array(
    z.object({
      unitId: z.string(),
      name: z.string(),
      role: UnitRoleSchema,
      sheet: z.looseObject({ status: z.enum(['draft', 'submitted']), schemeVersion: z.number().int(), submittedAt: z.string().optional(), late: z.boolean().optional() }).nullable(),
      verification: z.looseObject({ version: z.number().int(), schemeVersion: z.number().int(), deductionOverrides: z.array(DeductionOverrideSchema) }).nullable(),
    }),
  ),
  registrationFlags: z.array(RegistrationFlagSchema),
  results: z
    .looseObject({
      asOf: z.string(),
      schemeVersion: z.number().int(),
      rows: z.array(z.looseObject({ unitId: z.string(), name: z.string(), total: z.number(), rank: z.number().int(), position: z.number().int() })),
      ties: z.array(z.looseObject({ total: z.number(), unitIds: z.array(z.string()), needsVote: z.boolean() })),
      warnings: z.array(z.string()),
    })
    .nullable()
    .meta({ description: 'Kết quả tính tại thời điểm asOf (null khi chưa có thang điểm).' }),
  asOf: z.string(),
});

const PointsLineSchema = z.object({ points: PointsSchema, comment: z.string().max(2000).optional() });
export const VerificationBodySchema = z.object({
  criteria: z.array(PointsLineSchema.extend({ criterionId: z.string().max(100) })).max(200).default([]),
  bonus: z.array(PointsLineSchema.extend({ itemId: z.string().max(100) })).max(50).default([]),
  deductionOverrides: z.array(DeductionOverrideSchema).max(50).default([]),
  expectedVersion: z.number().int().min(0).optional().meta({ description: 'Phiên bản kết quả thẩm định đã đọc (0: chưa có); khác với bản đang lưu thì bị từ chối (409).' }),
});

// ---- The endpoints -------------------------------------------------------------------------------------------------

export const adminEndpoints = [
  // Sign-in (function: auth).
  {
    id: 'RequestSignIn',
    method: 'POST',
    path: '/api/auth/sign-in-links',
    fn: 'auth',
    access: 'public',
    summary: 'Xin liên kết đăng nhập (gửi qua email, dùng một lần, 15 phút)',
    body: z.object({ email: EmailSchema }),
    status: 202,
    response: z.object({ message: z.string() }),
  },
  {
    id: 'OpenSession',
    method: 'POST',
    path: '/api/auth/sessions',
    fn: 'auth',
    access: 'public',
    summary: 'Mở phiên làm việc bằng mã trong liên kết đăng nhập (đặt cookie phiên 12 giờ)',
    body: z.object({ token: SecretTokenSchema }),
    response: SessionViewSchema,
  },
  {
    id: 'GetSession',
    method: 'GET',
    path: '/api/auth/session',
    fn: 'auth',
    access: 'session',
    summary: 'Phiên hiện tại: người đăng nhập, mã CSRF, các cụm được quản trị hoặc xem',
    response: SessionViewSchema,
  },
  {
    id: 'SignOut',
    method: 'DELETE',
    path: '/api/auth/session',
    fn: 'auth',
    access: 'session',
    summary: 'Đăng xuất',
    status: 204,
  },

  // Clusters and units (function: admin).
  {
    id: 'ListClusters',
    method: 'GET',
    path: '/api/clusters',
    fn: 'admin',
    access: 'any',
    summary: 'Các cụm thi đua người gọi được quản trị hoặc xem',
    response: z.object({ clusters: z.array(ClusterSummarySchema) }),
  },
  {
    id: 'ListUnits',
    method: 'GET',
    path: '/api/clusters/{clusterId}/units',
    fn: 'admin',
    access: 'read',
    summary: 'Các đơn vị của cụm',
    params: ClusterParams,
    response: z.object({ cluster: ClusterSchema, units: z.array(UnitSchema) }),
  },
  {
    id: 'CreateUnit',
    method: 'POST',
    path: '/api/clusters/{clusterId}/units',
    fn: 'admin',
    access: 'write',
    summary: 'Thêm đơn vị',
    params: ClusterParams,
    body: NewUnitBodySchema,
    status: 201,
    response: z.object({ unit: UnitSchema }),
  },
  {
    id: 'UpdateUnit',
    method: 'PUT',
    path: '/api/clusters/{clusterId}/units/{unitId}',
    fn: 'admin',
    access: 'write',
    summary: 'Sửa đơn vị (tên, vai trò, email, người liên hệ, còn hoạt động)',
    params: UnitParams,
    body: UnitBodySchema,
    response: z.object({ unit: UnitSchema }),
  },
  {
    id: 'IssueUnitLink',
    method: 'POST',
    path: '/api/clusters/{clusterId}/units/{unitId}/link',
    fn: 'admin',
    access: 'write',
    summary: 'Lấy đường link nộp tài liệu của đơn vị (để sao chép)',
    params: UnitParams,
    body: z.object({ planId: PlanIdSchema.optional() }),
    response: IssuedLinkSchema,
  },
  {
    id: 'EmailUnitLink',
    method: 'POST',
    path: '/api/clusters/{clusterId}/units/{unitId}/link/email',
    fn: 'admin',
    access: 'write',
    summary: 'Gửi đường link nộp tài liệu tới email của đơn vị',
    params: UnitParams,
    body: z.object({ planId: PlanIdSchema.optional() }),
    status: 202,
    response: z.object({ sentTo: z.array(z.string()), expiresAt: z.string() }),
  },
  {
    id: 'RevokeUnitLinks',
    method: 'POST',
    path: '/api/clusters/{clusterId}/units/{unitId}/link/revoke',
    fn: 'admin',
    access: 'write',
    summary: 'Thu hồi mọi đường link cũ của đơn vị và cấp đường link mới',
    params: UnitParams,
    body: z.object({ planId: PlanIdSchema.optional() }),
    response: IssuedLinkSchema,
  },

  // Plans and milestones.
  {
    id: 'ListPlans',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans',
    fn: 'admin',
    access: 'read',
    summary: 'Các kế hoạch (mỗi năm học một kế hoạch)',
    params: ClusterParams,
    response: z.object({ cluster: ClusterSchema, plans: z.array(PlanSchema) }),
  },
  {
    id: 'GetPlan',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}',
    fn: 'admin',
    access: 'read',
    summary: 'Một kế hoạch và các mốc của nó',
    params: PlanParams,
    response: z.object({ plan: PlanSchema, milestones: z.array(MilestoneViewSchema) }),
  },
  {
    id: 'ClonePlan',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/clone',
    fn: 'admin',
    access: 'write',
    summary: 'Sao chép kế hoạch sang năm học sau (bỏ các mốc chỉ diễn ra một lần)',
    params: PlanParams,
    body: z.object({ targetPlanId: PlanIdSchema }),
    status: 201,
    response: z.object({ plan: PlanSchema, milestones: z.array(MilestoneViewSchema), skipped: z.array(z.string()), schedules: ScheduleReportViewSchema }),
  },
  {
    id: 'SaveMilestone',
    method: 'PUT',
    path: '/api/clusters/{clusterId}/plans/{planId}/milestones/{milestoneId}',
    fn: 'admin',
    access: 'write',
    summary: 'Tạo hoặc sửa một mốc; lịch nhắc việc được đồng bộ lại',
    params: MilestoneParams,
    body: MilestoneBodySchema,
    response: z.object({ milestone: MilestoneViewSchema, created: z.boolean(), schedules: ScheduleReportViewSchema }),
  },
  {
    id: 'DeleteMilestone',
    method: 'DELETE',
    path: '/api/clusters/{clusterId}/plans/{planId}/milestones/{milestoneId}',
    fn: 'admin',
    access: 'write',
    summary: 'Xóa một mốc và lịch nhắc của nó',
    params: MilestoneParams,
    response: z.object({ schedules: ScheduleReportViewSchema }),
  },

  // Plan import: read a plan's text into proposed milestones, then create the plan once the admin has reviewed them.
  {
    id: 'PreviewPlanImport',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/import/preview',
    fn: 'import',
    access: 'write',
    summary: 'Đọc văn bản kế hoạch (dán vào, hoặc tệp .docx, .md, .txt) thành các mốc đề xuất để rà soát; không lưu gì',
    params: ClusterParams,
    body: PlanImportPreviewBodySchema,
    maxBodyBytes: PLAN_IMPORT_PREVIEW_MAX_BODY,
    changesNothing: true,
    response: z.object({ proposal: PlanImportProposalSchema }),
  },
  {
    id: 'ConfirmPlanImport',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/import',
    fn: 'admin',
    access: 'write',
    summary: 'Tạo kế hoạch từ các mốc đề xuất đã rà soát (không ghi đè kế hoạch đã có); lịch nhắc việc được tạo theo',
    params: ClusterParams,
    body: PlanImportProposalSchema,
    maxBodyBytes: PLAN_IMPORT_CONFIRM_MAX_BODY,
    status: 201,
    response: z.object({ plan: PlanSchema, milestones: z.array(MilestoneViewSchema), schedules: ScheduleReportViewSchema }),
  },

  // Calendar feed of a plan (subscribed in Google Calendar or Outlook by its secret URL).
  {
    id: 'IssueCalendarFeed',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/calendar-feed',
    fn: 'admin',
    access: 'write',
    summary: 'Lấy đường link lịch (iCalendar) của kế hoạch để thêm vào Google Calendar, Outlook (link bí mật, chỉ xem lịch)',
    params: PlanParams,
    response: CalendarFeedSchema,
  },
  {
    id: 'RevokeCalendarFeed',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/calendar-feed/revoke',
    fn: 'admin',
    access: 'write',
    summary: 'Thu hồi mọi đường link lịch đã cấp của kế hoạch (lịch đã thêm sẽ ngừng cập nhật)',
    params: PlanParams,
    response: z.object({ planId: PlanIdSchema, feedVersion: z.number().int() }),
  },

  // Status board and submissions.
  {
    id: 'GetBoard',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/board',
    fn: 'admin',
    access: 'read',
    summary: 'Bảng theo dõi: đơn vị x mốc, trạng thái từng ô, số lượng theo mốc và theo đơn vị',
    params: PlanParams,
    response: BoardSchema,
  },
  {
    id: 'ListSubmissions',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/submissions',
    fn: 'admin',
    access: 'read',
    summary: 'Mọi phiên bản tài liệu đã nhận, mới nhất trước',
    params: PlanParams,
    response: z.object({ submissions: z.array(SubmissionSchema) }),
  },
  {
    id: 'DownloadSubmission',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/units/{unitId}/submissions/{uploadId}/download',
    fn: 'admin',
    access: 'read',
    summary: 'Đường link tải một phiên bản (5 phút, giữ tên tệp gốc)',
    params: SubmissionParams,
    response: z.object({ url: z.string(), fileName: z.string(), expiresAt: z.string() }),
  },
  {
    id: 'GrantExtension',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/units/{unitId}/extensions',
    fn: 'admin',
    access: 'write',
    summary: 'Gia hạn nộp tài liệu của một mốc cho một đơn vị',
    params: PlanUnitParams,
    body: z.object({ milestoneId: MilestoneIdSchema, until: LocalDateSchema, reason: TextSchema.optional() }),
    status: 201,
    response: z.object({ extension: ExtensionSchema }),
  },

  // Reminders.
  {
    id: 'ListReminders',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/reminders',
    fn: 'admin',
    access: 'read',
    summary: 'Lịch nhắc việc: các lần nhắc sắp tới, lịch thiếu hoặc thừa, mốc chưa có ngày',
    params: PlanParams,
    response: ScheduleReportViewSchema,
  },
  {
    id: 'ReconcileReminders',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/reminders/reconcile',
    fn: 'admin',
    access: 'write',
    summary: 'Đồng bộ lại lịch nhắc việc với kế hoạch',
    params: PlanParams,
    response: ScheduleReportViewSchema,
  },
  {
    id: 'ListReminderSends',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/reminders/sent',
    fn: 'admin',
    access: 'read',
    summary: 'Nhắc việc đã gửi (cho ai, khi nào) và các địa chỉ bị trả lại',
    params: PlanParams,
    response: z.object({ sends: z.array(SendViewSchema), undeliverable: z.array(UndeliverableViewSchema) }),
  },
  {
    id: 'SendReminderNow',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/reminders/send-now',
    fn: 'admin',
    access: 'write',
    summary: 'Gửi ngay email nhắc việc của một mốc cho một đơn vị',
    params: PlanParams,
    body: z.object({ unitId: UnitIdSchema, milestoneId: MilestoneIdSchema }),
    status: 202,
    response: z.object({ sentTo: z.array(z.string()), subject: z.string() }),
  },

  // Audit log and API keys.
  {
    id: 'ListAudit',
    method: 'GET',
    path: '/api/clusters/{clusterId}/audit',
    fn: 'admin',
    access: 'read',
    summary: 'Nhật ký: mọi thao tác quản trị và mọi lần nộp tài liệu, mới nhất trước',
    params: ClusterParams,
    query: AuditFilterSchema.extend({
      cursor: z.string().max(400).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    response: z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().optional() }),
  },
  {
    id: 'ListApiKeys',
    method: 'GET',
    path: '/api/clusters/{clusterId}/api-keys',
    fn: 'admin',
    access: 'write',
    summary: 'Các khóa API của cụm (không bao giờ hiện lại khóa)',
    params: ClusterParams,
    response: z.object({ apiKeys: z.array(ApiKeyInfoSchema) }),
  },
  {
    id: 'CreateApiKey',
    method: 'POST',
    path: '/api/clusters/{clusterId}/api-keys',
    fn: 'admin',
    access: 'session-write',
    summary: 'Tạo khóa API cho chương trình (khóa chỉ hiện một lần, hệ thống chỉ lưu mã băm)',
    params: ClusterParams,
    body: z.object({ name: ApiKeyInfoSchema.shape.name }),
    status: 201,
    response: z.object({ key: z.string(), apiKey: ApiKeyInfoSchema }),
  },
  {
    id: 'RevokeApiKey',
    method: 'DELETE',
    path: '/api/clusters/{clusterId}/api-keys/{keyId}',
    fn: 'admin',
    access: 'session-write',
    summary: 'Thu hồi một khóa API (hết hiệu lực ngay)',
    params: ClusterParams.extend({ keyId: ApiKeyInfoSchema.shape.keyId }),
    response: z.object({ apiKey: ApiKeyInfoSchema }),
  },

  // Scoring (function: admin; the export has its own function: function: export).
  {
    id: 'GetScoring',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring',
    fn: 'admin',
    access: 'read',
    summary: 'Chấm điểm thi đua: thang điểm, bảng tự chấm, thẩm định, điểm trừ, xếp hạng và đề xuất khen thưởng',
    params: PlanParams,
    response: ScoringViewSchema,
  },
  {
    id: 'SaveScoringScheme',
    method: 'PUT',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/scheme',
    fn: 'admin',
    access: 'write',
    summary: 'Lưu thang điểm (sau khi mở tự chấm điểm: chỉ lưu thành phiên bản mới kèm lý do)',
    params: PlanParams,
    body: ScoringSchemeSchema,
    response: z.object({ scheme: ScoringSchemeSchema, created: z.boolean(), asNewVersion: z.boolean(), changes: z.array(z.string()), message: z.string() }),
  },
  {
    id: 'OpenSelfScoring',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/open',
    fn: 'admin',
    access: 'write',
    summary: 'Mở tự chấm điểm cho các đơn vị (từ hôm nay hoặc từ một ngày sau)',
    params: PlanParams,
    body: z.object({ from: LocalDateSchema.optional() }),
    response: z.object({ opensAt: z.string() }),
  },
  {
    id: 'SaveVerification',
    method: 'PUT',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/units/{unitId}/verification',
    fn: 'admin',
    access: 'write',
    summary: 'Thẩm định bảng tự chấm của một đơn vị: điểm thẩm định, nhận xét, điều chỉnh điểm trừ (ghi lý do)',
    params: PlanUnitParams,
    body: VerificationBodySchema,
    response: z.object({ version: z.number().int(), changes: z.array(z.string()) }),
  },
  {
    id: 'RecordRegistration',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/units/{unitId}/registration',
    fn: 'admin',
    access: 'write',
    summary: 'Ghi nhận đơn vị đã (hoặc chưa) đăng ký thi đua khi hồ sơ nộp không thể hiện được, kèm lý do',
    params: PlanUnitParams,
    body: z.object({ registered: z.boolean(), reason: z.string().max(1000) }),
    status: 201,
    response: z.object({ flag: RegistrationFlagSchema }),
  },
  {
    id: 'RecordBallots',
    method: 'PUT',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/ballots',
    fn: 'admin',
    access: 'write',
    summary: 'Ghi kết quả bỏ phiếu suy tôn (thay kết quả đã ghi trước đó)',
    params: PlanParams,
    body: VoteTallySchema,
    response: z.object({ tally: VoteTallySchema }),
  },
  {
    id: 'FreezeScores',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/freeze',
    fn: 'admin',
    access: 'write',
    summary: 'Chốt kết quả chấm điểm năm học (sau đó mọi thay đổi cần mở khóa)',
    params: PlanParams,
    body: z.object({ note: z.string().max(1000).optional() }),
    response: z.object({ lock: ResultsLockSchema }),
  },
  {
    id: 'UnlockScores',
    method: 'POST',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/unlock',
    fn: 'admin',
    access: 'write',
    summary: 'Mở khóa kết quả đã chốt (bắt buộc ghi lý do)',
    params: PlanParams,
    body: z.object({ reason: z.string().max(1000) }),
    response: z.object({ lock: ResultsLockSchema }),
  },
  {
    id: 'ExportScores',
    method: 'GET',
    path: '/api/clusters/{clusterId}/plans/{planId}/scoring/export',
    fn: 'export',
    access: 'read',
    summary: 'Tải Bảng tổng hợp kết quả chấm điểm thi đua (Excel .xlsx hoặc CSV)',
    params: PlanParams,
    query: z.object({ format: z.enum(['xlsx', 'csv'], { error: 'Định dạng phải là xlsx hoặc csv' }).default('xlsx') }),
    produces: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  },

  // The page and the API description (function: page).
  { id: 'AdminPage', method: 'GET', path: '/admin', fn: 'page', access: 'public', summary: 'Trang quản trị', produces: 'text/html' },
  { id: 'SignInPage', method: 'GET', path: '/admin/dang-nhap', fn: 'page', access: 'public', summary: 'Trang đăng nhập', produces: 'text/html' },
  {
    id: 'AdminAsset',
    method: 'GET',
    path: '/admin/assets/{file}',
    fn: 'page',
    access: 'public',
    summary: 'Tệp tĩnh của trang quản trị (tên có mã băm, lưu đệm lâu dài)',
    params: z.object({ file: z.string().max(100) }),
    produces: 'application/octet-stream',
  },
  {
    id: 'OpenApi',
    method: 'GET',
    path: '/api/openapi.json',
    fn: 'page',
    access: 'public',
    summary: 'Mô tả OpenAPI 3.1 của API này',
    produces: 'application/json',
  },
] as const satisfies readonly Endpoint[];

export type AdminEndpoint = (typeof adminEndpoints)[number];
export type EndpointId = AdminEndpoint['id'];
export type EndpointById<I extends EndpointId> = Extract<AdminEndpoint, { id: I }>;

export const endpointById = (id: EndpointId): AdminEndpoint => {
  const found = adminEndpoints.find((e) => e.id === id);
  if (!found) throw new Error(`Unknown endpoint ${id}`);
  return found;
};
