/**
 * Persistence ports, one per aggregate. The DynamoDB adapters live in shared/adapters/dynamodb.
 * Reads are by key or by query within a cluster; creates never overwrite.
 */
import type { Undeliverable } from '../domain/bounces';
import type { Cluster, Milestone, Plan, Unit } from '../domain/model';
import type { AdminAuthStore } from './admin-auth';
import type { AuditLog } from './audit-log';
import type { ScoringRepository } from './scoring';
import type { CalendarFeedStore } from './calendar-feeds';
import type { SendLog } from './send-log';
import type { UploadRepository } from './uploads';

/** What a create-if-absent reports, so seeding can say what it did. */
export type CreateOutcome = 'created' | 'exists';

export interface ClusterRepository {
  get(clusterId: string): Promise<Cluster | undefined>;
  /** Every cluster of the deployment, ordered by province then id. */
  list(): Promise<Cluster[]>;
  createIfAbsent(cluster: Cluster): Promise<CreateOutcome>;
}

/** A unit with the stored version its next update must match (optimistic concurrency). */
export interface VersionedUnit {
  unit: Unit;
  version: number;
}

export interface UnitRepository {
  list(clusterId: string): Promise<Unit[]>;
  /** Every unit of a cluster with its stored version (one Query), for an update that must see the others. */
  listVersioned(clusterId: string): Promise<VersionedUnit[]>;
  get(clusterId: string, unitId: string): Promise<Unit | undefined>;
  createIfAbsent(unit: Unit): Promise<CreateOutcome>;
  /**
   * Replaces a unit's editable fields (name, role, emails, contact name, active) if its stored version is still
   * `expectedVersion`, keeping its link version and sample flag; returns the unit as stored. ConflictError if the
   * unit changed (or vanished) since it was read.
   */
  update(unit: Unit, expectedVersion: number): Promise<Unit>;
  /** Revokes every link issued so far: returns the new link version. NotFoundError if the unit does not exist. */
  bumpLinkVersion(clusterId: string, unitId: string): Promise<number>;
}

export interface PlanRepository {
  listPlans(clusterId: string): Promise<Plan[]>;
  getPlan(clusterId: string, planId: string): Promise<Plan | undefined>;
  listMilestones(clusterId: string, planId: string): Promise<Milestone[]>;
  getMilestone(clusterId: string, planId: string, milestoneId: string): Promise<Milestone | undefined>;
  /** Creates or replaces a milestone of an existing plan (callers re-sync the reminder schedules after). */
  saveMilestone(milestone: Milestone): Promise<void>;
  deleteMilestone(clusterId: string, planId: string, milestoneId: string): Promise<void>;
  /** Writes a plan and all its milestones atomically; 'exists' (and nothing written) if the plan exists. */
  createPlanIfAbsent(plan: Plan, milestones: readonly Milestone[]): Promise<CreateOutcome>;
}

export interface Repositories {
  clusters: ClusterRepository;
  units: UnitRepository;
  plans: PlanRepository;
  uploads: UploadRepository;
  sends: SendLog;
  undeliverable: UndeliverableRepository;
  auth: AdminAuthStore;
  audit: AuditLog;
  scoring: ScoringRepository;
  /** The version a plan's cluster calendar feed links must carry (revoking bumps it). */
  calendarFeeds: CalendarFeedStore;
}

export interface UndeliverableRepository {
  put(entry: Undeliverable): Promise<void>;
  list(clusterId: string): Promise<Undeliverable[]>;
}
