/**
 * The operator CLI: `npm run cli -- <verb> [args] [--json]`.
 *
 * Talks to the local stack (.local/stack.json, written by `npm start`) by default. With CTD_TARGET=aws it talks to
 * AWS instead, using the standard AWS credential chain and TABLE_NAME (the table name from the stateful stack's
 * outputs); see README "Operator CLI".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { toDocumentClient } from '../shared/runtime/aws-clients';
import { createDynamoRepositories } from '../shared/adapters/dynamodb/repositories';
import { describeDue } from '../shared/domain/deadlines';
import { DomainError } from '../shared/domain/errors';
import { EmailSchema, MILESTONE_KIND_LABELS, PlanIdSchema, RECIPIENT_LABELS, UNIT_ROLE_LABELS, currentPlanOf } from '../shared/domain/model';
import { WHO_LABELS, toImportJson, type PlanImportProposal, type ProposedMilestone } from '../shared/domain/plan-import';
import { confirmImport, type ImportedPlan } from '../shared/use-cases/plan-import';
import { proposeImport } from '../shared/use-cases/plan-import-files';
import { accessFromGrants } from '../shared/domain/admin';
import { createSignInLink } from '../shared/use-cases/admin-auth';
import { LocalDateSchema, formatDateVi, formatInstantVi, formatMonthVi, parseInstantIct } from '../shared/domain/time';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createS3Client, S3FileStore } from '../shared/adapters/s3/file-store';
import { fileLinkKeys, secretsManagerLinkKeys } from '../shared/adapters/secrets/link-keys';
import type { FileStore } from '../shared/ports/files';
import type { LinkKeyStore } from '../shared/ports/link-keys';
import { downloadSubmission, grantExtension, listSubmissions } from '../shared/use-cases/admin-submissions';
import { issueLink, revokeLinks } from '../shared/use-cases/links';
import { EventBridgeScheduleStore, createSchedulerClient, type SchedulerSettings } from '../shared/adapters/scheduler/schedule-store';
import { SesMailer, createSesClient, type SesSettings } from '../shared/adapters/ses/mailer';
import { ReminderEventSchema } from '../shared/domain/reminders';
import type { ScheduleStore } from '../shared/ports/scheduler';
import type { LocalClientSettings } from '../shared/adapters/local-client';
import { reconcileSchedules, runReminder, type ReminderDeps, type ScheduleReport } from '../shared/use-cases/reminders';
import { offsetClock, systemClock, type Clock } from '../shared/ports/clock';
import type { Repositories } from '../shared/ports/repositories';
import { getPlan, listClusters, listPlans, listUnits } from '../shared/use-cases/read-cluster';
import { EXPORT_FORMATS, exportScores, type ExportFormat } from '../shared/use-cases/score-export';
import { formatBytesVi } from '../shared/domain/submission';
import { bootstrapClusters, type ClusterBootstrapOutcome } from '../shared/use-cases/bootstrap-clusters';
import { CDK_JSON, loadStageConfig, readCdkJsonContext, type ClusterConfig } from '../infra/config';
import { LOCAL_CREDENTIALS } from './emulators';
import type { StackInfo } from './stack';
import { formatTable } from './table-format';

const USAGE = `Usage: npm run cli -- <verb> [arguments] [--json]

Verbs:
  clusters                                 every cluster of the deployment
  units <clusterId>                        a cluster's units, roles and emails
  plans <clusterId>                        a cluster's plans (one per school year)
  milestones <clusterId> [--plan <planId>] a plan's milestones (default: the current school year's plan)
  link <clusterId> <unitId> [--plan <planId>] [--milestone <milestoneId>]
                                           a unit's signed link (valid for the school year plus a grace period)
  revoke-link <clusterId> <unitId>         revoke every link of a unit (then issue a new one with "link")
  extend <clusterId> <unitId> <milestoneId> <dd/mm/yyyy> [--plan <planId>] [--reason <text>]
                                           let one unit send one milestone's document until the end of that day
  submissions <clusterId> [--plan <planId>] every document version received
  download <clusterId> <unitId> <uploadId> [--plan <planId>]
                                           a 5-minute download link for one stored version
  reminders list <clusterId> [--plan <planId>]
                                           planned reminder schedules, drift against the live ones, milestones
                                           that lack a day
  reminders reconcile <clusterId> [--plan <planId>] [--dry-run]
                                           create missing schedules and delete extra ones (report only with --dry-run)
  admin-link <clusterId> <email>           a one-time sign-in link to the admin page (15 minutes) for an admin
                                           address of the cluster (Cụm trưởng or Cụm phó), without reading mail
  reminders fire <clusterId> <milestoneId> [--offset N] [--kind reminder|overdue|digest] [--plan <planId>]
                                           run a reminder now (demo); recipients are chosen now, as at fire time
  scores export <clusterId> <planId> --out <file.xlsx|file.csv>
                                           write the plan's score table (Bảng tổng hợp kết quả chấm điểm thi đua);
                                           the format follows the file's extension
  plan import <file> [--cluster <clusterId>] [--plan <planId>] [--dry-run]
                                           read a plan (.docx, .md, .txt) and print the milestones it proposes
                                           (title, kind, due date or month, place, who acts, documents to send,
                                           source sentence, confidence). Without --cluster, or with --dry-run,
                                           nothing is saved. With --cluster and without --dry-run, this run is the
                                           confirmation: the plan and its milestones are saved to that cluster as
                                           printed (never over an existing plan of that school year).
                                           --plan 2021-2022 gives the school year when the text does not say it
  bootstrap-clusters [--stage dev|prod] [--config <cdk.json>]
                                           create the stage's clusters (cdk.json context stages.<stage>.clusters)
                                           with their Cụm trưởng unit and first admin addresses; what exists is
                                           left as it is (run it again at will)

Options:
  --json     print JSON instead of a table
  --help     this text

Target: the local stack (npm start) by default. For AWS: CTD_TARGET=aws TABLE_NAME=<table> (and AWS_REGION=<the
stage's region>) and, for links,
LINK_SECRET_ARN=<secret arn> PUBLIC_BASE_URL=<https://...>; for downloads BUCKET_NAME=<bucket>.
Time: NOW=<ISO 8601> to act at a simulated instant (default: the local stack's clock).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

interface Target {
  repos: Repositories;
  clock: Clock;
  /** Lazily: only verbs that sign links need the secret. */
  linkKeys(): LinkKeyStore;
  files(): FileStore;
  baseUrl(): string;
  schedules(): ScheduleStore;
  reminderDeps(): ReminderDeps;
  close(): void;
}

