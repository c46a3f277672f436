/**
 * Cloning a school year's plan into another year ("triển khai nhiệm vụ năm học 2022 - 2023").
 */
import { planIdFor, type Due, type Milestone, type Plan } from './model';
import { shiftDateByYears, shiftMonthByYears } from './time';

export interface ClonedPlan {
  plan: Plan;
  milestones: Milestone[];
  /** One-off milestones (recurring: false) that were not carried over. */
  skipped: Milestone[];
}

/**
 * Rewrites the years a plan's text mentions: dates "10/12/2021", months "08/2021" and school years
 * "2021 - 2022" move by `years`, but only when the year lies within the source school year (one year either side),
 * so a historical date such as "10/10/1946" stays as written.
 */
export function shiftYearsInText(text: string, years: number, sourceStartYear: number): string {
  const inRange = (y: number): boolean => y >= sourceStartYear - 1 && y <= sourceStartYear + 2;
  const shift = (y: string): string => (inRange(Number(y)) ? String(Number(y) + years) : y);
  return text.replace(
    /(\d{4})(\s*[-–]\s*)(\d{4})(?!\d)|(\b\d{1,2}[/.]\d{1,2}[/.])(\d{4})\b|(\b\d{1,2}\/)(\d{4})\b/g,
    (match, a?: string, sep?: string, b?: string, dmy?: string, y1?: string, my?: string, y2?: string) => {
      if (a && b && sep !== undefined) {
        return Number(b) === Number(a) + 1 ? `${shift(a)}${sep}${shift(b)}` : match;
      }
      if (dmy && y1) return `${dmy}${shift(y1)}`;
      if (my && y2) return `${my}${shift(y2)}`;
      return match;
    },
  );
}

function shiftDue(due: Due, years: number): Due {
  switch (due.type) {
    case 'date':
      return { ...due, date: shiftDateByYears(due.date, years) };
    case 'month':
      return { ...due, month: shiftMonthByYears(due.month, years) };
    case 'none':
      return due;
  }
}

/**
 * Copies a plan and its recurring milestones into the school year starting `targetStartYear`: every date moves by
 * whole years, texts mentioning the school year follow, ids stay the same so milestones keep their meaning.
 */
export function clonePlan(source: Plan, milestones: readonly Milestone[], targetStartYear: number): ClonedPlan {
  const years = targetStartYear - source.schoolYear.startYear;
  const text = (s: string): string => shiftYearsInText(s, years, source.schoolYear.startYear);
  const optText = (s: string | undefined): string | undefined => (s === undefined ? undefined : text(s));
  const planId = planIdFor(targetStartYear);
  const plan: Plan = {
    ...source,
    planId,
    schoolYear: { startYear: targetStartYear, endYear: targetStartYear + 1 },
    title: text(source.title),
    issuedOn: source.issuedOn && shiftDateByYears(source.issuedOn, years),
    basis: source.basis,
    clonedFrom: source.planId,
  };
  const kept = milestones.filter((m) => m.recurring);
  return {
    plan,
    skipped: milestones.filter((m) => !m.recurring),
    milestones: kept.map((m) => ({
      ...m,
      planId,
      title: text(m.title),
      due: shiftDue(m.due, years),
      dueText: optText(m.dueText),
      content: m.content.map(text),
      assignments: m.assignments.map((a) => ({ ...a, task: text(a.task) })),
      document: m.document && { ...m.document, title: text(m.document.title) },
      cutoffDate: m.cutoffDate && shiftDateByYears(m.cutoffDate, years),
      notes: m.notes.map(text),
    })),
  };
}
