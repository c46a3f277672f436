/** Units: add and edit, their links (copy, email, revoke and reissue). */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';

type Impl = Implementations<'admin'>;
const todo = (): never => {
  throw new Error('not implemented yet');
};

export const unitEndpoints = (_deps: AdminDeps): Pick<Impl, 'CreateUnit' | 'UpdateUnit' | 'IssueUnitLink' | 'EmailUnitLink' | 'RevokeUnitLinks'> => ({
  CreateUnit: async () => todo(),
  UpdateUnit: async () => todo(),
  IssueUnitLink: async () => todo(),
  EmailUnitLink: async () => todo(),
  RevokeUnitLinks: async () => todo(),
});
