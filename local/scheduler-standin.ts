/**
 * A small in-process stand-in for Amazon EventBridge Scheduler, for local runs and integration tests.
 *
 * It speaks enough of the real restJson1 API that the unmodified `@aws-sdk/client-scheduler` v3 client, pointed at
 * `url`, works for Create/Get/Update/Delete/ListSchedules and Create/Get/DeleteScheduleGroup. Paths, query
 * names and member names follow the SDK's own operation schemas (dist-cjs/index.js), e.g. ListSchedules filters by
 * the `ScheduleGroup` query parameter while Get/DeleteSchedule use `groupName`.
 *
 * Only one-time `at(...)` schedules fire; `rate(...)` and `cron(...)` are validated loosely and stored but never
 * fired, because the project only schedules one-off reminders. Tags, KMS, StartDate/EndDate and
 * FlexibleTimeWindow are stored and echoed but have no effect. Not production code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../shared/ports/clock.js';

const REGION = 'ap-southeast-1';
const ACCOUNT = '123456789012';
const DEFAULT_GROUP = 'default';

/** The target as the SDK sends it (PascalCase wire names); only the members the stand-in acts on are typed. */
export interface StoredTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  [other: string]: unknown;
}

/** A schedule as stored: the wire fields plus the computed firing instant and firing status. */
export interface StoredSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  Target: StoredTarget;
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  State: 'ENABLED' | 'DISABLED';
  ActionAfterCompletion?: string;
  Description?: string;
  StartDate?: number;
  EndDate?: number;
  KmsKeyArn?: string;
  CreationDate: Date;
  LastModificationDate: Date;
  /** The instant an `at(...)` expression denotes; undefined for rate()/cron(), which never fire here. */
  fireAt?: Date;
  /** Set once the (single) invocation has completed, successfully or into the dead-letter list. */
  firedAt?: Date;
}

/** An invocation that still failed after all retries. */
export interface DeadLetter {
  name: string;
  groupName: string;
  targetArn: string;
  /** Target.DeadLetterConfig.Arn, if the schedule had one. */
  deadLetterArn?: string;
  attempts: number;
  error: string;
  at: Date;
}

/** Options of {@link startSchedulerStandin}. */
export interface SchedulerStandinOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1 so nothing is exposed beyond the machine. */
  host?: string;
  /** Source of "now" for firing and timestamps; inject a simulated clock to live through another date. */
  clock?: Clock;
  /** How often due schedules are looked for, in ms (default 200). */
  pollMs?: number;
  /** Pause between retries of a failed invocation, in ms (default 10; the real service backs off for minutes). */
  retryDelayMs?: number;
  /** Delivers a due schedule to its target (e.g. calls the Lambda handler in-process). Rejecting means failure. */
  invoke: (target: { arn: string; input?: string; roleArn: string }, schedule: StoredSchedule) => Promise<void>;
  log?: (msg: string) => void;
}

/** A running stand-in. */
export interface SchedulerStandin {
  url: string;
  port: number;
  /** Stops polling and the HTTP server. */
  close(): Promise<void>;
  /** Copies of every stored schedule, all groups. */
  list(): StoredSchedule[];
  /** Fires a schedule now, whatever its expression or state; resolves after retries/dead-lettering. */
  fireNow(name: string, group?: string): Promise<void>;
  /** Invocations that failed after all retries, oldest first. */
  deadLetters: DeadLetter[];
}

class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}
const notFound = (what: string) => new ApiError(404, 'ResourceNotFoundException', `${what} does not exist.`);
const invalid = (message: string) => new ApiError(400, 'ValidationException', message);

