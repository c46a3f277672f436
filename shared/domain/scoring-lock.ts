/**
 * Chốt kết quả: once the conference has agreed the year's results, the cluster head freezes them; after that nothing
 * that changes a total (scheme, sheets, verification, overrides, ballots, registration flags) may be saved until an
 * explicit unlock with a written reason. A tiny state machine, open -> frozen -> (unlock, reason) -> open, whose every
 * transition yields the audit entry to append.
 */
import * as z from 'zod';
import { RESULTS_LOCK_STATUS_LABELS } from './scoring-labels';
import { formatInstantVi } from './time';

export const ResultsLockSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('open'),
    /** The last unlock, if the results were ever frozen. */
    unlockedAt: z.iso.datetime({ offset: true }).optional(),
    unlockedBy: z.string().max(300).optional(),
    unlockReason: z.string().max(1000).optional(),
  }),
  z.object({
    status: z.literal('frozen'),
    frozenAt: z.iso.datetime({ offset: true }),
    frozenBy: z.string().min(1).max(300),
    /** The scheme version the frozen results were computed under. */
    schemeVersion: z.number().int().min(1),
    note: z.string().max(1000).optional(),
  }),
]);
export type ResultsLock = z.infer<typeof ResultsLockSchema>;

export const INITIAL_RESULTS_LOCK: ResultsLock = { status: 'open' };

export type LockCommand =
  | { type: 'freeze'; at: Date; by: string; schemeVersion: number; note?: string }
  | { type: 'unlock'; at: Date; by: string; reason: string };

/** What the audit log records for a transition (action names match AuditEntrySchema). */
export interface LockEvent {
  action: 'scores.freeze' | 'scores.unlock';
  at: string;
  by: string;
  summary: string;
}

export type LockTransition = { ok: true; state: ResultsLock; event: LockEvent } | { ok: false; message: string };

const MIN_REASON = 5;

/** Applies a command; refuses freezing twice, unlocking what is open, and an unlock without a reason. */
export function transitionLock(state: ResultsLock, command: LockCommand): LockTransition {
  const at = command.at.toISOString();
  if (command.type === 'freeze') {
    if (state.status === 'frozen') return { ok: false, message: `Kết quả đã được chốt lúc ${formatInstantVi(new Date(state.frozenAt))}.` };
    const note = command.note?.normalize('NFC').trim() || undefined;
    return {
      ok: true,
      state: { status: 'frozen', frozenAt: at, frozenBy: command.by, schemeVersion: command.schemeVersion, ...(note ? { note } : {}) },
      event: {
        action: 'scores.freeze',
        at,
        by: command.by,
        summary: `Chốt kết quả chấm điểm thi đua (thang điểm phiên bản ${command.schemeVersion})${note ? `. Ghi chú: ${note}` : ''}`,
      },
    };
  }
  if (state.status === 'open') return { ok: false, message: 'Kết quả chưa được chốt, không cần mở khóa.' };
  const reason = command.reason.normalize('NFC').trim();
  if (reason.length < MIN_REASON) return { ok: false, message: `Cần ghi rõ lý do mở khóa (ít nhất ${MIN_REASON} ký tự).` };
  return {
    ok: true,
    state: { status: 'open', unlockedAt: at, unlockedBy: command.by, unlockReason: reason },
    event: {
      action: 'scores.unlock',
      at,
      by: command.by,
      summary: `Mở khóa kết quả chấm điểm thi đua đã chốt lúc ${formatInstantVi(new Date(state.frozenAt))}. Lý do: ${reason}`,
    },
  };
}

/** Whether anything that changes a total may be saved now, with the message to show when not. */
export function scoresEditable(state: ResultsLock): { ok: true } | { ok: false; message: string } {
  return state.status === 'open'
    ? { ok: true }
    : { ok: false, message: `${RESULTS_LOCK_STATUS_LABELS.frozen} kết quả lúc ${formatInstantVi(new Date(state.frozenAt))}: cần mở khóa (ghi rõ lý do) trước khi sửa.` };
}
