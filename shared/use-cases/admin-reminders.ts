/**
 * Nhắc việc for the cluster head: what the scheduled reminders sent to whom and when (with the addresses that
 * bounced), and "send now": one reminder email to one unit for one milestone, outside the schedules.
 *
 * "Send now" composes with the same code as a fired schedule ({@link composeEmails}) but never touches the send
 * ledger: the ledger's SEND# keys mean "this scheduled reminder went out", and claiming one here would stop the
 * scheduled email to that unit. The audit log records it instead (action `reminder.send-now`).
 */
import { CLUSTER_TAG, type Undeliverable } from '../domain/bounces';
import { correlationTags } from '../domain/correlation';
import { isLate } from '../domain/deadlines';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { selectUnits, type Milestone, type Unit } from '../domain/model';
import type { ReminderKind } from '../domain/reminders';
import { effectiveDeadline, requiresDocumentFrom } from '../domain/submission';
import { addDays, formatDateVi, formatInstantVi, ictDateOf } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { LinkKeyStore } from '../ports/link-keys';
import type { Mailer } from '../ports/mailer';
import type { Repositories } from '../ports/repositories';
import type { SendRecord } from '../ports/send-log';
import { signUnitLink } from './links';
import { composeEmails } from './reminders';

/** Who a send went to, as the page shows it ("digest" is the cluster head's summary, not a unit). */
export const DIGEST_RECIPIENT_NAME = 'Cụm trưởng (bản tổng hợp)';
export const SEND_STATUS_LABELS: Record<SendRecord['status'], string> = { sent: 'Đã gửi', claimed: 'Đang gửi (chưa xác nhận)' };

export interface SendView {
  milestoneId: string;
  milestoneTitle?: string;
  kind: ReminderKind;
  offset: number;
  /** A unit id, or "digest". */
  recipient: string;
  recipientName: string;
  status: SendRecord['status'];
  statusLabel: string;
  /** When it was sent (or claimed, while not confirmed). */
  at: string;
  atLabel: string;
}

export type UndeliverableView = Undeliverable & { atLabel: string; unitNames: string[] };

export interface ReminderSendsView {
  sends: SendView[];
  undeliverable: UndeliverableView[];
}

/**
 * Every reminder send of a plan, newest first, and the cluster's undeliverable addresses with the units that use
 * them: five reads (plan, milestones, units, the plan's SEND# items, the cluster's bounces) whatever the counts.
 */
export async function listReminderSends(
  repos: Pick<Repositories, 'plans' | 'units' | 'sends' | 'undeliverable'>,
  clusterId: string,
  planId: string,
): Promise<ReminderSendsView> {
  const [plan, milestones, units, sends, undeliverable] = await Promise.all([
    repos.plans.getPlan(clusterId, planId),
    repos.plans.listMilestones(clusterId, planId),
    repos.units.list(clusterId),
    repos.sends.listPlanSends(clusterId, planId),
    repos.undeliverable.list(clusterId),
  ]);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  const unitName = new Map(units.map((u) => [u.unitId, u.name]));
  const title = new Map(milestones.map((m) => [m.milestoneId, m.title]));
  const views = sends.map((s): SendView => {
    const at = s.sentAt ?? s.claimedAt;
    const milestoneTitle = title.get(s.ref.milestoneId);
    return {
      milestoneId: s.ref.milestoneId,
      ...(milestoneTitle ? { milestoneTitle } : {}),
      kind: s.ref.kind,
      offset: s.ref.offset,
      recipient: s.ref.recipient,
      recipientName: s.ref.recipient === 'digest' ? DIGEST_RECIPIENT_NAME : (unitName.get(s.ref.recipient) ?? s.ref.recipient),
      status: s.status,
      statusLabel: SEND_STATUS_LABELS[s.status],
      at,
      atLabel: formatInstantVi(new Date(at)),
    };
  });
  views.sort((a, b) => b.at.localeCompare(a.at) || a.milestoneId.localeCompare(b.milestoneId) || a.recipientName.localeCompare(b.recipientName, 'vi'));
  return {
    sends: views,
    undeliverable: undeliverable
      .map((u) => ({ ...u, atLabel: formatInstantVi(new Date(u.at)), unitNames: units.filter((unit) => unit.emails.includes(u.email)).map((unit) => unit.name) }))
      .sort((a, b) => b.at.localeCompare(a.at)),
  };
}

export interface SendNowDeps {
  repos: Pick<Repositories, 'uploads' | 'undeliverable'>;
  mailer: Mailer;
  linkKeys: LinkKeyStore;
  clock: Clock;
  baseUrl: string;
}

export interface SendNowResult {
  sentTo: string[];
  subject: string;
  /** The unit's addresses left out because they bounced. */
  skipped: string[];
  unit: Unit;
  milestone: Milestone;
  kind: 'reminder' | 'overdue';
}

