/** The plan editor: milestones (create, edit, delete; schedules re-synced) and cloning into the next year. */
import type { Implementations } from '../../../shared/http/admin-router';
import type { AdminDeps } from '../../../shared/use-cases/admin-deps';

type Impl = Implementations<'admin'>;
const todo = (): never => {
  throw new Error('not implemented yet');
};

export const planEndpoints = (_deps: AdminDeps): Pick<Impl, 'ClonePlan' | 'SaveMilestone' | 'DeleteMilestone'> => ({
  ClonePlan: async () => todo(),
  SaveMilestone: async () => todo(),
  DeleteMilestone: async () => todo(),
});
