/**
 * Records a file that arrived in the bucket (S3 object-created event): re-checks its real size and type, marks it on
 * time or late, records it once, and emails the receipt.
 *
 * Order matters for "nothing lost, nothing twice": inspect -> record (conditional on the upload id) -> move a
 * rejected file to quarantine -> audit entry (keyed by the upload id) -> claim the receipt -> email -> mark the
 * receipt sent. A redelivered event finds the record and only finishes what is unfinished (a pending move, audit
 * entry or receipt), so a crash at any step is repaired by Lambda's retry, and a redelivery overtaking a delivery
 * that is emailing leaves the receipt to it. One window stays open (test/integration/fault-drills.test.ts, drill 7):
 * a crash after SES took the receipt, before the mark, has the retry send the receipt a second time.
 */
import { CLUSTER_TAG } from '../domain/bounces';
import { correlationTags } from '../domain/correlation';
import { describeDue, isLate } from '../domain/deadlines';
import { checkDeclaredType } from '../domain/file-check';
import type { Milestone, Plan, Unit, Cluster } from '../domain/model';
import {
  QUARANTINE_PREFIX,
  UPLOAD_PREFIX,
  effectiveDeadline,
  formatBytesVi,
  parseUploadObjectKey,
  type Submission,
} from '../domain/submission';
import { formatInstantVi } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { FileStore } from '../ports/files';
import type { Mailer } from '../ports/mailer';
import type { Repositories } from '../ports/repositories';
import { renderHeadUploadNotice, renderUnitUploadEmail, type UploadEmailView } from '../views/emails';

export interface RecordDeps {
  repos: Pick<Repositories, 'units' | 'uploads' | 'audit'>;
  files: FileStore;
  mailer: Mailer;
  clock: Clock;
  log: {
    warn(message: string, fields?: Record<string, unknown>): void;
    info(message: string, fields?: Record<string, unknown>): void;
    /** From now on, this invocation's log lines carry `id` (the upload request's, read from its intent). */
    setCorrelationId?(id: string): void;
  };
}

/** Enough of the file to tell its real type (OOXML and ODF need their first zip entries). */
export const INSPECT_HEAD_BYTES = 1024 * 1024;

export type RecordOutcome =
  | { outcome: 'recorded'; submission: Submission }
  | { outcome: 'quarantined'; submission: Submission }
  | { outcome: 'duplicate'; submission: Submission }
  | { outcome: 'ignored'; reason: string };

export const quarantineKeyFor = (objectKey: string): string => QUARANTINE_PREFIX + objectKey.slice(UPLOAD_PREFIX.length);

/**
 * Records one object-created event. `correlationId` is the delivery's own id: the upload request's id, kept on its
 * intent, replaces it as soon as the intent is read, for the log lines and the emails' tag.
 */
