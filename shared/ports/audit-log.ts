/** The append-only audit log of a cluster. */
import type { AuditEntry, AuditFilter, AuditRecord } from '../domain/audit';

export interface AuditPage {
  entries: AuditEntry[];
  /** Opaque cursor for the next (older) page, when there is one. */
  nextCursor?: string;
}

/** An entry's identity chosen by the caller (e.g. derived from the event it records). */
export interface AuditEntryKey {
  /** Unique within the instant (6 to 40 characters). */
  entryId: string;
  at: Date;
}

export interface AuditLog {
  /**
   * Appends an entry; never overwrites. Without `key` it is stamped with the clock's time and a random id. With
   * `key`, appending is idempotent: a retry of the same append (same key) writes nothing more and resolves with the
   * entry, so a caller may repeat it until it succeeds.
   */
  append(record: AuditRecord, key?: AuditEntryKey): Promise<AuditEntry>;
  /** Newest first, within the filter's dates, at most `limit` entries per page. */
  list(clusterId: string, filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<AuditPage>;
}
