/**
 * Reminders: keep the live schedules equal to what the plan needs, and, when one fires, decide then whom to email.
 *
 * Recipients are chosen at fire time from the submissions as they are at that moment (an upload the evening before
 * means no reminder in the morning). Each (milestone, kind, offset, recipient) is claimed in the send log before
 * SES is called and marked sent after, so retries, duplicate invocations and a crash mid-batch neither send twice
 * nor skip anyone (a crash between SES accepting and the mark is the one window where a retry would resend, after
 * the claim goes stale).
 */
import { describeDue, describeDueShort, isLate } from '../domain/deadlines';
import { NotFoundError } from '../domain/errors';
import { RECIPIENT_LABELS, selectUnits, type Cluster, type Milestone, type Plan, type Unit } from '../domain/model';
import { milestonesWithoutDay, planSchedulePrefix, planSchedules, type PlannedSchedule, type ReminderEvent } from '../domain/reminders';
import { effectiveDeadline, type Extension, type Submission } from '../domain/submission';
import { daysBetween, formatDateVi, formatInstantVi, ictDateOf } from '../domain/time';
import type { Clock } from '../ports/clock';
import type { LinkKeyStore } from '../ports/link-keys';
import type { Mailer, OutgoingEmail } from '../ports/mailer';
import type { Repositories } from '../ports/repositories';
import type { ScheduleStore } from '../ports/scheduler';
import { renderDigest, renderDocumentReminder, renderEventReminder } from '../views/reminder-emails';
import type { ContactView } from '../views/reminder-emails-model';
import { CLUSTER_TAG, type Undeliverable } from '../domain/bounces';
import { correlationTags } from '../domain/correlation';
import { signUnitLink } from './links';
import type { QueuedEmail, ReminderQueue } from '../ports/reminder-queue';

// ---------------------------------------------------------------------------------------------------------------
// Schedules

export interface ScheduleDeps {
  repos: Pick<Repositories, 'plans'>;
  schedules: ScheduleStore;
  clock: Clock;
}

export interface ScheduleReport {
  planned: PlannedSchedule[];
  /** Planned but not live. */
  missing: PlannedSchedule[];
  /** Live but no longer planned (a milestone moved or was deleted). */
  extra: string[];
  /** Milestones that need a day before they get reminders ("dự kiến tháng 12/2021"). */
  withoutDay: Array<{ milestoneId: string; title: string; dueText?: string }>;
  /** What a repair did. */
  created: number;
  deleted: number;
}

/**
 * Compares the plan's schedules with the live ones (one List call) and, unless `dryRun`, creates the missing and
 * deletes the extra. Running it twice changes nothing the second time.
 */
