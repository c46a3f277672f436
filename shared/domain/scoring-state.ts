/**
 * A plan's scoring settings that are not the scheme: when self-scoring opens, the year's freeze (chốt) and the suy
 * tôn ballot count. One small record per plan; every write that changes a total is conditional on its stored version
 * (shared/ports/scoring.ts), so a freeze and an edit can never both win.
 */
import * as z from 'zod';
import { INITIAL_RESULTS_LOCK, ResultsLockSchema } from './scoring-lock';
import { VoteTallySchema } from './scoring-sheets';

export const ScoringStateSchema = z.object({
  /**
   * From this instant units may fill in their self-score sheet, and a change to the scheme must be saved as a new
   * version with a reason. Absent: not opened yet.
   */
  selfScoreOpensAt: z.iso.datetime({ offset: true }).optional(),
  lock: ResultsLockSchema.default(INITIAL_RESULTS_LOCK),
  tally: VoteTallySchema.optional(),
});
export type ScoringState = z.infer<typeof ScoringStateSchema>;

export const INITIAL_SCORING_STATE: ScoringState = { lock: INITIAL_RESULTS_LOCK };

/** Whether self-scoring is open at `now`. */
export const selfScoringOpen = (state: Pick<ScoringState, 'selfScoreOpensAt'>, now: Date): boolean =>
  state.selfScoreOpensAt !== undefined && new Date(state.selfScoreOpensAt).getTime() <= now.getTime();