function readStackInfo(env: NodeJS.ProcessEnv): StackInfo {
  const file = resolve(env.CTD_STACK_FILE ?? '.local/stack.json');
  if (!existsSync(file)) throw new UsageError('The local stack is not running (no .local/stack.json). Start it with: npm start');
  return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
}

function need(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new UsageError(`CTD_TARGET=aws needs ${name} (${why}).`);
  return value;
}

function connect(env: NodeJS.ProcessEnv): Target {
  let clock: Clock = systemClock;
  let client: DynamoDBClient;
  let tableName: string;
  let linkKeys: () => LinkKeyStore;
  let files: () => FileStore;
  let baseUrl: () => string;
  let schedulerSettings: () => SchedulerSettings & LocalClientSettings;
  let mail: () => SesSettings & LocalClientSettings;
  if (env.CTD_TARGET === 'aws') {
    tableName = need(env, 'TABLE_NAME', 'the table name from the stateful stack outputs');
    client = new DynamoDBClient({});
    linkKeys = () => secretsManagerLinkKeys(new SecretsManagerClient({}), need(env, 'LINK_SECRET_ARN', 'the link secret from the stack outputs'));
    files = () => {
      const bucket = need(env, 'BUCKET_NAME', 'the uploads bucket from the stateful stack outputs');
      return new S3FileStore(createS3Client({}), { bucket });
    };
    baseUrl = () => need(env, 'PUBLIC_BASE_URL', 'the public address of the app, e.g. the ApiUrl output');
    schedulerSettings = () => ({
      group: need(env, 'SCHEDULE_GROUP', 'the ScheduleGroupName output'),
      targetArn: need(env, 'REMINDER_TARGET_ARN', 'the ReminderFunctionArn output'),
      roleArn: need(env, 'SCHEDULER_ROLE_ARN', 'the SchedulerRoleArn output'),
      deadLetterArn: need(env, 'REMINDER_DLQ_ARN', 'the ReminderDlqArn output'),
    });
    mail = () => ({ from: need(env, 'MAIL_FROM', 'the verified sender'), configurationSet: env.SES_CONFIGURATION_SET });
  } else {
    const info = readStackInfo(env);
    client = new DynamoDBClient({ endpoint: info.dynamodbEndpoint, region: info.region, credentials: LOCAL_CREDENTIALS });
    tableName = info.tableName;
    if (info.clock) clock = offsetClock(info.clock.start, info.clock.startedAt);
    linkKeys = () => fileLinkKeys(info.linkSecretFile);
    files = () =>
      new S3FileStore(createS3Client({ endpoint: info.s3Endpoint, region: info.region, credentials: LOCAL_CREDENTIALS }), {
        bucket: info.bucketName,
        endpoint: info.s3Endpoint,
      });
    baseUrl = () => info.apiUrl;
    const local = { region: info.region, credentials: LOCAL_CREDENTIALS };
    schedulerSettings = () => ({ ...info.scheduler, endpoint: info.schedulerEndpoint, ...local });
    mail = () => ({ from: info.mailFrom, endpoint: info.sesEndpoint, ...local });
  }
  if (env.NOW) {
    const now = parseInstantIct(env.NOW);
    if (!now) throw new UsageError(`NOW="${env.NOW}" is not an ISO 8601 time, e.g. 2021-12-09T08:00:00+07:00`);
    clock = offsetClock(now);
  }
  const repos = createDynamoRepositories(toDocumentClient(client), tableName, clock);
  return {
    repos,
    clock,
    linkKeys,
    files,
    baseUrl,
    schedules: () => {
      const settings = schedulerSettings();
      return new EventBridgeScheduleStore(createSchedulerClient(settings), settings);
    },
    reminderDeps: () => {
      const settings = mail();
      return {
        repos,
        mailer: new SesMailer(createSesClient(settings), settings),
        linkKeys: linkKeys(),
        clock,
        baseUrl: baseUrl(),
        maxSendRate: Number(env.MAX_SEND_RATE ?? 10),
        sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      };
    },
    close: () => client.destroy(),
  };
}

