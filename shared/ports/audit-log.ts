/** The append-only audit log of a cluster. */
import type { AuditEntry, AuditFilter, AuditRecord } from '../domain/audit';

export interface AuditPage {
  entries: AuditEntry[];
  /** Opaque cursor for the next (older) page, when there is one. */
  nextCursor?: string;
}

export interface AuditLog {
  /** Appends an entry stamped with the clock's time; never overwrites. */
  append(record: AuditRecord): Promise<AuditEntry>;
  /** Newest first, within the filter's dates, at most `limit` entries per page. */
  list(clusterId: string, filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<AuditPage>;
}