export async function reconcileSchedules(deps: ScheduleDeps, clusterId: string, planId: string, options: { dryRun?: boolean } = {}): Promise<ScheduleReport> {
  const [plan, milestones] = await Promise.all([deps.repos.plans.getPlan(clusterId, planId), deps.repos.plans.listMilestones(clusterId, planId)]);
  if (!plan) throw new NotFoundError(`Không tìm thấy kế hoạch năm học ${planId} của cụm "${clusterId}".`);
  const planned = planSchedules(plan, milestones, deps.clock.now());
  const live = new Set(await deps.schedules.listNames(planSchedulePrefix(clusterId, planId)));
  const wanted = new Set(planned.map((s) => s.name));
  const missing = planned.filter((s) => !live.has(s.name));
  const extra = [...live].filter((name) => !wanted.has(name)).sort();
  let created = 0;
  let deleted = 0;
  if (!options.dryRun) {
    for (const s of missing) if ((await deps.schedules.create(s)) === 'created') created++;
    for (const name of extra) if ((await deps.schedules.delete(name)) === 'deleted') deleted++;
  }
  return {
    planned,
    missing,
    extra,
    withoutDay: milestonesWithoutDay(milestones).map((m) => ({ milestoneId: m.milestoneId, title: m.title, ...(m.dueText ? { dueText: m.dueText } : {}) })),
    created,
    deleted,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Firing

export interface ReminderDeps {
  repos: Pick<Repositories, 'clusters' | 'plans' | 'units' | 'uploads' | 'sends' | 'undeliverable'>;
  mailer: Mailer;
  linkKeys: LinkKeyStore;
  clock: Clock;
  baseUrl: string;
  /** Emails per second at most. */
  maxSendRate: number;
  /** Waits between sends (injected so tests do not wait). */
  sleep: (ms: number) => Promise<void>;
  /**
   * When set, a run with more than `fanOutThreshold` emails hands them to this queue, whose single consumer sends
   * them at the rate; smaller runs send directly.
   */
  queue?: ReminderQueue;
  fanOutThreshold?: number;
}

export type SenderDeps = Pick<ReminderDeps, 'repos' | 'mailer' | 'clock' | 'maxSendRate' | 'sleep'>;

/** A claim older than this belongs to a run that died (the reminder function times out well before). */
export const STALE_CLAIM_MS = 15 * 60 * 1000;

export interface ReminderRun {
  event: ReminderEvent;
  /** Recipients chosen at fire time (unit ids, or "digest"). */
  recipients: string[];
  sent: string[];
  /** Already sent by an earlier run (a retry or a duplicate invocation). */
  alreadySent: string[];
  /** Would have been emailed, but every address of theirs is undeliverable. */
  unreachable: string[];
  /** Handed to the queue for the bounded sender (large runs). */
  queued: number;
}

interface Outgoing {
  recipient: string;
  email: OutgoingEmail;
}

const contactOf = (plan: Plan): ContactView | undefined => plan.contact && { ...plan.contact };

/**
 * Runs one fired schedule: picks the recipients now, then sends each email at most once, at the configured rate.
 * Every email is tagged with the run's `correlationId`; queued, the tag travels in the message to the sender.
 */
export async function runReminder(deps: ReminderDeps, event: ReminderEvent, options: { correlationId?: string } = {}): Promise<ReminderRun> {
  const { clusterId, planId, milestoneId } = event;
  const [cluster, plan, milestone, units, items, undeliverable] = await Promise.all([
    deps.repos.clusters.get(clusterId),
    deps.repos.plans.getPlan(clusterId, planId),
    deps.repos.plans.getMilestone(clusterId, planId, milestoneId),
    deps.repos.units.list(clusterId),
    deps.repos.uploads.listMilestoneItems(clusterId, planId, milestoneId),
    deps.repos.undeliverable.list(clusterId),
  ]);
  if (!cluster || !plan || !milestone) {
    // The milestone was deleted after its schedule was made: nothing to remind.
    return { event, recipients: [], sent: [], alreadySent: [], unreachable: [], queued: 0 };
  }
  const now = deps.clock.now();
  const [key] = await deps.linkKeys.keys();
  if (!key) throw new Error('No link signing key configured');
  const composed = composeEmails({
    event,
    cluster,
    plan,
    milestone,
    units,
    ...items,
    undeliverable,
    now,
    link: (unit) => signUnitLink({ unit, plan, key, baseUrl: deps.baseUrl }).url,
  });
  // Addresses known to bounce are dropped; a unit left with none is reported, not emailed.
  const bad = new Set(undeliverable.map((u) => u.email));
  const tags = { [CLUSTER_TAG]: clusterId, ...correlationTags(options.correlationId) };
  const outgoing = composed
    .map((o) => ({ ...o, email: { ...o.email, to: o.email.to.filter((address) => !bad.has(address)), tags } }))
    .filter((o) => o.email.to.length > 0);

  const reachable = new Set(outgoing.map((o) => o.recipient));
  const run: ReminderRun = {
    event,
    recipients: [...reachable],
    sent: [],
    alreadySent: [],
    unreachable: composed.map((o) => o.recipient).filter((recipient) => !reachable.has(recipient)),
    queued: 0,
  };
  const queued = outgoing.map(({ recipient, email }) => ({ ref: { ...event, recipient }, email }));
  if (deps.queue && queued.length > (deps.fanOutThreshold ?? 0)) {
    // Enqueuing twice (a retried run) is harmless: the sender's claims keep each email to one.
    await deps.queue.enqueue(queued);
    run.queued = queued.length;
    return run;
  }
  const result = await sendEmails(deps, queued);
  run.sent = result.sent;
  run.alreadySent = result.alreadySent;
  if (result.error) throw result.error;
  return run;
}

export interface SendResult {
  sent: string[];
  alreadySent: string[];
  /** Recipients not sent because of `error` (a throttle): to be retried. */
  failed: string[];
  error?: unknown;
}

/**
 * Sends each email at most once (claim, send, mark) at `maxSendRate` per second. On an SES error the claim is
 * released and the rest of the batch is left for the retry (a throttle would fail them too). An email SES took but
 * the log could not mark (DynamoDB throttled) counts as sent and keeps its claim, so the retry does not send it again.
 */
export async function sendEmails(deps: SenderDeps, items: readonly QueuedEmail[]): Promise<SendResult> {
  const result: SendResult = { sent: [], alreadySent: [], failed: [] };
  const stop = (from: number, error: unknown): SendResult => {
    result.failed.push(...items.slice(from).map((i) => i.ref.recipient));
    result.error = error;
    return result;
  };
  const gap = 1000 / deps.maxSendRate;
  // Send number n is due at start + n * gap: the time each send itself takes counts toward its gap, so the rate is
  // the configured one, not slower.
  const start = deps.clock.now().getTime();
  let sentCount = 0;
  for (const [index, { ref, email }] of items.entries()) {
    if (!(await deps.repos.sends.claim(ref, deps.clock.now(), STALE_CLAIM_MS))) {
      result.alreadySent.push(ref.recipient);
      continue;
    }
    let messageId: string;
    try {
      ({ messageId } = await deps.mailer.send(email));
    } catch (error) {
      // Let the retry send it: without the release, the claim would block it until it goes stale.
      await deps.repos.sends.release(ref);
      return stop(index, error);
    }
    result.sent.push(ref.recipient);
    try {
      await deps.repos.sends.markSent(ref, messageId, deps.clock.now());
    } catch (error) {
      // Sent but not marked: releasing the claim would let the retry send it twice. It stays claimed.
      return stop(index + 1, error);
    }
    sentCount += 1;
    const wait = start + sentCount * gap - deps.clock.now().getTime();
    if (wait > 0) await deps.sleep(wait);
  }
  return result;
}

interface ComposeInput {
  event: ReminderEvent;
  cluster: Cluster;
  plan: Plan;
  milestone: Milestone;
  units: Unit[];
  submissions: Submission[];
  extensions: Extension[];
  undeliverable: Undeliverable[];
  now: Date;
  link: (unit: Unit) => string;
}

/** The emails a fired reminder sends, decided from the state at `now` (pure). */
export function composeEmails(input: ComposeInput): Outgoing[] {
  const { event, milestone } = input;
  if (event.kind === 'digest') return milestone.document ? [digestEmail(input)] : [];
  if (!milestone.document) return event.kind === 'reminder' ? eventEmails(input) : [];
  return documentEmails(input);
}

function acceptedUnitIds(submissions: Submission[]): Set<string> {
  return new Set(submissions.filter((s) => s.outcome === 'accepted').map((s) => s.unitId));
}

function documentEmails({ event, cluster, plan, milestone, units, submissions, extensions, now, link }: ComposeInput): Outgoing[] {
  const document = milestone.document;
  if (!document) return [];
  const done = acceptedUnitIds(submissions);
  const out: Outgoing[] = [];
  for (const unit of selectUnits(document.from, units)) {
    if (done.has(unit.unitId)) continue;
    const extension = extensions.find((e) => e.unitId === unit.unitId);
    const effective = effectiveDeadline(milestone, plan, extension);
    // A unit whose extension still runs is not overdue yet.
    if (event.kind === 'overdue' && !isLate(now, effective.deadline)) continue;
    const lastDay = effective.deadline.type === 'exact' ? effective.deadline.lastDay : undefined;
    const cutoffDay = effective.cutoffAt && ictDateOf(new Date(effective.cutoffAt.getTime() - 1));
    const rendered = renderDocumentReminder({
      kind: event.kind === 'overdue' ? 'overdue' : 'reminder',
      clusterName: cluster.name,
      unitName: unit.name,
      milestoneTitle: milestone.title,
      documentTitle: document.title,
      recipientsLabel: document.recipients.map((r) => RECIPIENT_LABELS[r]).join(', '),
      dueLabel: describeDue(milestone, plan),
      dueShort: describeDueShort(milestone),
      ...(event.kind === 'reminder' && lastDay ? { daysLeft: Math.max(0, daysBetween(ictDateOf(now), lastDay)) } : {}),
      ...(extension ? { extensionLabel: `Đơn vị được gia hạn đến hết ngày ${formatDateVi(extension.until)}` } : {}),
      ...(event.kind === 'overdue' && cutoffDay ? { lateUploadsLabel: `Đơn vị vẫn có thể nộp (ghi nhận là nộp muộn) đến hết ngày ${formatDateVi(cutoffDay)}.` } : {}),
      link: link(unit),
      contact: contactOf(plan),
    });
    out.push({ recipient: unit.unitId, email: { to: unit.emails, ...rendered, ...replyTo(plan) } });
  }
  return out;
}

function eventEmails({ cluster, plan, milestone, units, now }: ComposeInput): Outgoing[] {
  if (milestone.due.type !== 'date') return [];
  const tasks = new Map<string, { unit: Unit; tasks: string[] }>();
  for (const assignment of milestone.assignments) {
    for (const unit of selectUnits(assignment.who, units)) {
      const entry = tasks.get(unit.unitId) ?? { unit, tasks: [] };
      entry.tasks.push(assignment.task);
      tasks.set(unit.unitId, entry);
    }
  }
  const date = milestone.due.date;
  return [...tasks.values()].map(({ unit, tasks: own }) => ({
    recipient: unit.unitId,
    email: {
      to: unit.emails,
      ...renderEventReminder({
        clusterName: cluster.name,
        unitName: unit.name,
        milestoneTitle: milestone.title,
        dateLabel: `ngày ${formatDateVi(date)}`,
        daysLeft: Math.max(0, daysBetween(ictDateOf(now), date)),
        ...(milestone.place ? { place: milestone.place } : {}),
        ...(milestone.participants ? { participants: milestone.participants } : {}),
        tasks: own,
        contact: contactOf(plan),
      }),
      ...replyTo(plan),
    },
  }));
}

function digestEmail({ cluster, plan, milestone, units, submissions, extensions, undeliverable }: ComposeInput): Outgoing {
  const document = milestone.document!;
  const required = selectUnits(document.from, units);
  const firstAccepted = new Map<string, Submission>();
  for (const s of [...submissions].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))) {
    if (s.outcome === 'accepted' && !firstAccepted.has(s.unitId)) firstAccepted.set(s.unitId, s);
  }
  const line = (unit: Unit, s: Submission) => ({ unitName: unit.name, receivedAtLabel: formatInstantVi(new Date(s.receivedAt)) });
  const rendered = renderDigest({
    clusterName: cluster.name,
    milestoneTitle: milestone.title,
    documentTitle: document.title,
    dueLabel: describeDue(milestone, plan),
    totalUnits: required.length,
    onTime: required.flatMap((u) => (firstAccepted.get(u.unitId) && !firstAccepted.get(u.unitId)!.late ? [line(u, firstAccepted.get(u.unitId)!)] : [])),
    late: required.flatMap((u) => (firstAccepted.get(u.unitId)?.late ? [line(u, firstAccepted.get(u.unitId)!)] : [])),
    missing: required
      .filter((u) => !firstAccepted.has(u.unitId))
      .map((u) => {
        const extension = extensions.find((e) => e.unitId === u.unitId);
        return { unitName: u.name, ...(extension ? { extensionLabel: `gia hạn đến hết ngày ${formatDateVi(extension.until)}` } : {}) };
      }),
    undeliverable: undeliverable.map((u) => ({
      unitName: units.find((unit) => unit.emails.includes(u.email))?.name ?? '(không thuộc đơn vị nào)',
      email: u.email,
      reason: u.reason,
    })),
  });
  const heads = units.filter((u) => u.role === 'cum-truong' && u.active);
  const to = [...new Set([...heads.flatMap((u) => u.emails), ...(plan.contact?.email ? [plan.contact.email] : [])])];
  return { recipient: 'digest', email: { to, ...rendered } };
}

function replyTo(plan: Plan): Pick<OutgoingEmail, 'replyTo'> {
  return plan.contact?.email ? { replyTo: [plan.contact.email] } : {};
}