export async function recordUpload(deps: RecordDeps, event: { objectKey: string; receivedAt: Date; correlationId?: string }): Promise<RecordOutcome> {
  const ref = parseUploadObjectKey(event.objectKey);
  if (!ref) return { outcome: 'ignored', reason: 'not an upload key' };
  const ctx = await deps.repos.uploads.getLinkContext(ref);
  if (ctx.intent?.correlationId) deps.log.setCorrelationId?.(ctx.intent.correlationId);
  const correlationId = ctx.intent?.correlationId ?? event.correlationId;
  const { cluster, unit, plan, milestone } = ctx;
  if (!cluster || !unit || !plan || !milestone) return { outcome: 'ignored', reason: 'unknown cluster, unit, plan or milestone' };
  const context: Context = { cluster, unit, plan, milestone, correlationId };

  if (ctx.submission) {
    await finish(deps, ctx.submission, context);
    return { outcome: 'duplicate', submission: ctx.submission };
  }
  const intent = ctx.intent;
  if (!intent) {
    // Not issued by us (or issued more than a day ago): keep the bytes aside, record nothing a unit did not ask for.
    deps.log.warn('upload without intent moved to quarantine', { objectKey: event.objectKey });
    await deps.files.move(event.objectKey, quarantineKeyFor(event.objectKey));
    return { outcome: 'ignored', reason: 'no upload intent' };
  }

  const inspected = await deps.files.inspect(event.objectKey, { headBytes: INSPECT_HEAD_BYTES });
  if (!inspected) return { outcome: 'ignored', reason: 'object no longer exists' };

  let rejectReason: string | undefined;
  if (inspected.size > intent.maxBytes) {
    rejectReason = `Tệp quá lớn (${formatBytesVi(inspected.size)}); giới hạn là ${formatBytesVi(intent.maxBytes)}.`;
  } else {
    const check = await checkDeclaredType(intent.contentType, inspected.head, inspected.size);
    if (!check.ok) rejectReason = check.reason;
  }
  const deadline = effectiveDeadline(milestone, plan, ctx.extension).deadline;
  const submission: Submission = {
    clusterId: ref.clusterId,
    planId: ref.planId,
    milestoneId: ref.milestoneId,
    unitId: ref.unitId,
    uploadId: ref.uploadId,
    objectKey: rejectReason ? quarantineKeyFor(event.objectKey) : event.objectKey,
    fileName: intent.fileName,
    contentType: intent.contentType,
    size: inspected.size,
    sha256: inspected.sha256,
    receivedAt: event.receivedAt.toISOString(),
    late: isLate(event.receivedAt, deadline),
    outcome: rejectReason ? 'quarantined' : 'accepted',
    ...(rejectReason ? { rejectReason } : {}),
    receipt: 'pending',
  };
  if ((await deps.repos.uploads.recordSubmission(submission)) === 'exists') {
    // A concurrent delivery of the same event won the race; it writes the audit entry and sends the receipt.
    return { outcome: 'duplicate', submission };
  }
  await finish(deps, submission, context);
  deps.log.info('upload recorded', { outcome: submission.outcome, late: submission.late, size: submission.size });
  return { outcome: rejectReason ? 'quarantined' : 'recorded', submission };
}

interface Context {
  cluster: Cluster;
  unit: Unit;
  plan: Plan;
  milestone: Milestone;
  /** Tagged on the receipt and the head's notice. */
  correlationId?: string;
}

/**
 * How long a receipt claim holds off other deliveries of the event. Longer than the recorder may live after taking
 * it: the claim is taken after its invocation began, and the invocation is killed at OBJECT_CREATED_HANDLER_SIZING's
 * timeout (infra/constructs/uploads.ts, 30 s), so past this window its holder is dead or done. Shorter than Lambda's
 * first retry takes to come after a failed attempt (one minute, counted from the failure, which is after the
 * claim): the retry of a delivery that died holding the claim finds it stale and sends the receipt. 45 s leaves 15 s
 * of margin on each side; test/integration/fault-drills.test.ts holds the constant between the two.
 */
export const RECEIPT_STALE_CLAIM_MS = 45_000;

/**
 * The steps after recording, each safe to repeat: quarantine move, audit entry, receipt, cluster head's notice.
 *
 * The receipt is claimed before it is sent, so of two deliveries of the event only one emails; the one that cannot
 * claim it (already sent, or being sent) does nothing more. The head's notice goes with the receipt, sent by the
 * delivery that holds the claim, right after the receipt: so it, too, goes out once.
 */