/** The UTC instant at which the wall clock in `timeZone` reads `local` (yyyy-mm-ddThh:mm:ss). */
export function zonedTimeToUtc(local: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw invalid(`Invalid at() date: ${local}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(wall).toISOString().slice(0, 19) !== local) throw invalid(`Invalid at() date: ${local}`);
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  // The zone's offset at instant t = its wall clock at t, read as if it were UTC, minus t.
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - t;
  };
  const guess = wall - offsetAt(wall);
  // Second pass: the offset at the guess, not at `wall`, is the right one when a DST change lies between them.
  return new Date(wall - offsetAt(guess));
}

/** Validates expression and zone the way the service would reject them; returns the firing instant of at(). */
function parseExpression(expr: unknown, timeZone: string): Date | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw invalid(`Invalid ScheduleExpressionTimezone: ${timeZone}`);
  }
  if (typeof expr !== 'string') throw invalid('ScheduleExpression is required.');
  const at = /^at\((.+)\)$/.exec(expr);
  if (at) return zonedTimeToUtc(at[1]!, timeZone);
  if (/^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/.test(expr)) return undefined;
  if (/^cron\(\S+( \S+){5}\)$/.test(expr)) return undefined;
  throw invalid(`Invalid Schedule Expression ${expr}.`);
}

// Timestamps travel as epoch seconds: restJson1's default timestamp format.
const seconds = (d: Date) => d.getTime() / 1000;

/** Starts the stand-in on 127.0.0.1 (port 0 = any free port) and begins polling for due schedules. */
export async function startSchedulerStandin(opts: SchedulerStandinOptions): Promise<SchedulerStandin> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => {});
  const schedules = new Map<string, StoredSchedule>(); // key: group/name
  const groups = new Map<string, { Arn: string; Name: string; State: 'ACTIVE'; CreationDate: Date; LastModificationDate: Date }>();
  const firing = new Set<string>(); // keys whose invocation is in flight, so a slow invoke is never started twice
  const deadLetters: DeadLetter[] = [];
  const key = (group: string, name: string) => `${group}/${name}`;
  const groupArn = (name: string) => `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${name}`;
  const addGroup = (name: string) => {
    const now = clock.now();
    groups.set(name, { Arn: groupArn(name), Name: name, State: 'ACTIVE', CreationDate: now, LastModificationDate: now });
  };
  addGroup(DEFAULT_GROUP); // the service always has it

  function getSchedule(name: string, group: string): StoredSchedule {
    const s = schedules.get(key(group, name));
    if (!s) throw notFound(`Schedule ${name}`);
    return s;
  }

  /** Builds a schedule from a Create/UpdateSchedule body; both replace every field, as the real API does. */
  function fromBody(name: string, b: Record<string, unknown>, created?: Date): StoredSchedule {
    if (!/^[0-9a-zA-Z-_.]{1,64}$/.test(name)) throw invalid(`Invalid schedule name: ${name}`);
    const group = typeof b.GroupName === 'string' ? b.GroupName : DEFAULT_GROUP;
    if (!groups.has(group)) throw notFound(`Schedule group ${group}`);
    const target = b.Target as StoredTarget | undefined;
    if (typeof target?.Arn !== 'string' || typeof target.RoleArn !== 'string') throw invalid('Target.Arn and Target.RoleArn are required.');
    const ftw = b.FlexibleTimeWindow as StoredSchedule['FlexibleTimeWindow'] | undefined;
    if (ftw?.Mode !== 'OFF' && ftw?.Mode !== 'FLEXIBLE') throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
    const state = b.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid(`Invalid State: ${String(state)}`);
    const tz = typeof b.ScheduleExpressionTimezone === 'string' ? b.ScheduleExpressionTimezone : 'UTC';
    const fireAt = parseExpression(b.ScheduleExpression, tz);
    const now = clock.now();
    return {
      Name: name, GroupName: group, Arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${group}/${name}`,
      ScheduleExpression: b.ScheduleExpression as string, ScheduleExpressionTimezone: b.ScheduleExpressionTimezone as string | undefined,
      Target: target, FlexibleTimeWindow: ftw, State: state, ActionAfterCompletion: b.ActionAfterCompletion as string | undefined,
      Description: b.Description as string | undefined, StartDate: b.StartDate as number | undefined,
      EndDate: b.EndDate as number | undefined, KmsKeyArn: b.KmsKeyArn as string | undefined,
      CreationDate: created ?? now, LastModificationDate: now, fireAt,
    };
  }

  const toWire = (s: StoredSchedule) => {
    const { fireAt: _f, firedAt: _d, CreationDate, LastModificationDate, ...rest } = s;
    return { ...rest, CreationDate: seconds(CreationDate), LastModificationDate: seconds(LastModificationDate) };
  };

  /** Routes one request; returns the JSON body of a 200 response or throws an ApiError. */
  function handle(method: string, path: string[], q: URLSearchParams, body: Record<string, unknown>): unknown {
    const [collection, name] = path;
    const group = q.get('groupName') ?? DEFAULT_GROUP;
    if (collection === 'schedules' && name !== undefined) {
      if (method === 'POST') {
        const s = fromBody(name, body);
        if (schedules.has(key(s.GroupName, name))) throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
        schedules.set(key(s.GroupName, name), s);
        return { ScheduleArn: s.Arn };
      }
      if (method === 'GET') return toWire(getSchedule(name, group));
      if (method === 'PUT') {
        const old = getSchedule(name, typeof body.GroupName === 'string' ? body.GroupName : DEFAULT_GROUP);
        // A new definition is a new one-time occurrence, so firedAt is deliberately not carried over.
        const s = fromBody(name, body, old.CreationDate);
        schedules.set(key(s.GroupName, name), s);
        return { ScheduleArn: s.Arn };
      }
      if (method === 'DELETE') {
        schedules.delete(key(getSchedule(name, group).GroupName, name));
        return {};
      }
    }
    if (collection === 'schedules' && name === undefined && method === 'GET') {
      const prefix = q.get('NamePrefix') ?? '';
      const byGroup = q.get('ScheduleGroup');
      const all = [...schedules.values()]
        .filter((s) => s.Name.startsWith(prefix) && (byGroup === null || s.GroupName === byGroup))
        .filter((s) => !q.get('State') || s.State === q.get('State'))
        // Plain code-unit order (not localeCompare): paginate() resumes with `>` on the same keys.
        .sort((a, b) => (key(a.GroupName, a.Name) < key(b.GroupName, b.Name) ? -1 : 1));
      const page = paginate(all, q);
      const Schedules = page.items.map((s) => ({
        Arn: s.Arn, Name: s.Name, GroupName: s.GroupName, State: s.State, Target: { Arn: s.Target.Arn },
        CreationDate: seconds(s.CreationDate), LastModificationDate: seconds(s.LastModificationDate),
      }));
      return { Schedules, NextToken: page.next };
    }
    if (collection === 'schedule-groups' && name !== undefined) {
      if (method === 'POST') {
        if (groups.has(name)) throw new ApiError(409, 'ConflictException', `Schedule group ${name} already exists.`);
        addGroup(name);
        return { ScheduleGroupArn: groupArn(name) };
      }
      const g = groups.get(name);
      if (!g) throw notFound(`Schedule group ${name}`);
      if (method === 'GET') return { ...g, CreationDate: seconds(g.CreationDate), LastModificationDate: seconds(g.LastModificationDate) };
      if (method === 'DELETE') {
        if (g.Name === DEFAULT_GROUP) throw invalid('The default schedule group cannot be deleted.');
        groups.delete(g.Name); // the service also deletes the group's schedules (asynchronously; here at once)
        for (const s of schedules.values()) if (s.GroupName === g.Name) schedules.delete(key(s.GroupName, s.Name));
        return {};
      }
    }
    throw new ApiError(404, 'UnknownOperationException', `${method} /${path.join('/')} is not supported by the stand-in.`);
  }

  /** MaxResults/NextToken paging; the token is the key of the last item returned, so deletions between pages are harmless. */
  function paginate(all: StoredSchedule[], q: URLSearchParams): { items: StoredSchedule[]; next?: string } {
    const keyOf = (s: StoredSchedule) => key(s.GroupName, s.Name);
    const max = Number(q.get('MaxResults') ?? 100);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw invalid('MaxResults must be between 1 and 100.');
    const after = q.get('NextToken');
    const from = after === null ? 0 : all.findIndex((t) => keyOf(t) > after);
    const items = from < 0 ? [] : all.slice(from, from + max);
    const more = from >= 0 && from + max < all.length;
    return { items, next: more ? keyOf(items[items.length - 1]!) : undefined };
  }

  /** Invokes with retries; then completes the schedule (ActionAfterCompletion DELETE applies whatever the outcome). */
  async function fire(s: StoredSchedule): Promise<void> {
    const k = key(s.GroupName, s.Name);
    firing.add(k);
    const attempts = 1 + (s.Target.RetryPolicy?.MaximumRetryAttempts ?? 0);
    let error: unknown;
    try {
      for (let i = 1; i <= attempts; i++) {
        try {
          log(`scheduler: firing ${k} -> ${s.Target.Arn} (attempt ${i}/${attempts})`);
          await opts.invoke({ arn: s.Target.Arn, input: s.Target.Input, roleArn: s.Target.RoleArn }, s);
          error = undefined;
          break;
        } catch (e) {
          error = e;
          if (i < attempts) await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 10));
        }
      }
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        log(`scheduler: ${k} failed after ${attempts} attempt(s), dead-lettered: ${message}`);
        deadLetters.push({
          name: s.Name, groupName: s.GroupName, targetArn: s.Target.Arn, deadLetterArn: s.Target.DeadLetterConfig?.Arn,
          attempts, error: message, at: clock.now(),
        });
      }
      // Only touch the entry if it is still the same object: it may have been updated or deleted meanwhile.
      if (schedules.get(k) === s) {
        if (s.ActionAfterCompletion === 'DELETE') schedules.delete(k);
        else s.firedAt = clock.now();
      }
    } finally {
      firing.delete(k);
    }
  }

  const timer = setInterval(() => {
    const now = clock.now().getTime();
    for (const s of schedules.values()) {
      const due = s.State === 'ENABLED' && !s.firedAt && s.fireAt && s.fireAt.getTime() <= now;
      if (due && !firing.has(key(s.GroupName, s.Name))) void fire(s);
    }
  }, opts.pollMs ?? 200);
  timer.unref(); // never keep a test process or CLI alive just for polling

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 200;
      let out: unknown;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      try {
        const url = new URL(req.url ?? '/', 'http://standin');
        const path = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          throw invalid('Request body is not valid JSON.');
        }
        out = handle(req.method ?? 'GET', path, url.searchParams, body);
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalServerException', String(e));
        status = err.status;
        headers['x-amzn-errortype'] = err.type; // what the SDK reads first to pick the modeled exception
        out = { Message: err.message };
      }
      res.writeHead(status, headers).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  log(`scheduler stand-in listening on ${url}`);

  return {
    url,
    port,
    deadLetters,
    list: () => [...schedules.values()].map((s) => ({ ...s })),
    fireNow: async (name, group = DEFAULT_GROUP) => fire(getSchedule(name, group)),
    close: async () => {
      clearInterval(timer);
      // The SDK keeps sockets alive; without closing them server.close() would wait for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
