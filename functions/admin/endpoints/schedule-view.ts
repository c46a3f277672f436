/** The JSON shape of a schedule report, with times as people read them. */
import type { PlannedSchedule } from '../../../shared/domain/reminders';
import { formatInstantVi } from '../../../shared/domain/time';
import type { ScheduleReport } from '../../../shared/use-cases/reminders';

const view = (s: PlannedSchedule) => ({ name: s.name, fireAt: s.fireAt.toISOString(), fireAtLabel: formatInstantVi(s.fireAt), ...s.event });

export function scheduleReportView(report: ScheduleReport) {
  return {
    planned: report.planned.map(view),
    missing: report.missing.map(view),
    extra: report.extra,
    withoutDay: report.withoutDay,
    created: report.created,
    deleted: report.deleted,
  };
}