function formatScheduleReport(report: ScheduleReport, dryRun: boolean): string {
  const rows = report.planned.map((p) => ({ ...p, live: !report.missing.includes(p) }));
  const lines = [
    formatTable(rows, [
      ['Giờ gửi (ICT)', (r) => formatInstantVi(r.fireAt)],
      ['Mốc', (r) => r.event.milestoneId],
      ['Loại', (r) => `${r.event.kind}${r.event.kind === 'reminder' ? ` -${r.event.offset}d` : ''}`],
      ['Trạng thái', (r) => (r.live ? 'đã đặt' : dryRun ? 'THIẾU' : 'vừa tạo')],
    ]),
    '',
    `Thiếu: ${report.missing.length}; thừa: ${report.extra.length}${dryRun ? '' : `; đã tạo ${report.created}, đã xóa ${report.deleted}`}.`,
  ];
  if (report.withoutDay.length > 0) {
    lines.push('', 'Chưa có ngày cụ thể (chưa nhắc được):', ...report.withoutDay.map((m) => `- ${m.milestoneId}: ${m.title}${m.dueText ? ` (${m.dueText})` : ''}`));
  }
  return lines.join('\n');
}

async function planIdFor(target: Target, clusterId: string, given: string | undefined): Promise<string> {
  if (given) return given;
  const plan = currentPlanOf((await listPlans(target.repos, clusterId)).plans, target.clock.now());
  if (!plan) throw new UsageError(`Cluster "${clusterId}" has no plan yet.`);
  return plan.planId;
}

/** "15/12/2021" -> "2021-12-15". */
function parseDateVi(text: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  const iso = m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : '';
  if (!LocalDateSchema.safeParse(iso).success) throw new UsageError(`"${text}" is not a date dd/mm/yyyy, e.g. 15/12/2021`);
  return iso;
}

