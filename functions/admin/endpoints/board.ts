/** The status board, extensions, reminders sent and "send now", the audit log. */
import { ValidationError } from '../../../shared/domain/errors';
import { formatDateVi } from '../../../shared/domain/time';
import type { Implementations } from '../../../shared/http/admin-router';
import { correlationIdOf } from '../../../shared/http/middleware';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';
import { listReminderSends, sendReminderNow } from '../../../shared/use-cases/admin-reminders';
import { extendDeadline, getBoard } from '../../../shared/use-cases/board';

type Impl = Implementations<'admin'>;

/** An audit summary is one sentence of at most 1000 characters; titles may be longer. */
const clip = (text: string, max = 1000): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export const boardEndpoints = (deps: AdminDeps): Pick<Impl, 'GetBoard' | 'GrantExtension' | 'ListReminderSends' | 'SendReminderNow' | 'ListAudit'> => ({
  GetBoard: async ({ params }) => ({ body: await getBoard(deps, params.clusterId, params.planId) }),

  GrantExtension: async ({ params, body }) => {
    const { extension, unit, milestone, previous } = await extendDeadline(deps, { ...params, ...body });
    const what = milestone.document ? `nộp "${milestone.document.title}" (mốc "${milestone.title}")` : `mốc "${milestone.title}"`;
    return {
      body: { extension },
      audit: {
        action: 'extension.grant',
        target: `unit:${unit.unitId}`,
        summary: clip(
          `Gia hạn cho ${unit.name} ${what} đến hết ngày ${formatDateVi(extension.until)}` +
            (previous ? ` (trước đó: đến hết ngày ${formatDateVi(previous.until)})` : '') +
            (extension.reason ? `. Lý do: ${extension.reason}` : '') +
            '.',
        ),
      },
    };
  },

  ListReminderSends: async ({ params }) => ({ body: await listReminderSends(deps.repos, params.clusterId, params.planId) }),

  SendReminderNow: async ({ params, body, event }) => {
    const result = await sendReminderNow(deps, { ...params, ...body, correlationId: correlationIdOf(event) });
    const label = result.kind === 'overdue' ? 'email báo quá hạn' : 'email nhắc việc';
    return {
      body: { sentTo: result.sentTo, subject: result.subject },
      audit: {
        action: 'reminder.send-now',
        target: `unit:${result.unit.unitId}`,
        summary: clip(
          `Gửi ngay ${label} mốc "${result.milestone.title}" cho ${result.unit.name} (${result.sentTo.join(', ')})` +
            (result.skipped.length > 0 ? `; bỏ qua địa chỉ bị trả lại: ${result.skipped.join(', ')}` : '') +
            '.',
        ),
      },
    };
  },

  ListAudit: async ({ params, query }) => {
    const { cursor, limit, ...filter } = query;
    if (filter.from && filter.to && filter.from > filter.to) {
      throw new ValidationError(`Ngày bắt đầu (${formatDateVi(filter.from)}) phải trước hoặc bằng ngày kết thúc (${formatDateVi(filter.to)}).`);
    }
    const page = await deps.repos.audit.list(params.clusterId, filter, { limit, ...(cursor ? { cursor } : {}) });
    return { body: page };
  },
});