async function finish(deps: RecordDeps, submission: Submission, ctx: Context): Promise<void> {
  if (submission.outcome === 'quarantined') {
    await deps.files.move(quarantineSource(submission), submission.objectKey);
  }
  // The entry is appended before the receipt is claimed, so a receipt marked sent means the entry is there.
  if (submission.receipt === 'sent') return;
  await appendAudit(deps, submission, ctx);
  if (!(await deps.repos.uploads.claimReceipt(submission, deps.clock.now(), RECEIPT_STALE_CLAIM_MS))) {
    deps.log.info('receipt left to the delivery sending it', { uploadId: submission.uploadId });
    return;
  }
  const view = emailView(submission, ctx);
  const tags = { [CLUSTER_TAG]: ctx.cluster.clusterId, ...correlationTags(ctx.correlationId) };
  await sendReceipt(deps, submission, { to: ctx.unit.emails, ...renderUnitUploadEmail(view), tags, ...(ctx.plan.contact?.email ? { replyTo: [ctx.plan.contact.email] } : {}) });
  try {
    await deps.repos.uploads.markReceiptSent(submission);
  } catch (error) {
    // The receipt went out: failing the invocation now would have the retry send it a second time. The record
    // stays 'pending' and claimed (only a duplicate of this event arriving after the claim went stale resends it).
    deps.log.warn('receipt sent but not marked', { uploadId: submission.uploadId, error: error instanceof Error ? error.message : String(error) });
  }
  if (submission.outcome !== 'accepted') return;
  // The head's notice is a courtesy: a failure is logged, never retried into a second receipt for the unit.
  try {
    const heads = (await deps.repos.units.list(ctx.unit.clusterId)).filter((u) => u.role === 'cum-truong');
    const to = [...new Set([...heads.flatMap((u) => u.emails), ...(ctx.plan.contact?.email ? [ctx.plan.contact.email] : [])])];
    if (to.length > 0) await deps.mailer.send({ to, ...renderHeadUploadNotice(view), tags });
  } catch (error) {
    deps.log.warn('cluster head notice failed', { error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Sends the claimed receipt. When SES refuses it, the claim is released and the error thrown, so that Lambda's retry
 * claims and sends it (a release that fails too leaves the claim to go stale by the time the retry comes).
 */
async function sendReceipt(deps: RecordDeps, submission: Submission, email: Parameters<Mailer['send']>[0]): Promise<void> {
  try {
    await deps.mailer.send(email);
  } catch (error) {
    await deps.repos.uploads.releaseReceipt(submission).catch((releaseError: unknown) =>
      deps.log.warn('receipt claim not released', { uploadId: submission.uploadId, error: releaseError instanceof Error ? releaseError.message : String(releaseError) }),
    );
    throw error;
  }
}

/** An audit summary is one sentence of at most 1000 characters; milestone titles may be long. */
const clip = (text: string, max = 1000): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * Nhật ký: one entry per recorded upload, keyed by the upload (its id, at the time S3 received the file), so every
 * delivery of the event may append it and the log holds it once. A failed append fails the invocation, before the
 * receipt is claimed: Lambda's retry finds the record and appends it again.
 */
async function appendAudit(deps: RecordDeps, s: Submission, ctx: Context): Promise<void> {
  const timing = s.late ? 'muộn' : 'đúng hạn';
  const summary =
    s.outcome === 'accepted'
      ? `${ctx.unit.name} nộp "${s.fileName}" cho mốc "${ctx.milestone.title}" (${timing}).`
      : `${ctx.unit.name} nộp "${s.fileName}" cho mốc "${ctx.milestone.title}" (${timing}); tệp bị cách ly: ${(s.rejectReason ?? 'không đạt kiểm tra').replace(/\.?$/, '.')}`;
  await deps.repos.audit.append(
    {
      clusterId: s.clusterId,
      actor: { type: 'unit', id: s.unitId },
      action: s.outcome === 'accepted' ? 'upload.recorded' : 'upload.quarantined',
      target: `milestone:${s.milestoneId}`,
      summary: clip(summary),
    },
    { entryId: s.uploadId, at: new Date(s.receivedAt) },
  );
}

function quarantineSource(submission: Submission): string {
  return UPLOAD_PREFIX + submission.objectKey.slice(QUARANTINE_PREFIX.length);
}

function emailView(s: Submission, ctx: Context): UploadEmailView {
  return {
    clusterName: ctx.cluster.name,
    unitName: ctx.unit.name,
    milestoneTitle: ctx.milestone.title,
    documentTitle: ctx.milestone.document?.title ?? ctx.milestone.title,
    fileName: s.fileName,
    sizeLabel: formatBytesVi(s.size),
    sizeBytes: s.size,
    sha256: s.sha256,
    receivedAtLabel: formatInstantVi(new Date(s.receivedAt)),
    late: s.late,
    dueLabel: describeDue(ctx.milestone, ctx.plan),
    outcome: s.outcome,
    ...(s.rejectReason ? { rejectReason: s.rejectReason } : {}),
    ...(ctx.plan.contact ? { contact: ctx.plan.contact } : {}),
  };
}