/** The export format a file name asks for: its extension, `.xlsx` or `.csv`. */
function exportFormatOf(path: string): ExportFormat {
  const ext = extname(path).slice(1).toLowerCase();
  const format = EXPORT_FORMATS.find((f) => f === ext);
  if (!format) throw new UsageError(`--out must end in ${EXPORT_FORMATS.map((f) => `.${f}`).join(' or ')} (the format follows the extension): "${path}".`);
  return format;
}

/** The clusters of `stage` in a cdk.json file (the project's by default), checked as `cdk synth` checks them. */
function clustersOfStage(stage: string, file: string | undefined): { stage: string; clusters: readonly ClusterConfig[] } {
  const path = file ? resolve(file) : CDK_JSON;
  if (!existsSync(path)) throw new UsageError(`No such file: ${path}`);
  let config: ReturnType<typeof loadStageConfig>;
  try {
    config = loadStageConfig(readCdkJsonContext(path), stage);
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  if (!config) throw new UsageError(`${path} has no "stages" in its context: nothing to bootstrap.`);
  return { stage, clusters: config.clusters };
}

const created = (outcome: 'created' | 'exists') => (outcome === 'created' ? 'vừa tạo' : 'đã có');

function formatBootstrap(stage: string, outcomes: readonly ClusterBootstrapOutcome[]): string {
  const lines = [
    `Cấu hình ${stage}: ${outcomes.length} cụm.`,
    '',
    formatTable(outcomes, [
      ['Mã cụm', (o) => o.clusterId],
      ['Cụm', (o) => created(o.cluster)],
      ['Cụm trưởng', (o) => created(o.headUnit)],
      ['Quản trị', (o) => o.admins.join(', ') || '(không có)'],
      ['Kế hoạch', (o) => `${o.plan.planId} ${o.plan.outcome === 'created' ? '(tạo từ mẫu)' : '(đã có)'}`],
    ]),
  ];
  for (const o of outcomes.filter((x) => x.notApplied.length > 0)) {
    lines.push(
      '',
      `Lưu ý: đơn vị Cụm trưởng của ${o.clusterId} đã có từ trước và được giữ nguyên; chưa thêm ${o.notApplied.join(', ')} ` +
        `(thêm trên trang quản trị, mục Đơn vị, nếu cần).`,
    );
  }
  return lines.join('\n');
}

function requireArg(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`Missing <${name}>.\n\n${USAGE}`);
  return value;
}

