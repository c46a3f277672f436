/**
 * Every HTTP route and event handler, with the Lambda handler behind it and what it may touch. One list drives both
 * the CDK app (one function per entry, permissions from these fields) and the local stack, so what runs locally is
 * what deploys.
 */
import { adminEndpoints, type EndpointFunction } from '../shared/http/admin-api';

/** What a function may do in the uploads bucket. */
export type BucketAccess =
  /** Sign presigned POST forms for uploads/ (the signature carries the function's s3:PutObject right). */
  | 'upload'
  /** Sign download links for uploads/ and quarantine/. */
  | 'download'
  /** Read uploads/, move rejected files to quarantine/ (copy + delete). */
  | 'record';

export interface FunctionAccess {
  /** What the function needs from the table. @default - no table (not even its name) */
  readonly tableAccess?: 'read' | 'readWrite';
  /** @default - no bucket access (the bucket name may still be passed for building URLs) */
  readonly bucketAccess?: BucketAccess;
  /** Needs the uploads bucket's name and location, without any permission on it (to build upload URLs). @default false */
  readonly bucketName?: boolean;
  /** Reads the link-signing secret. @default false */
  readonly linkSecret?: boolean;
  /** Sends email through SES. @default false */
  readonly sendsEmail?: boolean;
  /** Builds links for people (PUBLIC_BASE_URL, the app's origin). @default false */
  readonly publicBaseUrl?: boolean;
  /**
   * Reminder schedules in the project's schedule group: 'read' lists them; 'manage' also creates and deletes them
   * (and passes the scheduler role). @default - none
   */
  readonly schedules?: 'read' | 'manage';
  /**
   * Longest run, in seconds, for functions that do several slow things in one request (re-syncing a plan's schedules
   * one by one). API Gateway stops waiting at 30 s. @default 10
   */
  readonly timeoutSeconds?: number;
  /** The reminder queue: 'send' enqueues (REMINDER_QUEUE_URL); 'consume' is its single bounded consumer. @default - none */
  readonly reminderQueue?: 'send' | 'consume';
}

export interface HttpRoute extends FunctionAccess {
  /** Stable PascalCase id, used for the CDK construct and the function name. */
  readonly id: string;
  /**
   * Routes with the same function id share one function (and must declare the same entry and access).
   * @default - the route's own id
   */
  readonly functionId?: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway HTTP API route path, with {param} placeholders. */
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
}

/** What each admin function may touch (see functions/admin/*.ts). */
const ADMIN_FUNCTIONS: Record<EndpointFunction, { functionId: string; entry: string } & FunctionAccess> = {
  // Sign-in: grants, tokens, sessions, rate counters; emails the link.
  auth: { functionId: 'AdminAuth', entry: 'functions/admin/auth.ts', tableAccess: 'readWrite', sendsEmail: true, publicBaseUrl: true },
  // Everything the cluster head does.
  admin: {
    functionId: 'AdminApi',
    entry: 'functions/admin/api.ts',
    tableAccess: 'readWrite',
    bucketAccess: 'download',
    linkSecret: true,
    sendsEmail: true,
    publicBaseUrl: true,
    schedules: 'manage',
    // Saving or cloning a plan re-syncs its schedules (one Scheduler call each, up to ~60 for a year).
    timeoutSeconds: 29,
  },
  // The scores export (Excel, CSV): reads only; its own function so the spreadsheet library weighs on no other.
  export: { functionId: 'AdminExport', entry: 'functions/admin/export.ts', tableAccess: 'read' },
  // The plan import preview: reads the cluster only; its own function so the Word reader (mammoth) weighs on no
  // other, and the code that parses an uploaded file cannot write anything.
  import: { functionId: 'AdminImport', entry: 'functions/admin/import.ts', tableAccess: 'read' },
  // The page shell, its assets and the OpenAPI document: no data, no rights.
  page: { functionId: 'AdminPage', entry: 'functions/admin/page.ts' },
};

/** The MemberPage function (functions/member/page-and-calendars.ts): what a link's read-only routes need. */
const MEMBER_READ_FUNCTION = {
  entry: 'functions/member/page-and-calendars.ts',
  tableAccess: 'read',
  // The upload origin, for the page's CSP.
  bucketName: true,
  linkSecret: true,
  // The feeds write the unit's page link and the admin page's address into their events.
  publicBaseUrl: true,
} as const satisfies Omit<HttpRoute, 'id' | 'method' | 'path'>;

