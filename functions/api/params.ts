/** Path parameter schemas shared by the cluster routes. */
import { z } from 'zod';
import { ClusterIdSchema, PlanIdSchema, UnitIdSchema } from '../../shared/domain/model';
import { UploadIdSchema } from '../../shared/domain/submission';

export const ClusterPathSchema = z.object({ clusterId: ClusterIdSchema });
export const PlanPathSchema = z.object({ clusterId: ClusterIdSchema, planId: PlanIdSchema });
export const SubmissionPathSchema = PlanPathSchema.extend({ unitId: UnitIdSchema, uploadId: UploadIdSchema });