/** Runs one CLI invocation and returns what to print. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      plan: { type: 'string' },
      milestone: { type: 'string' },
      reason: { type: 'string' },
      offset: { type: 'string' },
      kind: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      out: { type: 'string' },
      stage: { type: 'string' },
      config: { type: 'string' },
      cluster: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const [verb, ...args] = positionals;
  if (values.help || !verb) return USAGE;
  const known = ['clusters', 'units', 'plans', 'milestones', 'link', 'revoke-link', 'extend', 'submissions', 'download', 'reminders', 'admin-link', 'scores', 'bootstrap-clusters', 'plan'];
  if (!known.includes(verb)) throw new UsageError(`Unknown verb "${verb}".\n\n${USAGE}`);
  if (verb === 'plan') return planCommand(args, { json: values.json, dryRun: values['dry-run'], cluster: values.cluster, plan: values.plan }, env);
  // Read before connecting: a configuration error is reported even when the target is unreachable.
  const stageClusters = verb === 'bootstrap-clusters' ? clustersOfStage(values.stage ?? 'dev', values.config) : undefined;

  const target = connect(env);
  const out = (data: unknown, table: () => string): string => (values.json ? JSON.stringify(data, null, 2) : table());
  try {
    switch (verb) {
      case 'clusters': {
        const clusters = await listClusters(target.repos);
        return out(clusters, () =>
          formatTable(clusters, [
            ['Mã cụm', (c) => c.clusterId],
            ['Tên', (c) => c.name],
            ['Công đoàn tỉnh', (c) => c.province.name],
          ]),
        );
      }
      case 'units': {
        const { units } = await listUnits(target.repos, requireArg(args[0], 'clusterId'));
        return out(units, () =>
          formatTable(units, [
            ['Mã đơn vị', (u) => u.unitId],
            ['Vai trò', (u) => UNIT_ROLE_LABELS[u.role]],
            ['Tên', (u) => u.name],
            ['Email', (u) => u.emails.join(', ')],
          ]),
        );
      }
      case 'plans': {
        const { plans } = await listPlans(target.repos, requireArg(args[0], 'clusterId'));
        return out(plans, () =>
          formatTable(plans, [
            ['Mã', (p) => p.planId],
            ['Tên kế hoạch', (p) => p.title],
            ['Nhân bản từ', (p) => p.clonedFrom ?? ''],
          ]),
        );
      }
      case 'link': {
        const link = await issueLink(
          { repos: target.repos, linkKeys: target.linkKeys(), clock: target.clock },
          { clusterId: requireArg(args[0], 'clusterId'), unitId: requireArg(args[1], 'unitId'), planId: values.plan, milestoneId: values.milestone },
          target.baseUrl(),
        );
        const summary = { url: link.url, unitId: link.unit.unitId, unitName: link.unit.name, planId: link.plan.planId, milestoneId: link.milestoneId, expiresAt: link.expiresAt.toISOString() };
        return out(summary, () => `${link.unit.name} — ${link.plan.title}\nHết hạn: ${formatInstantVi(link.expiresAt)}\n\n${link.url}`);
      }
      case 'admin-link': {
        const clusterId = requireArg(args[0], 'clusterId');
        const email = EmailSchema.safeParse(requireArg(args[1], 'email'));
        if (!email.success) throw new UsageError(`"${args[1]}" is not an email address.`);
        const link = await createSignInLink({ repos: target.repos, clock: target.clock, baseUrl: target.baseUrl() }, email.data);
        const access = link && accessFromGrants(link.grants, clusterId, (await target.repos.clusters.get(clusterId))?.province.id);
        if (!link || !access) {
          throw new UsageError(
            `${email.data} is not an admin of cluster "${clusterId}": admins are the addresses of its Cụm trưởng and Cụm phó units (npm run cli -- units ${clusterId}).`,
          );
        }
        const summary = { url: link.url, email: email.data, clusterId, access, expiresAt: link.expiresAt.toISOString() };
        return out(summary, () => `Đăng nhập trang quản trị (${access === 'write' ? 'quản trị' : 'chỉ xem'}) với ${email.data}; dùng một lần, hết hạn ${formatInstantVi(link.expiresAt)}:\n\n${link.url}`);
      }
      case 'revoke-link': {
        const result = await revokeLinks({ repos: target.repos }, requireArg(args[0], 'clusterId'), requireArg(args[1], 'unitId'));
        return out(result, () => `Mọi đường link cũ của đơn vị đã bị thu hồi (phiên bản ${result.linkVersion}). Cấp link mới: npm run cli -- link ${args[0]} ${args[1]}`);
      }
      case 'extend': {
        const clusterId = requireArg(args[0], 'clusterId');
        const until = parseDateVi(requireArg(args[3], 'dd/mm/yyyy'));
        const extension = await grantExtension(
          { repos: target.repos, clock: target.clock },
          {
            clusterId,
            planId: await planIdFor(target, clusterId, values.plan),
            unitId: requireArg(args[1], 'unitId'),
            milestoneId: requireArg(args[2], 'milestoneId'),
            until,
            ...(values.reason ? { reason: values.reason } : {}),
          },
        );
        return out(extension, () => `Đã gia hạn cho ${extension.unitId}, mốc ${extension.milestoneId}: nhận đến hết ngày ${formatDateVi(extension.until)}.`);
      }
      case 'submissions': {
        const clusterId = requireArg(args[0], 'clusterId');
        const submissions = await listSubmissions(target.repos, clusterId, await planIdFor(target, clusterId, values.plan));
        return out(submissions, () =>
          formatTable(submissions, [
            ['Nhận lúc', (x) => formatInstantVi(new Date(x.receivedAt))],
            ['Đơn vị', (x) => x.unitId],
            ['Mốc', (x) => x.milestoneId],
            ['Tệp', (x) => x.fileName],
            ['Tình trạng', (x) => (x.outcome === 'quarantined' ? 'đã cách ly' : x.late ? 'nộp muộn' : 'đúng hạn')],
            ['Mã tải lên', (x) => x.uploadId],
          ]),
        );
      }
      case 'download': {
        const clusterId = requireArg(args[0], 'clusterId');
        const link = await downloadSubmission(
          { repos: target.repos, files: target.files(), clock: target.clock },
          { clusterId, planId: await planIdFor(target, clusterId, values.plan), unitId: requireArg(args[1], 'unitId'), uploadId: requireArg(args[2], 'uploadId') },
        );
        return out(link, () => `${link.fileName}\n${link.url}`);
      }
      case 'reminders': {
        const sub = requireArg(args[0], 'list|reconcile|fire');
        const clusterId = requireArg(args[1], 'clusterId');
        const planId = await planIdFor(target, clusterId, values.plan);
        if (sub === 'list' || sub === 'reconcile') {
          const dryRun = sub === 'list' || values['dry-run'];
          const report = await reconcileSchedules({ repos: target.repos, schedules: target.schedules(), clock: target.clock }, clusterId, planId, { dryRun });
          return out(report, () => formatScheduleReport(report, dryRun));
        }
        if (sub !== 'fire') throw new UsageError(`Unknown reminders verb "${sub}" (list, reconcile, fire).`);
        const kind = ReminderEventSchema.shape.kind.safeParse(values.kind ?? 'reminder');
        if (!kind.success) throw new UsageError('--kind must be reminder, overdue or digest.');
        const offset = Number(values.offset ?? 0);
        const event = ReminderEventSchema.parse({ clusterId, planId, milestoneId: requireArg(args[2], 'milestoneId'), kind: kind.data, offset });
        const run = await runReminder(target.reminderDeps(), event);
        return out(run, () =>
          run.recipients.length === 0
            ? 'Không có người nhận: mọi đơn vị đã nộp, hoặc mốc này không cần nhắc.'
            : `Đã gửi ${run.sent.length} email (${run.sent.join(', ') || 'không có'}); đã gửi từ trước: ${run.alreadySent.length}.`,
        );
      }
      case 'scores': {
        const sub = requireArg(args[0], 'export');
        if (sub !== 'export') throw new UsageError(`Unknown scores verb "${sub}" (export).`);
        const clusterId = requireArg(args[1], 'clusterId');
        const planId = requireArg(args[2], 'planId');
        if (!values.out) throw new UsageError(`Missing --out <file.xlsx|file.csv>.\n\n${USAGE}`);
        const path = resolve(values.out);
        const format = exportFormatOf(path);
        const file = await exportScores({ repos: target.repos, clock: target.clock }, { clusterId, planId, format });
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.body);
        const summary = { path, bytes: file.body.length, format, contentType: file.contentType, fileName: file.fileName };
        return out(summary, () => `Đã ghi ${file.fileName} (${formatBytesVi(file.body.length)}) vào ${path}`);
      }
      case 'bootstrap-clusters': {
        const outcomes = await bootstrapClusters({ repos: target.repos, clock: target.clock }, stageClusters!.clusters);
        return out({ stage: stageClusters!.stage, clusters: outcomes }, () => formatBootstrap(stageClusters!.stage, outcomes));
      }
      default: {
        const clusterId = requireArg(args[0], 'clusterId');
        const planId = await planIdFor(target, clusterId, values.plan);
        const view = await getPlan(target.repos, clusterId, planId);
        return out(view, () =>
          `${view.plan.title}\n\n` +
          formatTable(view.milestones, [
            ['#', (m) => String(m.order)],
            ['Mã mốc', (m) => m.milestoneId],
            ['Loại', (m) => MILESTONE_KIND_LABELS[m.kind]],
            ['Thời hạn', (m) => describeDue(m, view.plan)],
            ['Nội dung', (m) => m.title],
          ]),
        );
      }
    }
  } finally {
    target.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// plan import

const WHEN_ACTIVITY = new Set(['covenant', 'conference', 'event']);

/** The due as the table shows it: deadlines as the plan words them, activities on their day or month. */
function dueCell(m: ProposedMilestone): string {
  switch (m.due.type) {
    case 'date':
      if (m.due.rule === 'before') return `trước ngày ${formatDateVi(m.due.date)}`;
      return WHEN_ACTIVITY.has(m.kind) ? `ngày ${formatDateVi(m.due.date)}` : `đến hết ngày ${formatDateVi(m.due.date)}`;
    case 'month':
      return `tháng ${formatMonthVi(m.due.month)}`;
    case 'none':
      return 'chưa có';
  }
}