export const httpRoutes: readonly HttpRoute[] = [
  ...adminEndpoints.map((e): HttpRoute => ({ id: e.id, method: e.method, path: e.path, ...ADMIN_FUNCTIONS[e.fn] })),
  // The read-only routes of a link share one function: the unit's page, its calendar feed, and a cluster's calendar
  // feed (its feed link is issued on the admin page).
  { id: 'MemberPage', method: 'GET', path: '/u/{token}', ...MEMBER_READ_FUNCTION },
  { id: 'UnitCalendar', functionId: 'MemberPage', method: 'GET', path: '/u/{token}/calendar.ics', ...MEMBER_READ_FUNCTION },
  { id: 'ClusterCalendar', functionId: 'MemberPage', method: 'GET', path: '/cal/{token}/calendar.ics', ...MEMBER_READ_FUNCTION },
  {
    id: 'SelfScorePage',
    method: 'GET',
    path: '/u/{token}/self-score',
    entry: 'functions/member/self-score-page.ts',
    tableAccess: 'read',
    linkSecret: true,
  },
  {
    // The printable copy for signature: same function and rights as the form.
    id: 'SelfScorePrint',
    functionId: 'SelfScorePage',
    method: 'GET',
    path: '/u/{token}/self-score/print',
    entry: 'functions/member/self-score-page.ts',
    tableAccess: 'read',
    linkSecret: true,
  },
  {
    id: 'SaveSelfScore',
    method: 'PUT',
    path: '/u/{token}/self-score',
    entry: 'functions/member/save-self-score.ts',
    tableAccess: 'readWrite',
    linkSecret: true,
  },
  {
    id: 'CreateUpload',
    method: 'POST',
    path: '/u/{token}/uploads',
    entry: 'functions/member/create-upload.ts',
    tableAccess: 'readWrite',
    bucketAccess: 'upload',
    linkSecret: true,
  },
  {
    id: 'GetUploadState',
    method: 'GET',
    path: '/u/{token}/uploads/{uploadId}',
    entry: 'functions/member/get-upload-state.ts',
    tableAccess: 'read',
    bucketName: true,
    linkSecret: true,
  },
];

/** Handlers of S3 object-created events in the uploads bucket. */
export interface ObjectCreatedHandler extends FunctionAccess {
  readonly id: string;
  readonly entry: string;
  /** Only keys under this prefix trigger the handler. */
  readonly prefix: string;
}

export const objectCreatedHandlers: readonly ObjectCreatedHandler[] = [
  {
    id: 'RecordUpload',
    entry: 'functions/uploads/record-upload.ts',
    prefix: 'uploads/',
    tableAccess: 'readWrite',
    bucketAccess: 'record',
    sendsEmail: true,
  },
];

/** A function triggered by something other than HTTP (a schedule, a topic). */
export interface EventHandler extends FunctionAccess {
  readonly id: string;
  readonly entry: string;
}

/** The target of every reminder schedule (EventBridge Scheduler invokes it with a ReminderEvent as input). */
export type ScheduledHandler = EventHandler;

export const reminderHandler: ScheduledHandler = {
  id: 'SendReminders',
  entry: 'functions/reminders/send-reminders.ts',
  tableAccess: 'readWrite',
  linkSecret: true,
  sendsEmail: true,
  publicBaseUrl: true,
  reminderQueue: 'send',
};

/**
 * The reminder queue's consumer: at most 2 copies (the event source's maximum concurrency), each pacing at
 * MAX_SEND_RATE / SENDER_CONCURRENCY, so large runs (a whole province at 08:00) still respect the SES rate.
 */
export const reminderSender: EventHandler = {
  id: 'SendQueuedReminders',
  entry: 'functions/reminders/send-queued.ts',
  tableAccess: 'readWrite',
  sendsEmail: true,
  reminderQueue: 'consume',
};

/** Subscribed to the SNS topic of SES bounce and complaint events. */
export const mailEventHandler: EventHandler = {
  id: 'RecordMailEvent',
  entry: 'functions/mail/record-mail-event.ts',
  tableAccess: 'readWrite',
};
