/**
 * The API's shapes, derived from the contract (shared/http/admin-api.ts) at compile time only: `import type` is
 * erased, so no zod and no server code reaches the bundle.
 */
import type { z } from 'zod';
import type { BOARD_CELL_STATUSES, EndpointById, EndpointId } from '../../shared/http/admin-api';

type SchemaOf<E, K extends string> = E extends { readonly [P in K]: infer S extends z.ZodType } ? S : never;

/** The JSON an endpoint answers with. */
export type Res<I extends EndpointId> = z.output<SchemaOf<EndpointById<I>, 'response'>>;
/** The JSON body an endpoint accepts. */
export type Req<I extends EndpointId> = z.input<SchemaOf<EndpointById<I>, 'body'>>;

export type Session = Res<'GetSession'>;
export type ClusterSummary = Session['clusters'][number];
export type Plan = Res<'ListPlans'>['plans'][number];
export type MilestoneView = Res<'GetPlan'>['milestones'][number];
export type Unit = Res<'ListUnits'>['units'][number];
export type Board = Res<'GetBoard'>;
export type BoardCell = Board['cells'][number];
export type BoardCellStatus = (typeof BOARD_CELL_STATUSES)[number];
export type ScheduleReport = Res<'ListReminders'>;
export type MilestoneBody = Req<'SaveMilestone'>;
export type UnitSelector = MilestoneView['assignments'][number]['who'];
export type AuditEntry = Res<'ListAudit'>['entries'][number];
export type ApiKeyInfo = Res<'ListApiKeys'>['apiKeys'][number];

/**
 * Chấm điểm: the full view model of GET …/scoring (the contract's schema leaves the results' rows open, so their
 * shape is taken from the use case that builds them; a type-only import, erased like the others).
 */
export type ScoringView = import('../../shared/use-cases/scoring').ScoringView;
export type ScoringScheme = ScoringView['template'];
export type ScoringUnit = ScoringView['units'][number];
export type ResultRow = NonNullable<ScoringView['results']>['rows'][number];
export type SchemeBody = Req<'SaveScoringScheme'>;