function formatProposal(proposal: PlanImportProposal, saved: ImportedPlan | undefined, clusterId: string | undefined): string {
  const year = proposal.schoolYear ? `năm học ${proposal.schoolYear.startYear} - ${proposal.schoolYear.endYear}` : 'chưa rõ năm học';
  const issued = proposal.issuedOn ? `, ban hành ${formatDateVi(proposal.issuedOn)}` : '';
  const lines = [
    `${proposal.title ?? 'Kế hoạch (không đọc được tên)'} (${year}${issued})`,
    '',
    formatTable(proposal.milestones, [
      ['#', (m) => String(m.order)],
      ['Loại', (m) => MILESTONE_KIND_LABELS[m.kind]],
      ['Thời hạn', dueCell],
      ['Mốc', (m) => m.title],
      ['Địa điểm', (m) => m.place ?? ''],
      ['Thực hiện', (m) => m.responsible.map((r) => WHO_LABELS[r.who]).join(', ')],
      ['Nộp về', (m) => m.documents.flatMap((d) => d.to.map((r) => RECIPIENT_LABELS[r])).join(', ')],
      ['Tin cậy', (m) => `${Math.round(m.confidence * 100)}%`],
    ]),
  ];
  if (proposal.warnings.length > 0) lines.push('', ...proposal.warnings.map((w) => `Lưu ý: ${w}`));
  lines.push(
    '',
    saved
      ? `Đã lưu vào cụm ${clusterId}. ${saved.summary}`
      : `Chưa lưu gì (xem trước). Để lưu vào một cụm: npm run cli -- plan import <tệp> --cluster <mã cụm>${clusterId ? ' (bỏ --dry-run)' : ''}.`,
  );
  return lines.join('\n');
}

