/**
 * The configuration of each deployment stage (`dev`, `prod`, ...), read from the `stages` object of the CDK context
 * (cdk.json) and validated with zod when the app is synthesized. Every problem is reported with the context key path
 * it concerns (`stages.prod.alarmEmail: expected an email address, got "ops"`), so that a wrong or missing value
 * stops synth with something an operator can act on.
 *
 * No aws-cdk-lib import here: the operator CLI reads the same configuration (`bootstrap-clusters`) from cdk.json.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ClusterIdSchema, EmailSchema, SlugSchema, TextSchema, UnitIdSchema } from '../shared/domain/model';
import { ConfigError, parseAppOrigin, parseMailFrom, parseSesMaxSendRate } from './context';

export { ConfigError };

/** A stage name: part of the stack names (`CumThiDua-<stage>-Stateful`). */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** The stage whose data is always retained (RETAIN and deletion protection), whatever its configuration says. */
export const PROTECTED_STAGE = 'prod';

/** An AWS region code such as `ap-southeast-1`, `us-gov-west-1` or `eu-central-2`. */
const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

const MB = 1024 * 1024;
export const MIN_UPLOAD_BYTES = MB;
export const MAX_UPLOAD_BYTES_LIMIT = 100 * MB;

/** Keys starting with `//` are comments (the style cdk.json uses) and are ignored wherever an object is expected. */
function withoutComments(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('//')));
}

