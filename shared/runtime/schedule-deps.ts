/** Cold-start wiring for the admin routes that read or repair reminder schedules. */
import { EventBridgeScheduleStore, createSchedulerClient } from '../adapters/scheduler/schedule-store';
import { AdminAuthEnvSchema, SchedulesEnvSchema, TableEnvSchema, clockFromEnv, parseEnv } from '../config';
import type { ScheduleDeps } from '../use-cases/reminders';
import { repositoriesFromEnv } from './aws-clients';

const env = parseEnv(TableEnvSchema.extend(SchedulesEnvSchema.shape).extend(AdminAuthEnvSchema.shape));
const clock = clockFromEnv();

export const authEnv = env;
export const scheduleDeps: ScheduleDeps = {
  repos: repositoriesFromEnv(env, clock),
  schedules: new EventBridgeScheduleStore(createSchedulerClient({ endpoint: env.SCHEDULER_ENDPOINT }), {
    group: env.SCHEDULE_GROUP,
    targetArn: env.REMINDER_TARGET_ARN,
    roleArn: env.SCHEDULER_ROLE_ARN,
    deadLetterArn: env.REMINDER_DLQ_ARN,
    endpoint: env.SCHEDULER_ENDPOINT,
  }),
  clock,
};
