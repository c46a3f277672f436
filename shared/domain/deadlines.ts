/**
 * Deadline semantics: when a milestone's document stops being on time, in ICT.
 */
import type { Milestone, Plan } from './model';
import { addDays, firstDayAfterMonth, formatDateVi, formatMonthVi, startOfIctDay, type LocalDate } from './time';

export type Deadline =
  /** On time strictly before `dueAt`; `lastDay` is the last ICT day that is on time. */
  | { type: 'exact'; dueAt: Date; lastDay: LocalDate }
  /** Only a month is known: nothing can be late yet, but the month is shown. */
  | { type: 'month'; month: string; endsAt: Date }
  | { type: 'none' };

/**
 * The deadline of a milestone under a plan's rules.
 * "trước ngày D" accepts through the end of D - 1 unless the plan says D itself is accepted;
 * "đến hết ngày D" accepts through the end of D. An extension (gia hạn) to a date accepts through the end of that date.
 */
export function deadlineOf(milestone: Pick<Milestone, 'due'>, plan: Pick<Plan, 'beforeDayInclusive'>, extendedTo?: LocalDate): Deadline {
  if (extendedTo) return { type: 'exact', dueAt: startOfIctDay(addDays(extendedTo, 1)), lastDay: extendedTo };
  const due = milestone.due;
  switch (due.type) {
    case 'date': {
      const lastDay = due.rule === 'before' && !plan.beforeDayInclusive ? addDays(due.date, -1) : due.date;
      return { type: 'exact', dueAt: startOfIctDay(addDays(lastDay, 1)), lastDay };
    }
    case 'month':
      return { type: 'month', month: due.month, endsAt: startOfIctDay(firstDayAfterMonth(due.month)) };
    case 'none':
      return { type: 'none' };
  }
}

/** Whether a document received at `receivedAt` is late. Month-only and undated milestones are never late. */
export function isLate(receivedAt: Date, deadline: Deadline): boolean {
  return deadline.type === 'exact' && receivedAt.getTime() >= deadline.dueAt.getTime();
}

/**
 * The due date as a person reads it, with the exact acceptance rule spelled out, e.g.
 * "trước ngày 10/12/2021 (nhận đến hết ngày 09/12/2021)".
 */
export function describeDue(milestone: Pick<Milestone, 'due'>, plan: Pick<Plan, 'beforeDayInclusive'>): string {
  const due = milestone.due;
  switch (due.type) {
    case 'date': {
      const deadline = deadlineOf(milestone, plan);
      const last = deadline.type === 'exact' ? formatDateVi(deadline.lastDay) : '';
      return due.rule === 'before'
        ? `trước ngày ${formatDateVi(due.date)} (nhận đến hết ngày ${last})`
        : `đến hết ngày ${formatDateVi(due.date)}`;
    }
    case 'month':
      return `dự kiến tháng ${formatMonthVi(due.month)} (chưa định ngày)`;
    case 'none':
      return 'chưa định thời gian';
  }
}

/** The due date in the plan's short form, for subjects: "trước ngày 10/12/2021", "đến hết ngày 31/05/2022". */
export function describeDueShort(milestone: Pick<Milestone, 'due'>): string {
  const due = milestone.due;
  switch (due.type) {
    case 'date':
      return `${due.rule === 'before' ? 'trước ngày' : 'đến hết ngày'} ${formatDateVi(due.date)}`;
    case 'month':
      return `dự kiến tháng ${formatMonthVi(due.month)}`;
    case 'none':
      return 'chưa định thời gian';
  }
}