const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * A value checked by `schema` (typically one of the domain's, whose own messages are Vietnamese and meant for users),
 * reported in English as "missing; expected ..." or "expected ..., got ...".
 */
function expecting<T extends z.ZodType>(expected: string, schema: T) {
  return z.unknown().transform((value, ctx): z.output<T> => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `missing; expected ${expected}` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${shown(value)}` });
    return z.NEVER;
  });
}

/** A string read by one of the context parsers (infra/context.ts), whose message already names the expected form. */
function parsedBy<T>(expected: string, parse: (value: string) => T) {
  return z.unknown().transform((value, ctx): T => {
    if (typeof value !== 'string' || value === '') {
      ctx.addIssue({ code: 'custom', message: value === undefined ? `missing; expected ${expected}` : `expected ${expected}, got ${shown(value)}` });
      return z.NEVER;
    }
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** An object with exactly `shape`'s keys (comments aside): a misspelt key is an error, not a silently ignored value. */
function object<S extends z.ZodRawShape>(expected: string, shape: S) {
  return z.preprocess(
    withoutComments,
    z.strictObject(shape, {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? issue.input === undefined
            ? `missing; expected ${expected}`
            : `expected ${expected}, got ${shown(issue.input)}`
          : undefined,
    }),
  );
}

const slug = (what: string, example: string, schema: z.ZodType<string> = SlugSchema) =>
  expecting(`${what}: lowercase ASCII letters and digits in words joined by hyphens, e.g. ${example}`, schema);
const text = (what: string) => expecting(`${what} (non-empty text)`, TextSchema);

/** One cluster the stage starts with: what `npm run cli -- bootstrap-clusters` creates, and its first admins. */
export const ClusterConfigSchema = object('a cluster {clusterId, name, province, headUnit, adminEmails}', {
  clusterId: slug('a cluster id', 'thanh-hoa-cum-5', ClusterIdSchema),
  name: text("the cluster's name"),
  province: object("the provincial union {id, name}", {
    id: slug("the provincial union's id", 'cdvc-thanh-hoa'),
    name: text("the provincial union's name"),
  }),
  headUnit: object('the Cụm trưởng unit {unitId, name}', {
    unitId: slug('a unit id', 'dh-vhttdl-thanh-hoa', UnitIdSchema),
    name: text("the unit's name"),
  }),
  adminEmails: z
    .array(expecting('an email address', EmailSchema), {
      error: (issue) => (issue.input === undefined ? 'missing; expected a list of 1 to 10 email addresses' : `expected a list of 1 to 10 email addresses, got ${shown(issue.input)}`),
    })
    .min(1, { error: 'expected a list of 1 to 10 email addresses, got an empty list' })
    .max(10, { error: (issue) => `expected a list of 1 to 10 email addresses, got ${(issue.input as unknown[]).length}` })
    // The same address typed twice (or in two cases) is one admin.
    .transform((emails) => [...new Set(emails)]),
});
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;

/** The configuration of one stage, as in cdk.json's `stages.<stage>`. */
export const StageConfigSchema = object('an object with the keys region, appOrigin, mailFrom, sesMaxSendRate, maxUploadBytes, clusters', {
  /** Where both stacks are deployed (SES must be available there). */
  region: expecting('an AWS region such as ap-southeast-1', z.string().regex(REGION_PATTERN)),
  /** The https origin links point to and the uploads bucket accepts browser uploads from. */
  appOrigin: parsedBy('an https origin such as https://thi-dua.example.org', parseAppOrigin),
  /** The sender of the app's email; its domain must be a verified SES identity. */
  mailFrom: parsedBy('a sender such as "Cụm Thi đua <no-reply@example.org>"', parseMailFrom),
  /** The account's SES maximum send rate (emails per second). */
  sesMaxSendRate: z.unknown().transform((value, ctx) => {
    try {
      if (value === undefined) throw new Error("missing; expected the account's SES maximum send rate in emails per second, 1 to 1000 (1 in the SES sandbox)");
      return parseSesMaxSendRate(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** The largest file a unit may upload, in bytes. */
  maxUploadBytes: expecting(
    `a whole number of bytes from ${MIN_UPLOAD_BYTES} (1 MB) to ${MAX_UPLOAD_BYTES_LIMIT} (100 MB), e.g. 26214400 for 25 MB`,
    z.number().int().min(MIN_UPLOAD_BYTES).max(MAX_UPLOAD_BYTES_LIMIT),
  ),
  /** Where the alarms are emailed (an SNS email subscription, to confirm once); no subscription when absent. */
  alarmEmail: expecting('an email address', EmailSchema).optional(),
  /**
   * Keep the table, the buckets and the link secret when the stateful stack is deleted (RETAIN, deletion protection).
   * `false` lets `cdk destroy` delete them (a bucket only once emptied); never allowed for `prod`.
   */
  retainData: expecting('true or false', z.boolean()).default(true),
  /** The clusters the stage starts with and their first admins. */
  clusters: z
    .array(ClusterConfigSchema, {
      error: (issue) => (issue.input === undefined ? 'missing; expected a list of clusters' : `expected a list of clusters, got ${shown(issue.input)}`),
    })
    .min(1, { error: 'expected at least one cluster, got an empty list' })
    .superRefine(
      (clusters, ctx) => {
        const seen = new Map<string, number>();
        clusters.forEach((cluster: Partial<ClusterConfig> | undefined, index) => {
          // Also run when another cluster key is wrong (so every problem shows at once): a cluster may be partial.
          if (typeof cluster?.clusterId !== 'string') return;
          const first = seen.get(cluster.clusterId);
          if (first === undefined) seen.set(cluster.clusterId, index);
          else ctx.addIssue({ code: 'custom', path: [index, 'clusterId'], message: `duplicate cluster id "${cluster.clusterId}" (also clusters[${first}])` });
        });
      },
      { when: (payload) => Array.isArray(payload.value) },
    ),
});
export type StageConfig = z.infer<typeof StageConfigSchema>;

/** `stages.prod.clusters[0].adminEmails[1]` */
function keyPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), prefix);
}

function describeIssue(prefix: string, issue: z.core.$ZodIssue): string {
  const at = keyPath(prefix, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `${at}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(shown).join(', ')} (a typo? comments are keys starting with "//")`;
  }
  return `${at}: ${issue.message}`;
}

/**
 * The configuration of `stage` from the value of the `stages` context key. Throws an Error naming every problem,
 * one line each, with its key path; an unknown stage lists the known ones.
 */
export function parseStageConfig(stages: unknown, stage: string): StageConfig {
  if (typeof stages !== 'object' || stages === null || Array.isArray(stages)) {
    throw new ConfigError(`Context stages: expected an object with one configuration per stage (e.g. {"dev": {...}, "prod": {...}}), got ${shown(stages)}`);
  }
  const known = Object.keys(withoutComments(stages) as object);
  if (!STAGE_PATTERN.test(stage) || !known.includes(stage)) {
    throw new ConfigError(
      `Unknown stage "${stage}": the context key stages defines ${known.map((s) => `"${s}"`).join(', ') || 'no stage'}; ` +
        'choose one with --context stage=<name>',
    );
  }
  const prefix = `stages.${stage}`;
  const raw = withoutComments((stages as Record<string, unknown>)[stage]) as { retainData?: unknown } | undefined;
  const parsed = StageConfigSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(prefix, issue));
  if (stage === PROTECTED_STAGE && raw?.retainData === false) {
    problems.push(`${prefix}.retainData: must be true for ${PROTECTED_STAGE} (its data is always retained); only another stage may set false`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems.join('\n'));
  return parsed.data;
}

/** Where the context comes from: a construct node (`app.node`) or a plain context object (cdk.json's `context`). */
export type ContextSource = { tryGetContext(key: string): unknown } | Readonly<Record<string, unknown>>;

/**
 * The configuration of `stage` from the context's `stages` key; undefined when the context has no `stages` at all
 * (an app built without cdk.json, configured key by key).
 */
export function loadStageConfig(source: ContextSource, stage: string): StageConfig | undefined {
  const stages = 'tryGetContext' in source && typeof source.tryGetContext === 'function' ? source.tryGetContext('stages') : (source as Readonly<Record<string, unknown>>).stages;
  return stages === undefined ? undefined : parseStageConfig(stages, stage);
}

/** The project's cdk.json. */
export const CDK_JSON = fileURLToPath(new URL('../cdk.json', import.meta.url));

/** The `context` object of a cdk.json file (by default the project's): what `cdk synth` gives the app. */
export function readCdkJsonContext(file: string = CDK_JSON): Record<string, unknown> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return json.context ?? {};
}