interface PlanOptions {
  json: boolean;
  dryRun: boolean;
  cluster?: string;
  plan?: string;
}

/**
 * `plan import <file>`: prints the proposal; with --cluster and without --dry-run, saves it (the run is the
 * confirmation). Reading and proposing need no stack: only saving connects.
 */
async function planCommand(args: string[], options: PlanOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const sub = requireArg(args[0], 'import');
  if (sub !== 'import') throw new UsageError(`Unknown plan verb "${sub}" (import).`);
  const path = resolve(requireArg(args[1], 'file'));
  if (!existsSync(path)) throw new UsageError(`No such file: ${path}`);
  let schoolYear: { startYear: number; endYear: number } | undefined;
  if (options.plan) {
    if (!PlanIdSchema.safeParse(options.plan).success) throw new UsageError(`--plan must be a school year such as 2021-2022: "${options.plan}".`);
    schoolYear = { startYear: Number(options.plan.slice(0, 4)), endYear: Number(options.plan.slice(5)) };
  }
  const proposal = await proposeImport({ fileName: basename(path), bytes: readFileSync(path) }, schoolYear ? { schoolYear } : {});
  let saved: ImportedPlan | undefined;
  if (options.cluster && !options.dryRun) {
    const target = connect(env);
    try {
      saved = await confirmImport({ repos: target.repos, schedules: target.schedules(), clock: target.clock }, options.cluster, proposal);
    } finally {
      target.close();
    }
  }
  return options.json ? JSON.stringify(proposal.milestones.map(toImportJson), null, 2) : formatProposal(proposal, saved, options.cluster);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  runCli(process.argv.slice(2))
    .then((text) => console.log(text))
    .catch((error: unknown) => {
      if (error instanceof UsageError) console.error(error.message);
      else if (error instanceof DomainError) console.error(error.messageVi);
      else if (error instanceof Error && /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error.message)))
        console.error('Cannot reach the local stack. Is `npm start` running?');
      else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
