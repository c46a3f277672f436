/** Everything the admin API's use cases may use (each use case takes the Pick it needs). */
import type { Clock } from '../ports/clock';
import type { FileStore } from '../ports/files';
import type { LinkKeyStore } from '../ports/link-keys';
import type { Mailer } from '../ports/mailer';
import type { Repositories } from '../ports/repositories';
import type { ScheduleStore } from '../ports/scheduler';

export interface AdminDeps {
  repos: Repositories;
  mailer: Mailer;
  files: FileStore;
  schedules: ScheduleStore;
  linkKeys: LinkKeyStore;
  clock: Clock;
  /** The app's origin, for links in emails. */
  baseUrl: string;
  /** Emails per second (SES quota), for "send now". */
  maxSendRate: number;
}
