/**
 * Environment parsing. Each handler parses what it needs once, at cold start, and fails fast with a message that
 * names the variable; resource names have no defaults.
 */
import * as z from 'zod';
import { offsetClock, systemClock, type Clock } from './ports/clock';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `env` with `schema`, or throws a ConfigError listing every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return result.data;
}

const optionalUrl = z.url().optional();

export const TableEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Local only: DynamoDB Local. Never set in AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
});
export type TableEnv = z.infer<typeof TableEnvSchema>;

export const AdminRouterEnvSchema = z.object({
  /** Local stack and tests: check every admin JSON response against its schema (a mismatch is a 500). */
  CHECK_RESPONSES: z.enum(['true', 'false']).optional(),
  /**
   * Sign-in requests allowed per client address per hour (default 30). An office behind one NAT address may need
   * more; the test harness raises it because every test browser comes from 127.0.0.1.
   */
  SIGN_IN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const ClockEnvSchema = z.object({
  /** Local only: simulated "now" at which the clock started (ISO 8601). */
  CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  /** Local only: the real epoch milliseconds at which CLOCK_START was set. */
  CLOCK_STARTED_AT: z.coerce.number().int().positive().optional(),
});

/**
 * Sets the simulated "now" of every clock built by {@link clockFromEnv} from `env` (locally: the benches and tests
 * move in-process handlers through the year this way). Returns what was written, for the local stack's options.
 */
export function setSimulatedNow(at: Date | string, env: NodeJS.ProcessEnv = process.env): { start: string; startedAt: number } {
  const simulated = { start: new Date(at).toISOString(), startedAt: Date.now() };
  env.CLOCK_START = simulated.start;
  env.CLOCK_STARTED_AT = String(simulated.startedAt);
  return simulated;
}

/**
 * The clock: real time in AWS; locally, optionally a simulated time that runs forward from a chosen instant.
 *
 * A simulated clock follows later changes of CLOCK_START and CLOCK_STARTED_AT in `env`, so a simulation (the scale
 * bench) can move the time of handlers that built their clock at cold start. Without CLOCK_START at cold start,
 * as in AWS, it is the system clock for good.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const read = (): Clock => {
    const { CLOCK_START, CLOCK_STARTED_AT } = parseEnv(ClockEnvSchema, env);
    return CLOCK_START ? offsetClock(CLOCK_START, CLOCK_STARTED_AT ?? Date.now()) : systemClock;
  };
  const settings = () => `${env.CLOCK_START}|${env.CLOCK_STARTED_AT}`;
  let seen = settings();
  let current = read();
  if (current === systemClock) return systemClock;
  return {
    now: () => {
      if (settings() !== seen) {
        current = read();
        seen = settings();
      }
      return current.now();
    },
  };
}

export const FilesEnvSchema = z.object({
  BUCKET_NAME: z.string().min(1),
  /** Local only: s3rver. */
  S3_ENDPOINT: optionalUrl,
  /** Largest file a unit may send, in bytes. */
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(5 * 1024 * 1024 * 1024).default(25 * 1024 * 1024),
});
export type FilesEnv = z.infer<typeof FilesEnvSchema>;

export const LinkSecretEnvSchema = z
  .object({
    /** AWS: the Secrets Manager secret holding the link-signing key(s). */
    LINK_SECRET_ARN: z.string().startsWith('arn:').optional(),
    /** Local only: a file under .local/ holding the key. */
    LINK_SECRET_FILE: z.string().min(1).optional(),
  })
  .refine((env) => !!env.LINK_SECRET_ARN !== !!env.LINK_SECRET_FILE, {
    message: 'exactly one of LINK_SECRET_ARN and LINK_SECRET_FILE must be set',
  });
export type LinkSecretEnv = z.infer<typeof LinkSecretEnvSchema>;

export const MailEnvSchema = z.object({
  /** The verified sender, e.g. "Cụm Thi đua <no-reply@example.org>". */
  MAIL_FROM: z.string().min(3),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Local only: aws-ses-v2-local. */
  SES_ENDPOINT: optionalUrl,
});
export type MailEnv = z.infer<typeof MailEnvSchema>;

export const SchedulesEnvSchema = z.object({
  /** The project's schedule group. */
  SCHEDULE_GROUP: z.string().min(1),
  /** What schedules invoke: the reminder function's ARN. */
  REMINDER_TARGET_ARN: z.string().startsWith('arn:'),
  /** The role EventBridge Scheduler assumes to invoke it (allowed to invoke only that function). */
  SCHEDULER_ROLE_ARN: z.string().startsWith('arn:'),
  /** Where Scheduler puts an invocation that failed all its retries. */
  REMINDER_DLQ_ARN: z.string().startsWith('arn:'),
  /** Local only: the Scheduler stand-in. */
  SCHEDULER_ENDPOINT: optionalUrl,
});
export type SchedulesEnv = z.infer<typeof SchedulesEnvSchema>;

export const SendingEnvSchema = z.object({
  /** The app's public origin, for the links inside emails (https://... in AWS). */
  PUBLIC_BASE_URL: z.url(),
  /** Largest number of emails per second one reminder run sends (SES quota). */
  MAX_SEND_RATE: z.coerce.number().positive().max(1000).default(10),
  /** The queue of the single bounded sender; without it every run sends directly. */
  REMINDER_QUEUE_URL: optionalUrl,
  /**
   * Runs with more emails than this go through the queue. 0 (the default) sends everything through it: runs that
   * fire together (every cluster at 08:00) then share one rate instead of each pacing alone.
   */
  FAN_OUT_THRESHOLD: z.coerce.number().int().min(0).default(0),
  /** How many copies of the queue's consumer may run at once; each paces at MAX_SEND_RATE / this. */
  SENDER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(1),
});
export type SendingEnv = z.infer<typeof SendingEnvSchema>;
