/**
 * EventBridge Scheduler adapter for the ScheduleStore port: one-time `at()` schedules in Asia/Ho_Chi_Minh, deleted
 * after they fire, retried, with a dead-letter queue. Locally the same calls reach the Scheduler stand-in.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { PlannedSchedule } from '../../domain/reminders';
import { ICT_TIME_ZONE } from '../../domain/time';
import type { ScheduleStore } from '../../ports/scheduler';
import { localClientConfig, type LocalClientSettings } from '../local-client';
import { observeClient } from '../sdk-calls';

export interface SchedulerSettings {
  group: string;
  targetArn: string;
  roleArn: string;
  deadLetterArn: string;
  endpoint?: string;
}

/** Scheduler retries a failed invocation this many times over at most this long, then sends it to the DLQ. */
export const REMINDER_RETRY_POLICY = { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 6 * 3600 } as const;

export function createSchedulerClient(settings: Pick<SchedulerSettings, 'endpoint'> & LocalClientSettings): SchedulerClient {
  return observeClient(new SchedulerClient({ ...localClientConfig(settings) }), 'scheduler');
}

export class EventBridgeScheduleStore implements ScheduleStore {
  constructor(private readonly client: SchedulerClient, private readonly settings: SchedulerSettings) {}

  async listNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new ListSchedulesCommand({ GroupName: this.settings.group, NamePrefix: prefix, MaxResults: 100, NextToken }));
      for (const s of page.Schedules ?? []) if (s.Name) names.push(s.Name);
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  }

  async create(schedule: PlannedSchedule): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: schedule.name,
          GroupName: this.settings.group,
          ScheduleExpression: `at(${schedule.localTime})`,
          ScheduleExpressionTimezone: ICT_TIME_ZONE,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `${schedule.event.kind} ${schedule.event.milestoneId} (${schedule.event.offset})`.slice(0, 512),
          Target: {
            Arn: this.settings.targetArn,
            RoleArn: this.settings.roleArn,
            Input: JSON.stringify(schedule.event),
            RetryPolicy: REMINDER_RETRY_POLICY,
            DeadLetterConfig: { Arn: this.settings.deadLetterArn },
          },
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConflictException || (error as { name?: string }).name === 'ConflictException') return 'exists';
      throw error;
    }
  }

  async delete(name: string): Promise<'deleted' | 'missing'> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.group }));
      return 'deleted';
    } catch (error) {
      if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return 'missing';
      throw error;
    }
  }
}