/**
 * Emails one unit the reminder of one milestone now: the document reminder (or the overdue notice once its deadline
 * has passed) while it still owes the document, or the event reminder with its own tasks. Refuses what would be a
 * wrong email: a milestone that asks nothing of the unit (400), a document already sent, uploads already closed, an
 * event already past, or no deliverable address left (409). Three reads, one SES call, no ledger write. The email is
 * tagged with the request's `correlationId`.
 */
export async function sendReminderNow(
  deps: SendNowDeps,
  request: { clusterId: string; planId: string; unitId: string; milestoneId: string; correlationId?: string },
): Promise<SendNowResult> {
  const { clusterId, planId, unitId, milestoneId } = request;
  const [ctx, items, undeliverable] = await Promise.all([
    deps.repos.uploads.getLinkContext({ clusterId, planId, unitId, milestoneId }),
    deps.repos.uploads.listUnitItems(clusterId, planId, unitId),
    deps.repos.undeliverable.list(clusterId),
  ]);
  const { cluster, plan, unit, milestone, extension } = ctx;
  if (!cluster || !unit) throw new NotFoundError(`Không tìm thấy đơn vị "${unitId}" trong cụm "${clusterId}".`);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  if (!milestone) throw new NotFoundError(`Không tìm thấy mốc "${milestoneId}" trong kế hoạch ${planId}.`);
  if (!unit.active) throw new ValidationError(`${unit.name} đã ngừng hoạt động, không gửi nhắc việc.`);

  const now = deps.clock.now();
  const submissions = items.submissions.filter((s) => s.milestoneId === milestoneId);
  let kind: 'reminder' | 'overdue' = 'reminder';
  if (milestone.document) {
    if (!requiresDocumentFrom(milestone, unit)) {
      throw new ValidationError(`Mốc "${milestone.title}" không yêu cầu ${unit.name} nộp tài liệu, không có gì để nhắc.`);
    }
    const first = submissions.filter((s) => s.outcome === 'accepted').sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))[0];
    if (first) {
      throw new ConflictError(`${unit.name} đã nộp tài liệu của mốc "${milestone.title}" lúc ${formatInstantVi(new Date(first.receivedAt))}, không cần nhắc.`);
    }
    const effective = effectiveDeadline(milestone, plan, extension);
    if (effective.cutoffAt && now.getTime() >= effective.cutoffAt.getTime()) {
      const lastDay = ictDateOf(new Date(effective.cutoffAt.getTime() - 1));
      throw new ConflictError(
        `Mốc "${milestone.title}" đã khóa nhận tài liệu (sau ngày ${formatDateVi(lastDay)}), ${unit.name} không nộp được nữa. Hãy gia hạn cho đơn vị trước khi nhắc.`,
      );
    }
    kind = isLate(now, effective.deadline) ? 'overdue' : 'reminder';
  } else {
    const assigned = milestone.assignments.some((a) => selectUnits(a.who, [unit]).length === 1);
    if (!assigned) throw new ValidationError(`Mốc "${milestone.title}" không giao việc cho ${unit.name}, không có gì để nhắc.`);
    if (milestone.due.type !== 'date') throw new ValidationError(`Mốc "${milestone.title}" chưa có ngày cụ thể, chưa thể nhắc.`);
    if (addDays(milestone.due.date, 1) <= ictDateOf(now)) {
      throw new ConflictError(`Mốc "${milestone.title}" đã diễn ra ngày ${formatDateVi(milestone.due.date)}, không còn gì để nhắc.`);
    }
  }

  const [key] = await deps.linkKeys.keys();
  if (!key) throw new Error('No link signing key configured');
  const composed = composeEmails({
    event: { clusterId, planId, milestoneId, kind, offset: 0 },
    cluster,
    plan,
    milestone,
    units: [unit],
    submissions,
    extensions: extension ? [extension] : [],
    undeliverable,
    now,
    link: (u) => signUnitLink({ unit: u, plan, key, baseUrl: deps.baseUrl }).url,
  }).find((o) => o.recipient === unit.unitId);
  if (!composed) throw new ValidationError(`Không có email nhắc việc nào của mốc "${milestone.title}" cho ${unit.name}.`);

  const bad = new Set(undeliverable.map((u) => u.email));
  const sentTo = composed.email.to.filter((address) => !bad.has(address));
  const skipped = composed.email.to.filter((address) => bad.has(address));
  if (sentTo.length === 0) {
    throw new ConflictError(`Mọi địa chỉ email của ${unit.name} đều bị trả lại (${skipped.join(', ')}). Hãy sửa email của đơn vị rồi gửi lại.`);
  }
  await deps.mailer.send({ ...composed.email, to: sentTo, tags: { [CLUSTER_TAG]: clusterId, ...correlationTags(request.correlationId) } });
  return { sentTo, subject: composed.email.subject, skipped, unit, milestone, kind };
}
