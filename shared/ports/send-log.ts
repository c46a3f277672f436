/** Which reminder emails went out: the exactly-once ledger of (milestone, kind, offset, recipient). */
import type { ReminderEvent } from '../domain/reminders';

export interface SendRef extends ReminderEvent {
  /** A unit id, or "digest" for the cluster head's digest. */
  recipient: string;
}

/** One entry of the ledger as the Nhắc việc page lists it. */
export interface SendRecord {
  ref: SendRef;
  /** 'claimed': a run took it and has not recorded the send (sending now, or crashed before recording). */
  status: 'claimed' | 'sent';
  claimedAt: string;
  sentAt?: string;
}

export interface SendLog {
  /**
   * Claims the send: true if this caller may send it now. False when it was already sent, or when another run
   * claimed it less than `staleAfterMs` ago (a claim older than that belongs to a run that crashed before sending
   * or before recording, and is taken over).
   */
  claim(ref: SendRef, now: Date, staleAfterMs: number): Promise<boolean>;
  markSent(ref: SendRef, messageId: string, now: Date): Promise<void>;
  /** Releases a claim after a failed send, so a retry sends it. */
  release(ref: SendRef): Promise<void>;
  /** Recipients already sent for this reminder. */
  listSent(event: ReminderEvent): Promise<string[]>;
  /** Every send of a plan (all milestones, kinds and recipients): one Query whatever their number. */
  listPlanSends(clusterId: string, planId: string): Promise<SendRecord[]>;
}
