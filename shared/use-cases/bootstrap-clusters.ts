/**
 * Creates the clusters a deployment starts with (cdk.json `stages.<stage>.clusters`, read by the CLI verb
 * `bootstrap-clusters`): each cluster and its Cụm trưởng unit, whose addresses are the cluster's first admins.
 * Idempotent: what exists is left as it is (an admin's later edits of the cluster or unit always win), and only the
 * head unit's admin grants are re-synced from the unit as stored, which repairs missing grants and changes nothing
 * otherwise.
 */
import { UnitSchema, type Cluster, type Unit } from '../domain/model';
import type { CreateOutcome, Repositories } from '../ports/repositories';
import { adminEmailsOf } from './units';

/** One cluster to start with: the cluster, its head unit and that unit's addresses (the first admins). */
export interface ClusterBootstrap {
  readonly clusterId: string;
  readonly name: string;
  readonly province: Readonly<Cluster['province']>;
  readonly headUnit: { readonly unitId: string; readonly name: string };
  readonly adminEmails: readonly string[];
}

/** What bootstrapping one cluster did. */
export interface ClusterBootstrapOutcome {
  readonly clusterId: string;
  readonly cluster: CreateOutcome;
  readonly headUnit: CreateOutcome;
  /** The addresses that may sign in to the cluster's admin page through the head unit, as stored. */
  readonly admins: readonly string[];
  /**
   * Configured addresses the stored head unit does not have (it existed with others: nothing is overwritten). Add
   * them on the admin page (Đơn vị) or with the API if they should be admins.
   */
  readonly notApplied: readonly string[];
}

export interface BootstrapDeps {
  repos: Pick<Repositories, 'clusters' | 'units' | 'auth' | 'audit'>;
}

/** The actor of the audit entries: the deployment's configuration, applied by the operator CLI. */
const ACTOR = { type: 'system', id: 'bootstrap-clusters' } as const;

/** Creates what is missing of each cluster, in order; see the module comment. */
export async function bootstrapClusters(deps: BootstrapDeps, clusters: readonly ClusterBootstrap[]): Promise<ClusterBootstrapOutcome[]> {
  const outcomes: ClusterBootstrapOutcome[] = [];
  for (const config of clusters) outcomes.push(await bootstrapCluster(deps, config));
  return outcomes;
}

async function bootstrapCluster({ repos }: BootstrapDeps, config: ClusterBootstrap): Promise<ClusterBootstrapOutcome> {
  const { clusterId } = config;
  const cluster = await repos.clusters.createIfAbsent({ clusterId, name: config.name, province: { ...config.province } });
  const wanted: Unit = UnitSchema.parse({
    clusterId,
    unitId: config.headUnit.unitId,
    name: config.headUnit.name,
    role: 'cum-truong',
    emails: [...new Set(config.adminEmails)],
  });
  const headUnit = await repos.units.createIfAbsent(wanted);
  const stored = headUnit === 'created' ? wanted : ((await repos.units.get(clusterId, wanted.unitId)) ?? wanted);
  const admins = adminEmailsOf(stored);
  await repos.auth.syncUnitGrants(clusterId, stored.unitId, admins);

  if (cluster === 'created' || headUnit === 'created') {
    const created = [cluster === 'created' ? `cụm "${config.name}"` : undefined, headUnit === 'created' ? `đơn vị Cụm trưởng "${stored.name}"` : undefined];
    await repos.audit.append({
      clusterId,
      actor: ACTOR,
      action: 'cluster.bootstrap',
      target: `unit:${stored.unitId}`,
      summary: `Khởi tạo ${created.filter(Boolean).join(' và ')} từ cấu hình triển khai; quản trị: ${admins.join(', ') || 'chưa có'}.`,
    });
  }
  return { clusterId, cluster, headUnit, admins, notApplied: wanted.emails.filter((email) => !stored.emails.includes(email)) };
}
