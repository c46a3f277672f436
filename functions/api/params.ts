/** Path parameter schemas shared by the cluster routes. */
import { z } from 'zod';
import { ClusterIdSchema, PlanIdSchema } from '../../shared/domain/model';

export const ClusterPathSchema = z.object({ clusterId: ClusterIdSchema });
export const PlanPathSchema = z.object({ clusterId: ClusterIdSchema, planId: PlanIdSchema });
