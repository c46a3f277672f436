/**
 * Cold-start wiring for the admin functions: `authDeps` for the sign-in function (table + mail), `adminDeps` for the
 * admin API (everything the cluster head can do: table, download links, schedules, link keys, mail).
 */
import { EventBridgeScheduleStore, createSchedulerClient } from '../adapters/scheduler/schedule-store';
import { fileStoreFromEnv } from '../adapters/s3/file-store';
import { mailerFromEnv } from '../adapters/ses/mailer';
import {
  AdminRouterEnvSchema,
  FilesEnvSchema,
  LinkSecretEnvSchema,
  MailEnvSchema,
  SchedulesEnvSchema,
  SendingEnvSchema,
  TableEnvSchema,
  clockFromEnv,
  parseEnv,
} from '../config';
import type { AdminDeps } from '../use-cases/admin-deps';
import type { AuthDeps, SignInDeps } from '../use-cases/admin-auth';
import type { ScoringDeps } from '../use-cases/scoring';
import { repositoriesFromEnv } from './aws-clients';
import { linkKeysFromEnv } from './link-keys';

/** The sign-in function: table, SES, the app's origin. */
export function authDepsFromEnv(): SignInDeps & { checkResponses: boolean } {
  const env = parseEnv(TableEnvSchema.extend(MailEnvSchema.shape).extend(SendingEnvSchema.pick({ PUBLIC_BASE_URL: true }).shape).extend(AdminRouterEnvSchema.shape));
  const clock = clockFromEnv();
  return {
    repos: repositoriesFromEnv(env, clock),
    mailer: mailerFromEnv(env),
    clock,
    baseUrl: env.PUBLIC_BASE_URL,
    checkResponses: env.CHECK_RESPONSES === 'true',
    ...(env.SIGN_IN_LIMIT_PER_IP ? { perIpLimit: env.SIGN_IN_LIMIT_PER_IP } : {}),
  };
}

/** The admin API function. */
export function adminDepsFromEnv(): AdminDeps & { checkResponses: boolean } {
  const env = parseEnv(
    TableEnvSchema.extend(MailEnvSchema.shape)
      .extend(SendingEnvSchema.shape)
      .extend(FilesEnvSchema.shape)
      .extend(SchedulesEnvSchema.shape)
      .extend(AdminRouterEnvSchema.shape),
  );
  const clock = clockFromEnv();
  return {
    repos: repositoriesFromEnv(env, clock),
    mailer: mailerFromEnv(env),
    files: fileStoreFromEnv(env),
    schedules: new EventBridgeScheduleStore(createSchedulerClient({ endpoint: env.SCHEDULER_ENDPOINT }), {
      group: env.SCHEDULE_GROUP,
      targetArn: env.REMINDER_TARGET_ARN,
      roleArn: env.SCHEDULER_ROLE_ARN,
      deadLetterArn: env.REMINDER_DLQ_ARN,
      endpoint: env.SCHEDULER_ENDPOINT,
    }),
    linkKeys: linkKeysFromEnv(parseEnv(LinkSecretEnvSchema)),
    clock,
    baseUrl: env.PUBLIC_BASE_URL,
    maxSendRate: env.MAX_SEND_RATE,
    checkResponses: env.CHECK_RESPONSES === 'true',
  };
}

/** The read-only admin functions (the scores export, the plan import preview): they read the table, nothing else. */
export function readOnlyAdminDepsFromEnv(): ScoringDeps & AuthDeps & { checkResponses: boolean } {
  const env = parseEnv(TableEnvSchema.extend(AdminRouterEnvSchema.shape));
  const clock = clockFromEnv();
  return { repos: repositoriesFromEnv(env, clock), clock, checkResponses: env.CHECK_RESPONSES === 'true' };
}
