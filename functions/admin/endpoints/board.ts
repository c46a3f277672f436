/** The status board, extensions, reminders sent and "send now", the audit log. */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';

type Impl = Implementations<'admin'>;
const todo = (): never => {
  throw new Error('not implemented yet');
};

export const boardEndpoints = (_deps: AdminDeps): Pick<Impl, 'GetBoard' | 'GrantExtension' | 'ListReminderSends' | 'SendReminderNow' | 'ListAudit'> => ({
  GetBoard: async () => todo(),
  GrantExtension: async () => todo(),
  ListReminderSends: async () => todo(),
  SendReminderNow: async () => todo(),
  ListAudit: async () => todo(),
});
